package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
)

// Structs by value in the amd64 callback entry, the mirror of
// amd64_struct.go: the struct's bytes are brought into memory in C's
// layout, where System V's eightbytes and Go's fields meet.
//
//   - A parameter in registers has its eightbytes stored into the staging
//     area (cbStage); one in memory is read where C put it, at
//     16(BP)+off. Then each field is loaded from there into its Go slot
//     of the frame, narrow integers extended to 64 bits as for scalars,
//     or, when Go passes the struct on its stack, exactly its bytes are
//     copied into the frame's stack area (Go packs what follows).
//   - A result Go returns in registers is stored field by field into the
//     staging area (eightbytes with padding zeroed first); one Go returns
//     on its stack is in the frame's stack area, in C's layout already.
//     From there its eightbytes are loaded into RAX/RDX/XMM0/XMM1, or,
//     for a MEMORY-class result, its bytes are copied through the hidden
//     pointer C passed in RDI (kept in the frame's hidden word), which
//     is returned in RAX.
//
// Only RAX and R13 (saved by the entry) are scratch; no C argument
// register is written before every argument is read.

// cbStructArgAMD64 moves struct parameter a from C into its Go slots.
func cbStructArgAMD64(b *x86prog, a abi.Arg) error {
	s := a.Struct
	var base int16
	var off int
	switch s.Pass {
	case abi.InMemory:
		base, off = rBP, 16+s.Pieces[0].Loc.Off
	case abi.InRegs:
		if 8*len(s.Pieces) > cbStageLen {
			return fmt.Errorf("jit: BUG: %d pieces of a struct", len(s.Pieces))
		}
		for i, pc := range s.Pieces {
			dst := mem(rSP, int32(cbStage+8*i))
			if pc.Loc.Class == abi.Float {
				b.add(xMOVSD, reg(rX0+int16(pc.Loc.Reg)), dst)
			} else {
				b.add(xMOVQ, reg(cIntAMD64[pc.Loc.Reg]), dst)
			}
		}
		base, off = rSP, cbStage
	default:
		return fmt.Errorf("jit: BUG: struct parameter passed %v on amd64", s.Pass)
	}
	if s.Go == nil {
		copyAMD64(b, base, off, rSP, CBStack+a.Go.Off, s.Size)
		return nil
	}
	for _, l := range s.Go {
		slot, err := cbGoSlot(l.Loc)
		if err != nil {
			return err
		}
		loadExtAMD64(b, mem(base, int32(off+l.Off)), l.Kind, rAX)
		b.add(xMOVQ, reg(rAX), mem(rSP, slot))
	}
	return nil
}

// cbStructResultAMD64 hands the Go func's struct result to C.
func cbStructResultAMD64(b *x86prog, p *abi.Plan) error {
	s := p.Result.Struct
	if s.Pass == abi.Indirect {
		b.add(xMOVQ, mem(rSP, CBHidden), reg(rR12))
		if err := cbStructBytesAMD64(b, p, rR12, 0); err != nil {
			return err
		}
		b.add(xMOVQ, reg(rR12), reg(rAX))
		return nil
	}
	if s.Pass != abi.InRegs {
		return fmt.Errorf("jit: BUG: struct result passed %v on amd64", s.Pass)
	}
	off := CBStack + p.Result.Go.Off
	if s.Go != nil {
		if alignUp(s.Size, 8) > cbStageLen {
			return fmt.Errorf("jit: BUG: a %d-byte struct result in registers", s.Size)
		}
		off = cbStage
		if err := cbStructBytesAMD64(b, p, rSP, off); err != nil {
			return err
		}
	}
	// The loads read whole eightbytes: the bytes past the struct's end lie
	// in the frame, and C ignores them.
	for i, pc := range s.Pieces {
		src := mem(rSP, int32(off+8*i))
		if pc.Loc.Class == abi.Float {
			b.add(xMOVSD, src, reg(rX0+int16(pc.Loc.Reg)))
		} else {
			b.add(xMOVQ, src, reg([]int16{rAX, rDX}[pc.Loc.Reg]))
		}
	}
	return nil
}

// cbStructBytesAMD64 writes the bytes of the Go func's struct result in
// C's layout at off(dst): its fields from their Go result slots (the
// eightbytes with padding zeroed first), or a copy of exactly its bytes
// from the frame's stack area.
func cbStructBytesAMD64(b *x86prog, p *abi.Plan, dst int16, off int) error {
	s := p.Result.Struct
	if s.Go == nil {
		copyAMD64(b, rSP, CBStack+p.Result.Go.Off, dst, off, s.Size)
		return nil
	}
	if dst == rSP {
		filled := make([]int, (s.Size+7)/8)
		for _, l := range s.Go {
			filled[l.Off/8] += l.Kind.Size() // fields never straddle eightbytes
		}
		for i, n := range filled {
			if n < 8 {
				b.add(xMOVQ, imm(0), mem(dst, int32(off+8*i)))
			}
		}
	}
	for _, l := range s.Go {
		slot, err := cbGoSlot(l.Loc)
		if err != nil {
			return err
		}
		b.add(xMOVQ, mem(rSP, slot), reg(rAX))
		b.add(movOfSize(l.Kind.Size()), reg(rAX), mem(dst, int32(off+l.Off)))
	}
	return nil
}
