package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
	"github.com/twitchyliquid64/golang-asm/obj"
)

// The arm64 callback entry's frame, from SP up: the callback frame (CB*
// offsets), the staging area of struct pieces, then the registers AAPCS64
// makes callee-saved, which Go code clobbers, then the frame record (R29,
// LR) that R29 points to.
const (
	cbSavedA64  = cbStage + cbStageLen // R19-R28
	cbFSavedA64 = cbSavedA64 + 10*8    // F8-F15
	cbRecordA64 = cbFSavedA64 + 8*8    // R29, R30
	cbFrameA64  = cbRecordA64 + 16     // C's stack arguments start here
)

// Registers of the arm64 entry: R9 and F16 are scratch (caller-saved
// in C and no C argument), and the fast door uses R10 and R12 (as
// caller-saved, once the arguments are in the frame); the door chooser
// keeps the thread pointer in
// R11, TLS g in R20, its m in R21, m.g0 in R22 and m.curg in R23 (all
// saved in the prologue).
var (
	cbTmpA64   = xr(9)
	cbTPA64    = xr(11)
	cbGA64     = xr(20)
	cbMA64     = xr(21)
	cbG0A64    = xr(22)
	cbCurgA64  = xr(23)
	cbGSPA64   = xr(10) // the goroutine's stack pointer
	cbMagicA64 = xr(12) // KeepMagic
	cbFTmpA64  = xf(16)
)

