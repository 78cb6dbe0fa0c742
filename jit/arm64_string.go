package jit

import "github.com/jitffi/jitffi/abi"

// Go string arguments on arm64 (abi.GoString), as on amd64 (see
// amd64_string.go and RATIONALE.md, "Strings"): step 1 bails out for a
// string longer than StringMax; step 2 carves a NUL-terminated copy of
// each string out of the system stack, below the keep area, while R22
// walks down from g0.sched.sp, and puts the copy's address where the
// string's data pointer was (its Go register, or its word in the caller's
// stack-assigned argument area), so the argument moves pass it to C like
// any ptr.

// stringChecksARM64 is part of step 1: a branch to bail for every string
// longer than StringMax. SP is still the caller's, so Go stack arguments
// start at 8(SP). R21 and R22 are free (the trace counter comes later).
func stringChecksARM64(b *a64prog, p *abi.Plan) []a64jump {
	var bail []a64jump
	for _, a := range p.Args {
		if a.GoAs != abi.GoString {
			continue
		}
		length := regScratchARM64
		if a.Go.Class == abi.Int {
			length = xr(a.Go.Reg + 1)
		} else {
			b.add(aMOVD, a64mem(xRSP, int32(8+a.Go.Off+8)), a64reg(length))
		}
		compareConstARM64(b, length, StringMax, regScratch2ARM64)
		bail = append(bail, b.jump(aBHI, 0))
	}
	return bail
}

// copyStringsARM64 is part of step 2: R22 is the system-stack pointer
// being built (g0.sched.sp, less the keep area), R19 the goroutine-stack
// frame base. It uses R23 (source), R24 (destination), R25 (bytes left)
// and R21 (data), all scratch in Go's ABI and no argument register of
// either side. It reads exactly len(s) bytes of the string and writes
// only inside the copy's round16(len+1) bytes.
func copyStringsARM64(b *a64prog, p *abi.Plan) {
	sp, src, dst, n, t := regScratch2ARM64, regScratch3ARM64, xr(24), xr(25), regScratchARM64
	for _, a := range p.Args {
		if a.GoAs != abi.GoString {
			continue
		}
		data, length := a64mem(regOldSPARM64, int32(goStackARM64+a.Go.Off)), a64mem(regOldSPARM64, int32(goStackARM64+a.Go.Off+8))
		if a.Go.Class == abi.Int {
			data, length = a64reg(xr(a.Go.Reg)), a64reg(xr(a.Go.Reg+1))
		}
		b.add(aMOVD, length, a64reg(n))
		b.add3(aADD, a64imm(16), n, a64reg(src))
		b.add3(aAND, a64imm(-16), src, a64reg(src))
		b.add3(aSUB, a64reg(src), sp, a64reg(sp))
		b.add(aMOVD, data, a64reg(src))
		b.add(aMOVD, a64reg(sp), a64reg(dst))
		b.add3(aADD, a64reg(n), sp, a64reg(t))
		b.add(aMOVB, a64reg(xZR), a64mem(t, 0))

		words := b.here()
		b.add3(aCMP, a64imm(8), n, a64none)
		tail := b.jump(aBLO, 0)
		b.add(aMOVD, a64mem(src, 0), a64reg(t))
		b.add(aMOVD, a64reg(t), a64mem(dst, 0))
		b.add3(aADD, a64imm(8), src, a64reg(src))
		b.add3(aADD, a64imm(8), dst, a64reg(dst))
		b.add3(aSUB, a64imm(8), n, a64reg(n))
		b.jumpBack(aB, 0, words)

		b.bind([]a64jump{tail})
		done := b.jump(aCBZ, n)
		bytes := b.here()
		b.add(aMOVBU, a64mem(src, 0), a64reg(t))
		b.add(aMOVB, a64reg(t), a64mem(dst, 0))
		b.add3(aADD, a64imm(1), src, a64reg(src))
		b.add3(aADD, a64imm(1), dst, a64reg(dst))
		b.add3(aSUB, a64imm(1), n, a64reg(n))
		b.jumpBack(aCBNZ, n, bytes)
		b.bind([]a64jump{done})

		b.add(aMOVD, a64reg(sp), data)
	}
}
