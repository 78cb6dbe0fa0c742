package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/x86"
)

const (
	xANDL  = x86.AANDL
	xCMPL  = x86.ACMPL
	xTESTL = x86.ATESTL
	xINCL  = x86.AINCL
	xDECL  = x86.ADECL
	xJNE   = x86.AJNE
	xADDQ  = x86.AADDQ
	xSHRQ  = x86.ASHRQ
	xABYTE = x86.ABYTE
)

// cbFrameAMD64 is the size of the entry's frame below its saved registers:
// the callback frame and the staging area of struct pieces, padded so that
// SP is 16-aligned (C enters with SP = 8 mod 16; six pushes later it is 0
// mod 16 minus 8).
const cbFrameAMD64 = (CBFrameLen+cbStageLen+15)&^15 + 8

// callbackAMD64 lowers the entry of callbacks of p. C calls the slot's
// stub, which jumps here with R11 = the slot's address:
//
//		C stack (the caller's thread)
//		+---------------------------+
//		| C stack arguments         | 16(BP)+off
//		| return address into C     | 8(BP)
//		| C's BP                    | 0(BP) <- BP
//		| BX R12 R13 R14 R15        | -8(BP) .. -40(BP), callee-saved in C
//		| struct staging area       | cbStage(SP)
//		| callback frame            | CB* offsets from SP
//		+---------------------------+ <- SP, 16-aligned
//
//	 1. Store every C argument into the frame at its Go location (integer
//	    register i at ints[i], float register i at floats[i], Go stack
//	    offset o at stack+o), narrow integers extended to 64 bits;
//	    structs by value field by field (callback_x86_struct.go).
//	 2. Store the fast entry's way back ("back") into the frame, and
//	    choose a door:
//	    - fast: TLS g is a g0 whose m.curg is running, so C was called from
//	      a fast-path trampoline on this thread. Save g0.sched.sp and set it
//	      to SP (nested calls and the scheduler use the stack below this
//	      frame), pin the goroutine to the thread (m.lockedInt++, m.lockedg,
//	      g.lockedm, as the runtime's lockOSThread), make it the TLS g, and
//	      go onto its stack at g.sched.sp with g.sched.pc "pushed" as the
//	      return address, exactly as runtime.cgocallback does; BP = that
//	      sp, so the frame-pointer chain is whole. Jump to upcall.fastEntry
//	      with DX = the frame. It comes back to "back" with DX = the frame
//	      and DI = the goroutine's g.sched.sp, wherever the stack is now.
//	    - standard: runtime.cgocallback(upcall.std, frame, 0), the
//	      runtime's own door (needm on a foreign thread, exitsyscall inside
//	      cgo), called as crosscall2 calls it once it has saved C's
//	      callee-saved registers, which the entry has saved already.
//	 3. back: rebuild g.sched (sp, pc, bp) for the trampoline below, put g0
//	    back in TLS and g0.sched.sp back, unpin, and return the result from
//	    the frame in RAX or X0.
func callbackAMD64(p *abi.Plan, rt *Runtime, up *Upcall) ([]byte, error) {
	// The fast entry's way back is found at run time as an offset from
	// the end of a LEA, known only once the code is laid out: lay it out
	// once with a placeholder (of the same encoded length), then again
	// with the distance.
	b, back, here, err := callbackProgAMD64(p, rt, up, 0)
	if err != nil {
		return nil, err
	}
	if _, err := b.assemble(); err != nil {
		return nil, err
	}
	d := back.Pc - here.Pc
	b, _, _, err = callbackProgAMD64(p, rt, up, d)
	if err != nil {
		return nil, err
	}
	return b.assemble()
}