// callbackARM64 lowers the entry of callbacks of p, the mirror of
// callbackAMD64 (see there for the doors). C calls the slot's stub, which
// jumps here with R17 = the slot's address:
//
//		C stack (the caller's thread)
//		+---------------------------+
//		| C stack arguments         | cbFrameA64+off(SP)
//		| R29, LR (frame record)    | <- R29
//		| F8-F15, R19-R28           | callee-saved in C
//		| struct staging area       | cbStage(SP)
//		| callback frame            | CB* offsets from SP
//		+---------------------------+ <- SP, 16-aligned
//
//	 1. Store every C argument into the frame at its Go location, narrow
//	    integers extended to 64 bits; structs by value field by field
//	    (callback_a64_struct.go).
//	 2. Store the address of "back", the fast entry's way back, into the
//	    frame, and go to the door chooser.
//	    - fast: TLS g is a g0 whose m.curg is running: save g0.sched.sp
//	      and set it to SP, pin the goroutine (m.lockedInt++, m.lockedg,
//	      g.lockedm), make it the TLS g and R28, and enter
//	      upcall.fastEntry on the goroutine's stack as if it had been
//	      called from g.sched.pc: SP = g.sched.sp, LR = g.sched.pc, R29 =
//	      g.sched.bp, exactly the state runtime.cgocallback builds. Its
//	      prologue saves LR and R29 where the unwinder expects them. It
//	      comes back to "back" with R0 = the frame and R1 = where
//	      g.sched.sp now is.
//	    - standard: runtime.cgocallback(upcall.std, frame, 0), the door
//	      crosscall2 opens.
//	 3. back: rebuild g.sched (sp, pc, bp, lr) for the trampoline below,
//	    put g0 back in TLS and g0.sched.sp back, unpin, and return the
//	    result from the frame in R0 or F0.
func callbackARM64(p *abi.Plan, rt *Runtime, up *Upcall) ([]byte, error) {
	b := newA64Prog()
	sched := rt.GSched

	b.add3(aSUB, a64imm(cbFrameA64), xRSP, a64reg(xRSP))
	for i := 0; i < 10; i++ {
		b.add(aMOVD, a64reg(xr(19+i)), a64mem(xRSP, int32(cbSavedA64+8*i)))
	}
	for i := 0; i < 8; i++ {
		b.add(aFMOVD, a64reg(xf(8+i)), a64mem(xRSP, int32(cbFSavedA64+8*i)))
	}
	b.add(aMOVD, a64reg(xFP), a64mem(xRSP, cbRecordA64))
	b.add(aMOVD, a64reg(xLR), a64mem(xRSP, cbRecordA64+8))
	b.add3(aADD, a64imm(cbRecordA64), xRSP, a64reg(xFP))
	b.add(aMOVD, a64reg(xr(17)), a64mem(xRSP, CBSlot))
	b.add(aMOVD, a64imm(cbCounts(p)), a64reg(cbTmpA64))
	b.add(aMOVD, a64reg(cbTmpA64), a64mem(xRSP, CBNStack))
	if s := p.Result.Struct; s != nil && s.Pass == abi.Indirect {
		b.add(aMOVD, a64reg(xr(8)), a64mem(xRSP, CBHidden)) // C's result buffer
	}

	// 1. Arguments.
	for i, a := range p.Args {
		if err := cbArgARM64(b, a); err != nil {
			return nil, fmt.Errorf("jit: callback parameter %d: %w", i, err)
		}
	}

	// 2. The doors. "back" follows the B: ADR (raw, three instructions
	// ahead) puts its address into the frame. A BL would leave the
	// return-address predictor one entry off for the RET to C.
	b.add(aWORD, a64none, a64imm(0x10000000|3<<5|int64(cbTmpA64-xr(0)))) // adr x9, .+12
	b.add(aMOVD, a64reg(cbTmpA64), a64mem(xRSP, CBBack))
	toChooser := b.jump(aB, 0)
	// back: the fast entry returns here (R0 = frame, R1 = g.sched.sp).
	b.add(aMRS, a64reg(xTPID), a64reg(cbTPA64))
	b.add(aMOVD, a64mem(cbTPA64, rt.TLSG), a64reg(cbGA64))
	b.add(aMOVD, a64reg(xr(1)), a64mem(cbGA64, sched+rt.GobufSP))
	b.add3(aSUB, a64imm(8), xr(1), a64reg(cbTmpA64))
	b.add(aMOVD, a64reg(cbTmpA64), a64mem(cbGA64, sched+rt.GobufBP))
	b.add(aMOVD, a64imm(int64(rt.SwitchPC)), a64reg(cbTmpA64))
	b.add(aMOVD, a64reg(cbTmpA64), a64mem(cbGA64, sched+rt.GobufPC))
	b.add(aMOVD, a64reg(xZR), a64mem(cbGA64, sched+rt.GobufLR))
	b.add(aMOVD, a64mem(cbGA64, rt.GM), a64reg(cbMA64))
	cgoResumeARM64(b, rt, cbGA64, cbMA64, xr(1), cbTmpA64, cbTmpA64)
	b.add(aMOVD, a64mem(cbMA64, rt.MG0), a64reg(cbG0A64))
	b.add(aMOVD, a64reg(cbG0A64), a64mem(cbTPA64, rt.TLSG))
	b.add(aMOVD, a64reg(xr(0)), a64reg(xRSP))
	b.add(aMOVD, a64mem(xRSP, CBG0SP), a64reg(cbTmpA64))
	b.add(aMOVD, a64reg(cbTmpA64), a64mem(cbG0A64, sched+rt.GobufSP))
	b.add(aMOVD, a64reg(xr(1)), a64mem(cbTmpA64, -KeepSP)) // the stack may have moved
	// Unpin, as the runtime's unlockOSThread: lockedg and lockedm stay
	// while either count is held.
	b.add(aMOVWU, a64mem(cbMA64, up.MLockedInt), a64reg(cbTmpA64))
	b.add3(aSUB, a64imm(1), cbTmpA64, a64reg(cbTmpA64))
	b.add(aMOVW, a64reg(cbTmpA64), a64mem(cbMA64, up.MLockedInt))
	stillLocked := b.jump(aCBNZ, cbTmpA64)
	b.add(aMOVWU, a64mem(cbMA64, up.MLockedExt), a64reg(cbTmpA64))
	stillLocked2 := b.jump(aCBNZ, cbTmpA64)
	b.add(aMOVD, a64reg(xZR), a64mem(cbMA64, up.MLockedg))
	b.add(aMOVD, a64reg(xZR), a64mem(cbGA64, up.GLockedm))
	toResults := b.jump(aB, 0)

	// The chooser.
	b.bind([]a64jump{toChooser})
	var std []a64jump
	b.add(aMRS, a64reg(xTPID), a64reg(cbTPA64))
	b.add(aMOVD, a64mem(cbTPA64, rt.TLSG), a64reg(cbGA64))
	std = append(std, b.jump(aCBZ, cbGA64))
	b.add(aMOVD, a64mem(cbGA64, rt.GM), a64reg(cbMA64))
	b.add(aMOVD, a64mem(cbMA64, rt.MG0), a64reg(cbG0A64))
	b.add3(aCMP, a64reg(cbG0A64), cbGA64, a64none)
	std = append(std, b.jump(aBNE, 0))
	b.add(aMOVD, a64mem(cbMA64, up.MCurg), a64reg(cbCurgA64))
	std = append(std, b.jump(aCBZ, cbCurgA64))
	b.add(aMOVWU, a64mem(cbCurgA64, up.GStatus), a64reg(cbTmpA64))
	b.add3(aAND, a64imm(^int64(gScan)), cbTmpA64, a64reg(cbTmpA64))
	b.add3(aCMP, a64imm(gRunning), cbTmpA64, a64none)
	std = append(std, b.jump(aBNE, 0))

	// Fast door. The goroutine's stack pointer comes from the trampoline's
	// keep area (KeepSP), or, when the marker is not jitffi's, from
	// g.sched.sp, so that fastEntry runs on a real stack to report it.
	// TLS g is m.g0 here: reading through it, not through m.g0, keeps
	// the stack pointer two loads nearer, as on amd64.
	b.add(aMOVD, a64mem(cbGA64, sched+rt.GobufSP), a64reg(cbTmpA64))
	b.add(aMOVD, a64mem(cbTmpA64, -KeepSP), a64reg(cbGSPA64))
	b.add(aMOVD, a64reg(cbTmpA64), a64mem(xRSP, CBG0SP))
	b.add(aMOVD, a64mem(cbTmpA64, -8), a64reg(cbTmpA64))
	b.add(aMOVD, a64reg(cbTmpA64), a64mem(xRSP, CBMarker))
	b.add3(aAND, a64imm(^int64(0xff)), cbTmpA64, a64reg(cbTmpA64))
	b.add(aMOVD, a64imm(KeepMagic), a64reg(cbMagicA64))
	b.add3(aCMP, a64reg(cbMagicA64), cbTmpA64, a64none)
	ours := b.jump(aBEQ, 0)
	b.add(aMOVD, a64mem(cbCurgA64, sched+rt.GobufSP), a64reg(cbGSPA64))
	b.bind([]a64jump{ours})
	b.add(aMOVD, a64reg(xRSP), a64reg(cbTmpA64))
	b.add(aMOVD, a64reg(cbTmpA64), a64mem(cbGA64, sched+rt.GobufSP))
	b.add(aMOVWU, a64mem(cbMA64, up.MLockedInt), a64reg(cbTmpA64))
	b.add3(aADD, a64imm(1), cbTmpA64, a64reg(cbTmpA64))
	b.add(aMOVW, a64reg(cbTmpA64), a64mem(cbMA64, up.MLockedInt))
	b.add(aMOVD, a64reg(cbCurgA64), a64mem(cbMA64, up.MLockedg))
	b.add(aMOVD, a64reg(cbMA64), a64mem(cbCurgA64, up.GLockedm))
	cgoLeaveARM64(b, rt, cbCurgA64, cbMA64)
	b.add(aMOVD, a64reg(cbCurgA64), a64mem(cbTPA64, rt.TLSG))
	b.add(aMOVD, a64reg(cbCurgA64), a64reg(regGARM64))
	b.add(aMOVD, a64reg(xRSP), a64reg(xr(0)))
	b.add(aMOVD, a64mem(cbCurgA64, sched+rt.GobufPC), a64reg(xLR))
	b.add(aMOVD, a64mem(cbCurgA64, sched+rt.GobufBP), a64reg(xFP))
	b.add(aMOVD, a64reg(cbGSPA64), a64reg(xRSP))
	b.add(aMOVD, a64imm(int64(up.FastEntry)), a64reg(cbTmpA64))
	b.add(aB, a64none, a64mem(cbTmpA64, 0))

	// Standard door: runtime.cgocallback(fn, frame, ctxt 0), ABI0, its
	// arguments at 8(RSP).. below the frame (0(RSP) is where the callee
	// saves LR), as crosscall2 calls it once it has saved what the entry
	// has saved already.
	b.bind(std)
	b.add3(aSUB, a64imm(cbStdArgs), xRSP, a64reg(xRSP))
	b.add(aMOVD, a64imm(int64(up.StdFn)), a64reg(cbTmpA64))
	b.add(aMOVD, a64reg(cbTmpA64), a64mem(xRSP, 8))
	b.add3(aADD, a64imm(cbStdArgs), xRSP, a64reg(cbTmpA64))
	b.add(aMOVD, a64reg(cbTmpA64), a64mem(xRSP, 16))
	b.add(aMOVD, a64reg(xZR), a64mem(xRSP, 24))
	b.add(aMOVD, a64imm(int64(up.Cgocallback)), a64reg(cbTmpA64))
	b.add(aBL, a64none, a64mem(cbTmpA64, 0))
	b.add3(aADD, a64imm(cbStdArgs), xRSP, a64reg(xRSP))

	// 3. The result, and back to C.
	b.bind([]a64jump{toResults, stillLocked, stillLocked2})
	if err := cbResultARM64(b, p); err != nil {
		return nil, err
	}
	for i := 0; i < 10; i++ {
		b.add(aMOVD, a64mem(xRSP, int32(cbSavedA64+8*i)), a64reg(xr(19+i)))
	}
	for i := 0; i < 8; i++ {
		b.add(aFMOVD, a64mem(xRSP, int32(cbFSavedA64+8*i)), a64reg(xf(8+i)))
	}
	b.add(aMOVD, a64mem(xRSP, cbRecordA64), a64reg(xFP))
	b.add(aMOVD, a64mem(xRSP, cbRecordA64+8), a64reg(xLR))
	b.add3(aADD, a64imm(cbFrameA64), xRSP, a64reg(xRSP))
	b.add(aRET, a64none, a64reg(xLR))
	return b.assemble()
}

