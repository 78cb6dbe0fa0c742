package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

// Machine registers behind the abstract indices of abi's amd64 tables.
var (
	goIntAMD64 = []int16{rAX, rBX, rCX, rDI, rSI, rR8, rR9, rR10, rR11}
	cIntAMD64  = []int16{rDI, rSI, rDX, rCX, rR8, rR9}
)

// Registers with a fixed job inside the trampoline. None of them carries a
// Go or a C argument. R12 (callee-saved in C) holds the target; R13 is the
// scratch register; R15 holds zero while arguments move (for NULLing empty
// slices); R14 is g throughout (callee-saved in C, so it survives the
// call); BP holds the goroutine-stack frame pointer across the call.
const (
	regTargetAMD64  = rR12
	regScratchAMD64 = rR13
	regZeroAMD64    = rR15
	regGAMD64       = rR14
	regCtxtAMD64    = rDX
)

// compileAMD64 lowers p. RATIONALE.md ("The trampoline, step by step")
// is the one full account of the steps and of why each is sound; the code
// below is numbered the same way: 1 bail-out, 2 frame and switch to the
// system stack, 3 arguments, 4 call, 5 result, 6 restore. The two stacks
// after step 2 (the marker and the Go pointer arguments a callback keeps
// alive are at the top of the g0 frame, see keepAMD64):
//
//	goroutine stack                       g0 stack
//	+-------------------------+           +--------------------------+
//	| caller's stack args     | 16(BP)    | (g0.sched.sp, top)       |
//	| return PC into caller   | 8(BP)     | marker, BP, Go pointers  |
//	| caller's BP             | 0(BP) <- g.sched.sp = g.sched.bp     |
//	+-------------------------+           | staging, C stack args    |
//	                                      | 0(SP), 16-aligned        |
//	                                      +--------------------------+
//
// After the call BP is reloaded from g.sched.sp, which a callback that
// moved the goroutine's stack has kept current.
func compileAMD64(p *abi.Plan, rt *Runtime) ([]byte, error) {
	if err := needShared(rt); err != nil {
		return nil, err
	}
	b := newX86Prog()
	var bail []jumpRef

	// 1. Bail-out check.
	b.add(xMOVQ, mem(regCtxtAMD64, RecordTarget), reg(regTargetAMD64))
	b.add(xTESTQ, reg(regTargetAMD64), reg(regTargetAMD64))
	bail = append(bail, b.jump(xJEQ))
	bail = append(bail, bailPreemptAMD64(b, rt))
	bail = append(bail, stringChecksAMD64(b, p)...)
	if rt.Trace {
		b.add(xLOCK, none, none)
		b.add(xINCQ, none, mem(regCtxtAMD64, RecordCount))
	}

	// 2. Frame and switch to the system stack.
	sched := rt.GSched
	enterAMD64(b, rt)
	if err := keepAMD64(b, p); err != nil {
		return nil, err
	}
	copyStringsAMD64(b, p)
	if frame := alignUp(p.CStack+stagingAMD64(p), 16); frame > 0 {
		b.add(xSUBQ, imm(int64(frame)), reg(rSP))
	}
	b.add(xANDQ, imm(-16), reg(rSP))

	// 3. Arguments.
	if err := movesAMD64(b, p); err != nil {
		return nil, err
	}
	if r := p.Result.Struct; r != nil && r.Pass == abi.Indirect {
		// The hidden buffer of a MEMORY-class result is the staging area.
		// RDI is no parameter's C register then, and no move reads it any
		// more.
		b.add(xLEAQ, mem(rSP, int32(p.CStack)), reg(cIntAMD64[r.Ref.Reg]))
	}

	// 4. Call. With errno capture, errno is cleared first (so a call that
	// succeeds reports nil) and read straight after, still on this thread
	// and before any other C code can run.
	if p.Errno {
		if !rt.ErrnoOK {
			return nil, fmt.Errorf("jit: errno capture needs the errno TLS slot")
		}
		b.add(xMOVL, imm(0), mem(rFS, rt.ErrnoTLS))
	}
	if p.Variadic {
		// AX is no C argument register and no move reads it any more.
		b.add(xMOVL, imm(int64(p.VecRegs)), reg(rAX))
	}
	b.add(xCALL, none, reg(regTargetAMD64))
	if p.Errno {
		b.add(xMOVL, mem(rFS, rt.ErrnoTLS), reg(regScratchAMD64))
	}
	// A callback may have moved the goroutine's stack, and BP with it:
	// g.sched.sp, which the callback entry keeps current, is where the
	// frame pushed in step 2 now is.
	b.add(xMOVQ, mem(regGAMD64, sched+rt.GobufSP), reg(rBP))

	// 5. Result.
	switch {
	case p.Result.Struct != nil:
		structResultAMD64(b, p)
	case p.Result.Kind != sig.Void && !p.Result.Kind.IsFloat():
		extendAMD64(b, p.Result.Norm, rAX, rAX, true)
	}
	if p.Errno {
		errnoResultAMD64(b, p, rt)
	}

	// 6. Restore, in the shared exit. The copy of a string result into a
	// Go string is Go code: that exit jumps to it as if the caller had
	// called it (see Runtime.StringResult).
	if err := exitAMD64(b, p, rt); err != nil {
		return nil, err
	}

	// Bail-out target: DX = record.fallback; JMP through its code word.
	b.bind(bail)
	b.add(xMOVQ, mem(regCtxtAMD64, RecordFallback), reg(regCtxtAMD64))
	b.add(xJMP, none, mem(regCtxtAMD64, 0))
	return b.assemble()
}

