package abifuzz

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"unsafe"

	"github.com/jitffi/jitffi/sig"
)

// MaxCallbackSets is the largest number of argument sets a callback case
// calls its callback with (one bit each in the mask its C function
// returns).
const MaxCallbackSets = 64

// CallbackBufSize is the size in bytes of fz_cbbuf, the C buffer that
// pointer arguments of Go pointer types point into.
const CallbackBufSize = 256

// CallbackCase is one generated callback signature and the C function
// that calls a callback of it.
//
// The C function, uint64_t <Name>(void *fn), calls fn once per argument
// set, in order, with the set's values as C constants, and compares what
// fn returns with the set's result bit for bit. It returns a mask with
// bit k set when set k's result differed, and leaves the result word it
// got for set k in fz_cb_got[k] (floats as their bits, integers extended
// as their C type says; for a struct result, 0 or 1 + the index of the
// first wrong leaf).
//
// Some parameters are passed through a wider C type than the signature
// says (Wide): a narrow integer as a uint64_t whose upper bits are random
// (Dirty), a float as a double whose upper 32 bits are random. The wider
// type takes the same register or stack slot in the C calling
// conventions of linux/amd64 and linux/arm64, so the callee must read the
// narrow value and ignore the rest, as the ABIs allow the caller to leave
// it. A narrow integer result may likewise be read as an int32_t
// (WideResult): the entry must extend it, as clang's callers expect.
type CallbackCase struct {
	Name       string // cb_<seed>_<index>
	Seed       uint64
	Index      int
	Profile    string
	Params     []Scalar
	Result     *Scalar // nil for void
	Wide       []bool  // by parameter: passed through a wider C type
	WideResult bool
	// Structs holds, by parameter, the struct type of a struct parameter
	// (whose Params entry has Kind sig.Struct and the struct's Go type),
	// nil for a scalar; ResultStruct likewise for the result.
	Structs      []*Struct
	ResultStruct *Struct
	Sets         []CallbackSet
	Sig          *sig.Signature
	C            string // the C definition of the function
}

// CallbackSet is one set of argument values and the result the callback
// returns for it.
type CallbackSet struct {
	// Args holds, by parameter, the word the callback must receive, as
	// Bits gives it; for an argument with InBuf set, the byte offset in
	// fz_cbbuf of the address it must receive.
	Args  []uint64
	InBuf []bool
	// Dirty holds, by parameter, the word C passes for a Wide parameter:
	// the low bits are the value, the rest random.
	Dirty []uint64
	// Result is the word of the value the callback returns (Bits).
	Result uint64
	// StructArgs holds, by parameter, the value of a struct parameter
	// (nil for a scalar; Args holds its Bits, a digest); ResultValue is
	// the value of a struct result. C builds a struct argument, and
	// checks a struct result, leaf by leaf from their leaf words.
	StructArgs   []any
	ResultStruct any
}

// Want returns the word the callback must receive as parameter i of set
// k, given the address of fz_cbbuf.
func (c *CallbackCase) Want(k, i int, buf uintptr) uint64 {
	s := &c.Sets[k]
	if s.InBuf[i] {
		return uint64(buf) + s.Args[i]
	}
	return s.Args[i]
}

// ResultValue returns the Go value, of the result's Go type, the callback
// returns for set k (the zero Value for a void case).
func (c *CallbackCase) ResultValue(k int) reflect.Value {
	if c.Result == nil {
		return reflect.Value{}
	}
	if c.ResultStruct != nil {
		return reflect.ValueOf(c.Sets[k].ResultStruct)
	}
	return reflect.ValueOf(c.Result.fromChecksum(c.Sets[k].Result))
}

// FuncType returns the Go func type of the callback.
func (c *CallbackCase) FuncType() reflect.Type {
	in := make([]reflect.Type, len(c.Params))
	for i, p := range c.Params {
		in[i] = p.Go
	}
	var out []reflect.Type
	if c.Result != nil {
		out = []reflect.Type{c.Result.Go}
	}
	return reflect.FuncOf(in, out, false)
}

// Go types a ptr parameter of a callback may have: no slice, since C
// passes no length. A pointer-typed one only ever receives NULL or an
// address inside fz_cbbuf (C memory), never an arbitrary number the
// collector would trip over.
var cbPtrTypes = []reflect.Type{
	reflect.TypeFor[uintptr](),
	reflect.TypeFor[unsafe.Pointer](),
	reflect.TypeFor[*uint64](),
}

