package sig

import (
	"fmt"
	"strings"
)

// Kind is a scalar C type as the calling convention sees it.
type Kind uint8

// The kinds. Signed and unsigned integers are distinct because callers must
// sign- or zero-extend them; isize, usize and ptr are distinct from i64 and
// u64 to keep the user's intent in the IR even though LP64 passes them alike.
const (
	Void Kind = iota
	Bool
	I8
	U8
	I16
	U16
	I32
	U32
	I64
	U64
	Isize
	Usize
	F32
	F64
	Ptr
	Struct // a struct by value: Type.Fields
	Array  // a fixed-size array, only as a struct field: Type.Elem, Type.Len
)

// MaxParams is the largest number of parameters a Signature may have.
const MaxParams = 255

// MaxStructSize is the largest size, in bytes, of a struct type that Parse
// accepts.
const MaxStructSize = 64 << 10

// MaxLen is the longest signature text, in bytes, that Parse accepts.
const MaxLen = 64 << 10

var kindNames = [...]string{
	Void:   "void",
	Bool:   "bool",
	I8:     "i8",
	U8:     "u8",
	I16:    "i16",
	U16:    "u16",
	I32:    "i32",
	U32:    "u32",
	I64:    "i64",
	U64:    "u64",
	Isize:  "isize",
	Usize:  "usize",
	F32:    "f32",
	F64:    "f64",
	Ptr:    "ptr",
	Struct: "struct",
	Array:  "array",
}

// String returns the canonical name of k, the one Parse accepts and
// Signature.String prints.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Size returns the size of k in bytes on LP64 targets; 0 for void, and for
// Struct and Array, whose size is that of their Type (see Type.Size).
func (k Kind) Size() int {
	switch k {
	case Bool, I8, U8:
		return 1
	case I16, U16:
		return 2
	case I32, U32, F32:
		return 4
	case I64, U64, Isize, Usize, F64, Ptr:
		return 8
	}
	return 0
}

// IsInt reports whether k is an integer type. Bool and Ptr are not: they have
// their own rules for widening and for which registers they travel in.
func (k Kind) IsInt() bool {
	return k >= I8 && k <= Usize
}

// IsSigned reports whether k is a signed integer type, which callers must
// sign-extend rather than zero-extend.
func (k Kind) IsSigned() bool {
	switch k {
	case I8, I16, I32, I64, Isize:
		return true
	}
	return false
}

// IsFloat reports whether k is a floating-point type.
func (k Kind) IsFloat() bool {
	return k == F32 || k == F64
}

// Type is one parameter, result or struct field type: a scalar Kind, a
// struct (Kind Struct, its fields in Fields) or, only as a struct field, an
// array (Kind Array, Len elements of *Elem). Fields and Elem are nil for
// scalars.
type Type struct {
	Kind   Kind
	Fields []Type // Struct: the fields in order (at least one)
	Elem   *Type  // Array: the element type
	Len    int    // Array: the number of elements (>= 1)
}

// Size returns the size of t in bytes under the C layout rules of LP64
// Linux, on which x86-64 and AArch64 agree: every field at the next offset
// that is a multiple of its alignment, and the struct's size rounded up to a
// multiple of its own alignment, the largest of its fields'. Void is 0.
func (t Type) Size() int {
	switch t.Kind {
	case Struct:
		off, align := 0, 1
		for _, f := range t.Fields {
			a := f.Align()
			off = alignUp(off, a) + f.Size()
			align = max(align, a)
		}
		return alignUp(off, align)
	case Array:
		if t.Elem == nil {
			return 0
		}
		return t.Len * t.Elem.Size()
	}
	return t.Kind.Size()
}

// Align returns the alignment of t in bytes: a scalar's size, the largest
// alignment among a struct's fields, an array's element alignment; 1 for
// void.
func (t Type) Align() int {
	switch t.Kind {
	case Void:
		return 1
	case Struct:
		a := 1
		for _, f := range t.Fields {
			a = max(a, f.Align())
		}
		return a
	case Array:
		if t.Elem == nil {
			return 1
		}
		return t.Elem.Align()
	}
	return t.Kind.Size()
}

