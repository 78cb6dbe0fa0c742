package rtprobe

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"
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
// g.sched, gobuf.sp and g.atomicstatus on the current goroutine and its
// thread's g0.
func checkG(rt *jit.Runtime) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// SP, g.stack and g.stackguard0 come from one assembly function: the
	// stack may move (grow) at any call a Go function makes, and a value
	// read before the move would not match bounds read after it.
	sp, lo, hi, sg := stackNow(uintptr(rt.GStackguard0))
	// A pending preemption request hides the ordinary guard; the
	// scheduler takes it over at the next Gosched.
	for i := 0; i < 100 && int64(sg) == rt.StackPreempt; i++ {
		runtime.Gosched()
		sp, lo, hi, sg = stackNow(uintptr(rt.GStackguard0))
	}
	if !(lo < sp && sp < hi) {
		return fmt.Errorf("g.stack [%#x, %#x) does not contain the current SP %#x", lo, hi, sp)
	}
	if !(lo < sg && sg < hi) {
		return fmt.Errorf("g.stackguard0 (%#x) is not in g.stack [%#x, %#x)", sg, lo, hi)
	}
	if err := checkGuard(rt, lo, sg); err != nil {
		return err
	}
	g := getg()
	if st := status(g); st != gRunning {
		return fmt.Errorf("the running goroutine's g.atomicstatus is %#x, want _Grunning (%d)", st, gRunning)
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

// checkGuard records the runtime's stackGuard (the ordinary distance of
// g.stackguard0 above g.stack.lo) and checks what jit.YieldBit relies on:
// stack bases aligned to 2 KiB (the smallest stack the runtime allocates,
// which it aligns to its size), a guard distance that is a multiple of 8,
// and the bit set in stackPreempt, so that ordinary guards never have it.
func checkGuard(rt *jit.Runtime, lo, sg uintptr) error {
	d := sg - lo
	if lo%2048 != 0 || d%8 != 0 || d >= 1<<16 {
		return fmt.Errorf("g.stackguard0 is g.stack.lo (%#x) + %d: want a 2 KiB-aligned stack and a guard that is a small multiple of 8", lo, d)
	}
	if rt.StackPreempt&jit.YieldBit == 0 {
		return fmt.Errorf("stackPreempt (%#x) does not have jit.YieldBit (%d) set", rt.StackPreempt, jit.YieldBit)
	}
	rt.StackGuard = int32(d)
	return nil
}

// checkParked validates gobuf.pc and gobuf.bp on a goroutine the scheduler
// has parked: its saved SP and BP must lie in its stack, BP above SP, and
// its saved PC in a Go function.
func checkParked(rt *jit.Runtime) error {
	return withParkedG(rt, func(p *parked) error {
		lo, hi, sp, pc, bp := p.lo, p.hi, p.sp, p.pc, p.bp
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

// status reads g.atomicstatus.
func status(g uintptr) uint32 { return uint32(word(g, gAtomicstatus)) }

// parked is one consistent reading of a parked goroutine's g: its stack
// bounds and the registers the scheduler saved in g.sched.
type parked struct {
	g                      uintptr
	lo, hi, sp, pc, bp, lr uintptr
}

// read reads the fields once.
func (p *parked) read(rt *jit.Runtime) {
	g := p.g
	p.lo, p.hi = word(g, 0), word(g, 8)
	p.sp, p.pc = word(g, rt.GSched+rt.GobufSP), word(g, rt.GSched+rt.GobufPC)
	p.bp, p.lr = word(g, rt.GSched+rt.GobufBP), word(g, rt.GSched+rt.GobufLR)
}

// withParkedG runs check on the saved state of a goroutine the scheduler
// has parked (blocked on a channel receive).
//
// g.sched is written on other occasions than parking: a switch to the
// system stack writes it too (sp, pc and bp, in that order) while the
// goroutine keeps running, and the goroutine may be readied from its
// first channel operation after its g was sent. Only g.atomicstatus
// proves the state is final: park_m sets _Gwaiting after mcall has saved
// every register, and nothing but the receive's wake-up (closing release,
// after check) makes it runnable again. Even parked, the collector may
// move (shrink) its stack, with the _Gscan bit set in the status while it
// does; so the fields are read until two readings agree and the status
// is exactly _Gwaiting before and after both.
func withParkedG(rt *jit.Runtime, check func(*parked) error) error {
	gc := make(chan uintptr)
	release := make(chan struct{})
	go func() {
		gc <- getg()
		<-release
	}()
	g := <-gc
	defer close(release)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if status(g) == gWaiting {
			a, b := parked{g: g}, parked{g: g}
			a.read(rt)
			b.read(rt)
			if a == b && status(g) == gWaiting {
				return check(&a)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("a goroutine blocked on a channel never showed a stable parked state (g.atomicstatus %#x, want _Gwaiting)", status(g))
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// tlsSlot finds the TLS g slot on this thread and confirms it on another.
func tlsSlot() (int32, error) {
	var off int32
	err := onTwoThreads(func() (err error) {
		off, err = findTLSG()
		return err
	}, func() error {
		return checkTLSG(off)
	})
	return off, err
}

// ErrnoOffset finds where the C library keeps errno, as an offset from the
// thread pointer, and confirms it on another OS thread. location calls the
// C library's __errno_location on the calling thread.
func ErrnoOffset(location func() uintptr) (int32, error) {
	if !supported {
		return 0, fmt.Errorf("no thread pointer access on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	var off int32
	err := onTwoThreads(func() (err error) {
		off, err = errnoOffset(location)
		return err
	}, func() error {
		o, err := errnoOffset(location)
		if err == nil && o != off {
			err = fmt.Errorf("errno is at thread pointer%+d on one thread, %+d on another", off, o)
		}
		return err
	})
	return off, err
}

// errnoOffset returns the offset of the calling thread's errno from its
// thread pointer. The caller is locked to its thread.
func errnoOffset(location func() uintptr) (int32, error) {
	tp, err := threadPointer()
	if err != nil {
		return 0, err
	}
	p := location()
	d := int64(p) - int64(tp)
	if p == 0 || d < -1<<20 || d > 1<<20 {
		return 0, errors.New("errno is not in the static TLS block")
	}
	return int32(d), nil
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