// GenerateCallbacks returns n callback cases derived from seed, each with
// sets argument sets (1 to MaxCallbackSets). Case i depends only on seed,
// i and sets.
func GenerateCallbacks(seed uint64, n, sets int) []CallbackCase {
	cases := make([]CallbackCase, n)
	for i := range cases {
		cases[i] = GenerateCallback(seed, i, sets)
	}
	return cases
}

// GenerateCallback returns callback case i of the batches derived from
// seed.
func GenerateCallback(seed uint64, i, sets int) CallbackCase {
	if sets < 1 || sets > MaxCallbackSets {
		panic(fmt.Sprintf("abifuzz: %d argument sets per callback, want 1 to %d", sets, MaxCallbackSets))
	}
	r := rand.New(rand.NewPCG(seed^0xCA11_BAC4, uint64(i)^0x2545_F491_4F6C_DD1D))
	c := CallbackCase{Name: fmt.Sprintf("cb_%d_%d", seed, i), Seed: seed, Index: i}
	prof := profiles[r.IntN(len(profiles))]
	c.Profile = prof.name
	var n int
	switch r.IntN(8) {
	case 0:
		n = r.IntN(4)
	case 1, 2:
		n = MaxParams
	default:
		n = r.IntN(MaxParams + 1)
	}
	c.Sig = &sig.Signature{Result: sig.Type{Kind: sig.Void}}
	// Structs are drawn from a stream of their own, so that the scalar
	// cases of every seed stay what they were before structs existed.
	sg := &structGen{
		r:    rand.New(rand.NewPCG(seed^0xCA11_5712, uint64(i))),
		name: c.Name + "_s", cb: true,
	}
	sg.on = sg.r.IntN(3) == 0
	g := &gen{profile: prof}
	goStack := 0 // a bound of the Go stack the arguments and result need
	for range n {
		if st := cbStructMaybe(sg, g, false, &goStack); st != nil {
			c.Params = append(c.Params, Scalar{Kind: sig.Struct, Go: st.GoType()})
			c.Sig.Params = append(c.Sig.Params, st.Sig())
			c.Wide = append(c.Wide, false)
			c.Structs = append(c.Structs, st)
			continue
		}
		goStack += 24
		c.Structs = append(c.Structs, nil)
		k := prof.kinds[r.IntN(len(prof.kinds))]
		s := Scalar{Kind: k}
		if k == sig.Ptr {
			s.Go = cbPtrTypes[r.IntN(len(cbPtrTypes))]
		} else {
			s.Go = goTypes[k][r.IntN(len(goTypes[k]))]
		}
		c.Params = append(c.Params, s)
		c.Sig.Params = append(c.Sig.Params, s.Sig())
		c.Wide = append(c.Wide, widenable(k) && r.IntN(3) != 0)
	}
	if st := cbStructMaybe(sg, g, true, &goStack); st != nil {
		c.Result = &Scalar{Kind: sig.Struct, Go: st.GoType()}
		c.ResultStruct = st
		c.Sig.Result = st.Sig()
	} else if r.IntN(len(resultKinds)+1) > 0 {
		k := resultKinds[r.IntN(len(resultKinds))]
		res := Scalar{Kind: k, Go: reflect.TypeFor[uintptr]()}
		if k != sig.Ptr {
			res.Go = goTypes[k][r.IntN(len(goTypes[k]))]
		}
		c.Result = &res
		c.Sig.Result = res.Sig()
		c.WideResult = k.Size() < 4 && r.IntN(2) == 0
	}
	for range sets {
		c.Sets = append(c.Sets, c.drawSet(r))
	}
	c.C = c.source()
	return c
}

// cbGoStackMax bounds what the struct parameters and result of a callback
// case may take of Go's stack (the callback frame has 512 bytes for the
// stack-assigned arguments and result), counting each parameter as if it
// were stack-assigned: 24 bytes for a scalar, a struct's size rounded up
// to words.
const cbGoStackMax = 512

