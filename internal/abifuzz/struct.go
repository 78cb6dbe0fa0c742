package abifuzz

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"unsafe"

	"github.com/jitffi/jitffi/sig"
)

// Limits of generated struct types.
const (
	// MaxStructDepth is the deepest nesting of structs: a struct, a
	// struct field of it, and a struct field of that.
	MaxStructDepth = 3
	// MaxStructSize bounds the size in bytes of a generated struct.
	MaxStructSize = 64
)

// Struct is a struct by value: its fields in order, each a Scalar, an
// Array or a Struct. In C it is a typedef named Name, with fields f0, f1,
// ...; in Go a struct type with fields F0, F1, ... of the fields' Go types.
type Struct struct {
	Name   string
	Fields []Type
	goType reflect.Type
}

// Array is a fixed-size array, only ever a struct field: Len elements of
// Elem. An array of arrays is written as in C, a[2][3].
type Array struct {
	Elem   Type
	Len    int
	goType reflect.Type
}

// NewStruct returns the struct of the given fields named name in C.
func NewStruct(name string, fields ...Type) *Struct {
	sf := make([]reflect.StructField, len(fields))
	for i, f := range fields {
		sf[i] = reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: f.GoType()}
	}
	return &Struct{Name: name, Fields: fields, goType: reflect.StructOf(sf)}
}

// NewArray returns the array of n elements of elem.
func NewArray(elem Type, n int) *Array {
	return &Array{Elem: elem, Len: n, goType: reflect.ArrayOf(n, elem.GoType())}
}

func (s *Struct) Sig() sig.Type {
	t := sig.Type{Kind: sig.Struct}
	for _, f := range s.Fields {
		t.Fields = append(t.Fields, f.Sig())
	}
	return t
}

func (a *Array) Sig() sig.Type {
	e := a.Elem.Sig()
	return sig.Type{Kind: sig.Array, Elem: &e, Len: a.Len}
}

func (s *Struct) CType() string { return s.Name }
func (a *Array) CType() string  { return fieldDecl(a, "") }

func (s *Struct) GoType() reflect.Type { return s.goType }
func (a *Array) GoType() reflect.Type  { return a.goType }

func (s *Struct) String() string { return s.Sig().String() + "/" + s.goType.String() }
func (a *Array) String() string  { return a.Sig().String() + "/" + a.goType.String() }

// fieldDecl declares a field (or, with an empty name, spells the type) in
// C: "int8_t f0[2][3]", "void *f1", "s_1_2_0 f2".
func fieldDecl(t Type, name string) string {
	if a, ok := t.(*Array); ok {
		return fieldDecl(a.Elem, fmt.Sprintf("%s[%d]", name, a.Len))
	}
	ct := t.CType()
	if strings.HasSuffix(ct, "*") || name == "" {
		return ct + name
	}
	return ct + " " + name
}

func (s *Struct) foldC(expr string) string {
	var b strings.Builder
	for i, f := range s.Fields {
		if i > 0 {
			b.WriteString("\n\t")
		}
		b.WriteString(f.foldC(fmt.Sprintf("%s.f%d", expr, i)))
	}
	return b.String()
}

func (a *Array) foldC(expr string) string {
	var b strings.Builder
	for i := range a.Len {
		if i > 0 {
			b.WriteString("\n\t")
		}
		b.WriteString(a.Elem.foldC(fmt.Sprintf("%s[%d]", expr, i)))
	}
	return b.String()
}

func (s *Struct) fold(h uint64, v any) uint64 {
	rv := reflect.ValueOf(v)
	for i, f := range s.Fields {
		h = f.fold(h, rv.Field(i).Interface())
	}
	return h
}

func (a *Array) fold(h uint64, v any) uint64 {
	rv := reflect.ValueOf(v)
	for i := range a.Len {
		h = a.Elem.fold(h, rv.Index(i).Interface())
	}
	return h
}

func (s *Struct) value(r *rand.Rand) any {
	v := reflect.New(s.goType).Elem()
	for i, f := range s.Fields {
		v.Field(i).Set(reflect.ValueOf(f.value(r)))
	}
	return v.Interface()
}

func (a *Array) value(r *rand.Rand) any {
	v := reflect.New(a.goType).Elem()
	for i := range a.Len {
		v.Index(i).Set(reflect.ValueOf(a.Elem.value(r)))
	}
	return v.Interface()
}

// A struct result: every scalar leaf j (0-based, in declaration order)
// is the checksum mixed with j, mix(h, j), converted to the leaf's type
// as a scalar result is.

func (s *Struct) returnC() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s r;\n", s.Name)
	j := 0
	s.assignC(&b, "r", &j)
	b.WriteString("\treturn r;")
	return b.String()
}

func (a *Array) returnC() string { panic("abifuzz: BUG: an array result") }

func (s *Struct) fromChecksum(h uint64) any {
	j := 0
	return s.fromLeaves(h, &j).Interface()
}

func (a *Array) fromChecksum(h uint64) any {
	j := 0
	return a.fromLeaves(h, &j).Interface()
}

// assignC writes C statements assigning leaf j, j+1, ... of the value lhs
// from the checksum h.
func (s *Struct) assignC(b *strings.Builder, lhs string, j *int) {
	for i, f := range s.Fields {
		f.assignC(b, fmt.Sprintf("%s.f%d", lhs, i), j)
	}
}

