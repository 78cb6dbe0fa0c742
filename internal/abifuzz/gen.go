package abifuzz

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"unsafe"

	"github.com/jitffi/jitffi/sig"
)

// MaxParams is the largest number of parameters a generated case has.
const MaxParams = 24

// Checksum constants; see the package documentation.
const (
	hashInit  = 0x9E3779B97F4A7C15
	hashPrime = 0x100000001B3
)

// mix folds one argument word into the checksum.
func mix(h, w uint64) uint64 { return (h ^ w) * hashPrime }

// Type is a node of a generated C type tree: how the type is written in
// the signature, in C and in Go, how a value of it folds into the
// checksum, how argument values are drawn and how the checksum is returned
// as a value of it. The node kinds are Scalar, Struct and Array (only as a
// struct field); see struct.go.
type Type interface {
	// Sig returns the type in the signature IR.
	Sig() sig.Type
	// CType returns the C spelling of the type.
	CType() string
	// GoType returns the Go type the function is bound with.
	GoType() reflect.Type
	// String describes the type as "<signature type>/<Go type>".
	String() string

	// foldC returns C statements folding the value of expr into h.
	foldC(expr string) string
	// fold folds a Go value of GoType into h exactly as foldC's code
	// folds the corresponding C value.
	fold(h uint64, v any) uint64
	// value draws an argument value of GoType.
	value(r *rand.Rand) any
	// returnC returns C statements returning the checksum h as a value
	// of the type.
	returnC() string
	// fromChecksum returns the Go value a function returning the type
	// gives back for checksum h.
	fromChecksum(h uint64) any

	// assignC writes C statements setting the scalar leaves of lhs, the
	// j-th leaf of a struct result and on, from the checksum h.
	assignC(b *strings.Builder, lhs string, j *int)
	// fromLeaves is the Go value of such leaves.
	fromLeaves(h uint64, j *int) reflect.Value
	// typedefs appends the C definitions of the struct types the type
	// uses, inner ones first.
	typedefs(out *[]string)
}

// Scalar is a scalar type bound to one of the Go types jitffi accepts for
// it.
type Scalar struct {
	Kind sig.Kind
	Go   reflect.Type
}

var cNames = map[sig.Kind]string{
	sig.Bool: "bool", sig.I8: "int8_t", sig.U8: "uint8_t", sig.I16: "int16_t",
	sig.U16: "uint16_t", sig.I32: "int32_t", sig.U32: "uint32_t", sig.I64: "int64_t",
	sig.U64: "uint64_t", sig.Isize: "ptrdiff_t", sig.Usize: "size_t", sig.F32: "float",
	sig.F64: "double", sig.Ptr: "void *",
}

func (s Scalar) Sig() sig.Type        { return sig.Type{Kind: s.Kind} }
func (s Scalar) CType() string        { return cNames[s.Kind] }
func (s Scalar) GoType() reflect.Type { return s.Go }
func (s Scalar) String() string       { return s.Kind.String() + "/" + s.Go.String() }

func (s Scalar) foldC(expr string) string {
	var w string
	switch {
	case s.Kind.IsSigned():
		w = "(uint64_t)(int64_t)" + expr
	case s.Kind == sig.F32:
		w = "fz_f32(" + expr + ")"
	case s.Kind == sig.F64:
		w = "fz_f64(" + expr + ")"
	case s.Kind == sig.Ptr:
		w = "(uint64_t)(uintptr_t)" + expr
	default: // bool, unsigned integers
		w = "(uint64_t)" + expr
	}
	return "h = fz_mix(h, " + w + ");"
}

func (s Scalar) fold(h uint64, v any) uint64 { return mix(h, Bits(v)) }

func (s Scalar) returnC() string {
	switch s.Kind {
	case sig.Bool:
		return "return (h & 1) != 0;"
	case sig.F32:
		return "return fz_ret_f32(h);"
	case sig.F64:
		return "return fz_ret_f64(h);"
	case sig.Ptr:
		return "return (void *)(uintptr_t)h;"
	}
	return "return (" + s.CType() + ")h;"
}