// cbStructMaybe draws a struct parameter or result for some slots of the
// cases with structs (as for the fuzzer of trampolines), within
// cbGoStackMax.
func cbStructMaybe(sg *structGen, g *gen, result bool, goStack *int) *Struct {
	st := sg.maybe(g, result)
	if st == nil {
		return nil
	}
	s, ok := st.(*Struct)
	if !ok {
		return nil
	}
	n := (s.Sig().Size() + 7) &^ 7
	if *goStack+n > cbGoStackMax-24 { // room for a scalar result
		return nil
	}
	*goStack += n
	return s
}

// leafWords lists the words (Bits) of the scalar leaves of a struct or
// array value, in declaration order.
func leafWords(v reflect.Value, out *[]uint64) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			leafWords(v.Field(i), out)
		}
	case reflect.Array:
		for i := range v.Len() {
			leafWords(v.Index(i), out)
		}
	default:
		*out = append(*out, Bits(v.Interface()))
	}
}

// leafExprs lists the C lvalues of the scalar leaves of a value of type t
// written expr, with their scalar types.
func leafExprs(t Type, expr string, out *[]string, kinds *[]Scalar) {
	switch t := t.(type) {
	case *Struct:
		for i, f := range t.Fields {
			leafExprs(f, fmt.Sprintf("%s.f%d", expr, i), out, kinds)
		}
	case *Array:
		for i := range t.Len {
			leafExprs(t.Elem, fmt.Sprintf("%s[%d]", expr, i), out, kinds)
		}
	case Scalar:
		*out = append(*out, expr)
		*kinds = append(*kinds, t)
	}
}

// leafWord is the C expression of the word of a scalar leaf, as Bits
// gives it in Go.
func leafWord(s Scalar, expr string) string {
	switch {
	case s.Kind.IsSigned():
		return "(uint64_t)(int64_t)" + expr
	case s.Kind == sig.F32:
		return "fz_f32(" + expr + ")"
	case s.Kind == sig.F64:
		return "fz_f64(" + expr + ")"
	case s.Kind == sig.Ptr:
		return "(uint64_t)(uintptr_t)" + expr
	}
	return "(uint64_t)" + expr
}

// widenable reports whether a parameter of kind k can be passed through a
// wider C type that takes the same register or stack slot.
func widenable(k sig.Kind) bool {
	return k == sig.F32 || !k.IsFloat() && k != sig.Ptr && k.Size() < 8
}

func (c *CallbackCase) drawSet(r *rand.Rand) CallbackSet {
	n := len(c.Params)
	s := CallbackSet{Args: make([]uint64, n), InBuf: make([]bool, n), Dirty: make([]uint64, n), StructArgs: make([]any, n)}
	for i, p := range c.Params {
		if st := c.structOf(i); st != nil {
			s.StructArgs[i] = st.value(r)
			s.Args[i] = Bits(s.StructArgs[i])
			continue
		}
		switch p.Go.Kind() {
		case reflect.UnsafePointer, reflect.Pointer:
			// NULL, or an address in fz_cbbuf (aligned for *uint64).
			if r.IntN(5) != 0 {
				s.InBuf[i] = true
				s.Args[i] = uint64(r.IntN(CallbackBufSize))
				if p.Go.Kind() == reflect.Pointer {
					s.Args[i] &^= 7
				}
			}
		default:
			s.Args[i] = Bits(p.value(r))
		}
		if c.Wide[i] {
			bits := 8 * p.Kind.Size()
			if p.Kind == sig.Bool {
				bits = 8 // only bit 0 is the value; bits 1 to 7 are zero
			}
			mask := uint64(1)<<bits - 1
			s.Dirty[i] = r.Uint64()&^mask | s.Args[i]&mask
		}
	}
	switch {
	case c.ResultStruct != nil:
		s.ResultStruct = c.ResultStruct.value(r)
		s.Result = Bits(s.ResultStruct)
	case c.Result != nil:
		s.Result = Bits(c.Result.value(r))
	}
	return s
}

// cWide is the C type a Wide parameter of kind k is passed as.
func cWide(k sig.Kind) string {
	if k == sig.F32 {
		return "double"
	}
	return "uint64_t"
}

