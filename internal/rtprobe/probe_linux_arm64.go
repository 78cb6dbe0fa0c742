package rtprobe

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/jitffi/jitffi/jit"
)

const supported = true

// tlsSearch is how far above the thread pointer findTLSG looks for g. On
// arm64 (TLS variant I) TPIDR_EL0 points at a two-word thread control
// block, and the executable's TLS block, which holds the runtime's g slot,
// follows it; the prototype found the slot at +16 under both linkers.
const tlsSearch = 256

// findTLSG looks for the current g in the words at and above the thread
// pointer. The reads follow an address the runtime does not vouch for, so
// a fault becomes an error.
func findTLSG() (off int32, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tp, g := tpidr(), getg()
	if tp == 0 {
		return 0, errors.New("TPIDR_EL0 is zero: the thread has no TLS block")
	}
	err = guarded(func() error {
		for o := int32(0); o < tlsSearch; o += 8 {
			if word(tp, o) == g {
				off = o
				return nil
			}
		}
		return fmt.Errorf("the current g (%#x) is not in the %d bytes above TPIDR_EL0 (%#x)", g, tlsSearch, tp)
	})
	return off, err
}

// checkTLSG confirms the slot on the calling thread.
func checkTLSG(off int32) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tp := tpidr()
	if got, g := word(tp, off), getg(); got != g {
		return fmt.Errorf("TLS slot TPIDR_EL0+%d holds %#x, want the current g %#x", off, got, g)
	}
	return nil
}

// The first two instructions of runtime.systemstack_switch, the prologue
// of a function with a 16-byte frame: MOVD.W R30, -16(RSP) (LR saved at
// 0(SP) of the new frame); MOVD R29, -8(RSP).
const (
	insnSaveLR = 0xf81f0ffe
	insnSaveFP = 0xf81f83fd
)

func arch() (jit.Runtime, error) {
	rt := go126
	off, err := tlsSlot()
	if err != nil {
		return rt, err
	}
	rt.TLSG = off
	// The trampoline's frame mirrors systemstack_switch's: two
	// instructions allocate its 16-byte frame and store LR at 0(SP), so
	// the unwinder finds the return PC at sched.sp+0 and the caller's
	// frame at sched.sp+16.
	entry := systemstackSwitch()
	if rt.SwitchPC, err = switchPC(entry); err != nil {
		return rt, err
	}
	if code := uint64(word(entry, 0)); code != insnSaveFP<<32|insnSaveLR {
		return rt, fmt.Errorf("runtime.systemstack_switch does not start with MOVD.W R30, -16(RSP); MOVD R29, -8(RSP) (%#016x)", code)
	}
	if err := guarded(func() error { return checkParkedLR(&rt) }); err != nil {
		return rt, err
	}
	return rt, nil
}

// checkParkedLR validates gobuf.lr, which only the arm64 trampolines
// write: a goroutine parked through mcall has zero there (mcall stores it;
// gogo clears it when the goroutine resumes), while a new goroutine that
// never ran holds goexit in it.
func checkParkedLR(rt *jit.Runtime) error {
	return withParkedG(rt, func(p *parked) error {
		if p.lr != 0 {
			return fmt.Errorf("a parked goroutine's g.sched.lr is %#x, want 0", p.lr)
		}
		return nil
	})
}

// threadPointer returns the calling OS thread's thread pointer
// (TPIDR_EL0). The caller must be locked to its thread.
func threadPointer() (uintptr, error) { return tpidr(), nil }
