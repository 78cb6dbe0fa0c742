package abi

import (
	"fmt"
	"strings"

	"github.com/jitffi/jitffi/sig"
)

// StructPass says how a struct by value crosses to C.
type StructPass uint8

const (
	// InRegs: every piece of the struct is in a register (Struct.Pieces).
	InRegs StructPass = iota
	// InMemory: the struct's bytes are copied, as they lie in memory,
	// into consecutive 8-byte stack slots. Pieces holds one piece: offset
	// 0, the struct's size, and the stack offset of the first slot. The
	// last slot is padded to 8 bytes.
	InMemory
	// ByRef: the caller copies the struct to memory of its own and passes
	// the copy's address as an integer argument, at Struct.Ref
	// (AAPCS64, structs over 16 bytes that are not HFAs).
	ByRef
	// Indirect (results only): the caller passes the address of a buffer
	// at Struct.Ref and C writes the result there. System V: the hidden
	// first argument in RDI (which then is not available to the
	// parameters), handed back in RAX; AAPCS64: X8 (Ref is
	// Loc{Class: Int, Reg: IndirectResultReg}), not an argument register.
	Indirect
)

var passNames = [...]string{"regs", "memory", "ref", "indirect"}

func (p StructPass) String() string {
	if int(p) < len(passNames) {
		return passNames[p]
	}
	return fmt.Sprintf("StructPass(%d)", uint8(p))
}

// IndirectResultReg is the abstract integer register index that stands
// for X8, AAPCS64's indirect result location register, in Struct.Ref.
const IndirectResultReg = 8

// Piece is one part of a struct's bytes on the C side: Size bytes from
// offset Off of the struct, in Loc. For InRegs a piece is at most 8 bytes
// and sits in the low bytes of its register (little-endian: the byte at
// Off is the register's lowest). On the result side the register indices
// are those of the result registers: Int 0 and 1 are RAX and RDX (X0 and
// X1), Float 0..3 are XMM0 and XMM1 (V0..V3).
type Piece struct {
	Off, Size int
	Loc       Loc
}

// Leaf is one scalar of a struct on the Go side, when Go's ABIInternal
// assigns the struct to registers field by field: the scalar of kind Kind
// at byte offset Off of the struct travels in Loc.
type Leaf struct {
	Off  int
	Kind sig.Kind
	Loc  Loc
}

// Struct is the plan of one struct argument or result (Arg.Struct,
// Result.Struct). For a struct, Arg.C and Result.C are unused (class
// None); Arg.Go and Result.Go hold the struct's Go stack location when Go
// passes it on the stack, and are None when Go passes it in registers
// (then Go lists them). A result's stack offset counts from the start of
// the stack-assigned argument area: Go's results follow the arguments,
// pointer-aligned (Plan.GoStack bytes in).
type Struct struct {
	Type  sig.Type
	Size  int
	Align int

	// The C side.
	Pass   StructPass
	Pieces []Piece // InRegs, InMemory
	Ref    Loc     // ByRef, Indirect: where the address goes

	// The Go side (ABIInternal): one register per scalar leaf, in order,
	// or nil when the struct is stack-assigned. Go passes a struct in
	// registers when all its leaves fit in the registers that remain and
	// it holds no array of more than one element.
	Go []Leaf
}

// checkStructType reports whether t is a well-formed struct type: at
// least one field, no void fields, arrays with an element type and a
// positive length.
func checkStructType(t sig.Type) error {
	switch t.Kind {
	case sig.Struct:
		if len(t.Fields) == 0 {
			return fmt.Errorf("struct type %v has no fields", t)
		}
		for _, f := range t.Fields {
			if err := checkStructType(f); err != nil {
				return err
			}
		}
	case sig.Array:
		if t.Elem == nil || t.Len < 1 {
			return fmt.Errorf("malformed array type %v", t)
		}
		return checkStructType(*t.Elem)
	case sig.Void:
		return fmt.Errorf("a struct field has type void")
	}
	return nil
}

// cLeaf is a scalar of a struct as C sees it.
type cLeaf struct {
	off  int
	kind sig.Kind
}

