package rtprobe

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jitffi/jitffi/jit"
)

// The cgo call state a fast call keeps (jit.Runtime.GSyscallSP and the
// rest): g's fields are where they were in both releases, m's moved
// between 1.25 and 1.26. ProbeCgo checks them against a cgo call in
// progress before anything writes them.
var cgoLayouts = map[string]struct{ mIncgo, mNcgo, mLibcall int32 }{
	"go1.25": {mIncgo: 272, mNcgo: 320, mLibcall: 872},
	"go1.26": {mIncgo: 280, mNcgo: 328, mLibcall: 872},
}

const (
	gSyscallSP = 104
	gSyscallPC = 112
	gSyscall   = 3 // _Gsyscall
)

// ProbeCgo fills rt's offsets of g.syscallsp, g.syscallpc, m.ncgo and
// m.incgo (and of m.libcallpc/sp/g, which must read zero: Linux never
// sets them) for this release, checked on a goroutine inside a cgo call:
// call must make one C call through runtime.cgocall that blocks for a
// millisecond or more. While it runs, the goroutine's status must be
// _Gsyscall, g.syscallpc must be in runtime.cgocall and g.syscallsp in
// the goroutine's stack above g.sched.sp (which asmcgocall saved at
// systemstack_switch, as trampolines do), m.ncgo must be 1
// and m.incgo true; after it, both zero on the same thread.
func ProbeCgo(rt *jit.Runtime, call func()) error {
	if !cgoLayout(rt) {
		return fmt.Errorf("no known layout of runtime.m's cgo call state for %s", runtime.Version())
	}
	err := guarded(func() error { return checkCgo(rt, call) })
	if err != nil {
		rt.GSyscallSP, rt.GSyscallPC, rt.MIncgo, rt.MNcgo, rt.MLibcall = 0, 0, 0, 0, 0
	}
	return err
}

// cgoLayout fills rt's cgo call state offsets for the running release,
// unchecked; false if the release is not in the table.
func cgoLayout(rt *jit.Runtime) bool {
	v := runtime.Version()
	for prefix, l := range cgoLayouts {
		if v == prefix || strings.HasPrefix(v, prefix+".") || strings.HasPrefix(v, prefix+"rc") {
			rt.MIncgo, rt.MNcgo, rt.MLibcall = l.mIncgo, l.mNcgo, l.mLibcall
			rt.GSyscallSP, rt.GSyscallPC = gSyscallSP, gSyscallPC
			return true
		}
	}
	return false
}

func checkCgo(rt *jit.Runtime, call func()) error {
	gc := make(chan uintptr)
	stop := make(chan struct{})
	after := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		gc <- getg()
		for {
			select {
			case <-stop:
				g := getg()
				m := word(g, rt.GM)
				if n, in := u32(m, rt.MNcgo), byte(word(m, rt.MIncgo)); n != 0 || in != 0 {
					after <- fmt.Errorf("after a cgo call, m.ncgo is %d and m.incgo %d, want 0 and 0", n, in)
					return
				}
				// The runtime uses m.libcall* on other systems only.
				for i := int32(0); i < 3; i++ {
					if w := word(m, rt.MLibcall+8*i); w != 0 {
						after <- fmt.Errorf("m.libcall* word %d is %#x, want 0 (unused on Linux)", i, w)
						return
					}
				}
				after <- nil
				return
			default:
				call()
			}
		}
	}()
	g := <-gc
	defer func() { close(stop); <-after }()
	deadline := time.Now().Add(5 * time.Second)
	seen := false
	for {
		if status(g) == gSyscall {
			m := word(g, rt.GM)
			lo, hi := word(g, 0), word(g, 8)
			sp, pc := word(g, rt.GSyscallSP), word(g, rt.GSyscallPC)
			ssp, spc := word(g, rt.GSched+rt.GobufSP), word(g, rt.GSched+rt.GobufPC)
			n, in := u32(m, rt.MNcgo), byte(word(m, rt.MIncgo))
			// cgocall sets m.incgo and m.ncgo just after entersyscall
			// and clears them just before exitsyscall: a goroutine seen
			// in _Gsyscall with both still 0 is at either end of its
			// call, so look again (a wrong layout that reads 0 there
			// fails at the deadline).
			inWindow := n == 0 && in == 0
			if status(g) == gSyscall && word(g, rt.GSyscallSP) == sp && !inWindow {
				return checkCgoState(rt, lo, hi, sp, pc, ssp, spc, n, in)
			}
			seen = true
		}
		if time.Now().After(deadline) {
			if seen {
				return errors.New("a goroutine looping over a cgo call was seen in it (g.atomicstatus _Gsyscall) only with m.ncgo and m.incgo 0")
			}
			return errors.New("a goroutine looping over a cgo call was never seen in it (g.atomicstatus _Gsyscall)")
		}
		time.Sleep(50 * time.Microsecond)
	}
}

func checkCgoState(rt *jit.Runtime, lo, hi, sp, pc, ssp, spc uintptr, n uint32, in byte) error {
	// entersyscall records cgocall's SP and PC in both g.syscall* and
	// g.sched; asmcgocall then saves g.sched again, as the trampolines do,
	// at systemstack_switch, just below.
	if !(lo < ssp && ssp < sp && sp < hi) || uint64(spc) != rt.SwitchPC {
		return fmt.Errorf("in a cgo call, g.syscallsp (%#x) is not above g.sched.sp (%#x, pc %#x) in g.stack [%#x, %#x)", sp, ssp, spc, lo, hi)
	}
	if f := runtime.FuncForPC(pc); f == nil || f.Name() != "runtime.cgocall" {
		return fmt.Errorf("in a cgo call, g.syscallpc (%#x) is not in runtime.cgocall", pc)
	}
	if n != 1 || in != 1 {
		return fmt.Errorf("in a cgo call, m.ncgo is %d and m.incgo %d, want 1 and 1", n, in)
	}
	return nil
}
