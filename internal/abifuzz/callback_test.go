package abifuzz

import (
	"math"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/jitffi/jitffi/sig"
)

func TestCallbackDeterministic(t *testing.T) {
	a, b := GenerateCallbacks(42, 50, 4), GenerateCallbacks(42, 80, 4)
	for i := range a {
		if a[i].C != b[i].C || a[i].FuncType() != b[i].FuncType() {
			t.Fatalf("case %d differs between batches of 50 and 80:\n%s\n%s", i, a[i].C, b[i].C)
		}
	}
	if CallbackSource(a) == CallbackSource(GenerateCallbacks(43, 50, 4)) {
		t.Fatal("seeds 42 and 43 give the same source")
	}
	if GenerateCallback(42, 7, 4).C != a[7].C {
		t.Fatal("GenerateCallback differs from GenerateCallbacks")
	}
}

// TestCallbackCoverage checks that a batch has what the callback fuzzer
// is for: every scalar kind and every Go type a callback accepts, wide
// parameters of every narrow kind with dirty upper bits, pointers into
// fz_cbbuf and NULL, special float values, enough parameters to spill on
// both sides, and every result kind, read wide where narrow.
func TestCallbackCoverage(t *testing.T) {
	cases := GenerateCallbacks(1, 2000, 4)
	types, wide, results := map[string]bool{}, map[sig.Kind]bool{}, map[string]bool{}
	var void, zero, max, wideResults, inBuf, null, structArgs, structResults int
	f64s := map[uint64]bool{}
	for i := range cases {
		c := &cases[i]
		if c.Name != "cb_1_"+itoa(i) {
			t.Fatalf("case %d is named %s", i, c.Name)
		}
		s, err := sig.Parse(c.Sig.String())
		if err != nil || s.String() != c.Sig.String() {
			t.Fatalf("%s: %q does not parse back: %v", c.Name, c.Sig, err)
		}
		if len(c.Sets) != 4 || len(c.Wide) != len(c.Params) {
			t.Fatalf("%s: %d sets, %d wide flags for %d parameters", c.Name, len(c.Sets), len(c.Wide), len(c.Params))
		}
		switch len(c.Params) {
		case 0:
			zero++
		case MaxParams:
			max++
		}
		for j, p := range c.Params {
			if p.Go.Kind() == reflect.Slice {
				t.Fatalf("%s: parameter %d is a slice", c.Name, j)
			}
			if st := c.Structs[j]; st != nil {
				structArgs++
				if p.Kind != sig.Struct || p.Go != st.GoType() || c.Wide[j] {
					t.Fatalf("%s: struct parameter %d is %v, wide %v", c.Name, j, p, c.Wide[j])
				}
				for k := range c.Sets {
					if v := c.Sets[k].StructArgs[j]; reflect.TypeOf(v) != p.Go || Bits(v) != c.Sets[k].Args[j] {
						t.Fatalf("%s: set %d: struct argument %d is %s, not of the word %#x", c.Name, k, j, Format(v), c.Sets[k].Args[j])
					}
				}
				continue
			}
			types[p.String()] = true
			if c.Wide[j] {
				wide[p.Kind] = true
			}
			for k := range c.Sets {
				set := &c.Sets[k]
				w := set.Args[j]
				switch {
				case set.InBuf[j]:
					inBuf++
					if w >= CallbackBufSize || p.Go.Kind() == reflect.Pointer && w%8 != 0 {
						t.Fatalf("%s: parameter %d/%v points at offset %d of fz_cbbuf", c.Name, j, p.Go, w)
					}
				case p.Go.Kind() == reflect.Pointer || p.Go.Kind() == reflect.UnsafePointer:
					if w != 0 {
						t.Fatalf("%s: parameter %d/%v is %#x, neither NULL nor in fz_cbbuf", c.Name, j, p.Go, w)
					}
					null++
				}
				if p.Kind == sig.F64 {
					f64s[w] = true
				}
				if !c.Wide[j] {
					continue
				}
				bits := 8 * p.Kind.Size()
				if p.Kind == sig.Bool {
					bits = 8
				}
				if mask := uint64(1)<<bits - 1; set.Dirty[j]&mask != w&mask {
					t.Fatalf("%s: parameter %d: dirty word %#x does not carry the value %#x", c.Name, j, set.Dirty[j], w)
				}
			}
		}
		if c.Result == nil {
			void++
			continue
		}
		for k := range c.Sets {
			v := c.ResultValue(k)
			if v.Type() != c.Result.Go || Bits(v.Interface()) != c.Sets[k].Result {
				t.Fatalf("%s: set %d: result value %s is not the word %#x", c.Name, k, Format(v.Interface()), c.Sets[k].Result)
			}
		}
		if c.ResultStruct != nil {
			structResults++
			if c.WideResult || c.Result.Kind != sig.Struct {
				t.Fatalf("%s: struct result %v, wide %v", c.Name, c.Result, c.WideResult)
			}
			continue
		}
		results[c.Result.String()] = true
		if c.WideResult {
			wideResults++
			if c.Result.Kind.Size() >= 4 {
				t.Fatalf("%s: a %v result read wide", c.Name, c.Result.Kind)
			}
		}
	}
	var want int
	for k, ts := range goTypes {
		if k == sig.Ptr {
			want += len(cbPtrTypes)
		} else {
			want += len(ts)
		}
	}
	if len(types) != want {
		t.Errorf("%d of %d parameter types drawn: %v", len(types), want, types)
	}
	for _, k := range allKinds {
		if widenable(k) != wide[k] {
			t.Errorf("%v: passed wide %v, want %v", k, wide[k], widenable(k))
		}
	}
	if len(results) != want-len(cbPtrTypes)+1 { // ptr results are uintptr
		t.Errorf("%d result types drawn: %v", len(results), results)
	}
	for _, w := range []uint64{0x8000000000000000, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF0000000000001} {
		if !f64s[w] {
			t.Errorf("f64 argument %#x (-0, ±Inf, a signalling NaN) never drawn", w)
		}
	}
	if structArgs < 500 || structResults < 200 {
		t.Errorf("%d struct parameters, %d struct results in %d cases", structArgs, structResults, len(cases))
	}
	if void == 0 || zero == 0 || max == 0 || wideResults == 0 || inBuf == 0 || null == 0 {
		t.Errorf("void results %d, no parameters %d, %d parameters %d, wide results %d, pointers into fz_cbbuf %d, NULL pointers %d",
			void, zero, MaxParams, max, wideResults, inBuf, null)
	}
}