func (s Scalar) fromChecksum(h uint64) any {
	v := reflect.New(s.Go).Elem()
	switch s.Go.Kind() {
	case reflect.Bool:
		v.SetBool(h&1 != 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(truncSigned(h, s.Kind.Size()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(truncUnsigned(h, s.Kind.Size()))
	case reflect.Float32:
		return math.Float32frombits(uint32(h))
	case reflect.Float64:
		return math.Float64frombits(h)
	default:
		panic(fmt.Sprintf("abifuzz: BUG: result of Go type %v", s.Go))
	}
	return v.Interface()
}

// truncSigned is C's conversion of h to a signed integer of size bytes.
func truncSigned(h uint64, size int) int64 {
	sh := 64 - 8*size
	return int64(h<<sh) >> sh
}

// truncUnsigned is C's conversion of h to an unsigned integer of size bytes.
func truncUnsigned(h uint64, size int) uint64 {
	sh := 64 - 8*size
	return h << sh >> sh
}

func (s Scalar) value(r *rand.Rand) any {
	v := reflect.New(s.Go).Elem()
	switch s.Go.Kind() {
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(intValue(r, 8*s.Kind.Size()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uintValue(r, 8*s.Kind.Size()))
	case reflect.Uintptr:
		if s.Kind == sig.Ptr {
			v.SetUint(addressValue(r))
		} else {
			v.SetUint(uintValue(r, 64))
		}
	case reflect.Float32:
		return math.Float32frombits(f32Value(r))
	case reflect.Float64:
		return math.Float64frombits(f64Value(r))
	case reflect.UnsafePointer:
		if r.IntN(5) == 0 {
			return unsafe.Pointer(nil)
		}
		buf := make([]byte, 1+r.IntN(64))
		return unsafe.Pointer(&buf[r.IntN(len(buf))])
	case reflect.Pointer:
		if r.IntN(5) == 0 {
			return reflect.Zero(s.Go).Interface()
		}
		p := reflect.New(s.Go.Elem())
		return p.Interface()
	case reflect.Slice:
		return sliceValue(r, s.Go)
	default:
		panic(fmt.Sprintf("abifuzz: BUG: argument of Go type %v", s.Go))
	}
	return v.Interface()
}

// intValue draws a signed integer of the given width in bits, favouring
// the edges of its range.
func intValue(r *rand.Rand, bits int) int64 {
	lo, hi := int64(-1)<<(bits-1), int64(uint64(1)<<(bits-1)-1)
	switch r.IntN(14) {
	case 0:
		return 0
	case 1:
		return -1
	case 2:
		return 1
	case 3:
		return lo
	case 4:
		return hi
	case 5:
		return lo + 1
	case 6:
		return hi - 1
	case 7:
		return int64(r.IntN(33)) - 16
	case 8:
		p := int64(1) << r.IntN(bits-1)
		if r.IntN(2) == 0 {
			p = -p
		}
		return p
	}
	return int64(r.Uint64()) >> (64 - bits)
}

// uintValue draws an unsigned integer of the given width in bits,
// favouring the edges of its range.
func uintValue(r *rand.Rand, bits int) uint64 {
	hi := ^uint64(0) >> (64 - bits)
	switch r.IntN(12) {
	case 0:
		return 0
	case 1:
		return 1
	case 2:
		return hi
	case 3:
		return hi - 1
	case 4:
		return 1 << (bits - 1)
	case 5:
		return hi >> 1
	case 6:
		return uint64(r.IntN(32))
	case 7:
		return 1 << r.IntN(bits)
	}
	return r.Uint64() >> (64 - bits)
}

// addressValue draws an arbitrary address for a ptr passed as uintptr.
func addressValue(r *rand.Rand) uint64 {
	switch r.IntN(10) {
	case 0:
		return 0
	case 1:
		return ^uint64(0)
	case 2:
		return 1 << 63
	case 3:
		return 0x00007FFFFFFFFFFF // top of the lower canonical half
	case 4:
		return 0xFFFF800000000000 // bottom of the upper canonical half
	case 5:
		return uint64(r.IntN(4096))
	case 6:
		x := new(uint64) // a real Go address, as a plain number
		return uint64(uintptr(unsafe.Pointer(x)))
	}
	return r.Uint64()
}

var f64Edges = []uint64{
	0x0000000000000000, // +0
	0x8000000000000000, // -0
	0x7FF0000000000000, // +Inf
	0xFFF0000000000000, // -Inf
	0x7FF8000000000000, // quiet NaN
	0xFFF8000000000000, // negative quiet NaN
	0x7FF0000000000001, // signalling NaN, smallest payload
	0x7FF4000000000000, // signalling NaN
	0xFFF7FFFFFFFFFFFF, // negative signalling NaN, largest payload
	0x7FFFFFFFFFFFFFFF, // quiet NaN, all payload bits
	0x0000000000000001, // smallest denormal
	0x8000000000000001, // negative smallest denormal
	0x000FFFFFFFFFFFFF, // largest denormal
	0x0010000000000000, // smallest normal
	0x7FEFFFFFFFFFFFFF, // largest finite
	0xFFEFFFFFFFFFFFFF, // most negative finite
	0x3FF0000000000000, // 1
	0xBFF0000000000000, // -1
}

var f32Edges = []uint32{
	0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000,
	0x7F800001, 0x7FA00000, 0xFFBFFFFF, 0x7FFFFFFF, 0x00000001, 0x80000001,
	0x007FFFFF, 0x00800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x3F800000, 0xBF800000,
}

// f64Value draws the bits of a float64, favouring special values.
func f64Value(r *rand.Rand) uint64 {
	sign := uint64(r.IntN(2)) << 63
	switch r.IntN(8) {
	case 0, 1, 2:
		return f64Edges[r.IntN(len(f64Edges))]
	case 3: // NaN with a random payload, quiet or signalling
		m := r.Uint64() & (1<<52 - 1)
		if m == 0 {
			m = 1
		}
		return sign | 0x7FF<<52 | m
	case 4: // denormal
		return sign | r.Uint64()&(1<<52-1)
	case 5:
		return math.Float64bits(r.NormFloat64() * 1000)
	}
	return r.Uint64()
}

// f32Value draws the bits of a float32, favouring special values.
func f32Value(r *rand.Rand) uint32 {
	sign := uint32(r.IntN(2)) << 31
	switch r.IntN(8) {
	case 0, 1, 2:
		return f32Edges[r.IntN(len(f32Edges))]
	case 3:
		m := r.Uint32() & (1<<23 - 1)
		if m == 0 {
			m = 1
		}
		return sign | 0xFF<<23 | m
	case 4:
		return sign | r.Uint32()&(1<<23-1)
	case 5:
		return math.Float32bits(float32(r.NormFloat64() * 1000))
	}
	return r.Uint32()
}

// sliceValue draws a slice of type t: nil, empty (with and without
// capacity, with and without a data pointer) or non-empty, starting
// anywhere in its backing array.
func sliceValue(r *rand.Rand, t reflect.Type) any {
	n := 1 + r.IntN(32)
	buf := reflect.MakeSlice(t, n, n)
	var s reflect.Value
	switch r.IntN(16) {
	case 0, 1:
		s = reflect.Zero(t) // nil
	case 2:
		s = reflect.MakeSlice(t, 0, 0) // empty, not nil
	case 3:
		s = reflect.MakeSlice(t, 0, 1+r.IntN(16)) // empty with capacity
	case 4:
		k := r.IntN(n + 1)
		s = buf.Slice(k, k) // empty, inside a real array
	default:
		s = buf.Slice(r.IntN(n), n)
	}
	return s.Interface()
}

// Bits returns the 64-bit word of an argument or result value as the C
// side sees it: signed integers sign-extended, unsigned integers and bool
// zero-extended, floats their raw bits, pointers their address (NULL for
// nil and for empty slices).
func Bits(v any) uint64 {
	switch x := v.(type) {
	case bool:
		if x {
			return 1
		}
		return 0
	case int8:
		return uint64(int64(x))
	case int16:
		return uint64(int64(x))
	case int32:
		return uint64(int64(x))
	case int64:
		return uint64(x)
	case int:
		return uint64(int64(x))
	case uint8:
		return uint64(x)
	case uint16:
		return uint64(x)
	case uint32:
		return uint64(x)
	case uint64:
		return x
	case uint:
		return uint64(x)
	case uintptr:
		return uint64(x)
	case float32:
		return uint64(math.Float32bits(x))
	case float64:
		return math.Float64bits(x)
	case unsafe.Pointer:
		return uint64(uintptr(x))
	case string:
		// C sees a copy, not the address: a digest of what it reads.
		return foldStr(hashInit, x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Struct, reflect.Array:
		// A struct: a digest of the words of its scalar leaves.
		return digest(rv)
	case reflect.Pointer:
		return uint64(uintptr(rv.UnsafePointer()))
	case reflect.Slice:
		if rv.Len() == 0 {
			return 0
		}
		return uint64(uintptr(rv.UnsafePointer()))
	}
	panic(fmt.Sprintf("abifuzz: BUG: value of type %T", v))
}

// Format describes a value for a failure report: its Go type and value
// (for pointers and slices, their address; Bits gives the raw bits).
func Format(v any) string {
	switch x := v.(type) {
	case unsafe.Pointer:
		return fmt.Sprintf("unsafe.Pointer(%#x)", uintptr(x))
	case uintptr:
		return fmt.Sprintf("uintptr(%#x)", x)
	case bool:
		return fmt.Sprintf("%v", x)
	case string:
		return formatStr(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		return fmt.Sprintf("(%v)(%#x)", rv.Type(), uintptr(rv.UnsafePointer()))
	case reflect.Slice:
		if rv.IsNil() {
			return fmt.Sprintf("%v(nil)", rv.Type())
		}
		return fmt.Sprintf("%v(len %d, cap %d, data %#x)", rv.Type(), rv.Len(), rv.Cap(), uintptr(rv.UnsafePointer()))
	case reflect.Struct, reflect.Array:
		return fmt.Sprintf("%v%+v", rv.Type(), v)
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// Case is one generated C function.
type Case struct {
	Name    string // f_<seed>_<index>
	Seed    uint64
	Index   int
	Profile string // which kinds the parameters favour
	Salt    uint64 // folded into the initial checksum
	Params  []Type
	Result  Type // nil for void
	Sig     *sig.Signature
	C       string // the C definition of the function
}

// FuncType returns the Go func type the case is bound with.
func (c *Case) FuncType() reflect.Type {
	in := make([]reflect.Type, len(c.Params))
	for i, p := range c.Params {
		in[i] = p.GoType()
	}
	var out []reflect.Type
	if c.Result != nil {
		out = []reflect.Type{c.Result.GoType()}
	}
	return reflect.FuncOf(in, out, false)
}

// Args draws one set of argument values, each of the exact Go type of its
// parameter. Pointers are either arbitrary numbers in uintptr parameters
// or real Go memory (unsafe.Pointer, *T, []T), which the returned slice
// keeps alive.
func (c *Case) Args(r *rand.Rand) []any {
	args := make([]any, len(c.Params))
	for i, p := range c.Params {
		args[i] = p.value(r)
	}
	return args
}

// Checksum returns the checksum the C function computes for args.
func (c *Case) Checksum(args []any) uint64 {
	if len(args) != len(c.Params) {
		panic(fmt.Sprintf("abifuzz: %s takes %d arguments, got %d", c.Name, len(c.Params), len(args)))
	}
	h := uint64(hashInit) ^ c.Salt
	for i, p := range c.Params {
		h = p.fold(h, args[i])
	}
	return h
}

// ExpectValue returns the Go value the function returns for args: a value
// of the result's Go type, or for a void function the uint64 it stores in
// fz_last.
func ExpectValue(c *Case, args []any) any {
	h := c.Checksum(args)
	if c.Result == nil {
		return h
	}
	return c.Result.fromChecksum(h)
}

// Expect returns Bits of the value the function returns for args (for a
// void function, the checksum it stores in fz_last).
func Expect(c *Case, args []any) uint64 {
	return Bits(ExpectValue(c, args))
}

// Generate returns n cases derived from seed. Case i depends only on seed
// and i, so a batch is a prefix of every larger batch with the same seed.
func Generate(seed uint64, n int) []Case {
	cases := make([]Case, n)
	for i := range cases {
		cases[i] = GenerateCase(seed, i)
	}
	return cases
}

// GenerateCase returns case i of the batches derived from seed.
func GenerateCase(seed uint64, i int) Case {
	g := &gen{r: rand.New(rand.NewPCG(seed, uint64(i)^0xA076_1D64_78BD_642F))}
	c := Case{
		Name:  fmt.Sprintf("f_%d_%d", seed, i),
		Seed:  seed,
		Index: i,
		Salt:  g.r.Uint64(),
	}
	g.profile = profiles[g.r.IntN(len(profiles))]
	c.Profile = g.profile.name
	g.structs.r = rand.New(rand.NewPCG(seed^0x57_2C7, uint64(i)))
	g.structs.name = fmt.Sprintf("s_%d_%d", seed, i)
	g.structs.on = g.structs.r.IntN(4) == 0
	g.strs = rand.New(rand.NewPCG(seed^0x5791_46, uint64(i)))
	var n int
	switch g.r.IntN(8) {
	case 0:
		n = g.r.IntN(4)
	case 1:
		n = MaxParams
	default:
		n = g.r.IntN(MaxParams + 1)
	}
	c.Sig = &sig.Signature{Result: sig.Type{Kind: sig.Void}}
	for range n {
		t := g.typ(false)
		c.Params = append(c.Params, t)
		c.Sig.Params = append(c.Sig.Params, t.Sig())
	}
	if g.r.IntN(len(resultKinds)+1) > 0 {
		c.Result = g.typ(true)
		c.Sig.Result = c.Result.Sig()
	}
	c.C = c.source()
	return c
}

// gen holds the state of generating one case.
type gen struct {
	r       *rand.Rand
	profile profile
	structs structGen
	strs    *rand.Rand // whether a ptr parameter is a Go string (Str)
}

// A profile weights the scalar kinds of one case, so that some cases run
// out of registers of one class and spill to the stack on both sides.
type profile struct {
	name  string
	kinds []sig.Kind // drawn from uniformly; repeats weight a kind
}

var (
	allKinds    = []sig.Kind{sig.Bool, sig.I8, sig.U8, sig.I16, sig.U16, sig.I32, sig.U32, sig.I64, sig.U64, sig.Isize, sig.Usize, sig.F32, sig.F64, sig.Ptr}
	resultKinds = allKinds
	profiles    = []profile{
		{"mixed", allKinds},
		{"mixed", allKinds},
		{"float", repeat([]sig.Kind{sig.F32, sig.F64}, 10, allKinds)},
		{"int", []sig.Kind{sig.Bool, sig.I8, sig.U8, sig.I16, sig.U16, sig.I32, sig.U32, sig.I64, sig.U64, sig.Isize, sig.Usize, sig.Ptr}},
		{"narrow", repeat([]sig.Kind{sig.Bool, sig.I8, sig.U8, sig.I16, sig.U16}, 4, allKinds)},
		{"ptr", repeat([]sig.Kind{sig.Ptr}, 12, allKinds)},
		{"wide", []sig.Kind{sig.I64, sig.U64, sig.Isize, sig.Usize, sig.F64, sig.Ptr}},
	}
)

// repeat returns n copies of favoured followed by rest.
func repeat(favoured []sig.Kind, n int, rest []sig.Kind) []sig.Kind {
	var out []sig.Kind
	for range n {
		out = append(out, favoured...)
	}
	return append(out, rest...)
}

// Go types a C type may be bound to, as parameters. Results take the same
// types except that a ptr result is always uintptr: the checksum is not an
// address a Go pointer may hold.
var goTypes = map[sig.Kind][]reflect.Type{
	sig.Bool:  {reflect.TypeFor[bool]()},
	sig.I8:    {reflect.TypeFor[int8]()},
	sig.U8:    {reflect.TypeFor[uint8]()},
	sig.I16:   {reflect.TypeFor[int16]()},
	sig.U16:   {reflect.TypeFor[uint16]()},
	sig.I32:   {reflect.TypeFor[int32]()},
	sig.U32:   {reflect.TypeFor[uint32]()},
	sig.I64:   {reflect.TypeFor[int64](), reflect.TypeFor[int]()},
	sig.U64:   {reflect.TypeFor[uint64](), reflect.TypeFor[uint]()},
	sig.Isize: {reflect.TypeFor[int](), reflect.TypeFor[int64]()},
	sig.Usize: {reflect.TypeFor[uintptr](), reflect.TypeFor[uint](), reflect.TypeFor[uint64]()},
	sig.F32:   {reflect.TypeFor[float32]()},
	sig.F64:   {reflect.TypeFor[float64]()},
	sig.Ptr: {
		reflect.TypeFor[uintptr](),
		reflect.TypeFor[unsafe.Pointer](),
		reflect.TypeFor[*uint64](),
		reflect.TypeFor[[]byte](),
		reflect.TypeFor[[]uint32](),
	},
}

// typ draws one type: a scalar, or in a quarter of the cases sometimes a
// struct (drawn from the struct generator's own stream, after the scalar,
// so that the scalar cases are what they were before structs existed).
func (g *gen) typ(result bool) Type {
	var k sig.Kind
	if result {
		k = resultKinds[g.r.IntN(len(resultKinds))]
	} else {
		k = g.profile.kinds[g.r.IntN(len(g.profile.kinds))]
	}
	s := g.scalar(k, result)
	if t := g.structs.maybe(g, result); t != nil {
		return t
	}
	// A third of the ptr parameters are Go strings, decided on a stream
	// of their own, so that the other draws stay what they were.
	if !result && k == sig.Ptr && g.strs.IntN(3) == 0 {
		return Str{}
	}
	return s
}

func (g *gen) scalar(k sig.Kind, result bool) Scalar {
	if result && k == sig.Ptr {
		return Scalar{Kind: k, Go: reflect.TypeFor[uintptr]()}
	}
	choices := goTypes[k]
	return Scalar{Kind: k, Go: choices[g.r.IntN(len(choices))]}
}

// source returns the C definition of the case.
func (c *Case) source() string {
	var b strings.Builder
	fmt.Fprintf(&b, "/* %s: %s */\n", c.Name, c.Sig)
	var defs []string
	for _, p := range c.Params {
		p.typedefs(&defs)
	}
	if c.Result != nil {
		c.Result.typedefs(&defs)
	}
	for _, d := range defs {
		b.WriteString(d + "\n")
	}
	ret := "void"
	if c.Result != nil {
		ret = c.Result.CType()
	}
	fmt.Fprintf(&b, "%s %s(", ret, c.Name)
	if len(c.Params) == 0 {
		b.WriteString("void")
	}
	for i, p := range c.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		ct := p.CType()
		if strings.HasSuffix(ct, "*") {
			fmt.Fprintf(&b, "%sa%d", ct, i)
		} else {
			fmt.Fprintf(&b, "%s a%d", ct, i)
		}
	}
	b.WriteString(")\n{\n")
	fmt.Fprintf(&b, "\tuint64_t h = 0x%016XULL ^ 0x%016XULL;\n", uint64(hashInit), c.Salt)
	for i, p := range c.Params {
		fmt.Fprintf(&b, "\t%s\n", p.foldC(fmt.Sprintf("a%d", i)))
	}
	if c.Result == nil {
		b.WriteString("\tfz_last = h;\n")
	} else {
		fmt.Fprintf(&b, "\t%s\n", c.Result.returnC())
	}
	b.WriteString("}\n")
	return b.String()
}

// prelude starts every generated file: the helpers the functions use and
// the store of void functions with its accessors.
const prelude = `/* Generated by abifuzz. Every function folds its arguments into a
   64-bit checksum: h = (h ^ word(arg)) * 0x100000001B3 for each argument. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t fz_mix(uint64_t h, uint64_t w) { return (h ^ w) * 0x100000001B3ULL; }
static inline uint64_t fz_f32(float x) { uint32_t b; memcpy(&b, &x, sizeof b); return b; }
static inline uint64_t fz_f64(double x) { uint64_t b; memcpy(&b, &x, sizeof b); return b; }
static inline float fz_ret_f32(uint64_t h) { uint32_t b = (uint32_t)h; float x; memcpy(&x, &b, sizeof x); return x; }
static inline double fz_ret_f64(uint64_t h) { double x; memcpy(&x, &h, sizeof x); return x; }
static inline uint64_t fz_str(uint64_t h, const char *s)
{
	size_t n = strlen(s);
	h = fz_mix(h, n);
	for (size_t i = 0; i < n; i++)
		h = fz_mix(h, (unsigned char)s[i]);
	return h;
}

/* Void functions leave their checksum here. */
uint64_t fz_last;
uint64_t fz_get_last(void) { return fz_last; }
void fz_set_last(uint64_t v) { fz_last = v; }
`

// Source returns one C file defining the functions of cases, together
// with uint64_t fz_get_last(void) and void fz_set_last(uint64_t).
func Source(cases []Case) string {
	var b strings.Builder
	b.WriteString(prelude)
	for i := range cases {
		b.WriteByte('\n')
		b.WriteString(cases[i].C)
	}
	return b.String()
}

// CompileFlags are the flags the generated file is compiled with.
var CompileFlags = []string{"-O2", "-fPIC", "-shared", "-Wall", "-Werror"}

// Build writes Source(cases) to dir/name.c and compiles it into the shared
// library dir/lib<name>.so, whose path it returns. The compiler is cc, or
// $CC split into words (the words after the first are leading arguments,
// so cross compilers and wrappers work). On failure the error holds the
// command line and the compiler's output.
func Build(dir, name string, cases []Case) (string, error) {
	return build(dir, name, Source(cases), CompileFlags)
}

func build(dir, name, source string, flags []string) (string, error) {
	src := filepath.Join(dir, name+".c")
	if err := os.WriteFile(src, []byte(source), 0o644); err != nil {
		return "", fmt.Errorf("abifuzz: %w", err)
	}
	out := filepath.Join(dir, "lib"+name+".so")
	cc := strings.Fields(os.Getenv("CC"))
	if len(cc) == 0 {
		cc = []string{"cc"}
	}
	args := append(append(append([]string{}, cc[1:]...), flags...), "-o", out, src)
	cmd := exec.Command(cc[0], args...)
	cmd.Dir = dir
	if output, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("abifuzz: %s: %w\n%s", strings.Join(append(cc[:1:1], args...), " "), err, output)
	}
	return out, nil
}
