//go:build linux

package exec

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"syscall"
	"unsafe"
)

// memfd_create flags and membarrier commands (linux/memfd.h,
// linux/membarrier.h); the syscall package does not define them.
const (
	mfdCloexec = 0x1
	mfdExec    = 0x10 // Linux 6.3+: ask for an executable memfd explicitly

	membarrierPrivateExpeditedSyncCore         = 1 << 5
	membarrierRegisterPrivateExpeditedSyncCore = 1 << 6
)

// codeFileName names the shared-memory file in /proc/self/maps.
const codeFileName = "jitffi-code"

func memfdCreate(flags uintptr) (int, error) {
	name, err := syscall.BytePtrFromString(codeFileName)
	if err != nil {
		return -1, err
	}
	fd, _, errno := syscall.Syscall(sysMemfdCreate, uintptr(unsafe.Pointer(name)), flags, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// mapDual creates a shared-memory file of size bytes and maps it twice:
// rw, read-write, for the arena alone, and at rx, read-execute. No single
// mapping is ever both writable and executable. The file descriptor is
// closed before returning: the two mappings keep the memory alive, and no
// other way to reach it is left open.
func mapDual(size int) (rw, rx []byte, err error) {
	fd, err := memfdCreate(mfdCloexec | mfdExec)
	if errors.Is(err, syscall.EINVAL) {
		// Kernels before 6.3 reject MFD_EXEC; their memfds are executable.
		fd, err = memfdCreate(mfdCloexec)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("exec: memfd_create: %w", err)
	}
	defer syscall.Close(fd)
	if err := syscall.Ftruncate(fd, int64(size)); err != nil {
		return nil, nil, fmt.Errorf("exec: ftruncate memfd to %d bytes: %w", size, err)
	}
	rw, err = syscall.Mmap(fd, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("exec: mmap %d bytes read+write: %w", size, err)
	}
	x, err := syscall.Mmap(fd, 0, size, syscall.PROT_READ|syscall.PROT_EXEC, syscall.MAP_SHARED)
	if err != nil {
		_ = syscall.Munmap(rw)
		return nil, nil, fmt.Errorf("exec: mmap %d bytes read+exec: %w", size, err)
	}
	if len(rw) != size || len(x) != size {
		panic("exec: BUG: mmap returned a short mapping")
	}
	// A child made by fork without exec would otherwise share the
	// writable view with this process. Best effort: it changes nothing
	// for this process.
	_ = syscall.Madvise(rw, syscall.MADV_DONTFORK)
	return rw, x, nil
}

// unmapView drops a writable view. Its address was never handed out, so
// nothing can be using it.
func unmapView(rw []byte) {
	if err := syscall.Munmap(rw); err != nil {
		panic(fmt.Sprintf("exec: BUG: munmap of a writable view: %v", err))
	}
}

var dualMap struct {
	once sync.Once
	err  error
}

// dualMapAvailable reports, once per process, why dual mapping cannot be
// used here (nil if it can): memfd_create missing or refused (before
// Linux 3.17, seccomp), or executable shared memory refused
// (vm.memfd_noexec=2, a noexec /dev/shm policy, SELinux execmem rules).
func dualMapAvailable() error {
	dualMap.once.Do(func() {
		if !icacheSupported {
			dualMap.err = fmt.Errorf("exec: instruction-cache maintenance is not implemented on %s", runtime.GOARCH)
			return
		}
		rw, rx, err := mapDual(pageSize())
		if err != nil {
			dualMap.err = err
			return
		}
		// The probe's addresses never left this function.
		_ = syscall.Munmap(rw)
		_ = syscall.Munmap(rx)
	})
	return dualMap.err
}

var membarrier struct {
	once sync.Once
	ok   bool
}

// syncCores makes every thread of the process execute a
// context-synchronising (x86: serialising) instruction before it returns,
// so that no core can run stale prefetched instructions at an address it
// learns afterwards. A sealed page got this from the TLB shootdown of its
// mprotect; a dual-mapped chunk has no mprotect. Linux 4.16+; where the
// kernel lacks it, only the writer-side maintenance (flushICache) is done.
func syncCores() {
	membarrier.once.Do(func() {
		_, _, errno := syscall.Syscall(sysMembarrier, membarrierRegisterPrivateExpeditedSyncCore, 0, 0)
		membarrier.ok = errno == 0
	})
	if membarrier.ok {
		_, _, _ = syscall.Syscall(sysMembarrier, membarrierPrivateExpeditedSyncCore, 0, 0)
	}
}

func sliceAddr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

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

	base := sliceAddr(mem)
	flushICache(base, base+uintptr(size))
	if err := syscall.Mprotect(mem, syscall.PROT_READ|syscall.PROT_EXEC); err != nil {
		// These pages were never executable and no address escaped, so
		// unmapping them here is safe, unlike unmapping sealed ones.
		_ = syscall.Munmap(mem)
		return 0, fmt.Errorf("exec: mprotect %d bytes read+exec: %w", size, err)
	}
	return base, nil
}
