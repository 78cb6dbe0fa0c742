package abifuzz

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/jitffi/jitffi/sig"
)

// TestStructCoverage: a batch draws struct parameters and results,
// nested three levels deep, with arrays (of scalars, of structs, of
// arrays), within the limits.
func TestStructCoverage(t *testing.T) {
	cases := Generate(1, 2000)
	var params, results, arrays, arrayOfStructs, arrays2, withStructs int
	depth := 0
	var walk func(tt Type, d int)
	walk = func(tt Type, d int) {
		switch x := tt.(type) {
		case *Struct:
			depth = max(depth, d)
			if n := x.Sig().Size(); n > MaxStructSize {
				t.Fatalf("%v: %d bytes", x, n)
			}
			for _, f := range x.Fields {
				walk(f, d+1)
			}
		case *Array:
			arrays++
			switch x.Elem.(type) {
			case *Struct:
				arrayOfStructs++
			case *Array:
				arrays2++
			}
			walk(x.Elem, d)
		}
	}
	for i := range cases {
		c := &cases[i]
		has := false
		for _, p := range c.Params {
			if _, ok := p.(*Struct); ok {
				params++
				has = true
				walk(p, 1)
			}
		}
		if _, ok := c.Result.(*Struct); ok {
			results++
			has = true
			walk(c.Result, 1)
		}
		if has {
			withStructs++
		}
		if c.Sig.HasStruct() != has {
			t.Fatalf("%s: signature %v", c.Name, c.Sig)
		}
	}
	t.Logf("%d of %d cases with structs: %d struct parameters, %d struct results, %d arrays (%d of structs, %d of arrays), depth %d",
		withStructs, len(cases), params, results, arrays, arrayOfStructs, arrays2, depth)
	if withStructs < len(cases)/8 || withStructs > len(cases)/2 || results == 0 || arrayOfStructs == 0 || arrays2 == 0 || depth != MaxStructDepth {
		t.Errorf("coverage too thin")
	}
}

// TestStructExpect checks struct folding and struct results against the
// formulas written out by hand.
func TestStructExpect(t *testing.T) {
	f32 := Scalar{sig.F32, reflect.TypeFor[float32]()}
	i8 := Scalar{sig.I8, reflect.TypeFor[int8]()}
	u16 := Scalar{sig.U16, reflect.TypeFor[uint16]()}
	inner := NewStruct("s_in", f32, NewArray(u16, 2))
	outer := NewStruct("s_out", i8, NewArray(inner, 2))
	if got := outer.Sig().String(); got != "{i8, {f32, u16[2]}[2]}" {
		t.Fatalf("Sig = %s", got)
	}
	c := Case{Name: "f_0_0", Salt: 7, Params: []Type{outer, i8}, Result: outer}
	v := reflect.New(outer.GoType()).Elem()
	v.Field(0).SetInt(-3)
	for k := range 2 {
		e := v.Field(1).Index(k)
		e.Field(0).SetFloat(float64(k) + 0.5)
		e.Field(1).Index(0).SetUint(uint64(10 * k))
		e.Field(1).Index(1).SetUint(0xFFFF)
	}
	args := []any{v.Interface(), int8(5)}
	h := uint64(0x9E3779B97F4A7C15 ^ 7)
	for _, w := range []uint64{0xFFFFFFFFFFFFFFFD, 0x3F000000, 0, 0xFFFF, 0x3FC00000, 10, 0xFFFF, 5} {
		h = (h ^ w) * 0x100000001B3
	}
	if got := c.Checksum(args); got != h {
		t.Fatalf("Checksum = %#x, want %#x", got, h)
	}
	res := reflect.ValueOf(ExpectValue(&c, args))
	if got, want := res.Field(0).Int(), int64(int8(mix(h, 0))); got != want {
		t.Errorf("leaf 0 = %d, want %d", got, want)
	}
	if got, want := res.Field(1).Index(1).Field(1).Index(1).Uint(), uint64(uint16(mix(h, 6))); got != want {
		t.Errorf("leaf 6 = %d, want %d", got, want)
	}
	src := c.source()
	for _, want := range []string{
		"typedef struct { float f0; uint16_t f1[2]; } s_in;",
		"typedef struct { int8_t f0; s_in f1[2]; } s_out;",
		"s_out f_0_0(s_out a0, int8_t a1)",
		"h = fz_mix(h, (uint64_t)a0.f1[1].f1[0]);",
		"r.f1[1].f1[1] = (uint16_t)fz_mix(h, 6);",
		"return r;",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("source lacks %q:\n%s", want, src)
		}
	}
	if Bits(args[0]) == Bits(res.Interface()) || Bits(args[0]) != Bits(v.Interface()) {
		t.Error("Bits does not tell struct values apart")
	}
	r := rand.New(rand.NewPCG(1, 1))
	if reflect.TypeOf(outer.value(r)) != outer.GoType() {
		t.Error("value has the wrong type")
	}
}
