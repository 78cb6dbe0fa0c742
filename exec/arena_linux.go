//go:build linux

package exec

import (
	"fmt"
	"runtime"
	"syscall"
	"unsafe"
)

// mapSealed maps size bytes of fresh RW memory, lets write fill it, makes
// the instruction stream coherent, and seals it RX. It returns the base
// address of the sealed mapping.
func mapSealed(size int, write func(mem []byte)) (uintptr, error) {
	if !icacheSupported {
		return 0, fmt.Errorf("exec: instruction-cache maintenance is not implemented on %s", runtime.GOARCH)
	}
	mem, err := syscall.Mmap(-1, 0, size,
		syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return 0, fmt.Errorf("exec: mmap %d bytes: %w", size, err)
	}
	if len(mem) != size {
		panic("exec: BUG: mmap returned a short mapping")
	}
	write(mem)

	base := uintptr(unsafe.Pointer(unsafe.SliceData(mem)))
	flushICache(base, base+uintptr(size))
	if err := syscall.Mprotect(mem, syscall.PROT_READ|syscall.PROT_EXEC); err != nil {
		// The mapping was never executable and no address escaped, so
		// unmapping it here is safe, unlike unmapping a sealed one.
		_ = syscall.Munmap(mem)
		return 0, fmt.Errorf("exec: mprotect %d bytes read+exec: %w", size, err)
	}
	return base, nil
}
