package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

// Structs by value go through memory on the system stack, where Go's
// ABIInternal and System V's eightbytes meet without any register
// shuffling:
//
//   - An argument's bytes are written at their C offsets before any
//     register is overwritten: from its Go registers field by field, or,
//     when Go passes it on its stack, copied from the caller's frame at
//     16(BP)+off. They go into its C stack slots (class MEMORY, or no
//     registers left), or into a staging area above the C stack
//     arguments, from which its eightbytes are loaded into their C
//     registers after every other move (no move reads a C register then).
//     Eightbytes with padding are zeroed first.
//   - A result's eightbytes are stored from RAX/RDX/XMM0/XMM1 into the
//     staging area after the call (a MEMORY-class result is written there
//     by the callee, whose hidden first argument points at it). Then every
//     field is loaded into its Go result register, narrow integers
//     extended to 64 bits as for scalar results, or, when Go returns the
//     struct on its stack, the struct's bytes are copied into the caller's
//     result slot at 16(BP)+off.
//
// The staging area starts at SP+CStack, 8-aligned.

// stagingAMD64 is the size of the staging area: the eightbytes of the
// register-passed struct arguments, or the struct result, whichever is
// larger (the arguments are in registers before the result is written).
func stagingAMD64(p *abi.Plan) int {
	args := 0
	for _, a := range p.Args {
		if s := a.Struct; s != nil && s.Pass == abi.InRegs {
			args += 8 * len(s.Pieces)
		}
	}
	res := 0
	if r := p.Result.Struct; r != nil {
		res = alignUp(r.Size, 8)
	}
	return max(args, res)
}

// structLoad is the load of one staged eightbyte into its C register.
type structLoad struct {
	off int // from SP
	to  abi.Loc
}

// stageStructAMD64 writes the bytes of struct argument a into memory at
// their C offsets: its C stack slots, or the staging area at *stage,
// which it advances. It returns the loads into C registers that remain.
func stageStructAMD64(b *x86prog, a abi.Arg, stage *int) []structLoad {
	s := a.Struct
	var base int
	var loads []structLoad
	switch s.Pass {
	case abi.InMemory:
		base = s.Pieces[0].Loc.Off
	case abi.InRegs:
		base = *stage
		*stage += 8 * len(s.Pieces)
		for i, pc := range s.Pieces {
			loads = append(loads, structLoad{off: base + 8*i, to: pc.Loc})
		}
	default:
		panic(fmt.Sprintf("jit: BUG: struct argument passed %v on amd64", s.Pass))
	}
	if s.Go == nil {
		// On the Go stack: the bytes are already in C's layout (Go lays
		// out these structs as C does).
		if s.Size%8 != 0 {
			b.add(xMOVQ, imm(0), mem(rSP, int32(base+s.Size&^7)))
		}
		copyAMD64(b, rBP, goStackAMD64+a.Go.Off, rSP, base, s.Size)
		return loads
	}
	// Zero the eightbytes with padding in them (C does not read it, but
	// stale stack bytes would make what C sees depend on history).
	filled := make([]int, (s.Size+7)/8)
	for _, l := range s.Go {
		filled[l.Off/8] += l.Kind.Size() // fields never straddle eightbytes
	}
	for i, n := range filled {
		if n < 8 {
			b.add(xMOVQ, imm(0), mem(rSP, int32(base+8*i)))
		}
	}
	for _, l := range s.Go {
		dst := mem(rSP, int32(base+l.Off))
		src := regOfAMD64(l.Loc, true)
		switch l.Kind {
		case sig.F32:
			b.add(xMOVSS, reg(src), dst)
		case sig.F64:
			b.add(xMOVSD, reg(src), dst)
		default:
			b.add(movOfSize(l.Kind.Size()), reg(src), dst)
		}
	}
	return loads
}

// copyAMD64 copies n bytes from srcOff(src) to dstOff(dst) through the
// scratch register: eight bytes at a time, then 4, 2 and 1. It writes
// exactly n bytes, so a copy into the caller's result slot never touches
// its neighbours.
func copyAMD64(b *x86prog, src int16, srcOff int, dst int16, dstOff int, n int) {
	for off := 0; off < n; {
		w := 8
		for w > n-off {
			w /= 2
		}
		op := movOfSize(w)
		b.add(op, mem(src, int32(srcOff+off)), reg(regScratchAMD64))
		b.add(op, reg(regScratchAMD64), mem(dst, int32(dstOff+off)))
		off += w
	}
}

// structResultAMD64 hands a struct result to Go: its C registers are
// stored into the staging area (a MEMORY-class result is there already),
// then each field is loaded into its Go register, or the whole struct is
// copied to its Go stack slot.
func structResultAMD64(b *x86prog, p *abi.Plan) {
	s := p.Result.Struct
	stage := p.CStack
	if s.Pass == abi.InRegs {
		for i, pc := range s.Pieces {
			dst := mem(rSP, int32(stage+8*i))
			if pc.Loc.Class == abi.Float {
				b.add(xMOVSD, reg(rX0+int16(pc.Loc.Reg)), dst)
			} else {
				b.add(xMOVQ, reg([]int16{rAX, rDX}[pc.Loc.Reg]), dst)
			}
		}
	}
	if s.Go == nil {
		copyAMD64(b, rSP, stage, rBP, goStackAMD64+p.Result.Go.Off, s.Size)
		return
	}
	for _, l := range s.Go {
		src := mem(rSP, int32(stage+l.Off))
		dst := regOfAMD64(l.Loc, true)
		switch l.Kind {
		case sig.F32:
			b.add(xMOVSS, src, reg(dst))
		case sig.F64:
			b.add(xMOVSD, src, reg(dst))
		default:
			loadExtAMD64(b, src, l.Kind, dst)
		}
	}
}
