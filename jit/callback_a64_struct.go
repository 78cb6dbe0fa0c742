package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
	"github.com/twitchyliquid64/golang-asm/obj"
)

// Structs by value in the arm64 callback entry, as on amd64 (see
// callback_x86_struct.go), through memory in C's layout:
//
//   - A parameter in registers (8-byte words in X registers, or the
//     members of an HFA in V registers, S or D) is stored into the
//     staging area (cbStage); one on the C stack is read where C put it;
//     one over 16 bytes that is no HFA is read through the pointer C
//     passed (in an X register or a stack slot). Then each field is
//     loaded into its Go slot of the frame, narrow integers extended, or
//     exactly its bytes are copied into the frame's stack area.
//   - A result is written in C's layout into the staging area from its Go
//     result slots, or is in the frame's stack area already when Go
//     returns it on its stack. Its pieces are then loaded into X0/X1 or
//     V0..V3; a result over 16 bytes that is no HFA is copied through the
//     address C passed in X8 (kept in the frame's hidden word).
//
// R9 (cbTmpA64), R10 and R21 (copyARM64's, saved by the entry) are
// scratch; no C argument register is written before every argument is
// read.
var cbPtrA64 = xr(10)

// cbStructArgARM64 moves struct parameter a from C into its Go slots.
func cbStructArgARM64(b *a64prog, a abi.Arg) error {
	s := a.Struct
	var base int16
	var off int
	switch s.Pass {
	case abi.InMemory:
		base, off = xRSP, cbFrameA64+s.Pieces[0].Loc.Off
	case abi.ByRef:
		switch s.Ref.Class {
		case abi.Int:
			base = xr(s.Ref.Reg) // only read
		case abi.Stack:
			b.add(aMOVD, a64mem(xRSP, int32(cbFrameA64+s.Ref.Off)), a64reg(cbPtrA64))
			base = cbPtrA64
		default:
			return fmt.Errorf("jit: BUG: struct reference in %v", s.Ref)
		}
	case abi.InRegs:
		if alignUp(s.Size, 8) > cbStageLen {
			return fmt.Errorf("jit: BUG: a %d-byte struct in registers", s.Size)
		}
		for _, pc := range s.Pieces {
			dst := a64mem(xRSP, int32(cbStage+pc.Off))
			switch {
			case pc.Loc.Class == abi.Int:
				b.add(aMOVD, a64reg(xr(pc.Loc.Reg)), dst)
			case pc.Size == 4:
				b.add(aFMOVS, a64reg(xf(pc.Loc.Reg)), dst)
			default:
				b.add(aFMOVD, a64reg(xf(pc.Loc.Reg)), dst)
			}
		}
		base, off = xRSP, cbStage
	default:
		return fmt.Errorf("jit: BUG: struct parameter passed %v on arm64", s.Pass)
	}
	if s.Go == nil {
		copyARM64(b, base, off, xRSP, CBStack+a.Go.Off, s.Size)
		return nil
	}
	for _, l := range s.Go {
		slot, err := cbGoSlot(l.Loc)
		if err != nil {
			return err
		}
		b.add(cbLeafLoadA64(l.Kind), a64mem(base, int32(off+l.Off)), a64reg(cbTmpA64))
		b.add(aMOVD, a64reg(cbTmpA64), a64mem(xRSP, slot))
	}
	return nil
}

// cbLeafLoadA64 loads a struct leaf into an X register: integers
// extended to 64 bits, floats as their bits.
func cbLeafLoadA64(k sig.Kind) obj.As {
	switch k {
	case sig.F32:
		return aMOVWU
	case sig.F64:
		return aMOVD
	}
	return loadExtOpA64(k)
}

// cbStructResultARM64 hands the Go func's struct result to C.
func cbStructResultARM64(b *a64prog, p *abi.Plan) error {
	s := p.Result.Struct
	if s.Pass == abi.Indirect {
		b.add(aMOVD, a64mem(xRSP, CBHidden), a64reg(cbPtrA64))
		return cbStructBytesARM64(b, p, cbPtrA64, 0)
	}
	if s.Pass != abi.InRegs {
		return fmt.Errorf("jit: BUG: struct result passed %v on arm64", s.Pass)
	}
	off := CBStack + p.Result.Go.Off
	if s.Go != nil {
		if alignUp(s.Size, 8) > cbStageLen {
			return fmt.Errorf("jit: BUG: a %d-byte struct result in registers", s.Size)
		}
		off = cbStage
		if err := cbStructBytesARM64(b, p, xRSP, off); err != nil {
			return err
		}
	}
	// X registers take whole 8-byte words: the bytes past the struct's
	// end lie in the frame, and C ignores them.
	for _, pc := range s.Pieces {
		src := a64mem(xRSP, int32(off+pc.Off))
		switch {
		case pc.Loc.Class == abi.Int:
			b.add(aMOVD, src, a64reg(xr(pc.Loc.Reg)))
		case pc.Size == 4:
			b.add(aFMOVS, src, a64reg(xf(pc.Loc.Reg)))
		default:
			b.add(aFMOVD, src, a64reg(xf(pc.Loc.Reg)))
		}
	}
	return nil
}

// cbStructBytesARM64 writes the bytes of the Go func's struct result in
// C's layout at off(dst): its fields from their Go result slots (in the
// staging area, the 8-byte words with padding zeroed first), or a copy of
// exactly its bytes from the frame's stack area.
func cbStructBytesARM64(b *a64prog, p *abi.Plan, dst int16, off int) error {
	s := p.Result.Struct
	if s.Go == nil {
		copyARM64(b, xRSP, CBStack+p.Result.Go.Off, dst, off, s.Size)
		return nil
	}
	if dst == xRSP {
		filled := make([]int, (s.Size+7)/8)
		for _, l := range s.Go {
			filled[l.Off/8] += l.Kind.Size() // fields never straddle 8-byte words
		}
		for i, n := range filled {
			if n < 8 {
				b.add(aMOVD, a64reg(xZR), a64mem(dst, int32(off+8*i)))
			}
		}
	}
	for _, l := range s.Go {
		slot, err := cbGoSlot(l.Loc)
		if err != nil {
			return err
		}
		b.add(aMOVD, a64mem(xRSP, slot), a64reg(cbTmpA64))
		b.add(storeOfSizeA64(l.Kind.Size()), a64reg(cbTmpA64), a64mem(dst, int32(off+l.Off)))
	}
	return nil
}
