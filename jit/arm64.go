package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

// Registers with a fixed job inside the arm64 trampoline. None of them
// carries a Go argument (R0-R15, F0-F15) or a C argument (R0-R7, F0-F7).
//
// R19 (callee-saved in C) keeps the goroutine-stack SP, which is also the
// base of our frame, while the arguments move, and takes it again from
// g.sched.sp after the call (a callback may move the goroutine's stack); R28 is g throughout (callee-saved
// in C, so it survives the call); R26 is the closure context on entry.
// R20 holds the target until the call; R21-R23 and F16 are scratch (Go
// treats R19-R25 and F16-F31 as scratch, so nothing needs saving); R24
// and R25 also copy string arguments (arm64_string.go). With
// errno capture R22 holds errno's address across the call (callee-saved
// in C) and then errno itself. R27 is left to the assembler (nothing
// lives in it, so a constant it builds there does no harm), R16/R17 to
// linkers, R18 to the platform.
var (
	regCtxtARM64     = xr(26)
	regGARM64        = xr(28)
	regOldSPARM64    = xr(19)
	regTargetARM64   = xr(20)
	regScratchARM64  = xr(21)
	regScratch2ARM64 = xr(22)
	regScratch3ARM64 = xr(23)
	fregScratchARM64 = xf(16)
	regErrnoARM64    = regScratch2ARM64
)

// goStackARM64 is the offset from our frame's base (R19, the SP after
// the frame is pushed) of the Go caller's first stack argument: 16 bytes
// of our frame, then the 8-byte slot at 0(SP) of the caller's frame, which
// holds the caller's own return address.
const goStackARM64 = 16 + 8