func callbackProgAMD64(p *abi.Plan, rt *Runtime, up *Upcall, backDist int64) (b *x86prog, back, here *obj.Prog, err error) {
	b = newX86Prog()
	sched := rt.GSched

	b.add(xPUSHQ, reg(rBP), none)
	b.add(xMOVQ, reg(rSP), reg(rBP))
	for _, r := range []int16{rBX, rR12, rR13, rR14, rR15} {
		b.add(xPUSHQ, reg(r), none)
	}
	b.add(xSUBQ, imm(cbFrameAMD64), reg(rSP))
	b.add(xMOVQ, reg(rR11), mem(rSP, CBSlot))
	b.add(xMOVQ, imm(cbCounts(p)), reg(rAX)) // RAX is no C argument of a non-variadic callee
	b.add(xMOVQ, reg(rAX), mem(rSP, CBNStack))
	if s := p.Result.Struct; s != nil && s.Pass == abi.Indirect {
		b.add(xMOVQ, reg(rDI), mem(rSP, CBHidden)) // C's result buffer
	}

	// 1. Arguments.
	for i, a := range p.Args {
		if err := cbArgAMD64(b, a); err != nil {
			return nil, nil, nil, fmt.Errorf("jit: callback parameter %d: %w", i, err)
		}
	}

	// 2. The doors.
	toChooser := b.jump(xJMP)
	// back: the fast entry returns here (DX = frame, DI = g.sched.sp).
	back = b.add(xMOVQ, reg(rR14), reg(rR12)) // g: Go code keeps it in R14
	b.add(xMOVQ, reg(rDI), mem(rR12, sched+rt.GobufSP))
	b.add(xMOVQ, reg(rDI), mem(rR12, sched+rt.GobufBP))
	b.add(xMOVQ, mem(rDI, -8), reg(rAX))
	b.add(xMOVQ, reg(rAX), mem(rR12, sched+rt.GobufPC))
	b.add(xMOVQ, mem(rR12, rt.GM), reg(rR13))
	cgoResumeAMD64(b, rt, rR12, rR13, rDI, rAX)
	b.add(xMOVQ, mem(rR13, rt.MG0), reg(rR14))
	b.add(xMOVQ, reg(rR14), mem(rFS, rt.TLSG))
	b.add(xMOVQ, reg(rDX), reg(rSP))
	b.add(xMOVQ, mem(rSP, CBG0SP), reg(rAX))
	b.add(xMOVQ, reg(rAX), mem(rR14, sched+rt.GobufSP))
	b.add(xMOVQ, reg(rDI), mem(rAX, -KeepSP)) // the stack may have moved
	// Unpin, as the runtime's unlockOSThread: lockedg and lockedm stay
	// while either count is held (the callback may have locked the
	// thread itself).
	b.add(xDECL, none, mem(rR13, up.MLockedInt))
	stillLocked := b.jump(xJNE)
	b.add(xMOVL, mem(rR13, up.MLockedExt), reg(rAX))
	b.add(xTESTL, reg(rAX), reg(rAX))
	stillLocked2 := b.jump(xJNE)
	b.add(xMOVQ, imm(0), mem(rR13, up.MLockedg))
	b.add(xMOVQ, imm(0), mem(rR12, up.GLockedm))
	toResults := b.jump(xJMP)

	// The chooser. "back" is a fixed distance from the end of a
	// RIP-relative LEA (raw bytes: the assembler has no PC-relative
	// operand for a label), so the return address of the fast entry
	// costs no CALL, which would leave the return stack buffer one
	// entry off and make the RET to C mispredict.
	b.bind([]jumpRef{toChooser})
	d := uint32(int32(backDist))
	for _, c := range []uint32{0x48, 0x8d, 0x05, d, d >> 8, d >> 16, d >> 24} { // leaq d(%rip), %rax
		b.add(xABYTE, imm(int64(c&0xff)), none)
	}
	here = b.add(xMOVQ, reg(rAX), mem(rSP, CBBack))
	var std []jumpRef
	b.add(xMOVQ, mem(rFS, rt.TLSG), reg(rR14))
	b.add(xTESTQ, reg(rR14), reg(rR14))
	std = append(std, b.jump(xJEQ))
	b.add(xMOVQ, mem(rR14, rt.GM), reg(rR13))
	b.add(xMOVQ, mem(rR13, rt.MG0), reg(rAX))
	b.add(xCMPQ, reg(rAX), reg(rR14))
	std = append(std, b.jump(xJNE))
	b.add(xMOVQ, mem(rR13, up.MCurg), reg(rR12))
	b.add(xTESTQ, reg(rR12), reg(rR12))
	std = append(std, b.jump(xJEQ))
	b.add(xMOVL, mem(rR12, up.GStatus), reg(rAX))
	b.add(xANDL, imm(^int64(gScan)), reg(rAX))
	b.add(xCMPL, reg(rAX), imm(gRunning))
	std = append(std, b.jump(xJNE))

	// Fast door. The goroutine's stack pointer comes from the trampoline's
	// keep area (KeepSP), or, when the marker is not jitffi's, from
	// g.sched.sp, so that fastEntry runs on a real stack to report it.
	b.add(xMOVQ, mem(rR14, sched+rt.GobufSP), reg(rAX))
	b.add(xMOVQ, mem(rAX, -KeepSP), reg(rDI))
	b.add(xMOVQ, mem(rAX, -8), reg(rBX))
	b.add(xMOVQ, reg(rAX), mem(rSP, CBG0SP))
	b.add(xMOVQ, reg(rBX), mem(rSP, CBMarker))
	b.add(xSHRQ, imm(8), reg(rBX))
	b.add(xMOVQ, imm(KeepMagic>>8), reg(rR15))
	b.add(xCMPQ, reg(rBX), reg(rR15))
	ours := b.jump(xJEQ)
	b.add(xMOVQ, mem(rR12, sched+rt.GobufSP), reg(rDI))
	b.bind([]jumpRef{ours})
	b.add(xMOVQ, reg(rSP), mem(rR14, sched+rt.GobufSP))
	b.add(xINCL, none, mem(rR13, up.MLockedInt))
	b.add(xMOVQ, reg(rR12), mem(rR13, up.MLockedg))
	b.add(xMOVQ, reg(rR13), mem(rR12, up.GLockedm))
	cgoLeaveAMD64(b, rt, rR12, rR13)
	b.add(xMOVQ, reg(rR12), mem(rFS, rt.TLSG))
	b.add(xMOVQ, reg(rSP), reg(rDX))
	b.add(xMOVQ, mem(rR12, sched+rt.GobufPC), reg(rAX))
	b.add(xMOVQ, reg(rAX), mem(rDI, -8))
	b.add(xLEAQ, mem(rDI, -8), reg(rSP))
	b.add(xMOVQ, reg(rDI), reg(rBP))
	b.add(xMOVQ, reg(rR12), reg(rR14))
	b.add(xMOVQ, imm(int64(up.FastEntry)), reg(rAX))
	b.add(xJMP, none, reg(rAX))

	// Standard door: runtime.cgocallback(fn, frame, ctxt 0), ABI0, with
	// its arguments on the stack below the frame. This is what crosscall2
	// calls after saving C's callee-saved registers, which the entry has
	// saved already.
	b.bind(std)
	b.add(xSUBQ, imm(cbStdArgs), reg(rSP))
	b.add(xMOVQ, imm(int64(up.StdFn)), reg(rAX))
	b.add(xMOVQ, reg(rAX), mem(rSP, 0))
	b.add(xLEAQ, mem(rSP, cbStdArgs), reg(rAX))
	b.add(xMOVQ, reg(rAX), mem(rSP, 8))
	b.add(xMOVQ, imm(0), mem(rSP, 16))
	b.add(xMOVQ, imm(int64(up.Cgocallback)), reg(rAX))
	b.add(xCALL, none, reg(rAX))
	b.add(xADDQ, imm(cbStdArgs), reg(rSP))

	// 3. The result, and back to C.
	b.bind([]jumpRef{toResults, stillLocked, stillLocked2})
	if err := cbResultAMD64(b, p); err != nil {
		return nil, nil, nil, err
	}
	b.add(xADDQ, imm(cbFrameAMD64), reg(rSP))
	for _, r := range []int16{rR15, rR14, rR13, rR12, rBX, rBP} {
		b.add(xPOPQ, none, reg(r))
	}
	b.add(xRET, none, none)
	return b, back, here, nil
}