// derefAMD64 replaces the pointer in r by the word it points to, leaving
// 0 for nil: a *Callback passes its C function pointer.
func derefAMD64(b *x86prog, r int16) {
	b.add(xTESTQ, reg(r), reg(r))
	skip := b.jump(xJEQ)
	b.add(xMOVQ, mem(r, 0), reg(r))
	b.bind([]jumpRef{skip})
}

// keepAMD64 leaves the marker word, the goroutine's stack pointer and the
// Go pointer arguments at the top of the system-stack frame, where a fast-entry callback finds them (see
// KeepMagic). The sources are all still intact: no argument has moved yet.
func keepAMD64(b *x86prog, p *abi.Plan) error {
	ptrs := goPointers(p)
	if len(ptrs) > KeepMax {
		return fmt.Errorf("jit: %d Go pointer arguments, more than the %d a fast call keeps alive across callbacks", len(ptrs), KeepMax)
	}
	n := len(ptrs)
	b.add(xSUBQ, imm(int64(8*(n+KeepWords))), reg(rSP))
	b.add(xMOVQ, imm(KeepMagic|int64(n)), reg(regScratchAMD64))
	b.add(xMOVQ, reg(regScratchAMD64), mem(rSP, int32(8*(n+1))))
	b.add(xMOVQ, reg(rBP), mem(rSP, int32(8*n))) // BP = g.sched.sp (enterAMD64)
	for i, l := range ptrs {
		dst := mem(rSP, int32(8*(n-1-i)))
		if l.Class == abi.Int {
			b.add(xMOVQ, reg(goIntAMD64[l.Reg]), dst)
			continue
		}
		b.add(xMOVQ, mem(rBP, int32(goStackAMD64+l.Off)), reg(regScratchAMD64))
		b.add(xMOVQ, reg(regScratchAMD64), dst)
	}
	return nil
}

func alignUp(n, a int) int { return (n + a - 1) &^ (a - 1) }