// compileARM64 lowers p. RATIONALE.md ("The trampoline, step by step",
// and "The arm64 trampoline") is the one account of why each step is
// sound; this comment only records what differs on arm64, step by step
// (each mirrors the amd64 step of the same number):
//
//  1. Bail-out. Load the target from the record (R26+8). If it is zero the
//     library was closed; if g.stackguard0 (R28+16) has YieldBit (set in
//     stackPreempt) the runtime wants this goroutine to stop, or the last
//     call returned with such a request pending. Either way branch, with
//     every argument register and LR untouched, into the fallback closure:
//     R26 = record.fallback, BR through its first word. The fallback
//     returns straight to our Go caller.
//
//  2. Frame and switch to the system stack, the way runtime.asmcgocall
//     does. Build the 16-byte frame of Go's own arm64 prologue (LR at
//     0(SP), the caller's R29 at -8(SP), R29 = SP-8), then record
//     g.sched as gosave_systemstack_switch does: sp = SP, pc =
//     runtime.systemstack_switch+8 (its prologue has stored LR and
//     allocated its 16-byte frame at +8), bp = R29, lr = 0. An unwinder
//     starting from g.sched then finds our return address into the Go
//     caller at sched.sp+0, as in systemstack_switch's frame:
//
//     goroutine stack (R19 keeps this SP)
//     +-----------------------------+
//     | caller's stack args         | 24(R19)
//     | caller's 0(SP): its own LR  | 16(R19)
//     | (pad)                       | 8(R19)
//     | LR: return PC into caller   | 0(R19)  <- g.sched.sp
//     +-----------------------------+
//     | caller's R29                | -8(R19) <- R29 = g.sched.bp
//
//     g0 stack
//     +-----------------------------+
//     | (g0.sched.sp, top)          |
//     |   ...                       |
//     | C stack args, 8 each        |
//     | ...                         | 0(SP), 16-aligned
//     +-----------------------------+
//
//     then store g0 into the TLS g slot (TPIDR_EL0 + TLSG), so that
//     signals and crashes in C see the system stack's g, keep the
//     frame's SP in R19, leave the marker word, R19 (g.sched.sp) and the
//     Go pointer arguments just below g0.sched.sp (see KeepMagic) and set
//     SP below
//     them, less the C stack arguments, aligned down to 16.
//
//  3. Move the arguments: Go registers and Go stack slots to C registers
//     and C stack slots, extending narrow integers to 32 bits (AAPCS64 on
//     Linux does not require it; it is harmless and what Apple's variant
//     needs), passing NULL for empty slices and converting variadic f32
//     arguments to double. No count of vector registers is needed: Linux
//     AAPCS64 passes variadic arguments like fixed ones. Structs by value
//     go through memory above the C stack arguments (see
//     arm64_struct.go); X8 points at a result C returns in memory.
//
//  4. BLR to the target. With errno capture, errno's address
//     (TPIDR_EL0 + ErrnoTLS) is put in R22 first, errno is cleared by the
//     instruction right before the BLR and loaded by the one right after.
//
//  5. Normalise a narrow result in R0 (the callee leaves the bits above
//     it undefined); floats are already in F0. A struct result is
//     unpacked into its Go registers field by field, or copied to its Go
//     stack slot. With errno capture, build
//     the trailing error in the Go registers after the result (see
//     errnoResultARM64).
//
//  6. Branch to the shared exit (sharedARM64): it restores the TLS g
//     slot from R28, SP from g.sched.sp (a callback may have moved the
//     goroutine's stack; the callback entry keeps g.sched.sp current),
//     R29 and LR from the frame, takes over a pending preemption request
//     (YieldBit), and returns.
func compileARM64(p *abi.Plan, rt *Runtime) ([]byte, error) {
	if err := needShared(rt); err != nil {
		return nil, err
	}
	if p.Errno {
		if !rt.ErrnoOK {
			return nil, fmt.Errorf("jit: errno capture needs the errno TLS slot")
		}
		if p.ErrGo.Class == abi.Int && (p.ErrGo.Reg+1 >= 16 || p.Result.Go.Class == abi.Int && p.ErrGo.Reg <= p.Result.Go.Reg) ||
			p.ErrGo.Class == abi.Stack && p.Result.Struct == nil || p.ErrGo.Class != abi.Int && p.ErrGo.Class != abi.Stack {
			return nil, fmt.Errorf("jit: BUG: errno capture's error result at %v", p.ErrGo)
		}
	}
	b := newA64Prog()
	var bail []a64jump

	// 1. Bail-out check.
	b.add(aMOVD, a64mem(regCtxtARM64, RecordTarget), a64reg(regTargetARM64))
	bail = append(bail, b.jump(aCBZ, regTargetARM64))
	bail = append(bail, bailPreemptARM64(b, rt))
	bail = append(bail, stringChecksARM64(b, p)...)
	if rt.Trace {
		// An atomic increment of record.count (LL/SC: LSE atomics are not
		// in every ARMv8.0 core).
		b.add3(aADD, a64imm(RecordCount), regCtxtARM64, a64reg(regScratchARM64))
		retry := b.here()
		b.add(aLDXR, a64mem(regScratchARM64, 0), a64reg(regScratch2ARM64))
		b.add3(aADD, a64imm(1), regScratch2ARM64, a64reg(regScratch2ARM64))
		b.storeExclusive(regScratch2ARM64, regScratchARM64, regScratch3ARM64)
		b.jumpBack(aCBNZ, regScratch3ARM64, retry)
	}

	// 2. Frame (Go's arm64 prologue, 16 bytes) and switch to the system
	// stack.
	sched := rt.GSched
	b.pre(aMOVD, a64reg(xLR), a64mem(xRSP, -16))
	b.add(aMOVD, a64reg(xFP), a64mem(xRSP, -8))
	b.add3(aSUB, a64imm(8), xRSP, a64reg(xFP))
	b.add(aMOVD, a64imm(int64(rt.SwitchPC)), a64reg(regScratchARM64))
	b.add(aMOVD, a64reg(regScratchARM64), a64mem(regGARM64, sched+rt.GobufPC))
	b.add(aMOVD, a64reg(xRSP), a64reg(regOldSPARM64))
	b.add(aMOVD, a64reg(regOldSPARM64), a64mem(regGARM64, sched+rt.GobufSP))
	b.add(aMOVD, a64reg(xFP), a64mem(regGARM64, sched+rt.GobufBP))
	b.add(aMOVD, a64reg(xZR), a64mem(regGARM64, sched+rt.GobufLR))
	loadMCgoARM64(b, rt)
	b.add(aMOVD, a64mem(regScratchARM64, rt.MG0), a64reg(regScratchARM64))
	b.add(aMRS, a64reg(xTPID), a64reg(regScratch2ARM64))
	b.add(aMOVD, a64reg(regScratchARM64), a64mem(regScratch2ARM64, rt.TLSG))
	b.add(aMOVD, a64mem(regScratchARM64, sched+rt.GobufSP), a64reg(regScratch2ARM64))
	if err := keepARM64(b, p); err != nil {
		return nil, err
	}
	copyStringsARM64(b, p)
	refs, staging := structAreasARM64(p)
	if frame := alignUp(p.CStack+refs+staging, 16); frame > 0 {
		b.add3(aSUB, a64imm(int64(frame)), regScratch2ARM64, a64reg(regScratch2ARM64))
	}
	b.add3(aAND, a64imm(-16), regScratch2ARM64, a64reg(regScratch2ARM64))
	b.add(aMOVD, a64reg(regScratch2ARM64), a64reg(xRSP))

	// 3. Arguments.
	if err := movesARM64(b, p); err != nil {
		return nil, err
	}
	if r := p.Result.Struct; r != nil && r.Pass == abi.Indirect {
		// X8 (Go's R8, read by the moves above, and no C argument
		// register) points at the staging area, where C writes the result.
		spAddrARM64(b, p.CStack+refs, xr(8))
	}

	// 4. Call. With errno capture, errno is cleared first (so a call that
	// succeeds reports nil) and read straight after, still on this thread
	// (a fast call has no safe point, so it cannot move) and before any
	// other C code can run. Its address is computed after the argument
	// moves, which use R22, into R22, which C preserves.
	if p.Errno {
		b.add(aMRS, a64reg(xTPID), a64reg(regErrnoARM64))
		addConstARM64(b, regErrnoARM64, int64(rt.ErrnoTLS), regScratch3ARM64)
		b.add(aMOVW, a64reg(xZR), a64mem(regErrnoARM64, 0))
	}
	b.add(aBL, a64none, a64mem(regTargetARM64, 0))
	if p.Errno {
		b.add(aMOVWU, a64mem(regErrnoARM64, 0), a64reg(regErrnoARM64))
	}
	// A callback may have moved the goroutine's stack: g.sched.sp, which
	// the callback entry keeps current, is where the frame of step 2 now
	// is. R19 takes it again before anything uses it: a struct result's
	// copy into the caller's slot, else the restore.
	reloaded := false
	reloadSP := func() {
		if !reloaded {
			b.add(aMOVD, a64mem(regGARM64, sched+rt.GobufSP), a64reg(regOldSPARM64))
			reloaded = true
		}
	}

	// 5. Result.
	switch {
	case p.Result.Struct != nil:
		if p.Result.Struct.Go == nil {
			reloadSP()
		}
		structResultARM64(b, p, p.CStack+refs)
	case p.Result.Kind != sig.Void && !p.Result.Kind.IsFloat():
		extendARM64(b, p.Result.Norm, xr(0), xr(0), true)
	}
	if p.Errno {
		errnoResultARM64(b, p, rt)
	}

	// 6. Restore, in the shared exit (which takes R19 from g.sched.sp
	// again). The copy of a string result into a Go string is Go code:
	// that exit branches to it as if the caller had called it (see
	// Runtime.StringResult).
	if err := exitARM64(b, p, rt); err != nil {
		return nil, err
	}

	// Bail-out target: R26 = record.fallback; BR through its code word.
	b.bind(bail)
	b.add(aMOVD, a64mem(regCtxtARM64, RecordFallback), a64reg(regCtxtARM64))
	b.add(aMOVD, a64mem(regCtxtARM64, 0), a64reg(regScratchARM64))
	b.add(aB, a64none, a64mem(regScratchARM64, 0))
	return b.assemble()
}

