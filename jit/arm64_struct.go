package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

// Structs by value on arm64 go through memory on the system stack, as on
// amd64 (see amd64_struct.go), where Go's ABIInternal and AAPCS64 meet
// without register shuffling:
//
//   - An argument's bytes are written at their C offsets before any
//     register is overwritten: from its Go registers field by field, or,
//     when Go passes it on its stack, copied from the caller's frame at
//     24(R19)+off. They go into its C stack slots (no registers left),
//     into a copy of its own that C receives the address of (a struct over
//     16 bytes that is no HFA: AAPCS64 passes it by reference), or into a
//     staging area from which, after every other move, its pieces are
//     loaded into C registers: 8-byte pieces into X registers, the
//     members of an HFA into V registers (S or D). Partly filled 8-byte
//     words are zeroed first.
//   - A result comes back in X0/X1 or V0..V3, which are stored into the
//     staging area, or is written there by the callee through X8. Then
//     every field is loaded into its Go result register (narrow integers
//     extended to 64 bits), or, when Go returns the struct on its stack,
//     its bytes are copied into the caller's result slot at 24(R19)+off.
//
// Above the C stack arguments (SP+CStack) lie first the by-reference
// copies, which live across the call, then the staging area shared by
// the register-passed arguments (consumed before the call) and the
// result (written by the call):
//
//	+---------------------------+
//	| staging: args / result    | SP+CStack+refs
//	| by-reference copies       | SP+CStack
//	| C stack args, 8 each      | SP
//	+---------------------------+

// structAreasARM64 returns the sizes of the by-reference copies and of the
// staging area.
func structAreasARM64(p *abi.Plan) (refs, staging int) {
	args := 0
	for _, a := range p.Args {
		switch s := a.Struct; {
		case s == nil:
		case s.Pass == abi.ByRef:
			refs += alignUp(s.Size, 8)
		case s.Pass == abi.InRegs:
			args += alignUp(s.Size, 8)
		}
	}
	res := 0
	if r := p.Result.Struct; r != nil {
		res = alignUp(r.Size, 8)
	}
	return refs, max(args, res)
}

// structLoadARM64 is a load that remains after the struct arguments are in
// memory: a piece from SP+off into its C register, or (addr) the address
// SP+off of a by-reference copy.
type structLoadARM64 struct {
	off, size int
	to        abi.Loc
	addr      bool
}

// stageStructARM64 writes the bytes of struct argument a into memory at
// their C offsets: its C stack slots, its by-reference copy at *refs, or
// the staging area at *stage (advancing the one it uses). It returns the
// loads into C registers that remain.
func stageStructARM64(b *a64prog, a abi.Arg, refs, stage *int) []structLoadARM64 {
	s := a.Struct
	var base int
	var loads []structLoadARM64
	switch s.Pass {
	case abi.InMemory:
		base = s.Pieces[0].Loc.Off
	case abi.ByRef:
		base = *refs
		*refs += alignUp(s.Size, 8)
		if s.Ref.Class == abi.Stack {
			// A stack slot is nobody's source: store the address now.
			spAddrARM64(b, base, regScratchARM64)
			b.add(aMOVD, a64reg(regScratchARM64), a64mem(xRSP, int32(s.Ref.Off)))
		} else {
			loads = append(loads, structLoadARM64{off: base, to: s.Ref, addr: true})
		}
	case abi.InRegs:
		base = *stage
		*stage += alignUp(s.Size, 8)
		for _, pc := range s.Pieces {
			loads = append(loads, structLoadARM64{off: base + pc.Off, size: pc.Size, to: pc.Loc})
		}
	default:
		panic(fmt.Sprintf("jit: BUG: struct argument passed %v on arm64", s.Pass))
	}
	if s.Go == nil {
		// On the Go stack: the bytes are already in C's layout.
		if s.Size%8 != 0 {
			b.add(aMOVD, a64reg(xZR), a64mem(xRSP, int32(base+s.Size&^7)))
		}
		copyARM64(b, regOldSPARM64, goStackARM64+a.Go.Off, xRSP, base, s.Size)
		return loads
	}
	filled := make([]int, (s.Size+7)/8)
	for _, l := range s.Go {
		filled[l.Off/8] += l.Kind.Size() // fields never straddle 8-byte words
	}
	for i, n := range filled {
		if n < 8 {
			b.add(aMOVD, a64reg(xZR), a64mem(xRSP, int32(base+8*i)))
		}
	}
	for _, l := range s.Go {
		op := aMOVD
		switch {
		case l.Kind == sig.F32:
			op = aFMOVS
		case l.Kind == sig.F64:
			op = aFMOVD
		case l.Kind.Size() == 1:
			op = aMOVB
		case l.Kind.Size() == 2:
			op = aMOVH
		case l.Kind.Size() == 4:
			op = aMOVW
		}
		b.add(op, a64reg(regOfARM64(l.Loc)), a64mem(xRSP, int32(base+l.Off)))
	}
	return loads
}