func (a *Array) assignC(b *strings.Builder, lhs string, j *int) {
	for i := range a.Len {
		a.Elem.assignC(b, fmt.Sprintf("%s[%d]", lhs, i), j)
	}
}

func (s Scalar) assignC(b *strings.Builder, lhs string, j *int) {
	x := fmt.Sprintf("fz_mix(h, %d)", *j)
	var e string
	switch s.Kind {
	case sig.Bool:
		e = "(" + x + " & 1) != 0"
	case sig.F32:
		e = "fz_ret_f32(" + x + ")"
	case sig.F64:
		e = "fz_ret_f64(" + x + ")"
	case sig.Ptr:
		e = "(void *)(uintptr_t)" + x
	default:
		e = "(" + s.CType() + ")" + x
	}
	fmt.Fprintf(b, "\t%s = %s;\n", lhs, e)
	*j++
}

// fromLeaves builds the Go value whose leaves j, j+1, ... come from the
// checksum h.
func (s *Struct) fromLeaves(h uint64, j *int) reflect.Value {
	v := reflect.New(s.goType).Elem()
	for i, f := range s.Fields {
		v.Field(i).Set(f.fromLeaves(h, j))
	}
	return v
}

func (a *Array) fromLeaves(h uint64, j *int) reflect.Value {
	v := reflect.New(a.goType).Elem()
	for i := range a.Len {
		v.Index(i).Set(a.Elem.fromLeaves(h, j))
	}
	return v
}

func (s Scalar) fromLeaves(h uint64, j *int) reflect.Value {
	v := reflect.ValueOf(s.fromChecksum(mix(h, uint64(*j))))
	*j++
	return v
}

// typedefs appends the C definitions of the struct types in t, inner ones
// first.
func (s *Struct) typedefs(out *[]string) {
	var b strings.Builder
	b.WriteString("typedef struct {")
	for i, f := range s.Fields {
		f.typedefs(out)
		fmt.Fprintf(&b, " %s;", fieldDecl(f, fmt.Sprintf("f%d", i)))
	}
	fmt.Fprintf(&b, " } %s;", s.Name)
	*out = append(*out, b.String())
}

func (a *Array) typedefs(out *[]string) { a.Elem.typedefs(out) }
func (s Scalar) typedefs(out *[]string) {}

// digest folds the scalar leaves of a struct or array value into one
// word, for Bits: two values have the same digest when (but for
// collisions) their leaves have the same bits.
func digest(rv reflect.Value) uint64 {
	h := uint64(hashInit)
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		default:
			h = mix(h, Bits(v.Interface()))
		}
	}
	walk(rv)
	return h
}

// Go types of scalar struct fields: those of parameters except slices
// (a C pointer field is one word); in results a ptr is always uintptr.
var fieldGoTypes = map[sig.Kind][]reflect.Type{
	sig.Ptr: {reflect.TypeFor[uintptr](), reflect.TypeFor[unsafe.Pointer](), reflect.TypeFor[*uint64]()},
}

// structGen draws struct types for one case. It has a random stream of its
// own, so that adding structs to the generator left the scalar cases of
// every seed as they were.
type structGen struct {
	r    *rand.Rand
	name string // prefix of the C type names
	n    int    // types named so far
	on   bool   // this case has structs
	cb   bool   // a callback case: ptr fields are uintptr, as in results
}

// maybe replaces a drawn scalar type with a struct in some slots of the
// cases that have structs.
func (sg *structGen) maybe(g *gen, result bool) Type {
	if !sg.on {
		return nil
	}
	if n := sg.r.IntN(6); n >= 2 && !(result && n < 4) {
		return nil // a third of the parameters, two thirds of the results
	}
	return sg.structType(g, result, 1)
}

func (sg *structGen) structType(g *gen, result bool, depth int) *Struct {
	n := 1 + sg.r.IntN(4)
	var fields []Type
	size := 0
	for range n {
		f := sg.field(g, result, depth)
		st := f.Sig()
		off := (size + st.Align() - 1) / st.Align() * st.Align()
		if off+st.Size() > MaxStructSize && len(fields) > 0 {
			break
		}
		fields = append(fields, f)
		size = off + st.Size()
	}
	name := fmt.Sprintf("%s_%d", sg.name, sg.n)
	sg.n++
	return NewStruct(name, fields...)
}

func (sg *structGen) field(g *gen, result bool, depth int) Type {
	var f Type
	if depth < MaxStructDepth && sg.r.IntN(4) == 0 {
		f = sg.structType(g, result, depth+1)
	} else {
		kinds := g.profile.kinds
		if result {
			kinds = resultKinds
		}
		k := kinds[sg.r.IntN(len(kinds))]
		var goT reflect.Type
		switch {
		case k == sig.Ptr && (result || sg.cb):
			goT = reflect.TypeFor[uintptr]()
		case k == sig.Ptr:
			goT = fieldGoTypes[k][sg.r.IntN(len(fieldGoTypes[k]))]
		default:
			goT = goTypes[k][sg.r.IntN(len(goTypes[k]))]
		}
		f = Scalar{Kind: k, Go: goT}
	}
	if sg.r.IntN(5) == 0 {
		f = NewArray(f, 1+sg.r.IntN(4))
		if sg.r.IntN(6) == 0 {
			f = NewArray(f, 1+sg.r.IntN(3))
		}
	}
	if f.Sig().Size() > MaxStructSize {
		return Scalar{Kind: sig.I32, Go: reflect.TypeFor[int32]()}
	}
	return f
}
