package abi

// AAPCS64 (Linux): structs by value.
//
// A homogeneous floating-point aggregate (HFA) is a struct whose scalar
// leaves, after flattening nested structs and arrays, are 1 to 4 values
// of one floating-point type (all f32 or all f64). An HFA argument takes
// one V register per member, consecutive from NSRN, if enough remain;
// otherwise NSRN becomes 8 and the struct is copied to the stack (its
// size rounded up to 8 bytes).
//
// Any other struct of at most 16 bytes is rounded up to a multiple of 8
// bytes and passed packed, as it lies in memory, in 1 or 2 consecutive X
// registers if NGRN+n <= 8; otherwise NGRN becomes 8 and the struct is
// copied to the stack. It is never split between X registers and the
// stack, nor between X and V registers. A larger struct is copied by the
// caller to memory of its own, and the copy's address is passed as an
// integer argument (X register or 8-byte stack slot).
//
// Results: an HFA in V0..V3, any other struct of at most 16 bytes in X0
// and X1, anything larger in memory whose address the caller passes in
// X8.

import "github.com/jitffi/jitffi/sig"

// aapcs64HFA reports whether t is an HFA and returns its member kind
// and count.
func aapcs64HFA(t sig.Type) (sig.Kind, int, bool) {
	var leaves []cLeaf
	if !flatten(t, 0, 4, &leaves) || len(leaves) == 0 {
		return 0, 0, false
	}
	k := leaves[0].kind
	if !k.IsFloat() {
		return 0, 0, false
	}
	for _, l := range leaves[1:] {
		if l.kind != k {
			return 0, 0, false
		}
	}
	return k, len(leaves), true
}

func aapcs64StructArg(s *Struct, c *conv, cSt *state) {
	if k, n, ok := aapcs64HFA(s.Type); ok {
		if cSt.flts+n > c.flts {
			cSt.flts = c.flts
			s.inMemory(cSt)
			return
		}
		s.Pass = InRegs
		for i := range n {
			s.Pieces = append(s.Pieces, Piece{Off: i * k.Size(), Size: k.Size(), Loc: Loc{Class: Float, Reg: cSt.flts}})
			cSt.flts++
		}
		return
	}
	if s.Size > 16 {
		s.Pass = ByRef
		s.Ref = cSt.scalar(c, sig.Ptr)
		return
	}
	n := (s.Size + 7) / 8
	if cSt.ints+n > c.ints {
		cSt.ints = c.ints
		s.inMemory(cSt)
		return
	}
	s.Pass = InRegs
	for i := range n {
		s.Pieces = append(s.Pieces, Piece{Off: 8 * i, Size: min(8, s.Size-8*i), Loc: Loc{Class: Int, Reg: cSt.ints}})
		cSt.ints++
	}
}

func aapcs64StructResult(s *Struct) {
	if k, n, ok := aapcs64HFA(s.Type); ok {
		s.Pass = InRegs
		for i := range n {
			s.Pieces = append(s.Pieces, Piece{Off: i * k.Size(), Size: k.Size(), Loc: Loc{Class: Float, Reg: i}})
		}
		return
	}
	if s.Size > 16 {
		s.Pass = Indirect
		s.Ref = Loc{Class: Int, Reg: IndirectResultReg}
		return
	}
	s.Pass = InRegs
	for i := range (s.Size + 7) / 8 {
		s.Pieces = append(s.Pieces, Piece{Off: 8 * i, Size: min(8, s.Size-8*i), Loc: Loc{Class: Int, Reg: i}})
	}
}