// TestCallbackSource checks the C of a case written out by hand.
func TestCallbackSource(t *testing.T) {
	c := CallbackCase{
		Name: "cb_0_0",
		Params: []Scalar{
			{sig.I8, reflect.TypeFor[int8]()},
			{sig.F32, reflect.TypeFor[float32]()},
			{sig.Ptr, reflect.TypeFor[*uint64]()},
		},
		Result: &Scalar{sig.I16, reflect.TypeFor[int16]()},
		Wide:   []bool{true, false, false},
		Sets: []CallbackSet{{
			Args:   []uint64{0xFFFFFFFFFFFFFF80, uint64(math.Float32bits(float32(math.Inf(-1)))), 16},
			InBuf:  []bool{false, false, true},
			Dirty:  []uint64{0x1234567812345680, 0, 0},
			Result: 0xFFFFFFFFFFFF8000,
		}},
		WideResult: true,
		Sig:        &sig.Signature{Params: []sig.Type{{Kind: sig.I8}, {Kind: sig.F32}, {Kind: sig.Ptr}}, Result: sig.Type{Kind: sig.I16}},
	}
	src := c.source()
	for _, want := range []string{
		"typedef int32_t (*cb_0_0_t)(uint64_t, float, void *);",
		"{0x1234567812345680ULL, 0xFF800000ULL, 0x11ULL, 0xFFFFFFFFFFFF8000ULL},",
		"fn(s[0], fz_bits_f32((uint32_t)s[1]), (s[2] ? (void *)((unsigned char *)fz_cbbuf + s[2] - 1) : NULL));",
		"fz_cb_got[k] = (uint64_t)(int64_t)r;",
		"if (fz_cb_got[k] != s[3])",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("source lacks %q:\n%s", want, src)
		}
	}
	if got := c.Want(0, 2, 0x1000); got != 0x1010 {
		t.Errorf("Want of a pointer into fz_cbbuf at 0x1000: %#x", got)
	}
}

