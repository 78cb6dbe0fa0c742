//go:build linux

package exec

import (
	"fmt"
	"runtime"
	"sync"
	"syscall"
	"unsafe"
)

// reserve holds fresh pages mapped read-write ahead of use, so that most
// placements cost one mprotect instead of an mmap, page faults and an
// mprotect. Pages are handed out once, front to back, and never come back:
// a page is written only before it is sealed.
var reserve struct {
	sync.Mutex
	free []byte
}

// reserveChunk is how much is mapped (and faulted in) at a time.
const reserveChunk = 256 << 10

// freshPages returns size bytes (a multiple of the page size) of memory
// that has never been executable or handed out before.
func freshPages(size int) ([]byte, error) {
	reserve.Lock()
	defer reserve.Unlock()
	if len(reserve.free) < size {
		n := max(size, reserveChunk)
		mem, err := syscall.Mmap(-1, 0, n,
			syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_POPULATE)
		if err != nil {
			return nil, fmt.Errorf("exec: mmap %d bytes: %w", n, err)
		}
		if len(mem) != n {
			panic("exec: BUG: mmap returned a short mapping")
		}
		// The rest of the old chunk (less than size) is abandoned: still
		// read-write, never executable, never used.
		reserve.free = mem
	}
	mem := reserve.free[:size:size]
	reserve.free = reserve.free[size:]
	return mem, nil
}

// mapSealed maps size bytes of fresh RW memory, lets write fill it, makes
// the instruction stream coherent, and seals it RX. It returns the base
// address of the sealed mapping.
func mapSealed(size int, write func(mem []byte)) (uintptr, error) {
	if !icacheSupported {
		return 0, fmt.Errorf("exec: instruction-cache maintenance is not implemented on %s", runtime.GOARCH)
	}
	mem, err := freshPages(size)
	if err != nil {
		return 0, err
	}
	write(mem)

	base := uintptr(unsafe.Pointer(unsafe.SliceData(mem)))
	flushICache(base, base+uintptr(size))
	if err := syscall.Mprotect(mem, syscall.PROT_READ|syscall.PROT_EXEC); err != nil {
		// These pages were never executable and no address escaped, so
		// unmapping them here is safe, unlike unmapping sealed ones.
		_ = syscall.Munmap(mem)
		return 0, fmt.Errorf("exec: mprotect %d bytes read+exec: %w", size, err)
	}
	return base, nil
}
