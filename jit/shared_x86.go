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
	exit := b.add(xMOVQ, reg(regGAMD64), mem(rFS, rt.TLSG))
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
// unwinding expects (PUSHQ BP; MOVQ SP, BP), g.sched, g0 in TLS, SP at
// g0.sched.sp; R13 holds g0 afterwards. It stays inline: a CALL of
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
	b.add(xMOVQ, mem(regGAMD64, rt.GM), reg(regScratchAMD64))
	b.add(xMOVQ, mem(regScratchAMD64, rt.MG0), reg(regScratchAMD64))
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

// bailPreemptAMD64 is the second test of step 1: a pending preemption
// request or YieldBit sends the call to the fallback.
func bailPreemptAMD64(b *x86prog, rt *Runtime) jumpRef {
	b.add(xTESTB, imm(YieldBit), mem(regGAMD64, rt.GStackguard0))
	return b.jump(xJNE)
}
