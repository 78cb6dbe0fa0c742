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
)

// MaxParams is the largest number of parameters a Signature may have.
const MaxParams = 255

// MaxLen is the longest signature text, in bytes, that Parse accepts.
const MaxLen = 64 << 10

var kindNames = [...]string{
	Void:  "void",
	Bool:  "bool",
	I8:    "i8",
	U8:    "u8",
	I16:   "i16",
	U16:   "u16",
	I32:   "i32",
	U32:   "u32",
	I64:   "i64",
	U64:   "u64",
	Isize: "isize",
	Usize: "usize",
	F32:   "f32",
	F64:   "f64",
	Ptr:   "ptr",
}

// String returns the canonical name of k, the one Parse accepts and
// Signature.String prints.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Size returns the size of k in bytes on LP64 targets; 0 for void.
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

// Type is one parameter or result type. Only scalars exist today; the struct
// and array fields are reserved for the issue that adds structs by value.
type Type struct {
	Kind Kind
}

// String returns the canonical spelling of t.
func (t Type) String() string {
	return t.Kind.String()
}

// Signature is a parsed C function type.
type Signature struct {
	Result Type
	Params []Type
}

// String returns the canonical form of s, such as "i32(i32, i32)" or
// "void()". Parse accepts it and returns an equal Signature.
func (s *Signature) String() string {
	var b strings.Builder
	b.WriteString(s.Result.String())
	b.WriteByte('(')
	for i, p := range s.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.String())
	}
	b.WriteByte(')')
	return b.String()
}