// flatten appends the scalar leaves of t at base to out, in memory order,
// and stops once out holds more than limit leaves (the callers only care
// about small structs). It reports whether it saw every leaf.
func flatten(t sig.Type, base, limit int, out *[]cLeaf) bool {
	switch t.Kind {
	case sig.Struct:
		offs := t.Offsets()
		for i, f := range t.Fields {
			if !flatten(f, base+offs[i], limit, out) {
				return false
			}
		}
	case sig.Array:
		size := t.Elem.Size()
		for i := range t.Len {
			if !flatten(*t.Elem, base+i*size, limit, out) {
				return false
			}
		}
	default:
		*out = append(*out, cLeaf{base, t.Kind})
	}
	return len(*out) <= limit
}

// structArg plans one struct parameter on both sides.
func structArg(a Arch, ar *arch, goSt, cSt *state, t sig.Type) (Arg, error) {
	if t.Kind != sig.Struct {
		return Arg{}, fmt.Errorf("a parameter of type %v (arrays are only struct fields; pass a C array as ptr)", t)
	}
	if err := checkStructType(t); err != nil {
		return Arg{}, err
	}
	st := &Struct{Type: t, Size: t.Size(), Align: t.Align()}
	switch a {
	case AMD64:
		sysvStructArg(st, &ar.cConv, cSt)
	case ARM64:
		aapcs64StructArg(st, &ar.cConv, cSt)
	}
	arg := Arg{Kind: sig.Struct, Struct: st}
	arg.Go, st.Go = goSt.goStruct(&ar.goConv, t)
	return arg, nil
}

// structResult plans the C side of a struct result. It runs before the
// parameters are assigned: System V passes the address of an indirect
// result as a hidden first argument.
func structResult(a Arch, cSt *state, t sig.Type) (*Struct, error) {
	if t.Kind != sig.Struct {
		return nil, fmt.Errorf("a result of type %v", t)
	}
	if err := checkStructType(t); err != nil {
		return nil, err
	}
	st := &Struct{Type: t, Size: t.Size(), Align: t.Align()}
	switch a {
	case AMD64:
		sysvStructResult(st, cSt)
	case ARM64:
		aapcs64StructResult(st)
	}
	return st, nil
}

// goStructResult assigns the Go side of a struct result: registers from
// the first of each class (results are assigned afresh), or the stack
// area of the results, which follows the pointer-aligned argument area of
// argStack bytes.
func goStructResult(ar *arch, argStack int, st *Struct) Loc {
	rs := state{stack: argStack}
	var l Loc
	l, st.Go = rs.goStruct(&ar.goConv, st.Type)
	return l
}

// goStruct assigns a struct on the Go side: to registers leaf by leaf if
// they all fit and no array of more than one element is in the way, else
// to the stack at its alignment (without consuming registers).
func (st *state) goStruct(c *conv, t sig.Type) (Loc, []Leaf) {
	save := *st
	var leaves []Leaf
	if st.goRegs(c, t, 0, &leaves) {
		return Loc{}, leaves
	}
	*st = save
	return st.onStack(c, t.Size(), t.Align()), nil
}

func (st *state) goRegs(c *conv, t sig.Type, base int, out *[]Leaf) bool {
	switch t.Kind {
	case sig.Struct:
		offs := t.Offsets()
		for i, f := range t.Fields {
			if !st.goRegs(c, f, base+offs[i], out) {
				return false
			}
		}
		return true
	case sig.Array:
		if t.Len != 1 {
			return false
		}
		return st.goRegs(c, *t.Elem, base, out)
	}
	if t.Kind.IsFloat() {
		if st.flts >= c.flts {
			return false
		}
		st.flts++
		*out = append(*out, Leaf{Off: base, Kind: t.Kind, Loc: Loc{Class: Float, Reg: st.flts - 1}})
		return true
	}
	if st.ints >= c.ints {
		return false
	}
	st.ints++
	*out = append(*out, Leaf{Off: base, Kind: t.Kind, Loc: Loc{Class: Int, Reg: st.ints - 1}})
	return true
}

// inMemory places the struct's bytes in consecutive 8-byte C stack slots.
func (s *Struct) inMemory(cSt *state) {
	off := alignUp(cSt.stack, 8)
	cSt.stack = off + alignUp(s.Size, 8)
	s.Pass = InMemory
	s.Pieces = []Piece{{Off: 0, Size: s.Size, Loc: Loc{Class: Stack, Off: off}}}
}

