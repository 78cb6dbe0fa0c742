package jit

import (
	"fmt"

	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/arm64"
	"github.com/twitchyliquid64/golang-asm/objabi"
)

// The adapter between the arm64 lowering and golang-asm. It is the only
// file that knows golang-asm's arm64 vocabulary.
//
// As for amd64 (x86enc.go), all arm64 assembly goes through one shared
// context under one lock: golang-asm builds its tables lazily and without
// synchronisation, and reports errors through a callback on the context.
//
// Quirks of golang-asm's arm64 back end (Go 1.15's assembler, frozen),
// which this file hides from the lowering:
//   - Assemble runs only the encoder (no Progedit/Preprocess), so every
//     prog is a real instruction: BL and B, never the CALL and JMP
//     pseudo-ops, and RET names R30 explicitly.
//   - The first prog of a function is taken for its TEXT and not
//     encoded: every program starts with a dummy ATEXT prog.
//   - R31 is the zero register (REGZERO); the stack pointer is REGSP.
//   - Pre- and post-indexed addressing is a Scond (C_XPRE, C_XPOST) on
//     the prog, not a property of the operand.
//   - The encoder pads the function to 16 bytes with zero words, which
//     decode as UDF #0.
var a64ctx = asmContext{arch: &arm64.Linkarm64}

// Machine registers, named as in Go arm64 assembly. xr and xf give the
// n-th integer and floating-point register.
const (
	xRSP  int16 = arm64.REGSP
	xZR   int16 = arm64.REGZERO
	xLR   int16 = arm64.REGLINK // R30
	xFP   int16 = arm64.REG_R29
	xTPID int16 = arm64.REG_TPIDR_EL0 // TPIDR_EL0, the thread pointer, for MRS
)

func xr(n int) int16 {
	if n < 0 || n > 30 {
		panic(fmt.Sprintf("jit: BUG: no integer register R%d", n))
	}
	return arm64.REG_R0 + int16(n)
}

func xf(n int) int16 {
	if n < 0 || n > 31 {
		panic(fmt.Sprintf("jit: BUG: no floating-point register F%d", n))
	}
	return arm64.REG_F0 + int16(n)
}

// isFloatReg reports whether r is one of F0-F31.
func isFloatReg(r int16) bool { return r >= arm64.REG_F0 && r <= arm64.REG_F31 }

// a64prog is an arm64 program under construction.
type a64prog struct {
	ctxt        *obj.Link
	first, last *obj.Prog
}

func newA64Prog() *a64prog {
	b := &a64prog{ctxt: a64ctx.link()}
	// The encoder skips the first prog (the function's TEXT); a frame
	// size of zero keeps it from reserving anything.
	b.add(obj.ATEXT, a64none, obj.Addr{Type: obj.TYPE_TEXTSIZE})
	return b
}

func (b *a64prog) add(as obj.As, from, to obj.Addr) *obj.Prog {
	p := b.ctxt.NewProg()
	p.As, p.From, p.To = as, from, to
	if b.first == nil {
		b.first = p
	} else {
		b.last.Link = p
	}
	b.last = p
	return p
}

// add3 adds a three-operand instruction: op from, r, to, as in
// "SUB $8, RSP, R29" (to = r - from) or "CMN $1314, R21" (no to).
func (b *a64prog) add3(as obj.As, from obj.Addr, r int16, to obj.Addr) *obj.Prog {
	p := b.add(as, from, to)
	p.Reg = r
	return p
}

// pre adds a pre-indexed store or load ("MOVD.W R30, -16(RSP)"): the base
// register is updated before the access.
func (b *a64prog) pre(as obj.As, from, to obj.Addr) *obj.Prog {
	p := b.add(as, from, to)
	p.Scond = arm64.C_XPRE
	return p
}

// storeExclusive adds "STXR src, (base), status".
func (b *a64prog) storeExclusive(src, base, status int16) *obj.Prog {
	p := b.add(aSTXR, a64reg(src), a64mem(base, 0))
	p.RegTo2 = status
	return p
}

// ldp adds "LDP off(base), (r1, r2)": r1 from off(base), r2 from the
// next word.
func (b *a64prog) ldp(base int16, off int32, r1, r2 int16) *obj.Prog {
	return b.add(aLDP, a64mem(base, off), obj.Addr{Type: obj.TYPE_REGREG, Reg: r1, Offset: int64(r2)})
}

// csel adds "CSEL cond, rn, rm, rd": rd = rn if cond holds, else rm.
func (b *a64prog) csel(cond, rn, rm, rd int16) *obj.Prog {
	p := b.add3(aCSEL, a64reg(cond), rn, a64reg(rd))
	//lint:ignore SA1019 golang-asm's arm64 backend reads CSEL's second source only from From3.
	p.SetFrom3(a64reg(rm))
	return p
}

