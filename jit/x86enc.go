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

// Opcodes the lowering uses, renamed so that amd64.go reads as Go assembly.
const (
	MOVQ     = x86.AMOVQ
	MOVL     = x86.AMOVL
	MOVW     = x86.AMOVW
	MOVB     = x86.AMOVB
	MOVBLSX  = x86.AMOVBLSX
	MOVBLZX  = x86.AMOVBLZX
	MOVWLSX  = x86.AMOVWLSX
	MOVWLZX  = x86.AMOVWLZX
	MOVBQSX  = x86.AMOVBQSX
	MOVWQSX  = x86.AMOVWQSX
	MOVLQSX  = x86.AMOVLQSX
	MOVSD    = x86.AMOVSD
	MOVSS    = x86.AMOVSS
	CVTSS2SD = x86.ACVTSS2SD
	LEAQ     = x86.ALEAQ
	TESTQ    = x86.ATESTQ
	XORL     = x86.AXORL
	CMOVQEQ  = x86.ACMOVQEQ
	CMOVQHI  = x86.ACMOVQHI
	JMPL     = obj.AJMP
	CMPQ     = x86.ACMPQ
	PUSHQ    = x86.APUSHQ
	POPQ     = x86.APOPQ
	SUBQ     = x86.ASUBQ
	ANDQ     = x86.AANDQ
	XORPS    = x86.AXORPS
	LOCK     = x86.ALOCK
	INCQ     = x86.AINCQ
	JEQ      = x86.AJEQ
	JMP      = obj.AJMP
	CALL     = obj.ACALL
	RET      = obj.ARET
)

// movOfSize is the integer move of n bytes (1, 2, 4 or 8).
func movOfSize(n int) obj.As {
	switch n {
	case 1:
		return MOVB
	case 2:
		return MOVW
	case 4:
		return MOVL
	case 8:
		return MOVQ
	}
	panic(fmt.Sprintf("jit: BUG: a move of %d bytes", n))
}
