package exec

// System call numbers the syscall package lacks on amd64.
const (
	sysMemfdCreate = 319
	sysMembarrier  = 324
)
