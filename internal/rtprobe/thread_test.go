//go:build linux && (amd64 || arm64)

package rtprobe

import (
	"runtime"
	"syscall"
	"testing"

	"github.com/ebitengine/purego"
)

// The checks "on a second thread" must really run on a second OS thread:
// every time, even with one P, the two halves see different thread IDs,
// and the first runs on the caller's thread.
func TestOnTwoThreads(t *testing.T) {
	for _, procs := range []int{1, runtime.NumCPU()} {
		old := runtime.GOMAXPROCS(procs)
		runtime.LockOSThread()
		caller := syscall.Gettid()
		for i := 0; i < 200; i++ {
			var here, there int
			err := onTwoThreads(func() error {
				here = syscall.Gettid()
				return nil
			}, func() error {
				there = syscall.Gettid()
				return nil
			})
			if err != nil {
				t.Fatalf("GOMAXPROCS=%d, run %d: %v", procs, i, err)
			}
			if here != caller || there == 0 || there == here {
				t.Fatalf("GOMAXPROCS=%d, run %d: caller on thread %d, first half on %d, second on %d", procs, i, caller, here, there)
			}
		}
		runtime.UnlockOSThread()
		runtime.GOMAXPROCS(old)
	}
}

// ErrnoOffset finds the C library's errno: writing through the thread
// pointer plus the offset is what __errno_location reports on this thread.
func TestErrnoOffset(t *testing.T) {
	loc, err := purego.Dlsym(purego.RTLD_DEFAULT, "__errno_location")
	if err != nil {
		t.Skipf("no __errno_location: %v", err)
	}
	location := func() uintptr {
		p, _, _ := purego.SyscallN(loc)
		return p
	}
	off, err := ErrnoOffset(location)
	if err != nil {
		t.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tp, err := threadPointer()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tp+uintptr(int64(off)), location(); got != want {
		t.Fatalf("thread pointer%+d = %#x, __errno_location() = %#x", off, got, want)
	}
	// An errno the C library does not keep in static TLS is refused.
	if _, err := ErrnoOffset(func() uintptr { return 0 }); err == nil {
		t.Error("ErrnoOffset accepted a NULL errno location")
	}
}