// cbGoSlot is the frame location of a Go-side argument or result.
func cbGoSlot(l abi.Loc) (int32, error) {
	switch l.Class {
	case abi.Int:
		return int32(CBInts + 8*l.Reg), nil
	case abi.Float:
		return int32(CBFloats + 8*l.Reg), nil
	case abi.Stack:
		return int32(CBStack + l.Off), nil
	}
	return 0, fmt.Errorf("jit: BUG: no frame slot for %v", l)
}

// cbArgAMD64 stores one C argument into its Go slot of the frame.
func cbArgAMD64(b *x86prog, a abi.Arg) error {
	if a.Struct != nil {
		return cbStructArgAMD64(b, a)
	}
	off, err := cbGoSlot(a.Go)
	if err != nil {
		return err
	}
	dst := mem(rSP, off)
	size := 8 // a register slot takes the whole word
	if a.Go.Class == abi.Stack {
		size = a.Kind.Size() // Go packs its stack arguments
	}
	var src int16
	switch a.C.Class {
	case abi.Int:
		src = cIntAMD64[a.C.Reg]
		if a.Kind.Size() < 8 {
			extendAMD64(b, cbExt(a.Kind), src, rAX, true)
			src = rAX
		}
	case abi.Float:
		if size == 4 {
			b.add(xMOVSS, reg(rX0+int16(a.C.Reg)), dst)
		} else {
			b.add(xMOVSD, reg(rX0+int16(a.C.Reg)), dst)
		}
		return nil
	case abi.Stack:
		// The caller's stack argument, above the return address and BP.
		loadExtAMD64(b, mem(rBP, int32(16+a.C.Off)), a.Kind, rAX)
		src = rAX
	default:
		return fmt.Errorf("jit: BUG: C location %v", a.C)
	}
	b.add(movOfSize(size), reg(src), dst)
	return nil
}

