package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/x86"
)

const (
	xTESTB    = x86.ATESTB
	xCMPXCHGQ = x86.ACMPXCHGQ
)

// sharedAMD64 lowers the shared exits (see Shared). A trampoline reaches
// one with MOVQ $Exit, R13; JMP R13 as its step 6, with the results in
// their Go registers (R12, R13, R15 and DX are free). It puts g back in
// TLS, pops the frame, zeroes X15, and, when a preemption request is
// pending, replaces it by the ordinary guard with YieldBit set (see
// YieldBit) before returning to the Go caller; ExitString jumps to the
// string result's copy (Runtime.StringResult) instead of returning.
func sharedAMD64(rt *Runtime) (Shared, error) {
	b := newX86Prog()
	exit := exitTailAMD64(b, rt, func() { b.add(xRET, none, none) })
	var exitString *obj.Prog
	if rt.StringResult != 0 {
		exitString = exitTailAMD64(b, rt, func() {
			b.add(xMOVQ, imm(int64(rt.StringResult)), reg(regScratchAMD64))
			b.add(xJMP, none, reg(regScratchAMD64))
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

// exitTailAMD64 emits one shared exit, which leaves through ret (a RET,
// or the jump to the string result's copy).
func exitTailAMD64(b *x86prog, rt *Runtime, ret func()) *obj.Prog {
	exit := b.add(obj.ANOP, none, none)
	cgoDoneAMD64(b, rt)
	b.add(xMOVQ, reg(regGAMD64), mem(rFS, rt.TLSG))
	b.add(xMOVQ, reg(rBP), reg(rSP))
	b.add(xPOPQ, none, reg(rBP))
	b.add(xXORPS, reg(rX15), reg(rX15))
	b.add(xTESTB, imm(YieldBit), mem(regGAMD64, rt.GStackguard0))
	yield := b.jump(xJNE)
	ret()

	// A request is pending (or YieldBit is already set by a nested call's
	// exit): replace stackPreempt, and only stackPreempt, atomically, so
	// that a request posted meanwhile is not lost. RAX is a result
	// register; R12 keeps it.
	b.bind([]jumpRef{yield})
	b.add(xMOVQ, mem(regGAMD64, 0), reg(regScratchAMD64)) // g.stack.lo
	b.add(xLEAQ, mem(regScratchAMD64, rt.StackGuard|YieldBit), reg(regScratchAMD64))
	b.add(xMOVQ, reg(rAX), reg(regTargetAMD64))
	b.add(xMOVQ, imm(rt.StackPreempt), reg(rAX))
	b.add(xLOCK, none, none)
	b.add(xCMPXCHGQ, reg(regScratchAMD64), mem(regGAMD64, rt.GStackguard0))
	b.add(xMOVQ, reg(regTargetAMD64), reg(rAX))
	ret()
	return exit
}

// enterAMD64 is step 2 of a trampoline: the frame systemstack_switch's
// unwinding expects (PUSHQ BP; MOVQ SP, BP), g.sched, the cgo call state
// (see Runtime.MNcgo: g.syscallpc and g.syscallsp, m.libcallpc and
// m.libcallsp as g.sched's pc and sp, m.libcallg = g, m.ncgo+1,
// m.incgo), g0 in TLS, SP at g0.sched.sp; R13 holds g0 afterwards. It stays inline: a CALL of
// shared code here cost about 1.4 ns per call, the JMP to the shared
// exit nothing measurable.
func enterAMD64(b *x86prog, rt *Runtime) {
	sched := rt.GSched
	b.add(xPUSHQ, reg(rBP), none)
	b.add(xMOVQ, reg(rSP), reg(rBP))
	b.add(xMOVQ, imm(int64(rt.SwitchPC)), reg(regScratchAMD64))
	b.add(xMOVQ, reg(regScratchAMD64), mem(regGAMD64, sched+rt.GobufPC))
	b.add(xMOVQ, reg(rSP), mem(regGAMD64, sched+rt.GobufSP))
	b.add(xMOVQ, reg(rBP), mem(regGAMD64, sched+rt.GobufBP))
	if rt.MNcgo != 0 {
		// R15 (no argument; the zero register only later) holds m.
		b.add(xMOVQ, reg(regScratchAMD64), mem(regGAMD64, rt.GSyscallPC))
		b.add(xMOVQ, reg(rSP), mem(regGAMD64, rt.GSyscallSP))
		b.add(xMOVQ, mem(regGAMD64, rt.GM), reg(rR15))
		b.add(xMOVQ, reg(regScratchAMD64), mem(rR15, rt.MLibcall))
		b.add(xMOVQ, reg(rSP), mem(rR15, rt.MLibcall+8))
		b.add(xMOVQ, reg(regGAMD64), mem(rR15, rt.MLibcall+16))
		b.add(xINCL, none, mem(rR15, rt.MNcgo))
		b.add(xMOVB, imm(1), mem(rR15, rt.MIncgo))
		b.add(xMOVQ, mem(rR15, rt.MG0), reg(regScratchAMD64))
	} else {
		b.add(xMOVQ, mem(regGAMD64, rt.GM), reg(regScratchAMD64))
		b.add(xMOVQ, mem(regScratchAMD64, rt.MG0), reg(regScratchAMD64))
	}
	b.add(xMOVQ, reg(regScratchAMD64), mem(rFS, rt.TLSG))
	b.add(xMOVQ, mem(regScratchAMD64, sched+rt.GobufSP), reg(rSP))
}

// exitAMD64 is step 6 of a trampoline: the jump to the shared exit.
func exitAMD64(b *x86prog, p *abi.Plan, rt *Runtime) error {
	to := rt.Exit
	if p.Result.String {
		if rt.StringResult == 0 || rt.ExitString == 0 {
			return fmt.Errorf("jit: a string result needs Runtime.StringResult and its shared exit")
		}
		to = rt.ExitString
	}
	b.add(xMOVQ, imm(int64(to)), reg(regScratchAMD64))
	b.add(xJMP, none, reg(regScratchAMD64))
	return nil
}

// cgoDoneAMD64 ends the cgo call state of a fast call, as cgocall does
// after asmcgocall (g.syscallsp = 0, m.libcallsp = 0, m.ncgo-1, m.incgo
// = false), while g0 is still the TLS g. R13 is clobbered.
func cgoDoneAMD64(b *x86prog, rt *Runtime) {
	if rt.MNcgo == 0 {
		return
	}
	b.add(xMOVQ, imm(0), mem(regGAMD64, rt.GSyscallSP))
	b.add(xMOVQ, mem(regGAMD64, rt.GM), reg(regScratchAMD64))
	b.add(xMOVQ, imm(0), mem(regScratchAMD64, rt.MLibcall+8))
	b.add(xDECL, none, mem(regScratchAMD64, rt.MNcgo))
	b.add(xMOVB, imm(0), mem(regScratchAMD64, rt.MIncgo))
}

// cgoLeaveAMD64 is what a fast-entry callback does before it runs Go
// code on the goroutine (g in gReg, its m in mReg) of the fast call that
// called C: it suspends that call's cgo state, as cgocallbackg does
// through exitsyscall, so that the collector (which scans a goroutine
// with g.syscallsp set from there) and the profiler see a running
// goroutine (and a stack shrink of its own does not find m.libcallsp
// set, which the runtime refuses). m.ncgo is left as it is, as
// cgocallbackg leaves it.
func cgoLeaveAMD64(b *x86prog, rt *Runtime, gReg, mReg int16) {
	if rt.MNcgo == 0 {
		return
	}
	b.add(xMOVQ, imm(0), mem(gReg, rt.GSyscallSP))
	b.add(xMOVQ, imm(0), mem(mReg, rt.MLibcall+8))
	b.add(xMOVB, imm(0), mem(mReg, rt.MIncgo))
}

// cgoResumeAMD64 restores the cgo state of the fast call below when the
// callback returns to C: g.syscallsp and m.libcallsp = spReg (g.sched.sp,
// where the call's frame is now), g.syscallpc and m.libcallpc = pcReg
// (g.sched.pc), m.libcallg = g, m.incgo.
func cgoResumeAMD64(b *x86prog, rt *Runtime, gReg, mReg, spReg, pcReg int16) {
	if rt.MNcgo == 0 {
		return
	}
	b.add(xMOVQ, reg(pcReg), mem(gReg, rt.GSyscallPC))
	b.add(xMOVQ, reg(spReg), mem(gReg, rt.GSyscallSP))
	b.add(xMOVQ, reg(pcReg), mem(mReg, rt.MLibcall))
	b.add(xMOVQ, reg(spReg), mem(mReg, rt.MLibcall+8))
	b.add(xMOVQ, reg(gReg), mem(mReg, rt.MLibcall+16))
	b.add(xMOVB, imm(1), mem(mReg, rt.MIncgo))
}

// bailPreemptAMD64 is the second test of step 1: a pending preemption
// request or YieldBit sends the call to the fallback.
func bailPreemptAMD64(b *x86prog, rt *Runtime) jumpRef {
	b.add(xTESTB, imm(YieldBit), mem(regGAMD64, rt.GStackguard0))
	return b.jump(xJNE)
}