// argExpr returns the C expression, of type s.CType() (or of the wide
// type), of a parameter whose word is w, a uint64_t of the set's table.
// For a Go pointer type the word is 0 for NULL and otherwise one more
// than the offset in fz_cbbuf.
func argExpr(s Scalar, w string, wide bool) string {
	switch {
	case wide && s.Kind == sig.F32:
		return "fz_bits_f64(" + w + ")"
	case wide:
		return w
	case s.Kind == sig.Ptr && s.Go.Kind() != reflect.Uintptr:
		return "(" + w + " ? (void *)((unsigned char *)fz_cbbuf + " + w + " - 1) : NULL)"
	}
	switch s.Kind {
	case sig.F32:
		return "fz_bits_f32((uint32_t)" + w + ")"
	case sig.F64:
		return "fz_bits_f64(" + w + ")"
	case sig.Ptr:
		return "(void *)(uintptr_t)" + w
	}
	return "(" + s.CType() + ")" + w
}

// structOf is the struct type of parameter i, nil for a scalar.
func (c *CallbackCase) structOf(i int) *Struct {
	if i < len(c.Structs) {
		return c.Structs[i]
	}
	return nil
}

// source returns the C definition of the case: a table with a row of
// words for each set, the words of the arguments as C passes them and
// last the word of the expected result, and a loop calling the callback
// with each row.
func (c *CallbackCase) source() string {
	var b strings.Builder
	fmt.Fprintf(&b, "/* %s: %s */\n", c.Name, c.Sig)
	var defs []string
	for _, st := range append(c.Structs[:len(c.Structs):len(c.Structs)], c.ResultStruct) {
		if st != nil {
			st.typedefs(&defs)
		}
	}
	for _, d := range defs {
		b.WriteString(d + "\n")
	}
	ret := "void"
	switch {
	case c.ResultStruct != nil:
		ret = c.ResultStruct.Name
	case c.Result != nil:
		ret = c.Result.CType()
		if c.WideResult {
			ret = "int32_t"
		}
	}
	// The leaves of the struct arguments and result follow the words of
	// the parameters and the result in each row.
	n := len(c.Params)
	argLeaves := make([][]string, n)
	argKinds := make([][]Scalar, n)
	extra := 0
	for i := range c.Params {
		if st := c.structOf(i); st != nil {
			leafExprs(st, fmt.Sprintf("a%d", i), &argLeaves[i], &argKinds[i])
			extra += len(argLeaves[i])
		}
	}
	var resLeaves []string
	var resKinds []Scalar
	if c.ResultStruct != nil {
		leafExprs(c.ResultStruct, "r", &resLeaves, &resKinds)
	}
	fmt.Fprintf(&b, "typedef %s (*%s_t)(", ret, c.Name)
	if len(c.Params) == 0 {
		b.WriteString("void")
	}
	for i, p := range c.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		switch {
		case c.structOf(i) != nil:
			b.WriteString(c.structOf(i).Name)
		case c.Wide[i]:
			b.WriteString(cWide(p.Kind))
		default:
			b.WriteString(p.CType())
		}
	}
	b.WriteString(");\n")
	fmt.Fprintf(&b, "static const uint64_t %s_sets[%d][%d] = {\n", c.Name, len(c.Sets), n+1+extra+len(resLeaves))
	for k := range c.Sets {
		s := &c.Sets[k]
		b.WriteString("\t{")
		for i := range c.Params {
			w := s.Args[i]
			switch {
			case c.Wide[i]:
				w = s.Dirty[i]
			case s.InBuf[i]:
				w++
			}
			fmt.Fprintf(&b, "0x%XULL, ", w)
		}
		// Bits is already the 64-bit extension of an integer as its C
		// type says, which is also what a WideResult read gives; an f32
		// result is compared as its 32 bits.
		w := s.Result
		if c.Result != nil && c.Result.Kind == sig.F32 {
			w = uint64(uint32(w))
		}
		fmt.Fprintf(&b, "0x%XULL", w)
		var leaves []uint64
		for i := range c.Params {
			if c.structOf(i) != nil {
				leafWords(reflect.ValueOf(s.StructArgs[i]), &leaves)
			}
		}
		if c.ResultStruct != nil {
			leafWords(reflect.ValueOf(s.ResultStruct), &leaves)
		}
		for _, w := range leaves {
			fmt.Fprintf(&b, ", 0x%XULL", w)
		}
		b.WriteString("},\n")
	}
	b.WriteString("};\n")
	fmt.Fprintf(&b, "uint64_t %s(void *p)\n{\n\t%s_t fn = (%s_t)p;\n\tuint64_t m = 0;\n", c.Name, c.Name, c.Name)
	fmt.Fprintf(&b, "\tfor (int k = 0; k < %d; k++) {\n\t\tconst uint64_t *s = %s_sets[k];\n\t\t(void)s;\n", len(c.Sets), c.Name)
	at := n + 1
	for i := range c.Params {
		st := c.structOf(i)
		if st == nil {
			continue
		}
		fmt.Fprintf(&b, "\t\t%s a%d;\n\t\tmemset(&a%d, 0, sizeof a%d);\n", st.Name, i, i, i)
		for j, l := range argLeaves[i] {
			fmt.Fprintf(&b, "\t\t%s = %s;\n", l, argExpr(argKinds[i][j], fmt.Sprintf("s[%d]", at), false))
			at++
		}
	}
	b.WriteString("\t\t")
	if c.Result != nil {
		fmt.Fprintf(&b, "%s r = ", ret)
	}
	b.WriteString("fn(")
	for i, p := range c.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		if c.structOf(i) != nil {
			fmt.Fprintf(&b, "a%d", i)
			continue
		}
		b.WriteString(argExpr(p, fmt.Sprintf("s[%d]", i), c.Wide[i]))
	}
	b.WriteString(");\n")
	if c.ResultStruct != nil {
		// fz_cb_got[k] is 0, or 1 + the index of the first wrong leaf.
		b.WriteString("\t\tuint64_t bad = 0;\n")
		for j, l := range resLeaves {
			fmt.Fprintf(&b, "\t\tif (!bad && %s != s[%d])\n\t\t\tbad = %d;\n", leafWord(resKinds[j], l), at, j+1)
			at++
		}
		b.WriteString("\t\tfz_cb_got[k] = bad;\n\t\tif (bad)\n\t\t\tm |= 1ULL << k;\n")
	} else if c.Result != nil {
		var got string
		switch res := *c.Result; {
		case c.WideResult || res.Kind.IsSigned():
			got = "(uint64_t)(int64_t)r"
		case res.Kind == sig.F32:
			got = "fz_f32(r)"
		case res.Kind == sig.F64:
			got = "fz_f64(r)"
		case res.Kind == sig.Ptr:
			got = "(uint64_t)(uintptr_t)r"
		default:
			got = "(uint64_t)r"
		}
		fmt.Fprintf(&b, "\t\tfz_cb_got[k] = %s;\n\t\tif (fz_cb_got[k] != s[%d])\n\t\t\tm |= 1ULL << k;\n", got, n)
	}
	b.WriteString("\t}\n\treturn m;\n}\n")
	return b.String()
}

