package abi

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/jitffi/jitffi/sig"
)

// Arch names a target architecture. The values match runtime.GOARCH.
type Arch string

const (
	AMD64 Arch = "amd64"
	ARM64 Arch = "arm64"
)

// Class says what kind of location holds a value.
type Class uint8

const (
	None  Class = iota // no location (a void result)
	Int                // an integer register, by abstract index
	Float              // a floating-point register, by abstract index
	Stack              // a stack slot, by byte offset
)

// Loc is where a value lives on one side of the call.
//
// For Int and Float, Reg is the abstract register index (the n-th integer
// or floating-point argument register of that convention). For Stack, Off
// is the byte offset of the value: on the Go side from the first byte of the
// caller's stack-assigned argument area, on the C side from SP at the call
// instruction.
type Loc struct {
	Class Class
	Reg   int
	Off   int
}

func (l Loc) String() string {
	switch l.Class {
	case None:
		return "-"
	case Int:
		return fmt.Sprintf("I%d", l.Reg)
	case Float:
		return fmt.Sprintf("F%d", l.Reg)
	case Stack:
		return fmt.Sprintf("S+%d", l.Off)
	}
	panic(fmt.Sprintf("abi: BUG: bad location class %d", l.Class))
}

// Ext is the extension applied to an integer value as it crosses the call:
// on an argument before the C call, on the result after it.
type Ext uint8

const (
	NoExt  Ext = iota
	Sext8      // sign-extend the low 8 bits
	Zext8      // zero-extend the low 8 bits (also bool, which is 0 or 1)
	Sext16     // sign-extend the low 16 bits
	Zext16     // zero-extend the low 16 bits
	Sext32     // sign-extend the low 32 bits
	Zext32     // zero-extend the low 32 bits
)

var extNames = [...]string{"", "sext8", "zext8", "sext16", "zext16", "sext32", "zext32"}

func (e Ext) String() string { return extNames[e] }

// GoParam says how the Go side passes a parameter whose C type is ptr (or
// a scalar): as one word, or as a slice header whose data pointer is what
// C receives.
type GoParam uint8

const (
	GoScalar  GoParam = iota // one register or stack slot of the kind's size
	GoSlice                  // a []T: three words (data, len, cap); C gets data
	GoPointer                // a Go pointer (unsafe.Pointer, *T): one word the collector must see
	GoDeref                  // a pointer to a word C receives (0 for nil): a *jitffi.Callback
	GoString                 // a Go string: two words (data, len); C gets a NUL-terminated copy
)

// Arg is the plan of one parameter.
type Arg struct {
	Kind sig.Kind
	GoAs GoParam
	Go   Loc // for a slice: the location of its data pointer
	C    Loc
	Ext  Ext // applied on the way into C

	// Promote marks an f32 passed as a variadic argument: C's default
	// argument promotions pass it as a double, so it is converted
	// (CVTSS2SD, FCVT) on the way into C. The C location then holds 8 bytes.
	Promote bool

	// Struct is the plan of a struct by value (Kind sig.Struct), nil
	// for scalars; see Struct for what Go and C mean then.
	Struct *Struct
}

// Result is the plan of the result.
type Result struct {
	Kind sig.Kind
	C    Loc // where C leaves it
	Go   Loc // where the Go caller expects it
	Norm Ext // applied to the C result before it is handed to Go

	Struct *Struct // a struct result (Kind sig.Struct), else nil

	// String marks a ptr result the Go side receives as a string (see
	// Feature StringResult): Go holds it in two integer registers from
	// Go.Reg, the C string copied.
	String bool
}

// Plan is the complete assignment of one signature on one architecture.
type Plan struct {
	Arch   Arch
	Sig    *sig.Signature
	Args   []Arg
	Result Result

	// GoStack is the size in bytes of the caller's stack-assigned argument
	// area on the Go side (pointer-aligned). CStack is the number of bytes
	// of C stack arguments (a multiple of 8, not yet rounded to 16).
	GoStack int
	CStack  int

	// Variadic and Fixed copy the signature's: Args[Fixed:] are variadic
	// arguments, which get C's default argument promotions (see
	// Arg.Promote; narrow integers are extended to 32 bits like every
	// argument).
	Variadic bool
	Fixed    int

	// VecRegs is the number of vector registers holding C arguments
	// (0..8). A variadic callee on x86-64 reads it from AL.
	VecRegs int

	// Errno asks for C's errno to be captured right after the call, on
	// the calling thread, and handed to Go as a trailing error result whose
	// two words (an interface) live in Go integer registers ErrGo and
	// ErrGo+1 (see Feature CaptureErrno).
	Errno bool
	ErrGo Loc
}

