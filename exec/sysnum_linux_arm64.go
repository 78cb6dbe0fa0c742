package exec

// System call numbers the syscall package lacks on arm64.
const (
	sysMemfdCreate = 279
	sysMembarrier  = 283
)