// loadStructPiecesARM64 emits the loads stageStructARM64 left: after every
// other argument move, so that no C register they write is still read.
func loadStructPiecesARM64(b *a64prog, loads []structLoadARM64) {
	for _, l := range loads {
		r := regOfARM64(l.to)
		switch {
		case l.addr:
			spAddrARM64(b, l.off, r)
		case l.to.Class == abi.Float && l.size == 4:
			b.add(aFMOVS, a64mem(xRSP, int32(l.off)), a64reg(r))
		case l.to.Class == abi.Float:
			b.add(aFMOVD, a64mem(xRSP, int32(l.off)), a64reg(r))
		default:
			b.add(aMOVD, a64mem(xRSP, int32(l.off)), a64reg(r)) // the staged word is 8 bytes
		}
	}
}

// spAddrARM64 puts SP+off into r.
func spAddrARM64(b *a64prog, off int, r int16) {
	b.add(aMOVD, a64reg(xRSP), a64reg(r))
	addConstARM64(b, r, int64(off), regScratch3ARM64)
}

// copyARM64 copies n bytes from srcOff(src) to dstOff(dst) through R21:
// eight bytes at a time, then 4, 2 and 1. It writes exactly n bytes.
func copyARM64(b *a64prog, src int16, srcOff int, dst int16, dstOff int, n int) {
	for off := 0; off < n; {
		w := 8
		for w > n-off {
			w /= 2
		}
		ld, st := aMOVD, aMOVD
		switch w {
		case 4:
			ld, st = aMOVWU, aMOVW
		case 2:
			ld, st = aMOVHU, aMOVH
		case 1:
			ld, st = aMOVBU, aMOVB
		}
		b.add(ld, a64mem(src, int32(srcOff+off)), a64reg(regScratchARM64))
		b.add(st, a64reg(regScratchARM64), a64mem(dst, int32(dstOff+off)))
		off += w
	}
}

// structResultARM64 hands a struct result to Go: its C registers are
// stored into the staging area at stage (a result returned through X8 is
// there already), then each field is loaded into its Go register, or the
// struct is copied to its Go stack slot. Only R21 is written besides the
// Go result registers (R22 may hold errno). The copy addresses the Go
// frame through R19, so R19 must be current here: a callback may have
// moved the goroutine's stack, and compileARM64 reloads R19 from
// g.sched.sp before this copy, as amd64 reloads BP.
func structResultARM64(b *a64prog, p *abi.Plan, stage int) {
	s := p.Result.Struct
	if s.Pass == abi.InRegs {
		for _, pc := range s.Pieces {
			dst := a64mem(xRSP, int32(stage+pc.Off))
			switch {
			case pc.Loc.Class == abi.Int:
				b.add(aMOVD, a64reg(xr(pc.Loc.Reg)), dst)
			case pc.Size == 4:
				b.add(aFMOVS, a64reg(xf(pc.Loc.Reg)), dst)
			default:
				b.add(aFMOVD, a64reg(xf(pc.Loc.Reg)), dst)
			}
		}
	}
	if s.Go == nil {
		copyARM64(b, xRSP, stage, regOldSPARM64, goStackARM64+p.Result.Go.Off, s.Size)
		return
	}
	for _, l := range s.Go {
		op := aMOVD
		switch l.Kind {
		case sig.F32:
			op = aFMOVS
		case sig.F64:
			op = aFMOVD
		case sig.I8:
			op = aMOVB
		case sig.U8, sig.Bool:
			op = aMOVBU
		case sig.I16:
			op = aMOVH
		case sig.U16:
			op = aMOVHU
		case sig.I32:
			op = aMOVW
		case sig.U32:
			op = aMOVWU
		}
		b.add(op, a64mem(xRSP, int32(stage+l.Off)), a64reg(regOfARM64(l.Loc)))
	}
}