// keepARM64 leaves the marker word, the goroutine's stack pointer and the
// Go pointer arguments just
// below g0.sched.sp (in R22), where a fast-entry callback finds them (see
// KeepMagic), moving R22 below them. No argument has moved yet.
func keepARM64(b *a64prog, p *abi.Plan) error {
	ptrs := goPointers(p)
	if len(ptrs) > KeepMax {
		return fmt.Errorf("jit: %d Go pointer arguments, more than the %d a fast call keeps alive across callbacks", len(ptrs), KeepMax)
	}
	// Pre-indexed stores ("str x, [x22,#-8]!") move R22 down as they go.
	n := len(ptrs)
	sp := regScratch2ARM64
	b.add(aMOVD, a64imm(KeepMagic|int64(n)), a64reg(regScratch3ARM64))
	b.pre(aMOVD, a64reg(regScratch3ARM64), a64mem(sp, -8))
	b.pre(aMOVD, a64reg(regOldSPARM64), a64mem(sp, -8)) // g.sched.sp (enterARM64)
	for _, l := range ptrs {
		src := xr(l.Reg)
		if l.Class != abi.Int {
			b.add(aMOVD, a64mem(regOldSPARM64, int32(goStackARM64+l.Off)), a64reg(regScratch3ARM64))
			src = regScratch3ARM64
		}
		b.pre(aMOVD, a64reg(src), a64mem(sp, -8))
	}
	return nil
}