// cbResultAMD64 loads the Go func's result from the frame into its C
// register, narrow integers extended (clang's callers rely on it).
func cbResultAMD64(b *x86prog, p *abi.Plan) error {
	r := p.Result
	if r.Kind == sig.Void {
		return nil
	}
	if r.Struct != nil {
		return cbStructResultAMD64(b, p)
	}
	off, err := cbGoSlot(r.Go)
	if err != nil {
		return err
	}
	if r.Kind.IsFloat() {
		if r.Kind == sig.F32 {
			b.add(xMOVSS, mem(rSP, off), reg(rX0))
		} else {
			b.add(xMOVSD, mem(rSP, off), reg(rX0))
		}
		return nil
	}
	loadExtAMD64(b, mem(rSP, off), r.Kind, rAX)
	return nil
}

// cbExt is the extension to 64 bits of a narrow integer kind.
func cbExt(k sig.Kind) abi.Ext {
	switch k {
	case sig.I8:
		return abi.Sext8
	case sig.U8, sig.Bool:
		return abi.Zext8
	case sig.I16:
		return abi.Sext16
	case sig.U16:
		return abi.Zext16
	case sig.I32:
		return abi.Sext32
	case sig.U32:
		return abi.Zext32
	}
	return abi.NoExt
}

// loadExtAMD64 loads a value of kind k from src into the integer register
// r, extended to 64 bits (floats are loaded as their bits).
func loadExtAMD64(b *x86prog, src obj.Addr, k sig.Kind, r int16) {
	switch k {
	case sig.I8:
		b.add(xMOVBQSX, src, reg(r))
	case sig.U8, sig.Bool:
		b.add(xMOVBLZX, src, reg(r))
	case sig.I16:
		b.add(xMOVWQSX, src, reg(r))
	case sig.U16:
		b.add(xMOVWLZX, src, reg(r))
	case sig.I32:
		b.add(xMOVLQSX, src, reg(r))
	case sig.U32, sig.F32:
		b.add(xMOVL, src, reg(r))
	default:
		b.add(xMOVQ, src, reg(r))
	}
}