// TestCallbackBuild compiles a batch with the flags the differential test
// uses.
func TestCallbackBuild(t *testing.T) {
	cc := "cc"
	if w := strings.Fields(os.Getenv("CC")); len(w) > 0 {
		cc = w[0]
	}
	if _, err := exec.LookPath(cc); err != nil {
		t.Skipf("no C compiler: %v", err)
	}
	cases := GenerateCallbacks(3, 100, MaxCallbackSets)
	if _, err := BuildCallbacks(t.TempDir(), "abifuzzcb", cases); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("GenerateCallback with 65 sets did not panic")
		}
	}()
	GenerateCallback(3, 0, MaxCallbackSets+1)
}

// TestCallbackStructSource checks the C of a case with a struct parameter
// and a struct result, written out by hand: the leaves of the argument
// and of the expected result follow the words of each row, the argument
// is built leaf by leaf, and every leaf of the result is compared.
func TestCallbackStructSource(t *testing.T) {
	in := NewStruct("cb_0_1_s_0", Scalar{sig.I8, reflect.TypeFor[int8]()}, NewArray(Scalar{sig.F32, reflect.TypeFor[float32]()}, 2))
	out := NewStruct("cb_0_1_s_1", Scalar{sig.Ptr, reflect.TypeFor[uintptr]()}, Scalar{sig.U16, reflect.TypeFor[uint16]()})
	arg := reflect.New(in.GoType()).Elem()
	arg.Field(0).SetInt(-2)
	arg.Field(1).Index(1).SetFloat(1)
	res := reflect.New(out.GoType()).Elem()
	res.Field(0).SetUint(0x1234)
	res.Field(1).SetUint(7)
	c := CallbackCase{
		Name:         "cb_0_1",
		Params:       []Scalar{{sig.I32, reflect.TypeFor[int32]()}, {sig.Struct, in.GoType()}},
		Wide:         []bool{false, false},
		Structs:      []*Struct{nil, in},
		Result:       &Scalar{sig.Struct, out.GoType()},
		ResultStruct: out,
		Sets: []CallbackSet{{
			Args:         []uint64{5, Bits(arg.Interface())},
			InBuf:        []bool{false, false},
			Dirty:        []uint64{0, 0},
			StructArgs:   []any{nil, arg.Interface()},
			Result:       Bits(res.Interface()),
			ResultStruct: res.Interface(),
		}},
		Sig: &sig.Signature{Params: []sig.Type{{Kind: sig.I32}, in.Sig()}, Result: out.Sig()},
	}
	src := c.source()
	for _, want := range []string{
		"typedef struct { int8_t f0; float f1[2]; } cb_0_1_s_0;",
		"typedef struct { void *f0; uint16_t f1; } cb_0_1_s_1;",
		"typedef cb_0_1_s_1 (*cb_0_1_t)(int32_t, cb_0_1_s_0);",
		"static const uint64_t cb_0_1_sets[1][8] = {",
		", 0xFFFFFFFFFFFFFFFEULL, 0x0ULL, 0x3F800000ULL, 0x1234ULL, 0x7ULL},",
		"a1.f0 = (int8_t)s[3];", "a1.f1[1] = fz_bits_f32((uint32_t)s[5]);",
		"cb_0_1_s_1 r = fn((int32_t)s[0], a1);",
		"if (!bad && (uint64_t)(uintptr_t)r.f0 != s[6])", "bad = 2;",
		"fz_cb_got[k] = bad;",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("source lacks %q:\n%s", want, src)
		}
	}
	if got := c.ResultValue(0).Interface(); got != res.Interface() {
		t.Errorf("ResultValue = %v", got)
	}
}
