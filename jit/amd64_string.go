package jit

import "github.com/jitffi/jitffi/abi"

// Go string arguments on amd64 (abi.GoString). C receives a pointer to a
// NUL-terminated copy of the bytes on the system stack, in the frame of
// the call; the Go string itself is never shown to C, so it is not among
// the Go pointers a callback keeps alive (goPointers). The copy is taken
// before any C code runs, so a callback that moves the goroutine's stack
// (where a string's bytes may live) cannot change what C sees.
//
// Step 1 bails out, with every argument untouched, when a string is
// longer than StringMax; so each copy takes at most StringMax+16 bytes,
// and CanLower keeps the whole frame within abi.MaxFrame.
//
// Step 2, after the keep area, carves one copy per string below it:
//
//	| marker, BP, Go pointers |
//	| copy of string 0, NUL   | round16(len+1) bytes
//	| copy of string 1, NUL   |
//	| staging, C stack args   | 0(SP)
//
// and puts the copy's address where the string's data pointer was (its
// Go register, or its word in the caller's stack-assigned argument area,
// which Go's ABI lets the callee overwrite), so that the argument moves
// pass it to C like any ptr.

// stringChecksAMD64 is part of step 1: a jump to bail for every string
// longer than StringMax. SP still points at the return address, so Go
// stack arguments start at 8(SP).
func stringChecksAMD64(b *x86prog, p *abi.Plan) []jumpRef {
	var bail []jumpRef
	for _, a := range p.Args {
		if a.GoAs != abi.GoString {
			continue
		}
		if a.Go.Class == abi.Int {
			b.add(xCMPQ, reg(goIntAMD64[a.Go.Reg+1]), imm(StringMax))
		} else {
			b.add(xCMPQ, mem(rSP, int32(8+a.Go.Off+8)), imm(StringMax))
		}
		bail = append(bail, b.jump(xJHI))
	}
	return bail
}

// copyStringsAMD64 is part of step 2: it copies every string argument
// below SP (see above). It runs before any argument moves and uses R13
// (source), R15 (destination), DX (bytes left), X15 (16 bytes at a time,
// then 8) and, for the last len%8 bytes, AX, kept in X15 around the byte
// loop. It
// reads exactly len(s) bytes of the string and writes only inside the
// copy's round16(len+1) bytes.
func copyStringsAMD64(b *x86prog, p *abi.Plan) {
	for _, a := range p.Args {
		if a.GoAs != abi.GoString {
			continue
		}
		data, length := mem(rBP, int32(goStackAMD64+a.Go.Off)), mem(rBP, int32(goStackAMD64+a.Go.Off+8))
		if a.Go.Class == abi.Int {
			data, length = reg(goIntAMD64[a.Go.Reg]), reg(goIntAMD64[a.Go.Reg+1])
		}
		src, dst, n := rR13, rR15, rDX
		b.add(xMOVQ, length, reg(n))
		b.add(xLEAQ, mem(n, 16), reg(src))
		b.add(xANDQ, imm(-16), reg(src))
		b.add(xSUBQ, reg(src), reg(rSP))
		b.add(xMOVQ, data, reg(src))
		b.add(xMOVQ, reg(rSP), reg(dst))
		b.add(xMOVB, imm(0), indexed(rSP, n, 1))

		// 16 bytes at a time, then 8, then single bytes.
		pairs := b.here()
		b.add(xCMPQ, reg(n), imm(16))
		toWords := b.jump(xJCS)
		b.add(xMOVUPS, mem(src, 0), reg(rX15))
		b.add(xMOVUPS, reg(rX15), mem(dst, 0))
		b.add(xADDQ, imm(16), reg(src))
		b.add(xADDQ, imm(16), reg(dst))
		b.add(xSUBQ, imm(16), reg(n))
		b.jumpBack(xJMP, pairs)

		b.bind([]jumpRef{toWords})
		b.add(xCMPQ, reg(n), imm(8))
		tail := b.jump(xJCS)
		b.add(xMOVSD, mem(src, 0), reg(rX15))
		b.add(xMOVSD, reg(rX15), mem(dst, 0))
		b.add(xADDQ, imm(8), reg(src))
		b.add(xADDQ, imm(8), reg(dst))
		b.add(xSUBQ, imm(8), reg(n))

		b.bind([]jumpRef{tail})
		b.add(xTESTQ, reg(n), reg(n))
		done := b.jump(xJEQ)
		b.add(xMOVQ, reg(rAX), reg(rX15)) // X15 is free once the words are copied
		bytes := b.here()
		b.add(xMOVBLZX, mem(src, 0), reg(rAX))
		b.add(xMOVB, reg(rAX), mem(dst, 0))
		b.add(xADDQ, imm(1), reg(src))
		b.add(xADDQ, imm(1), reg(dst))
		b.add(xDECQ, none, reg(n))
		b.jumpBack(xJNE, bytes)
		b.add(xMOVQ, reg(rX15), reg(rAX))
		b.bind([]jumpRef{done})

		b.add(xMOVQ, reg(rSP), data)
	}
}