// derefARM64 replaces the pointer in r by the word it points to, leaving
// 0 for nil: a *Callback passes its C function pointer.
func derefARM64(b *a64prog, r int16) {
	skip := b.jump(aCBZ, r)
	b.add(aMOVD, a64mem(r, 0), a64reg(r))
	b.bind([]a64jump{skip})
}

// errnoResultARM64 turns errno (in R22) into the trailing error result,
// as errnoResultAMD64 does: nil for 0, else the interface (itab,
// table[errno]) that the Go conversion error(syscall.Errno(errno)) gives,
// without allocating. errno is clamped to the table's 4095 (Linux's
// largest errno; a negative errno, read zero-extended, clamps too). The
// result register (R0 or F0) is not touched: the error goes to the two
// Go integer registers after it, and only R22 and R23 are scratch. After
// a struct result that fills the Go registers, the error goes to the Go
// stack instead (see errnoStackARM64).
func errnoResultARM64(b *a64prog, p *abi.Plan, rt *Runtime) {
	if p.ErrGo.Class == abi.Stack {
		errnoStackARM64(b, p, rt)
		return
	}
	lo, hi := xr(p.ErrGo.Reg), xr(p.ErrGo.Reg+1)
	e, t := regErrnoARM64, regScratch3ARM64
	noErr := b.jump(aCBZ, e)
	b.add(aMOVD, a64imm(4095), a64reg(t))
	b.add3(aCMP, a64reg(t), e, a64none)
	b.csel(condHI, t, e, e)
	b.add(aMOVD, a64imm(int64(rt.ErrnoTable)), a64reg(t))
	b.add(aMOVD, a64index(t, e, 3), a64reg(hi))
	b.add(aMOVD, a64imm(int64(rt.ErrnoItab)), a64reg(lo))
	done := b.jump(aB, 0)
	b.bind([]a64jump{noErr})
	b.add(aMOVD, a64reg(xZR), a64reg(lo))
	b.add(aMOVD, a64reg(xZR), a64reg(hi))
	b.bind([]a64jump{done})
}

// errnoStackARM64 is errnoResultARM64 for an error result in the Go
// caller's result area at 24(R19)+off: its words are built in R23 and
// stored there.
func errnoStackARM64(b *a64prog, p *abi.Plan, rt *Runtime) {
	lo := a64mem(regOldSPARM64, int32(goStackARM64+p.ErrGo.Off))
	hi := a64mem(regOldSPARM64, int32(goStackARM64+p.ErrGo.Off+8))
	e, t := regErrnoARM64, regScratch3ARM64
	noErr := b.jump(aCBZ, e)
	b.add(aMOVD, a64imm(4095), a64reg(t))
	b.add3(aCMP, a64reg(t), e, a64none)
	b.csel(condHI, t, e, e)
	b.add(aMOVD, a64imm(int64(rt.ErrnoTable)), a64reg(t))
	b.add(aMOVD, a64index(t, e, 3), a64reg(t))
	b.add(aMOVD, a64reg(t), hi)
	b.add(aMOVD, a64imm(int64(rt.ErrnoItab)), a64reg(t))
	b.add(aMOVD, a64reg(t), lo)
	done := b.jump(aB, 0)
	b.bind([]a64jump{noErr})
	b.add(aMOVD, a64reg(xZR), lo)
	b.add(aMOVD, a64reg(xZR), hi)
	b.bind([]a64jump{done})
}

// addConstARM64 adds v to r. Small values (either sign) are an immediate
// operand; others are materialised in scratch first, so that the
// assembler never needs R27.
func addConstARM64(b *a64prog, r int16, v int64, scratch int16) {
	switch {
	case v == 0:
	case v > 0 && v < 4096:
		b.add3(aADD, a64imm(v), r, a64reg(r))
	case v < 0 && v > -4096:
		b.add3(aSUB, a64imm(-v), r, a64reg(r))
	default:
		b.add(aMOVD, a64imm(v), a64reg(scratch))
		b.add3(aADD, a64reg(scratch), r, a64reg(r))
	}
}

