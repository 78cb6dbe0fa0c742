package jit

import (
	"fmt"

	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/obj/x86"
)

// The adapter between the amd64 lowering and golang-asm. It is the only
// file that knows golang-asm's x86 vocabulary.
var x86ctx = asmContext{
	arch: &x86.Linkamd64,
	// IsAsm turns off the padding of jumps away from 32-byte boundaries,
	// so the bytes depend only on the instructions.
	init: func(ctxt *obj.Link) { ctxt.IsAsm = true },
}

// x86 registers by name, so the lowering can speak in Go assembler terms.
const (
	rAX  int16 = x86.REG_AX
	rBX  int16 = x86.REG_BX
	rCX  int16 = x86.REG_CX
	rDX  int16 = x86.REG_DX
	rSI  int16 = x86.REG_SI
	rDI  int16 = x86.REG_DI
	rBP  int16 = x86.REG_BP
	rSP  int16 = x86.REG_SP
	rR8  int16 = x86.REG_R8
	rR9  int16 = x86.REG_R9
	rR10 int16 = x86.REG_R10
	rR11 int16 = x86.REG_R11
	rR12 int16 = x86.REG_R12
	rR13 int16 = x86.REG_R13
	rR14 int16 = x86.REG_R14
	rR15 int16 = x86.REG_R15
	rX0  int16 = x86.REG_X0
	rX15 int16 = x86.REG_X15
	rFS  int16 = x86.REG_FS
)

// x86prog is a program under construction.
type x86prog struct {
	ctxt        *obj.Link
	first, last *obj.Prog
}

func newX86Prog() *x86prog {
	return &x86prog{ctxt: x86ctx.link()}
}

func (b *x86prog) add(as obj.As, from, to obj.Addr) *obj.Prog {
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

// jumpRef is a forward jump whose target is not placed yet.
type jumpRef *obj.Prog

// jump adds a (conditional) jump to a label placed later by bind.
func (b *x86prog) jump(as obj.As) jumpRef {
	return b.add(as, none, obj.Addr{Type: obj.TYPE_BRANCH})
}

// here places a label for backward jumps (jumpBack).
func (b *x86prog) here() *obj.Prog { return b.add(obj.ANOP, none, none) }

// jumpBack adds a (conditional) jump to a label placed earlier by here.
func (b *x86prog) jumpBack(as obj.As, l *obj.Prog) {
	b.add(as, none, obj.Addr{Type: obj.TYPE_BRANCH}).To.SetTarget(l)
}

// bind places a label here and points the jumps at it.
func (b *x86prog) bind(jumps []jumpRef) {
	l := b.add(obj.ANOP, none, none)
	for _, j := range jumps {
		(*obj.Prog)(j).To.SetTarget(l)
	}
}

func (b *x86prog) assemble() ([]byte, error) {
	s, err := x86ctx.assemble(b.first)
	if err != nil {
		return nil, err
	}
	code := make([]byte, len(s.P))
	copy(code, s.P)
	return code, nil
}

func reg(r int16) obj.Addr { return obj.Addr{Type: obj.TYPE_REG, Reg: r} }

func mem(base int16, off int32) obj.Addr {
	return obj.Addr{Type: obj.TYPE_MEM, Reg: base, Offset: int64(off)}
}

func imm(v int64) obj.Addr { return obj.Addr{Type: obj.TYPE_CONST, Offset: v} }

// indexed is base + index*scale.
func indexed(base, index int16, scale int16) obj.Addr {
	return obj.Addr{Type: obj.TYPE_MEM, Reg: base, Index: index, Scale: scale}
}

var none obj.Addr

// Opcodes the lowering uses, renamed so that amd64.go reads as Go assembly
// (the x prefix keeps them out of the package API, as a does for arm64).
const (
	xMOVQ     = x86.AMOVQ
	xMOVL     = x86.AMOVL
	xMOVW     = x86.AMOVW
	xMOVB     = x86.AMOVB
	xMOVBLSX  = x86.AMOVBLSX
	xMOVBLZX  = x86.AMOVBLZX
	xMOVWLSX  = x86.AMOVWLSX
	xMOVWLZX  = x86.AMOVWLZX
	xMOVBQSX  = x86.AMOVBQSX
	xMOVWQSX  = x86.AMOVWQSX
	xMOVLQSX  = x86.AMOVLQSX
	xMOVSD    = x86.AMOVSD
	xMOVUPS   = x86.AMOVUPS
	xMOVSS    = x86.AMOVSS
	xCVTSS2SD = x86.ACVTSS2SD
	xLEAQ     = x86.ALEAQ
	xTESTQ    = x86.ATESTQ
	xXORL     = x86.AXORL
	xCMOVQEQ  = x86.ACMOVQEQ
	xCMOVQHI  = x86.ACMOVQHI
	xJMPL     = obj.AJMP
	xCMPQ     = x86.ACMPQ
	xPUSHQ    = x86.APUSHQ
	xPOPQ     = x86.APOPQ
	xSUBQ     = x86.ASUBQ
	xANDQ     = x86.AANDQ
	xXORPS    = x86.AXORPS
	xLOCK     = x86.ALOCK
	xINCQ     = x86.AINCQ
	xJEQ      = x86.AJEQ
	xJHI      = x86.AJHI // unsigned >
	xJCS      = x86.AJCS // unsigned <
	xDECQ     = x86.ADECQ
	xJMP      = obj.AJMP
	xCALL     = obj.ACALL
	xRET      = obj.ARET
)

// movOfSize is the integer move of n bytes (1, 2, 4 or 8).
func movOfSize(n int) obj.As {
	switch n {
	case 1:
		return xMOVB
	case 2:
		return xMOVW
	case 4:
		return xMOVL
	case 8:
		return xMOVQ
	}
	panic(fmt.Sprintf("jit: BUG: a move of %d bytes", n))
}