// Offsets returns the byte offset of each field of a struct type, nil for
// any other type.
func (t Type) Offsets() []int {
	if t.Kind != Struct {
		return nil
	}
	offs := make([]int, len(t.Fields))
	off := 0
	for i, f := range t.Fields {
		off = alignUp(off, f.Align())
		offs[i] = off
		off += f.Size()
	}
	return offs
}

// IsScalar reports whether t is a single scalar value (not void, a struct
// or an array).
func (t Type) IsScalar() bool {
	return t.Kind != Void && t.Kind != Struct && t.Kind != Array
}

// HasStruct reports whether t is or contains a struct.
func (t Type) HasStruct() bool {
	return t.Kind == Struct || t.Kind == Array && t.Elem != nil && t.Elem.HasStruct()
}

func alignUp(n, a int) int { return (n + a - 1) / a * a }

// String returns the canonical spelling of t: "i32", "{i32, f64}",
// "{f32[3]}", "{i8, {f32, f32}}", "{i32, f32}[2]". An array of arrays is
// written as in C, outermost length first: "i8[2][3]" is two arrays of
// three i8.
func (t Type) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t Type) write(b *strings.Builder) {
	switch t.Kind {
	case Struct:
		b.WriteByte('{')
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			f.write(b)
		}
		b.WriteByte('}')
	case Array:
		base := t
		var dims []int
		for base.Kind == Array && base.Elem != nil {
			dims = append(dims, base.Len)
			base = *base.Elem
		}
		if base.Kind == Array {
			b.WriteString("array") // malformed: no element type
		} else {
			base.write(b)
		}
		for _, n := range dims {
			fmt.Fprintf(b, "[%d]", n)
		}
	default:
		b.WriteString(t.Kind.String())
	}
}

// Signature is a parsed C function type.
//
// A variadic function ("i32(ptr, usize, ptr, ... i32, f64)") is bound for
// one particular list of variadic arguments: Params holds the fixed
// parameters followed by the variadic arguments this binding passes, and
// Fixed says where the variadic ones start.
type Signature struct {
	Name     string // the function's name when the text was a C prototype ("int abs(int)"); "" otherwise. Not part of String.
	Result   Type
	Params   []Type
	Variadic bool // "..." follows the fixed parameters
	Fixed    int  // the number of fixed parameters; Params[Fixed:] are the variadic arguments. Fixed == len(Params) when !Variadic.
}

// NumFixed returns the number of fixed parameters: Fixed for a variadic
// signature, len(Params) otherwise (so that a Signature built by hand
// without Fixed means what it says).
func (s *Signature) NumFixed() int {
	if !s.Variadic {
		return len(s.Params)
	}
	return s.Fixed
}

// HasStruct reports whether the result or any parameter is or contains a
// struct passed by value.
func (s *Signature) HasStruct() bool {
	if s.Result.HasStruct() {
		return true
	}
	for _, p := range s.Params {
		if p.HasStruct() {
			return true
		}
	}
	return false
}

// String returns the canonical form of s, such as "i32(i32, i32)",
// "void()", "i32(ptr, ...)" or "i32(ptr, usize, ptr, ... i32, f64)". Parse
// accepts it and returns an equal Signature, but for Name, which String
// leaves out: it is the type of the function, whatever its name.
func (s *Signature) String() string {
	var b strings.Builder
	s.Result.write(&b)
	b.WriteByte('(')
	fixed := s.NumFixed()
	for i, p := range s.Params {
		switch {
		case s.Variadic && i == fixed && i > 0:
			b.WriteString(", ... ")
		case s.Variadic && i == fixed:
			b.WriteString("... ")
		case i > 0:
			b.WriteString(", ")
		}
		p.write(&b)
	}
	if s.Variadic && fixed >= len(s.Params) {
		if len(s.Params) > 0 {
			b.WriteString(", ")
		}
		b.WriteString("...")
	}
	b.WriteByte(')')
	return b.String()
}