// Feature is an input of New beyond the signature: something the call does
// around the C function that changes the plan.
type Feature uint8

const (
	// CaptureErrno captures C's errno right after the call and hands it to
	// Go as a trailing error result. In Go's ABI it follows the C result:
	// two integer registers after an integer result, the first two after
	// a float or void result, after a struct result's registers or, when
	// they do not fit, on the stack.
	CaptureErrno Feature = 1 << iota

	// StringResult hands a ptr result (a C char *) to Go as a string, a
	// copy of the bytes up to the NUL ("" for NULL): two Go integer
	// registers, data and length.
	StringResult
)

func (p *Plan) setErrno() {
	p.Errno = true
	p.ErrGo = Loc{Class: Int}
	if p.Result.Go.Class == Int {
		p.ErrGo.Reg = p.Result.Go.Reg + 1
		if p.Result.String {
			p.ErrGo.Reg++
		}
	}
	if p.Result.Struct != nil {
		p.ErrGo = p.structErrGo()
	}
}

// conv is one side's convention: how many argument registers of each class
// it has and how it lays out stack arguments.
type conv struct {
	name        string
	ints, flts  int
	intNames    []string
	fltNames    []string
	intResult   string
	fltResult   string
	cStackSlots bool // C conventions: every stack argument takes an 8-byte slot
}

type arch struct {
	goConv, cConv conv
	// extendArgs says which narrow arguments the caller must extend.
	// Both conventions planned here extend i8/u8/i16/u16/bool to 32 bits
	// (System V: clang relies on it; AAPCS64 on Linux does not require it,
	// but it is harmless and Apple's variant does).
}

func archOf(a Arch) (*arch, error) {
	switch a {
	case AMD64:
		return &amd64Arch, nil
	case ARM64:
		return &arm64Arch, nil
	}
	return nil, fmt.Errorf("abi: unsupported architecture %q", a)
}

// New plans s for arch. goParams says how the Go side passes each
// parameter; nil means every parameter is a scalar of its kind. features
// are the extras the call carries (CaptureErrno).
func New(a Arch, s *sig.Signature, goParams []GoParam, features ...Feature) (*Plan, error) {
	ar, err := archOf(a)
	if err != nil {
		return nil, err
	}
	if len(s.Params) > sig.MaxParams {
		return nil, fmt.Errorf("abi: %d parameters, more than the limit of %d", len(s.Params), sig.MaxParams)
	}
	fixed := s.NumFixed()
	if fixed < 0 || fixed > len(s.Params) {
		return nil, fmt.Errorf("abi: %d fixed parameters of %d", fixed, len(s.Params))
	}
	if goParams != nil && len(goParams) != len(s.Params) {
		return nil, fmt.Errorf("abi: %d Go parameter shapes for %d parameters", len(goParams), len(s.Params))
	}
	p := &Plan{Arch: a, Sig: s, Args: make([]Arg, len(s.Params)), Variadic: s.Variadic, Fixed: fixed}

	var goSt, cSt state
	var rs *Struct
	if s.Result.Kind == sig.Struct || s.Result.Kind == sig.Array {
		if rs, err = structResult(a, &cSt, s.Result); err != nil {
			return nil, fmt.Errorf("abi: result: %w", err)
		}
	}
	for i, t := range s.Params {
		k := t.Kind
		if k == sig.Void {
			return nil, fmt.Errorf("abi: parameter %d has type void", i)
		}
		as := GoScalar
		if goParams != nil {
			as = goParams[i]
		}
		if as == GoSlice && k != sig.Ptr {
			return nil, fmt.Errorf("abi: parameter %d is a Go slice but its C type is %v, not ptr", i, k)
		}
		if as == GoString && k != sig.Ptr {
			return nil, fmt.Errorf("abi: parameter %d is a Go string but its C type is %v, not ptr", i, k)
		}
		if k == sig.Struct || k == sig.Array {
			if p.Args[i], err = structArg(a, ar, &goSt, &cSt, t); err != nil {
				return nil, fmt.Errorf("abi: parameter %d: %w", i, err)
			}
			continue
		}
		arg := Arg{Kind: k, GoAs: as, Ext: argExt(k), Promote: i >= fixed && k == sig.F32}
		switch as {
		case GoSlice:
			arg.Go = goSt.slice(&ar.goConv)
		case GoString:
			arg.Go = goSt.str(&ar.goConv)
		default:
			arg.Go = goSt.scalar(&ar.goConv, k)
		}
		arg.C = cSt.scalar(&ar.cConv, k)
		p.Args[i] = arg
	}
	// System V and AAPCS64 (Linux) pass variadic arguments in the same
	// registers and stack slots as fixed ones; only the promotions differ.
	p.VecRegs = cSt.flts
	p.GoStack = alignUp(goSt.stack, 8)
	p.CStack = cSt.stack

	rk := s.Result.Kind
	p.Result = Result{Kind: rk, Norm: resultNorm(rk)}
	switch {
	case rk == sig.Void:
	case rs != nil:
		p.Result.Struct = rs
		p.Result.Go = goStructResult(ar, p.GoStack, rs)
	case rk.IsFloat():
		p.Result.C = Loc{Class: Float}
		p.Result.Go = Loc{Class: Float}
	default:
		p.Result.C = Loc{Class: Int}
		p.Result.Go = Loc{Class: Int}
	}
	for _, f := range features {
		if f == StringResult {
			if rk != sig.Ptr {
				return nil, fmt.Errorf("abi: a string result needs C type ptr, not %v", rk)
			}
			p.Result.String = true
		}
	}
	for _, f := range features {
		switch f {
		case StringResult:
		case CaptureErrno:
			p.setErrno()
		default:
			return nil, fmt.Errorf("abi: unknown feature %d", f)
		}
	}
	if f := p.Frame(); f > MaxFrame {
		return nil, fmt.Errorf("abi: the call needs %d bytes of C stack (arguments plus struct copies), more than the limit of %d", f, MaxFrame)
	}
	return p, nil
}