// compareConstARM64 sets the flags from r - v. Small values (either sign)
// are an immediate operand; others are materialised in scratch first.
func compareConstARM64(b *a64prog, r int16, v int64, scratch int16) {
	switch {
	case v >= 0 && v < 4096:
		b.add3(aCMP, a64imm(v), r, a64none)
	case v < 0 && v > -4096:
		b.add3(aCMN, a64imm(-v), r, a64none)
	default:
		b.add(aMOVD, a64imm(v), a64reg(scratch))
		b.add3(aCMP, a64reg(scratch), r, a64none)
	}
}

// Machine registers behind the abstract indices of abi's arm64 tables: the
// n-th integer argument register is Rn and the n-th floating-point one Fn
// on both sides (Go has 16 of each, AAPCS64 8).
func regOfARM64(l abi.Loc) int16 {
	switch l.Class {
	case abi.Int:
		return xr(l.Reg)
	case abi.Float:
		return xf(l.Reg)
	}
	panic(fmt.Sprintf("jit: BUG: %v is not a register", l))
}

// movesARM64 emits the argument moves in the order of movesAMD64 (see
// there): stores to C stack slots first, then the register-to-register
// moves as a parallel move, then loads from the Go stack into C
// registers.
//
// Before any of that, the data pointer of every empty slice held in
// registers is replaced by NULL in place: C sees NULL for nil and empty
// slices, as on the slow path; and every promoted f32 (a variadic
// argument) held in a register is converted to double in place (each Go
// register is read by one move only). (Slices and promoted floats on the
// Go stack are handled as they are loaded.)
func movesARM64(b *a64prog, p *abi.Plan) error {
	for _, a := range p.Args {
		if a.Promote && a.Go.Class == abi.Float {
			f := regOfARM64(a.Go)
			b.add(aFCVTSD, a64reg(f), a64reg(f))
		}
	}
	for _, a := range p.Args {
		if a.GoAs == abi.GoSlice && a.Go.Class == abi.Int {
			// The header's length follows its data pointer.
			nullIfZeroARM64(b, xr(a.Go.Reg+1), xr(a.Go.Reg))
		}
	}
	for _, a := range p.Args {
		if a.GoAs == abi.GoDeref && a.Go.Class == abi.Int {
			derefARM64(b, xr(a.Go.Reg))
		}
	}
	var regMoves, loads []move
	var pieces []structLoadARM64
	refs, _ := structAreasARM64(p)
	refAt, stage := p.CStack, p.CStack+refs
	for _, a := range p.Args {
		if a.Struct != nil {
			pieces = append(pieces, stageStructARM64(b, a, &refAt, &stage)...)
			continue
		}
		m := move{kind: a.Kind, from: a.Go, to: a.C, ext: a.Ext, slice: a.GoAs == abi.GoSlice, deref: a.GoAs == abi.GoDeref, promote: a.Promote}
		switch {
		case m.to.Class == abi.Stack:
			toCStackARM64(b, m)
		case m.from.Class == abi.Stack:
			loads = append(loads, m)
		default:
			if m.from.Class != m.to.Class {
				return fmt.Errorf("jit: BUG: argument moves between register classes: %v -> %v", m.from, m.to)
			}
			regMoves = append(regMoves, m)
		}
	}
	parallelARM64(b, regMoves)
	for _, m := range loads {
		loadGoStackARM64(b, m, regOfARM64(m.to))
	}
	loadStructPiecesARM64(b, pieces)
	return nil
}

// toCStackARM64 stores one argument into its C stack slot at off(SP).
func toCStackARM64(b *a64prog, m move) {
	dst := a64mem(xRSP, int32(m.to.Off))
	switch m.from.Class {
	case abi.Float:
		if m.kind == sig.F32 && !m.promote {
			b.add(aFMOVS, a64reg(regOfARM64(m.from)), dst)
		} else {
			b.add(aFMOVD, a64reg(regOfARM64(m.from)), dst) // a promoted f32 is a double by now
		}
	case abi.Int:
		src := regOfARM64(m.from)
		if m.ext != abi.NoExt {
			extendARM64(b, m.ext, src, regScratchARM64, false)
			src = regScratchARM64
		}
		b.add(aMOVD, a64reg(src), dst)
	case abi.Stack:
		if m.promote {
			loadGoStackARM64(b, m, fregScratchARM64)
			b.add(aFMOVD, a64reg(fregScratchARM64), dst)
			return
		}
		loadGoStackARM64(b, m, regScratchARM64)
		b.add(aMOVD, a64reg(regScratchARM64), dst)
	}
}

