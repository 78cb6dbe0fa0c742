package rtprobe

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"
	"unsafe"
	_ "unsafe" // for go:linkname

	"github.com/jitffi/jitffi/jit"
)

// iscgo is true when the process runs with cgo's runtime support, real or
// purego's fakecgo. Without it the runtime neither keeps g in TLS nor gives
// threads system stacks large enough for C code.
//
//go:linkname iscgo runtime.iscgo
var iscgo bool

// minG0Stack is the smallest system stack C code is given. Threads created
// through cgo get the C library's default thread stack (megabytes); the
// runtime's own non-cgo g0 stacks are 16 KiB.
const minG0Stack = 256 << 10

// Probe validates the runtime contract and returns the runtime description
// the trampolines are compiled against, or the reason the fast path must
// stay off.
//
// A wrong offset makes the checks read wild addresses; the reads run with
// the runtime's panic-on-fault set, so a fault becomes an error, not a
// crash.
func Probe() (rt jit.Runtime, err error) {
	if !supported {
		return jit.Runtime{}, fmt.Errorf("no fast path on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	if !iscgo {
		return jit.Runtime{}, errors.New("the process runs without cgo support (runtime.iscgo is false)")
	}
	rt, err = arch()
	if err != nil {
		return rt, err
	}
	if err := guarded(func() error { return checkG(&rt) }); err != nil {
		return rt, err
	}
	if err := guarded(func() error { return checkParked(&rt) }); err != nil {
		return rt, err
	}
	return rt, nil
}

// checkG validates the offsets of g.stack, g.stackguard0, g.m, m.g0,
// g.sched and gobuf.sp on the current goroutine and its thread's g0.
func checkG(rt *jit.Runtime) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var local int
	sp := uintptr(unsafe.Pointer(&local))
	g := getg()
	lo, hi := word(g, 0), word(g, 8)
	if !(lo < sp && sp < hi) {
		return fmt.Errorf("g.stack [%#x, %#x) does not contain the current SP %#x", lo, hi, sp)
	}
	if sg := word(g, rt.GStackguard0); !(lo < sg && sg < hi) && int64(sg) != rt.StackPreempt {
		return fmt.Errorf("g.stackguard0 (%#x) is neither in g.stack [%#x, %#x) nor stackPreempt", sg, lo, hi)
	}
	m := word(g, rt.GM)
	if m == 0 {
		return errors.New("g.m is nil")
	}
	g0 := word(m, rt.MG0)
	if g0 == 0 || g0 == g {
		return fmt.Errorf("g.m.g0 (%#x) is not a distinct g", g0)
	}
	if m0 := word(g0, rt.GM); m0 != m {
		return fmt.Errorf("g.m.g0.m (%#x) != g.m (%#x)", m0, m)
	}
	lo0, hi0 := word(g0, 0), word(g0, 8)
	if sp0 := word(g0, rt.GSched+rt.GobufSP); !(lo0 < sp0 && sp0 <= hi0) {
		return fmt.Errorf("g0.sched.sp (%#x) is not in g0.stack [%#x, %#x)", sp0, lo0, hi0)
	}
	if hi0-lo0 < minG0Stack {
		return fmt.Errorf("the system stack is %d bytes, want at least %d", hi0-lo0, minG0Stack)
	}
	const gobufG = 16 // gobuf.g, between pc and ctxt
	if sg := word(g0, rt.GSched+gobufG); sg != g0 {
		return fmt.Errorf("g0.sched.g (%#x) != g0 (%#x)", sg, g0)
	}
	return nil
}

// checkParked validates gobuf.pc and gobuf.bp on a goroutine the scheduler
// has parked: its saved SP and BP must lie in its stack, BP above SP, and
// its saved PC in a Go function.
func checkParked(rt *jit.Runtime) error {
	return withParkedG(rt, func(g uintptr) error {
		lo, hi := word(g, 0), word(g, 8)
		sched := rt.GSched
		sp, pc, bp := word(g, sched+rt.GobufSP), word(g, sched+rt.GobufPC), word(g, sched+rt.GobufBP)
		if !(lo < sp && sp < hi) {
			return fmt.Errorf("a parked goroutine's g.sched.sp (%#x) is not in its stack [%#x, %#x)", sp, lo, hi)
		}
		// The saved frame pointer lies above SP on amd64. On arm64 it
		// points 8 bytes below the frame of the function that parked (Go's
		// arm64 prologue sets R29 = SP-8), so it may lie just below
		// sched.sp.
		low := sp
		if runtime.GOARCH == "arm64" {
			low = sp - 16
		}
		if !(low < bp && bp < hi) {
			return fmt.Errorf("a parked goroutine's g.sched.bp (%#x) is not between its sp (%#x) and stack top (%#x)", bp, sp, hi)
		}
		if runtime.FuncForPC(pc) == nil {
			return fmt.Errorf("a parked goroutine's g.sched.pc (%#x) is not in a Go function", pc)
		}
		return nil
	})
}

// withParkedG runs check on the g of a goroutine the scheduler has parked
// (blocked on a channel), once its g.sched.sp has been recorded.
func withParkedG(rt *jit.Runtime, check func(g uintptr) error) error {
	gc := make(chan uintptr)
	release := make(chan struct{})
	go func() {
		gc <- getg()
		<-release
	}()
	g := <-gc
	defer close(release)
	deadline := time.Now().Add(5 * time.Second)
	for word(g, rt.GSched+rt.GobufSP) == 0 {
		if time.Now().After(deadline) {
			return errors.New("a parked goroutine never recorded g.sched.sp")
		}
		time.Sleep(time.Millisecond)
	}
	return check(g)
}

// tlsSlot finds the TLS g slot on this thread and confirms it on another:
// a fresh goroutine locked to its own thread.
func tlsSlot() (int32, error) {
	off, err := findTLSG()
	if err != nil {
		return 0, err
	}
	errc := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		errc <- checkTLSG(off)
	}()
	return off, <-errc
}

// switchPC returns the PC the runtime records in g.sched.pc while a
// goroutine is on the system stack: runtime.systemstack_switch+8, past
// its prologue, as gosave_systemstack_switch records it. The caller
// checks that the prologue is the one its trampolines mirror.
func switchPC(entry uintptr) (uint64, error) {
	if f := runtime.FuncForPC(entry); f == nil || f.Name() != "runtime.systemstack_switch" || f.Entry() != entry {
		return 0, fmt.Errorf("runtime.systemstack_switch is not at %#x", entry)
	}
	if f := runtime.FuncForPC(entry + 8); f == nil || f.Entry() != entry {
		return 0, fmt.Errorf("runtime.systemstack_switch+8 is outside the function")
	}
	return uint64(entry + 8), nil
}

// guarded runs check, turning a memory fault or a panic inside it into an
// error. The reads it does follow offsets that may be wrong.
func guarded(check func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reading the runtime's structures faulted: %v", r)
		}
	}()
	return check()
}
