package abi

// System V x86-64: structs by value.
//
// A struct over 16 bytes (or with unaligned fields, which the layout of
// package sig never produces) has class MEMORY. A smaller one is split
// into eightbytes, each classified by merging the classes of the scalars
// in it: INTEGER if any of them is an integer, pointer or bool, else SSE.
//
// Arguments: the eightbytes of a non-MEMORY struct go to the next free
// registers of their classes (INTEGER: RDI, RSI, RDX, RCX, R8, R9; SSE:
// XMM0-XMM7), in order, if enough of both classes remain; otherwise the
// whole struct goes to the stack and the registers stay free for later
// arguments. A MEMORY struct is copied to the stack: its bytes in
// consecutive 8-byte slots, in argument order with the scalars.
//
// Results: the INTEGER eightbytes come back in RAX then RDX, the SSE ones
// in XMM0 then XMM1 ({f64, i64}: XMM0, RAX). A MEMORY result is written
// to a buffer whose address the caller passes as a hidden first argument
// in RDI (so the parameters start at RSI); the callee returns the address
// in RAX.

import "github.com/jitffi/jitffi/sig"

// sysvClasses classifies the eightbytes of a struct of at most 16 bytes:
// Int (INTEGER) or Float (SSE) for each. It reports false for MEMORY.
func sysvClasses(t sig.Type) ([]Class, bool) {
	size := t.Size()
	if size > 16 {
		return nil, false
	}
	var leaves []cLeaf
	flatten(t, 0, 16, &leaves) // at most 16 one-byte scalars in 16 bytes
	classes := make([]Class, (size+7)/8)
	for _, l := range leaves {
		if l.off%l.kind.Size() != 0 {
			return nil, false // unaligned: MEMORY
		}
		eb := l.off / 8
		switch {
		case !l.kind.IsFloat():
			classes[eb] = Int
		case classes[eb] == None:
			classes[eb] = Float
		}
	}
	for i, c := range classes {
		if c == None {
			classes[i] = Float // padding only; never produced by C layout
		}
	}
	return classes, true
}

// sysvPieces splits a struct of classes cls into its eightbyte pieces.
func sysvPieces(size int, cls []Class) []Piece {
	ps := make([]Piece, len(cls))
	for i, c := range cls {
		ps[i] = Piece{Off: 8 * i, Size: min(8, size-8*i), Loc: Loc{Class: c}}
	}
	return ps
}

func sysvStructArg(s *Struct, c *conv, cSt *state) {
	cls, ok := sysvClasses(s.Type)
	if !ok {
		s.inMemory(cSt)
		return
	}
	var ni, nf int
	for _, cl := range cls {
		if cl == Int {
			ni++
		} else {
			nf++
		}
	}
	if cSt.ints+ni > c.ints || cSt.flts+nf > c.flts {
		s.inMemory(cSt)
		return
	}
	s.Pass = InRegs
	s.Pieces = sysvPieces(s.Size, cls)
	for i := range s.Pieces {
		l := &s.Pieces[i].Loc
		if l.Class == Int {
			l.Reg = cSt.ints
			cSt.ints++
		} else {
			l.Reg = cSt.flts
			cSt.flts++
		}
	}
}

func sysvStructResult(s *Struct, cSt *state) {
	cls, ok := sysvClasses(s.Type)
	if !ok {
		s.Pass = Indirect
		s.Ref = Loc{Class: Int, Reg: 0}
		cSt.ints = 1 // RDI carries the buffer's address
		return
	}
	s.Pass = InRegs
	s.Pieces = sysvPieces(s.Size, cls)
	var ni, nf int
	for i := range s.Pieces {
		l := &s.Pieces[i].Loc
		if l.Class == Int {
			l.Reg = ni
			ni++
		} else {
			l.Reg = nf
			nf++
		}
	}
}