// callbackPrelude starts every generated callback file.
const callbackPrelude = `/* Generated by abifuzz. Each cb_* function calls the callback it is given
   with constant argument sets and returns a mask of the sets whose result
   differed from the expected one. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t fz_f32(float x) { uint32_t b; memcpy(&b, &x, sizeof b); return b; }
static inline uint64_t fz_f64(double x) { uint64_t b; memcpy(&b, &x, sizeof b); return b; }
static inline float fz_bits_f32(uint32_t b) { float x; memcpy(&x, &b, sizeof x); return x; }
static inline double fz_bits_f64(uint64_t b) { double x; memcpy(&x, &b, sizeof x); return x; }

/* Pointer arguments of Go pointer types point in here. */
uint64_t fz_cbbuf[%d];
/* The result word each set got, for failure reports. */
uint64_t fz_cb_got[%d];
`

// CallbackSource returns one C file defining the functions of cases and
// the arrays fz_cbbuf and fz_cb_got.
func CallbackSource(cases []CallbackCase) string {
	var b strings.Builder
	fmt.Fprintf(&b, callbackPrelude, CallbackBufSize/8, MaxCallbackSets)
	for i := range cases {
		b.WriteByte('\n')
		b.WriteString(cases[i].C)
	}
	return b.String()
}

// CallbackCompileFlags are the flags the generated callback file is
// compiled with: -O1, since the calls load their arguments from tables
// whatever the level, and -O2 only doubles the time to compile.
var CallbackCompileFlags = []string{"-O1", "-fPIC", "-shared", "-Wall", "-Werror"}

// BuildCallbacks writes CallbackSource(cases) to dir/name.c and compiles
// it into dir/lib<name>.so, as Build does.
func BuildCallbacks(dir, name string, cases []CallbackCase) (string, error) {
	return build(dir, name, CallbackSource(cases), CallbackCompileFlags)
}