// goInts is the number of Go integer registers the struct takes.
func (s *Struct) goInts() int {
	n := 0
	for _, l := range s.Go {
		if l.Loc.Class == Int {
			n++
		}
	}
	return n
}

// structErrGo is the Go location of the trailing error of errno capture
// after a struct result: the two integer registers after the struct's,
// or, when they do not fit, the stack area of the results (an interface
// is assigned as a whole).
func (p *Plan) structErrGo() Loc {
	ar, err := archOf(p.Arch)
	if err != nil {
		return Loc{Class: Int}
	}
	n := p.Result.Struct.goInts()
	if n+2 <= ar.goConv.ints {
		return Loc{Class: Int, Reg: n}
	}
	// A struct result that took registers leaves the result stack area
	// empty: the error is its first value.
	return Loc{Class: Stack, Off: p.GoStack}
}

// errGoName names the two words of the trailing error.
func (p *Plan) errGoName(ar *arch) string {
	if p.ErrGo.Class == Stack {
		return ar.goConv.locName(p.ErrGo)
	}
	return ar.goConv.locName(p.ErrGo) + ", " + ar.goConv.locName(Loc{Class: Int, Reg: p.ErrGo.Reg + 1})
}

// Result register names of the C conventions, by class.
var cResultNames = map[Arch][2][]string{
	AMD64: {{"AX", "DX"}, {"X0", "X1"}},
	ARM64: {{"R0", "R1"}, {"F0", "F1", "F2", "F3"}},
}

// structArgString is the dump of a struct parameter, after "arg N ".
func (p *Plan) structArgString(ar *arch, a Arg) string {
	var b strings.Builder
	s := a.Struct
	fmt.Fprintf(&b, "%v: go %s -> c ", s.Type, goStructName(ar, a.Go, s))
	switch s.Pass {
	case InRegs:
		b.WriteString(piecesName(s.Pieces, ar.cConv.locName))
	case InMemory:
		fmt.Fprintf(&b, "memory %s", memoryName(s))
	case ByRef:
		fmt.Fprintf(&b, "ref %s (copy of %d bytes)", ar.cConv.locName(s.Ref), s.Size)
	}
	return b.String()
}

// structResultString is the dump of a struct result, after "ret ".
func (p *Plan) structResultString(ar *arch) string {
	var b strings.Builder
	r := p.Result
	s := r.Struct
	fmt.Fprintf(&b, "%v: c ", s.Type)
	switch s.Pass {
	case InRegs:
		names := cResultNames[p.Arch]
		b.WriteString(piecesName(s.Pieces, func(l Loc) string {
			if l.Class == Float {
				return names[1][l.Reg]
			}
			return names[0][l.Reg]
		}))
	case Indirect:
		if p.Arch == AMD64 {
			fmt.Fprintf(&b, "indirect %s (returned in %s)", ar.cConv.locName(s.Ref), ar.cConv.intResult)
		} else {
			fmt.Fprintf(&b, "indirect R%d", s.Ref.Reg)
		}
	}
	fmt.Fprintf(&b, " -> go %s", goStructName(ar, r.Go, s))
	return b.String()
}

func goStructName(ar *arch, l Loc, s *Struct) string {
	if s.Go == nil {
		return ar.goConv.locName(l)
	}
	parts := make([]string, len(s.Go))
	for i, lf := range s.Go {
		parts[i] = fmt.Sprintf("+%d %s", lf.Off, ar.goConv.locName(lf.Loc))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func piecesName(ps []Piece, name func(Loc) string) string {
	parts := make([]string, len(ps))
	for i, pc := range ps {
		parts[i] = fmt.Sprintf("+%d:%d %s", pc.Off, pc.Size, name(pc.Loc))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func memoryName(s *Struct) string {
	off := s.Pieces[0].Loc.Off
	return fmt.Sprintf("S+%d..S+%d (%d bytes)", off, off+alignUp(s.Size, 8), s.Size)
}

// appendStructKey appends the canonical spelling of a struct type to a
// plan key: with the kinds, the Go shapes and the architecture it decides
// the assignment. The spelling is bracketed, so it delimits itself.
func appendStructKey(b []byte, s *Struct) []byte {
	if s == nil {
		return b
	}
	return append(b, s.Type.String()...)
}