// errnoResultAMD64 turns errno (in the scratch register) into the trailing
// error result: nil for 0, else the interface (itab, table[errno]) that
// the Go conversion error(syscall.Errno(errno)) gives, without allocating.
// errno is clamped to the table's 4095 (Linux's largest errno). After a
// struct result that fills the Go registers, the error goes to the Go
// stack instead (see errnoStackAMD64).
func errnoResultAMD64(b *x86prog, p *abi.Plan, rt *Runtime) {
	if p.ErrGo.Class == abi.Stack {
		errnoStackAMD64(b, p, rt)
		return
	}
	lo, hi := goIntAMD64[p.ErrGo.Reg], goIntAMD64[p.ErrGo.Reg+1]
	b.add(xTESTQ, reg(regScratchAMD64), reg(regScratchAMD64))
	noErr := b.jump(xJEQ)
	b.add(xMOVL, imm(4095), reg(regZeroAMD64))
	b.add(xCMPQ, reg(regScratchAMD64), reg(regZeroAMD64))
	b.add(xCMOVQHI, reg(regZeroAMD64), reg(regScratchAMD64))
	b.add(xMOVQ, imm(int64(rt.ErrnoTable)), reg(regZeroAMD64))
	b.add(xMOVQ, indexed(regZeroAMD64, regScratchAMD64, 8), reg(hi))
	b.add(xMOVQ, imm(int64(rt.ErrnoItab)), reg(lo))
	done := b.jump(xJMP)
	b.bind([]jumpRef{noErr})
	b.add(xXORL, reg(lo), reg(lo))
	b.add(xXORL, reg(hi), reg(hi))
	b.bind([]jumpRef{done})
}

// errnoStackAMD64 is errnoResultAMD64 for an error result in the Go
// caller's result area at 16(BP)+off: its two words are built in R15 and
// R13 and stored there.
func errnoStackAMD64(b *x86prog, p *abi.Plan, rt *Runtime) {
	lo := mem(rBP, int32(goStackAMD64+p.ErrGo.Off))
	hi := mem(rBP, int32(goStackAMD64+p.ErrGo.Off+8))
	b.add(xTESTQ, reg(regScratchAMD64), reg(regScratchAMD64))
	noErr := b.jump(xJEQ)
	b.add(xMOVL, imm(4095), reg(regZeroAMD64))
	b.add(xCMPQ, reg(regScratchAMD64), reg(regZeroAMD64))
	b.add(xCMOVQHI, reg(regZeroAMD64), reg(regScratchAMD64))
	b.add(xMOVQ, imm(int64(rt.ErrnoTable)), reg(regZeroAMD64))
	b.add(xMOVQ, indexed(regZeroAMD64, regScratchAMD64, 8), reg(regZeroAMD64))
	b.add(xMOVQ, reg(regZeroAMD64), hi)
	b.add(xMOVQ, imm(int64(rt.ErrnoItab)), reg(regScratchAMD64))
	b.add(xMOVQ, reg(regScratchAMD64), lo)
	done := b.jump(xJMP)
	b.bind([]jumpRef{noErr})
	b.add(xMOVQ, imm(0), lo)
	b.add(xMOVQ, imm(0), hi)
	b.bind([]jumpRef{done})
}

// goStackAMD64 is the offset from BP of the Go caller's first stack
// argument: above the saved BP and the return address.
const goStackAMD64 = 16

// move is one argument transfer from a Go location to a C location.
type move struct {
	kind     sig.Kind
	from, to abi.Loc
	ext      abi.Ext
	slice    bool // from is a Go slice header's data pointer
	deref    bool // C receives the word from points to, or 0 (a *Callback)
	promote  bool // an f32 that C receives as a double
}