// MaxFrame is the largest C stack frame, in bytes, of a plan New accepts
// (see Frame). Both paths build the frame on the thread's system stack,
// which the runtime check requires to be at least 256 KiB and which is 8
// MiB on a default Linux thread; a larger frame would run past it into
// whatever memory lies below. This is the only place the bound is decided.
const MaxFrame = 64 << 10

// Frame is an upper bound of the bytes of C stack the call needs on either
// path and either architecture: the stack arguments plus a copy of every
// struct argument not already among the stack arguments and of a struct
// result (staging areas, the copies of structs passed by reference and
// hidden result buffers all fit in it).
func (p *Plan) Frame() int {
	n := p.CStack
	for _, a := range p.Args {
		if a.Struct != nil && a.Struct.Pass != InMemory {
			n += alignUp(a.Struct.Size, 8)
		}
	}
	if r := p.Result.Struct; r != nil {
		n += alignUp(r.Size, 8)
	}
	return n
}

// state walks the parameters of one side, handing out registers in order
// and stack space when a class runs out.
type state struct {
	ints, flts int
	stack      int
}

func (st *state) scalar(c *conv, k sig.Kind) Loc {
	if k.IsFloat() {
		if st.flts < c.flts {
			st.flts++
			return Loc{Class: Float, Reg: st.flts - 1}
		}
	} else if st.ints < c.ints {
		st.ints++
		return Loc{Class: Int, Reg: st.ints - 1}
	}
	return st.onStack(c, k.Size(), k.Size())
}

// slice assigns a slice header. Go's register assignment gives a slice
// three consecutive integer registers or none: if fewer than three are
// left, the whole header goes to the stack and the remaining registers stay
// available for later parameters.
func (st *state) slice(c *conv) Loc {
	if st.ints+3 <= c.ints {
		st.ints += 3
		return Loc{Class: Int, Reg: st.ints - 3}
	}
	return st.onStack(c, 24, 8)
}

// str assigns a string header (data, len) as slice does a slice header:
// two consecutive integer registers, or 16 bytes of stack.
func (st *state) str(c *conv) Loc {
	if st.ints+2 <= c.ints {
		st.ints += 2
		return Loc{Class: Int, Reg: st.ints - 2}
	}
	return st.onStack(c, 16, 8)
}

func (st *state) onStack(c *conv, size, align int) Loc {
	if c.cStackSlots {
		// C: each stack argument occupies its own 8-byte slot.
		size, align = 8, 8
	}
	off := alignUp(st.stack, align)
	st.stack = off + size
	return Loc{Class: Stack, Off: off}
}

