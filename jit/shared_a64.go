package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/arm64"
)

const (
	aTBNZ  = arm64.ATBNZ
	aCLREX = arm64.ACLREX
	aSTP   = arm64.ASTP
)

// sharedARM64 lowers the shared exit (see Shared) for arm64. A
// trampoline reaches it with MOVD $Exit, R21; BR (R21) as its step 6, with
// the results in their Go registers (R19-R23 are free). It puts g back in
// TLS, takes R19 from g.sched.sp (where the frame of step 2 is now, should
// a callback have moved the stack), R29 and LR from the frame, SP above
// it, and, when a preemption request is pending, puts the ordinary guard
// with YieldBit in its place (see YieldBit) before RET; ExitString
// branches to the string result's copy (Runtime.StringResult) instead.
func sharedARM64(rt *Runtime) (Shared, error) {
	b := newA64Prog()
	exit := exitTailARM64(b, rt, func() { b.add(aRET, a64none, a64reg(xLR)) })
	var exitString *obj.Prog
	if rt.StringResult != 0 {
		exitString = exitTailARM64(b, rt, func() {
			b.add(aMOVD, a64imm(int64(rt.StringResult)), a64reg(regScratchARM64))
			b.add(aB, a64none, a64mem(regScratchARM64, 0))
		})
	}
	code, err := b.assemble()
	if err != nil {
		return Shared{}, err
	}
	sh := Shared{Code: code, Exit: int(exit.Pc)}
	if exitString != nil {
		sh.ExitString = int(exitString.Pc)
	}
	return sh, nil
}

// exitTailARM64 emits one shared exit, which leaves through ret (a RET,
// or the branch to the string result's copy, with LR the caller's).
func exitTailARM64(b *a64prog, rt *Runtime, ret func()) *obj.Prog {
	sched := rt.GSched
	exit := b.here()
	cgoDoneARM64(b, rt)
	b.add(aMRS, a64reg(xTPID), a64reg(regScratchARM64))
	b.add(aMOVD, a64reg(regGARM64), a64mem(regScratchARM64, rt.TLSG))
	b.add(aMOVD, a64mem(regGARM64, sched+rt.GobufSP), a64reg(regOldSPARM64))
	b.ldp(regOldSPARM64, -8, xFP, xLR)
	b.add3(aADD, a64imm(16), regOldSPARM64, a64reg(xRSP))
	b.add(aMOVD, a64mem(regGARM64, rt.GStackguard0), a64reg(regScratchARM64))
	yield := b.tbnz(YieldBit, regScratchARM64)
	ret()

	// A request is pending (or YieldBit is already set by a nested call's
	// exit): replace stackPreempt, and only stackPreempt, with an
	// exclusive load/store pair, so that a request posted meanwhile is not
	// lost.
	b.bind([]a64jump{yield})
	b.add(aMOVD, a64mem(regGARM64, 0), a64reg(regScratchARM64)) // g.stack.lo
	addConstARM64(b, regScratchARM64, int64(rt.StackGuard|YieldBit), regScratch3ARM64)
	b.add3(aADD, a64imm(int64(rt.GStackguard0)), regGARM64, a64reg(regOldSPARM64))
	retry := b.here()
	b.add(aLDXR, a64mem(regOldSPARM64, 0), a64reg(regScratch2ARM64))
	compareConstARM64(b, regScratch2ARM64, rt.StackPreempt, regScratch3ARM64)
	done := b.jump(aBNE, 0)
	b.storeExclusive(regScratchARM64, regOldSPARM64, regScratch3ARM64)
	b.jumpBack(aCBNZ, regScratch3ARM64, retry)
	b.bind([]a64jump{done})
	b.add(aCLREX, a64none, a64none)
	ret()
	return exit
}

// tbnz adds "TBNZ $bit, r, label" to a label placed later by bind.
func (b *a64prog) tbnz(bit int64, r int16) a64jump {
	p := b.add(aTBNZ, a64imm(bitIndex(bit)), obj.Addr{Type: obj.TYPE_BRANCH})
	p.Reg = r
	return p
}

// bitIndex is the index of the single bit set in v.
func bitIndex(v int64) int64 {
	n := int64(0)
	for v > 1 {
		v >>= 1
		n++
	}
	return n
}

// exitARM64 is step 6 of an arm64 trampoline: the branch to the shared
// exit (the one that ends in the string result's copy for a string
// result).
func exitARM64(b *a64prog, p *abi.Plan, rt *Runtime) error {
	to := rt.Exit
	if p.Result.String {
		if rt.StringResult == 0 || rt.ExitString == 0 {
			return fmt.Errorf("jit: a string result needs Runtime.StringResult and its shared exit")
		}
		to = rt.ExitString
	}
	b.add(aMOVD, a64imm(int64(to)), a64reg(regScratchARM64))
	b.add(aB, a64none, a64mem(regScratchARM64, 0))
	return nil
}