// cbArgARM64 stores one C argument into its Go slot of the frame.
func cbArgARM64(b *a64prog, a abi.Arg) error {
	if a.Struct != nil {
		return cbStructArgARM64(b, a)
	}
	off, err := cbGoSlot(a.Go)
	if err != nil {
		return err
	}
	dst := a64mem(xRSP, off)
	size := 8 // a register slot takes the whole word
	if a.Go.Class == abi.Stack {
		size = a.Kind.Size() // Go packs its stack arguments
	}
	switch a.C.Class {
	case abi.Int:
		src := xr(a.C.Reg)
		if a.Kind.Size() < 8 {
			extendARM64(b, cbExt(a.Kind), src, cbTmpA64, true)
			src = cbTmpA64
		}
		b.add(storeOfSizeA64(size), a64reg(src), dst)
	case abi.Float:
		if a.Kind == sig.F32 {
			b.add(aFMOVS, a64reg(xf(a.C.Reg)), dst)
		} else {
			b.add(aFMOVD, a64reg(xf(a.C.Reg)), dst)
		}
	case abi.Stack:
		src := a64mem(xRSP, int32(cbFrameA64+a.C.Off))
		switch a.Kind {
		case sig.F32:
			b.add(aFMOVS, src, a64reg(cbFTmpA64))
			b.add(aFMOVS, a64reg(cbFTmpA64), dst)
		case sig.F64:
			b.add(aFMOVD, src, a64reg(cbFTmpA64))
			b.add(aFMOVD, a64reg(cbFTmpA64), dst)
		default:
			b.add(loadExtOpA64(a.Kind), src, a64reg(cbTmpA64))
			b.add(storeOfSizeA64(size), a64reg(cbTmpA64), dst)
		}
	default:
		return fmt.Errorf("jit: BUG: C location %v", a.C)
	}
	return nil
}

