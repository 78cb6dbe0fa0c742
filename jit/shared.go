package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
)

// YieldBit is the bit of g.stackguard0 that sends a goroutine's next fast
// call to its fallback. The bail-out tests this one bit: it is set in
// stackPreempt (a pending preemption request) and in the value the shared
// exit code stores when a call returns with such a request pending, and
// clear in every ordinary guard (g.stack.lo, aligned to at least 2 KiB,
// plus StackGuard, a multiple of 8; the runtime probe checks both). An
// ordinary guard with the bit set stops Go's prologues at the same stack
// depths as without it, since every SP they compare is 8-aligned.
//
// Why: at GOMAXPROCS=1 runtime.GC() sweeps one span per Gosched, and a
// request left pending after a long fast call is consumed by the caller's
// next Go prologue, which yields the P for one span only; the caller's
// next fast call then keeps the P for a whole call. Taking that request
// over (the runtime re-posts the ones it still needs: the scheduler every
// 10 ms, stop-the-world every 100 us, the stack scan in a loop) and sending
// the next call through the slow path, which releases the P while C runs,
// bounds the collector's wait (RATIONALE.md, "One P").
const YieldBit = 2

// Shared is the per-process code of one architecture that every
// trampoline jumps to as its step 6, the return to Go: compiled once from
// the probed Runtime, placed once, and reached through Runtime.Exit. Out
// of line, what it does costs no executable memory per signature.
type Shared struct {
	Code []byte
	Exit int // offset of the exit in Code
	// ExitString is the offset of the exit of trampolines with a string
	// result (when Runtime.StringResult is set), 0 if none.
	ExitString int
}

// CompileShared lowers the shared exit code for arch.
func CompileShared(arch abi.Arch, rt *Runtime) (Shared, error) {
	if rt.StackGuard <= 0 || rt.StackGuard%8 != 0 {
		return Shared{}, fmt.Errorf("jit: StackGuard %d is not a positive multiple of 8", rt.StackGuard)
	}
	if rt.StackPreempt&YieldBit == 0 {
		return Shared{}, fmt.Errorf("jit: stackPreempt (%#x) lacks YieldBit", rt.StackPreempt)
	}
	switch arch {
	case abi.AMD64:
		return sharedAMD64(rt)
	case abi.ARM64:
		return sharedARM64(rt)
	}
	return Shared{}, fmt.Errorf("jit: no shared code for %s", arch)
}

// needShared reports whether rt locates the shared code.
func needShared(rt *Runtime) error {
	if rt.Exit == 0 {
		return fmt.Errorf("jit: the shared exit code is not placed (Runtime.Exit)")
	}
	return nil
}