func alignUp(n, a int) int { return (n + a - 1) &^ (a - 1) }

// argExt extends narrow integers to 32 bits before the C call.
func argExt(k sig.Kind) Ext {
	switch k {
	case sig.I8:
		return Sext8
	case sig.U8, sig.Bool:
		return Zext8
	case sig.I16:
		return Sext16
	case sig.U16:
		return Zext16
	}
	return NoExt
}

// resultNorm normalises a C result to a full register: C leaves the bits
// above a narrow result undefined, and the Go side gets a clean value.
func resultNorm(k sig.Kind) Ext {
	switch k {
	case sig.I32:
		return Sext32
	case sig.U32:
		return Zext32
	}
	return argExt(k)
}

// String is the canonical dump of the plan, used in golden tests, in
// Describe and as the key of the code cache. Register names follow each
// abstract index in parentheses.
func (p *Plan) String() string {
	ar, err := archOf(p.Arch)
	if err != nil {
		panic("abi: BUG: " + err.Error())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", p.Arch, p.Sig)
	for i, a := range p.Args {
		if a.Struct != nil {
			fmt.Fprintf(&b, "arg %d %s\n", i, p.structArgString(ar, a))
			continue
		}
		fmt.Fprintf(&b, "arg %d %v: go %s", i, a.Kind, ar.goConv.locName(a.Go))
		switch a.GoAs {
		case GoSlice:
			b.WriteString(" slice")
		case GoString:
			b.WriteString(" string")
		}
		fmt.Fprintf(&b, " -> c %s", ar.cConv.locName(a.C))
		if a.Ext != NoExt {
			fmt.Fprintf(&b, " %v", a.Ext)
		}
		if a.Promote {
			b.WriteString(" promote")
		}
		b.WriteByte('\n')
	}
	r := p.Result
	if r.Kind == sig.Void {
		b.WriteString("ret void\n")
	} else if r.Struct != nil {
		fmt.Fprintf(&b, "ret %s\n", p.structResultString(ar))
	} else {
		fmt.Fprintf(&b, "ret %v: c %s -> go %s", r.Kind, ar.cConv.resultName(r.C), ar.goConv.locName(r.Go))
		if r.String {
			b.WriteString(" string")
		}
		if r.Norm != NoExt {
			fmt.Fprintf(&b, " %v", r.Norm)
		}
		b.WriteByte('\n')
	}
	if p.Errno {
		fmt.Fprintf(&b, "errno: go %s\n", p.errGoName(ar))
	}
	if p.Variadic {
		fmt.Fprintf(&b, "variadic: fixed %d", p.Fixed)
		if p.Arch == AMD64 {
			fmt.Fprintf(&b, ", AL %d", p.VecRegs)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "stack go %d c %d\n", p.GoStack, p.CStack)
	return b.String()
}

func (c *conv) locName(l Loc) string {
	switch l.Class {
	case Int:
		return fmt.Sprintf("I%d(%s)", l.Reg, c.intNames[l.Reg])
	case Float:
		return fmt.Sprintf("F%d(%s)", l.Reg, c.fltNames[l.Reg])
	}
	return l.String()
}

// resultName names a C result location: C returns values in registers
// that are not (all) argument registers.
func (c *conv) resultName(l Loc) string {
	if l.Class == Float {
		return c.fltResult
	}
	return c.intResult
}

// Key identifies the plan compactly, for caches: the assignment is a
// function of the architecture, the parameter and result kinds, the Go
// shapes and, for a variadic function, the number of fixed parameters
// (which decides the promotions), so plans with equal keys are identical.
func (p *Plan) Key() string {
	b := make([]byte, 0, len(p.Arch)+2+2*len(p.Args))
	b = append(b, p.Arch...)
	b = append(b, ':', byte(p.Result.Kind))
	b = appendStructKey(b, p.Result.Struct)
	if p.Errno {
		b = append(b, 'e')
	}
	if p.Result.String {
		b = append(b, 's')
	}
	if p.Variadic {
		b = append(b, 'v')
		b = binary.AppendUvarint(b, uint64(p.Fixed))
	}
	for _, a := range p.Args {
		as := byte(a.GoAs)
		if a.Promote {
			as |= 0x80
		}
		b = append(b, byte(a.Kind), as)
		b = appendStructKey(b, a.Struct)
	}
	return string(b)
}