// movesAMD64 emits the argument moves in an order that never overwrites a
// register before it has been read:
//
//  1. everything that goes to a C stack slot (the sources are all still
//     intact, and stack slots are nobody's source);
//  2. register-to-register moves, as a parallel move: repeatedly emit a
//     move whose destination no pending move still reads; a cycle (none
//     arises from the fixed amd64 tables, but the resolver does not rely on
//     that) is broken through the scratch register;
//  3. loads from the Go stack into C registers, which read memory only.
//
// Before any of that, the data pointer of every empty slice held in
// registers is replaced by NULL in place: C sees NULL for nil and empty
// slices, as on the slow path; and every promoted f32 held in a register is
// converted to double in place (each Go register is read by one move
// only). (Slices and promoted floats on the Go stack are handled as they are
// loaded.)
func movesAMD64(b *x86prog, p *abi.Plan) error {
	for _, a := range p.Args {
		if a.Promote && a.Go.Class == abi.Float {
			x := regOfAMD64(a.Go, true)
			b.add(xCVTSS2SD, reg(x), reg(x))
		}
	}
	zeroed := false
	for _, a := range p.Args {
		if a.GoAs != abi.GoSlice {
			continue
		}
		if !zeroed {
			b.add(xXORL, reg(regZeroAMD64), reg(regZeroAMD64))
			zeroed = true
		}
		if a.Go.Class == abi.Int {
			ptr := goIntAMD64[a.Go.Reg]
			length := goIntAMD64[a.Go.Reg+1]
			b.add(xTESTQ, reg(length), reg(length))
			b.add(xCMOVQEQ, reg(regZeroAMD64), reg(ptr))
		}
	}
	for _, a := range p.Args {
		if a.GoAs == abi.GoDeref && a.Go.Class == abi.Int {
			derefAMD64(b, goIntAMD64[a.Go.Reg])
		}
	}
	var regMoves, loads []move
	var pieces []structLoad
	stage := p.CStack
	for _, a := range p.Args {
		if a.Struct != nil {
			pieces = append(pieces, stageStructAMD64(b, a, &stage)...)
			continue
		}
		m := move{kind: a.Kind, from: a.Go, to: a.C, ext: a.Ext, slice: a.GoAs == abi.GoSlice, deref: a.GoAs == abi.GoDeref, promote: a.Promote}
		switch {
		case m.to.Class == abi.Stack:
			toCStackAMD64(b, m)
		case m.from.Class == abi.Stack:
			loads = append(loads, m)
		default:
			if m.from.Class != m.to.Class {
				return fmt.Errorf("jit: BUG: argument moves between register classes: %v -> %v", m.from, m.to)
			}
			regMoves = append(regMoves, m)
		}
	}
	parallelAMD64(b, regMoves)
	for _, m := range loads {
		loadGoStackAMD64(b, m, regOfAMD64(m.to, false))
	}
	for _, l := range pieces {
		if l.to.Class == abi.Float {
			b.add(xMOVSD, mem(rSP, int32(l.off)), reg(regOfAMD64(l.to, false)))
		} else {
			b.add(xMOVQ, mem(rSP, int32(l.off)), reg(regOfAMD64(l.to, false)))
		}
	}
	return nil
}

func regOfAMD64(l abi.Loc, goSide bool) int16 {
	switch l.Class {
	case abi.Int:
		if goSide {
			return goIntAMD64[l.Reg]
		}
		return cIntAMD64[l.Reg]
	case abi.Float:
		return rX0 + int16(l.Reg)
	}
	panic(fmt.Sprintf("jit: BUG: %v is not a register", l))
}

// toCStackAMD64 stores one argument into its C stack slot.
func toCStackAMD64(b *x86prog, m move) {
	dst := mem(rSP, int32(m.to.Off))
	switch m.from.Class {
	case abi.Float:
		b.add(xMOVSD, reg(regOfAMD64(m.from, true)), dst) // the low 8 bytes; an f32 uses the low 4
	case abi.Int:
		src := regOfAMD64(m.from, true)
		if m.ext != abi.NoExt {
			extendAMD64(b, m.ext, src, regScratchAMD64, false)
			src = regScratchAMD64
		}
		b.add(xMOVQ, reg(src), dst)
	case abi.Stack:
		if m.promote {
			// Through X15, which is zeroed again before returning to Go.
			loadGoStackAMD64(b, m, rX15)
			b.add(xMOVSD, reg(rX15), dst)
			return
		}
		loadGoStackAMD64(b, m, regScratchAMD64)
		b.add(xMOVQ, reg(regScratchAMD64), dst)
	}
}