// a64label is a branch target placed in the program.
type a64label *obj.Prog

// a64jump is a branch whose target is placed later by bind.
type a64jump *obj.Prog

// jump adds a branch (B.cond; or CBZ/CBNZ with a register to test, r) to
// a label placed later by bind.
func (b *a64prog) jump(as obj.As, r int16) a64jump {
	from := a64none
	if r != 0 {
		from = a64reg(r)
	}
	return b.add(as, from, obj.Addr{Type: obj.TYPE_BRANCH})
}

// jumpBack adds a branch to a label already placed.
func (b *a64prog) jumpBack(as obj.As, r int16, l a64label) {
	j := b.jump(as, r)
	(*obj.Prog)(j).To.SetTarget(l)
}

// here places a label for backward branches.
func (b *a64prog) here() a64label { return b.add(obj.ANOP, a64none, a64none) }

// bind places a label here and points the jumps at it.
func (b *a64prog) bind(jumps []a64jump) {
	l := b.here()
	for _, j := range jumps {
		(*obj.Prog)(j).To.SetTarget(l)
	}
}

func (b *a64prog) assemble() ([]byte, error) {
	s, err := a64ctx.assemble(b.first)
	if err != nil {
		return nil, err
	}
	// Indirect branches carry a zero-size R_CALLIND marker; anything else
	// would be an address the encoder expected a linker to patch.
	for _, r := range s.R {
		if r.Siz != 0 || r.Type != objabi.R_CALLIND {
			return nil, fmt.Errorf("jit: BUG: arm64 code needs a relocation (type %v)", r.Type)
		}
	}
	code := make([]byte, len(s.P))
	copy(code, s.P)
	return code, nil
}

func a64reg(r int16) obj.Addr { return obj.Addr{Type: obj.TYPE_REG, Reg: r} }

func a64mem(base int16, off int32) obj.Addr {
	return obj.Addr{Type: obj.TYPE_MEM, Reg: base, Offset: int64(off)}
}

// a64index is the memory operand (base)(index<<shift), "[base, index,
// lsl #shift]"; shift must match the access size (3 for MOVD) or be 0.
func a64index(base, index int16, shift int) obj.Addr {
	return obj.Addr{Type: obj.TYPE_MEM, Reg: base, Index: arm64.REG_LSL + int16(shift&7)<<5 + index&31}
}

func a64imm(v int64) obj.Addr { return obj.Addr{Type: obj.TYPE_CONST, Offset: v} }

var a64none obj.Addr

// Opcodes the lowering uses, named after Go arm64 assembly with an "a"
// prefix (the x86 adapter owns the unprefixed names).
const (
	aMOVD   = arm64.AMOVD  // 64-bit move, load, store
	aMOVW   = arm64.AMOVW  // sign-extending 32-bit move or load
	aMOVWU  = arm64.AMOVWU // zero-extending 32-bit move or load
	aMOVH   = arm64.AMOVH
	aMOVHU  = arm64.AMOVHU
	aMOVB   = arm64.AMOVB
	aMOVBU  = arm64.AMOVBU
	aSXTBW  = arm64.ASXTBW // extend into the low 32 bits (upper half zeroed)
	aUXTBW  = arm64.AUXTBW
	aSXTHW  = arm64.ASXTHW
	aUXTHW  = arm64.AUXTHW
	aFMOVD  = arm64.AFMOVD
	aFMOVS  = arm64.AFMOVS
	aFCVTSD = arm64.AFCVTSD // single to double
	aADD    = arm64.AADD
	aSUB    = arm64.ASUB
	aAND    = arm64.AAND
	aCMP    = arm64.ACMP
	aCMN    = arm64.ACMN
	aCSEL   = arm64.ACSEL
	aMRS    = arm64.AMRS
	aLDXR   = arm64.ALDXR
	aSTXR   = arm64.ASTXR
	aCBZ    = arm64.ACBZ
	aCBNZ   = arm64.ACBNZ
	aBEQ    = arm64.ABEQ
	aBNE    = arm64.ABNE
	aLDP    = arm64.ALDP
	aBHI    = arm64.ABHI // unsigned >
	aBLO    = arm64.ABLO // unsigned <
	aBL     = arm64.ABL  // BLR when the target is a register operand (0(Rn))
	aB      = arm64.AB   // BR when the target is a register operand (0(Rn))
	aRET    = obj.ARET
	aWORD   = arm64.AWORD // a raw instruction word, for what the assembler cannot express
)

// Conditions, for csel.
const (
	condHI int16 = arm64.COND_HI // unsigned higher
)
