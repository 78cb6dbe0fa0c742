//go:build linux && !amd64 && !arm64

package exec

// No executable memory on other architectures (icacheSupported is false,
// so these are never used).
const (
	sysMemfdCreate = ^uintptr(0)
	sysMembarrier  = ^uintptr(0)
)