// loadMCgoARM64 loads g.m into R21 in step 2 of an arm64 trampoline, and
// starts the cgo call state there (see Runtime.MNcgo): g.syscallsp and
// m.libcallsp = R19 (g.sched.sp), g.syscallpc and m.libcallpc = R21 (still
// g.sched.pc, systemstack_switch+8), each pair in one STP where the
// fields are adjacent, m.libcallg = g, m.ncgo+1, m.incgo = true. R22 and
// R23 are clobbered.
func loadMCgoARM64(b *a64prog, rt *Runtime) {
	if rt.MNcgo != 0 {
		if rt.GSyscallPC == rt.GSyscallSP+8 {
			b.add(aSTP, obj.Addr{Type: obj.TYPE_REGREG, Reg: regOldSPARM64, Offset: int64(regScratchARM64)}, a64mem(regGARM64, rt.GSyscallSP))
		} else {
			b.add(aMOVD, a64reg(regOldSPARM64), a64mem(regGARM64, rt.GSyscallSP))
			b.add(aMOVD, a64reg(regScratchARM64), a64mem(regGARM64, rt.GSyscallPC))
		}
	}
	if rt.MNcgo == 0 {
		b.add(aMOVD, a64mem(regGARM64, rt.GM), a64reg(regScratchARM64))
		return
	}
	b.add(aMOVD, a64reg(regScratchARM64), a64reg(regScratch3ARM64))
	b.add(aMOVD, a64mem(regGARM64, rt.GM), a64reg(regScratchARM64))
	b.add3(aADD, a64imm(int64(rt.MLibcall)), regScratchARM64, a64reg(regScratch2ARM64))
	b.add(aSTP, obj.Addr{Type: obj.TYPE_REGREG, Reg: regScratch3ARM64, Offset: int64(regOldSPARM64)}, a64mem(regScratch2ARM64, 0))
	b.add(aMOVD, a64reg(regGARM64), a64mem(regScratch2ARM64, 16))
	b.add(aMOVWU, a64mem(regScratchARM64, rt.MNcgo), a64reg(regScratch2ARM64))
	b.add3(aADD, a64imm(1), regScratch2ARM64, a64reg(regScratch2ARM64))
	b.add(aMOVW, a64reg(regScratch2ARM64), a64mem(regScratchARM64, rt.MNcgo))
	b.add(aMOVD, a64imm(1), a64reg(regScratch3ARM64))
	b.add(aMOVB, a64reg(regScratch3ARM64), a64mem(regScratchARM64, rt.MIncgo))
}

// cgoDoneARM64 ends the cgo call state of a fast call (g.syscallsp = 0,
// m.ncgo-1, m.incgo = false), while g0 is still the TLS g. R21 and R22
// are clobbered.
func cgoDoneARM64(b *a64prog, rt *Runtime) {
	if rt.MNcgo == 0 {
		return
	}
	b.add(aMOVD, a64reg(xZR), a64mem(regGARM64, rt.GSyscallSP))
	b.add(aMOVD, a64mem(regGARM64, rt.GM), a64reg(regScratchARM64))
	b.add(aMOVD, a64reg(xZR), a64mem(regScratchARM64, rt.MLibcall+8))
	b.add(aMOVWU, a64mem(regScratchARM64, rt.MNcgo), a64reg(regScratch2ARM64))
	b.add3(aSUB, a64imm(1), regScratch2ARM64, a64reg(regScratch2ARM64))
	b.add(aMOVW, a64reg(regScratch2ARM64), a64mem(regScratchARM64, rt.MNcgo))
	b.add(aMOVB, a64reg(xZR), a64mem(regScratchARM64, rt.MIncgo))
}

// cgoLeaveARM64 suspends the cgo call state of the fast call below a
// fast-entry callback before Go code runs on its goroutine (g in gReg,
// its m in mReg), as cgoLeaveAMD64 does.
func cgoLeaveARM64(b *a64prog, rt *Runtime, gReg, mReg int16) {
	if rt.MNcgo == 0 {
		return
	}
	b.add(aMOVD, a64reg(xZR), a64mem(gReg, rt.GSyscallSP))
	b.add(aMOVD, a64reg(xZR), a64mem(mReg, rt.MLibcall+8))
	b.add(aMOVB, a64reg(xZR), a64mem(mReg, rt.MIncgo))
}

// cgoResumeARM64 restores it when the callback returns to C: g.syscallsp
// = spReg (g.sched.sp), g.syscallpc = pcReg (g.sched.pc), m.incgo; tmp is
// clobbered.
func cgoResumeARM64(b *a64prog, rt *Runtime, gReg, mReg, spReg, pcReg, tmp int16) {
	if rt.MNcgo == 0 {
		return
	}
	b.add(aMOVD, a64reg(pcReg), a64mem(gReg, rt.GSyscallPC))
	b.add(aMOVD, a64reg(spReg), a64mem(gReg, rt.GSyscallSP))
	b.add(aMOVD, a64reg(pcReg), a64mem(mReg, rt.MLibcall))
	b.add(aMOVD, a64reg(spReg), a64mem(mReg, rt.MLibcall+8))
	b.add(aMOVD, a64reg(gReg), a64mem(mReg, rt.MLibcall+16))
	b.add(aMOVD, a64imm(1), a64reg(tmp))
	b.add(aMOVB, a64reg(tmp), a64mem(mReg, rt.MIncgo))
}

// bailPreemptARM64 is the second test of step 1: a pending preemption
// request or YieldBit sends the call to the fallback.
func bailPreemptARM64(b *a64prog, rt *Runtime) a64jump {
	b.add(aMOVD, a64mem(regGARM64, rt.GStackguard0), a64reg(regScratchARM64))
	return b.tbnz(YieldBit, regScratchARM64)
}