// loadGoStackARM64 loads a Go stack argument into register r (an integer
// register, or an F register for floats), extending narrow integers.
func loadGoStackARM64(b *a64prog, m move, r int16) {
	src := a64mem(regOldSPARM64, int32(goStackARM64+m.from.Off))
	if m.slice {
		// The header's length follows its data pointer.
		b.add(aMOVD, src, a64reg(r))
		b.add(aMOVD, a64mem(regOldSPARM64, int32(goStackARM64+m.from.Off+8)), a64reg(regScratch2ARM64))
		nullIfZeroARM64(b, regScratch2ARM64, r)
		return
	}
	if m.deref {
		b.add(aMOVD, src, a64reg(r))
		derefARM64(b, r)
		return
	}
	if isFloatReg(r) {
		if m.promote {
			b.add(aFMOVS, src, a64reg(r))
			b.add(aFCVTSD, a64reg(r), a64reg(r))
			return
		}
		if m.kind == sig.F32 {
			b.add(aFMOVS, src, a64reg(r))
		} else {
			b.add(aFMOVD, src, a64reg(r))
		}
		return
	}
	var op = aMOVD
	switch m.kind.Size() {
	case 1:
		op = aMOVBU
		if m.kind == sig.I8 {
			op = aMOVB
		}
	case 2:
		op = aMOVHU
		if m.kind == sig.I16 {
			op = aMOVH
		}
	case 4:
		op = aMOVWU
	}
	b.add(op, src, a64reg(r))
}

// nullIfZeroARM64 clears ptr if length is zero.
func nullIfZeroARM64(b *a64prog, length, ptr int16) {
	skip := b.jump(aCBNZ, length)
	b.add(aMOVD, a64reg(xZR), a64reg(ptr))
	b.bind([]a64jump{skip})
}

// extendARM64 copies src to dst applying e. Arguments are extended to 32
// bits (writing a W register clears the upper half); results to the full
// 64 bits Go may read.
func extendARM64(b *a64prog, e abi.Ext, src, dst int16, full bool) {
	switch e {
	case abi.Sext8:
		if full {
			b.add(aMOVB, a64reg(src), a64reg(dst))
		} else {
			b.add(aSXTBW, a64reg(src), a64reg(dst))
		}
	case abi.Zext8:
		b.add(aUXTBW, a64reg(src), a64reg(dst))
	case abi.Sext16:
		if full {
			b.add(aMOVH, a64reg(src), a64reg(dst))
		} else {
			b.add(aSXTHW, a64reg(src), a64reg(dst))
		}
	case abi.Zext16:
		b.add(aUXTHW, a64reg(src), a64reg(dst))
	case abi.Sext32:
		b.add(aMOVW, a64reg(src), a64reg(dst))
	case abi.Zext32:
		b.add(aMOVWU, a64reg(src), a64reg(dst))
	case abi.NoExt:
		if src != dst {
			b.add(aMOVD, a64reg(src), a64reg(dst))
		}
	default:
		panic(fmt.Sprintf("jit: BUG: extension %d", e))
	}
}

// parallelARM64 resolves register-to-register moves that logically happen
// at once, as parallelAMD64 does. With abi's tables every move goes from
// Rn to Rm or Fn to Fm with m <= n, so no cycle arises, but the resolver
// does not rely on that: a cycle is broken through R21 or F16.
func parallelARM64(b *a64prog, moves []move) {
	var pending []regMove
	for _, m := range moves {
		pending = append(pending, regMove{
			src:   regOfARM64(m.from),
			dst:   regOfARM64(m.to),
			ext:   m.ext,
			float: m.from.Class == abi.Float,
		})
	}
	resolveParallel(pending, func(m regMove) {
		switch {
		case m.float:
			if m.src != m.dst {
				b.add(aFMOVD, a64reg(m.src), a64reg(m.dst)) // an f32 is the low half
			}
		default:
			extendARM64(b, m.ext, m.src, m.dst, false)
		}
	}, func(src int16, float bool) int16 {
		if float {
			b.add(aFMOVD, a64reg(src), a64reg(fregScratchARM64))
			return fregScratchARM64
		}
		b.add(aMOVD, a64reg(src), a64reg(regScratchARM64))
		return regScratchARM64
	})
}