// loadGoStackAMD64 loads a Go stack argument into register r (an integer
// register, or an X register for floats), extending narrow integers.
func loadGoStackAMD64(b *x86prog, m move, r int16) {
	src := mem(rBP, int32(goStackAMD64+m.from.Off))
	if m.slice {
		// The header's length follows its data pointer.
		b.add(xMOVQ, src, reg(r))
		b.add(xCMPQ, mem(rBP, int32(goStackAMD64+m.from.Off+8)), imm(0))
		b.add(xCMOVQEQ, reg(regZeroAMD64), reg(r))
		return
	}
	if m.deref {
		b.add(xMOVQ, src, reg(r))
		derefAMD64(b, r)
		return
	}
	if r >= rX0 && r <= rX15 {
		if m.promote {
			b.add(xCVTSS2SD, src, reg(r))
			return
		}
		if m.kind == sig.F32 {
			b.add(xMOVSS, src, reg(r))
		} else {
			b.add(xMOVSD, src, reg(r))
		}
		return
	}
	switch m.kind.Size() {
	case 1:
		if m.kind == sig.I8 {
			b.add(xMOVBLSX, src, reg(r))
		} else {
			b.add(xMOVBLZX, src, reg(r))
		}
	case 2:
		if m.kind == sig.I16 {
			b.add(xMOVWLSX, src, reg(r))
		} else {
			b.add(xMOVWLZX, src, reg(r))
		}
	case 4:
		b.add(xMOVL, src, reg(r))
	default:
		b.add(xMOVQ, src, reg(r))
	}
}

// extendAMD64 copies src to dst applying e. Arguments are extended to 32
// bits (writing a 32-bit register clears the upper half anyway); results
// to the full 64 bits Go may read.
func extendAMD64(b *x86prog, e abi.Ext, src, dst int16, full bool) {
	switch e {
	case abi.Sext8:
		if full {
			b.add(xMOVBQSX, reg(src), reg(dst))
		} else {
			b.add(xMOVBLSX, reg(src), reg(dst))
		}
	case abi.Zext8:
		b.add(xMOVBLZX, reg(src), reg(dst))
	case abi.Sext16:
		if full {
			b.add(xMOVWQSX, reg(src), reg(dst))
		} else {
			b.add(xMOVWLSX, reg(src), reg(dst))
		}
	case abi.Zext16:
		b.add(xMOVWLZX, reg(src), reg(dst))
	case abi.Sext32:
		b.add(xMOVLQSX, reg(src), reg(dst))
	case abi.Zext32:
		b.add(xMOVL, reg(src), reg(dst))
	case abi.NoExt:
		if src != dst {
			b.add(xMOVQ, reg(src), reg(dst))
		}
	default:
		panic(fmt.Sprintf("jit: BUG: extension %d", e))
	}
}

// parallelAMD64 emits register-to-register moves that logically happen at
// once; a cycle would be broken through R13 or X15 (zeroed again before
// returning to Go).
func parallelAMD64(b *x86prog, moves []move) {
	var pending []regMove
	for _, m := range moves {
		pending = append(pending, regMove{
			src:   regOfAMD64(m.from, true),
			dst:   regOfAMD64(m.to, false),
			ext:   m.ext,
			float: m.from.Class == abi.Float,
		})
	}
	resolveParallel(pending, func(m regMove) {
		switch {
		case m.float:
			if m.src != m.dst {
				b.add(xMOVSD, reg(m.src), reg(m.dst)) // MOVSD keeps the upper lane; only the low 8 bytes matter
			}
		default:
			extendAMD64(b, m.ext, m.src, m.dst, false)
		}
	}, func(src int16, float bool) int16 {
		if float {
			b.add(xMOVSD, reg(src), reg(rX15))
			return rX15
		}
		b.add(xMOVQ, reg(src), reg(regScratchAMD64))
		return regScratchAMD64
	})
}