// cbResultARM64 loads the Go func's result from the frame into R0 or F0,
// narrow integers extended to 64 bits.
func cbResultARM64(b *a64prog, p *abi.Plan) error {
	r := p.Result
	if r.Kind == sig.Void {
		return nil
	}
	if r.Struct != nil {
		return cbStructResultARM64(b, p)
	}
	off, err := cbGoSlot(r.Go)
	if err != nil {
		return err
	}
	switch r.Kind {
	case sig.F32:
		b.add(aFMOVS, a64mem(xRSP, off), a64reg(xf(0)))
	case sig.F64:
		b.add(aFMOVD, a64mem(xRSP, off), a64reg(xf(0)))
	default:
		b.add(loadExtOpA64(r.Kind), a64mem(xRSP, off), a64reg(xr(0)))
	}
	return nil
}

// loadExtOpA64 is the load of an integer kind that extends it to 64 bits.
func loadExtOpA64(k sig.Kind) obj.As {
	switch k {
	case sig.I8:
		return aMOVB
	case sig.U8, sig.Bool:
		return aMOVBU
	case sig.I16:
		return aMOVH
	case sig.U16:
		return aMOVHU
	case sig.I32:
		return aMOVW
	case sig.U32:
		return aMOVWU
	}
	return aMOVD
}

// storeOfSizeA64 is the store of the low size bytes of a register.
func storeOfSizeA64(size int) obj.As {
	switch size {
	case 1:
		return aMOVB
	case 2:
		return aMOVH
	case 4:
		return aMOVW
	}
	return aMOVD
}

// callbackStubsARM64 is CallbackStubs on arm64. Each 16-byte stub loads
// its slot's address (a literal in the stub) into R17 and branches to a
// shared tail after the last stub, which loads the slot's entry into R16
// and branches there (R16 and R17 are the intra-procedure-call scratch
// registers, which no C caller expects preserved):
//
//	stub i:  ldr x17, .+8; b tail; .quad slot_i
//	tail:    ldr x16, [x17]; br x16
func callbackStubsARM64(slots []uint64) []byte {
	code := make([]byte, 0, StubSize*len(slots)+8)
	word := func(w uint32) { code = append(code, byte(w), byte(w>>8), byte(w>>16), byte(w>>24)) }
	tail := StubSize * len(slots)
	for i, s := range slots {
		word(0x58000000 | 2<<5 | 17) // ldr x17, .+8
		word(0x14000000 | uint32((tail-(StubSize*i+4))/4)&0x3ffffff)
		word(uint32(s))
		word(uint32(s >> 32))
	}
	word(0xf9400000 | 17<<5 | 16) // ldr x16, [x17]
	word(0xd61f0000 | 16<<5)      // br x16
	return code
}
