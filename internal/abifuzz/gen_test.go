package abifuzz

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/jitffi/jitffi/sig"
)

func TestDeterministic(t *testing.T) {
	a, b := Generate(42, 50), Generate(42, 80)
	for i := range a {
		if a[i].C != b[i].C || a[i].Sig.String() != b[i].Sig.String() || a[i].FuncType() != b[i].FuncType() {
			t.Fatalf("case %d differs between batches of 50 and 80:\n%s\n%s", i, a[i].C, b[i].C)
		}
	}
	if Source(a) != Source(Generate(42, 50)) {
		t.Fatal("Source differs between two generations with the same seed")
	}
	if Source(a) == Source(Generate(43, 50)) {
		t.Fatal("seeds 42 and 43 give the same source")
	}
}

func TestCoverage(t *testing.T) {
	cases := Generate(1, 2000)
	kinds := map[string]bool{}
	results := map[string]bool{}
	var void, zero, max int
	for i := range cases {
		c := &cases[i]
		if c.Name != "f_1_"+itoa(i) {
			t.Fatalf("case %d is named %s", i, c.Name)
		}
		s, err := sig.Parse(c.Sig.String())
		if err != nil || s.String() != c.Sig.String() {
			t.Fatalf("%s: %q does not parse back: %v", c.Name, c.Sig, err)
		}
		if len(c.Params) > MaxParams {
			t.Fatalf("%s: %d parameters", c.Name, len(c.Params))
		}
		for _, p := range c.Params {
			if _, ok := p.(Scalar); ok {
				kinds[p.String()] = true
			}
		}
		switch {
		case c.Result == nil:
			void++
		default:
			if _, ok := c.Result.(Scalar); ok {
				results[c.Result.String()] = true
			}
		}
		switch len(c.Params) {
		case 0:
			zero++
		case MaxParams:
			max++
		}
	}
	var want int
	for _, ts := range goTypes {
		want += len(ts)
	}
	if len(kinds) != want {
		t.Errorf("%d of %d parameter types drawn: %v", len(kinds), want, kinds)
	}
	if len(results) != want-4 { // ptr results are always uintptr
		t.Errorf("%d result types drawn: %v", len(results), results)
	}
	if void == 0 || zero == 0 || max == 0 {
		t.Errorf("void results %d, no parameters %d, %d parameters %d", void, zero, MaxParams, max)
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// TestExpect checks the Go checksum against the formula written out by hand.
func TestExpect(t *testing.T) {
	c := Case{
		Name: "f_0_0",
		Salt: 0x1234,
		Params: []Type{
			Scalar{sig.I8, reflect.TypeFor[int8]()},
			Scalar{sig.U16, reflect.TypeFor[uint16]()},
			Scalar{sig.F32, reflect.TypeFor[float32]()},
			Scalar{sig.Ptr, reflect.TypeFor[[]byte]()},
			Scalar{sig.Bool, reflect.TypeFor[bool]()},
		},
		Result: Scalar{sig.I16, reflect.TypeFor[int16]()},
	}
	nan := math.Float32frombits(0x7FA00001)
	args := []any{int8(-2), uint16(0xFFFF), nan, []byte{}, true}
	h := uint64(0x9E3779B97F4A7C15 ^ 0x1234)
	for _, w := range []uint64{0xFFFFFFFFFFFFFFFE, 0xFFFF, 0x7FA00001, 0, 1} {
		h = (h ^ w) * 0x100000001B3
	}
	if got := c.Checksum(args); got != h {
		t.Fatalf("Checksum = %#x, want %#x", got, h)
	}
	if got, want := Expect(&c, args), uint64(int64(int16(h))); got != want {
		t.Fatalf("Expect = %#x, want %#x", got, want)
	}
	buf := []byte{1, 2, 3}
	args[3] = buf[1:]
	h2 := c.Checksum(args)
	args[3] = unsafe.Pointer(&buf[1])
	if c.Checksum(args) != h2 {
		t.Fatal("a slice and a pointer to its first element fold differently")
	}
}

// TestResults checks the conversion of the checksum to every result type.
func TestResults(t *testing.T) {
	h := uint64(0x80FF_7F01_FFFE_8081)
	for _, c := range []struct {
		k    sig.Kind
		goT  reflect.Type
		want any
	}{
		{sig.Bool, reflect.TypeFor[bool](), true},
		{sig.I8, reflect.TypeFor[int8](), int8(-127)},
		{sig.U8, reflect.TypeFor[uint8](), uint8(0x81)},
		{sig.I16, reflect.TypeFor[int16](), int16(-32639)},
		{sig.U16, reflect.TypeFor[uint16](), uint16(0x8081)},
		{sig.I32, reflect.TypeFor[int32](), int32(-98175)},
		{sig.U32, reflect.TypeFor[uint32](), uint32(0xFFFE8081)},
		{sig.I64, reflect.TypeFor[int](), int(-0x7F0080FE00017F7F)},
		{sig.Usize, reflect.TypeFor[uintptr](), uintptr(h)},
		{sig.Ptr, reflect.TypeFor[uintptr](), uintptr(h)},
	} {
		got := Scalar{c.k, c.goT}.fromChecksum(h)
		if got != c.want {
			t.Errorf("%v/%v: %v, want %v", c.k, c.goT, Format(got), Format(c.want))
		}
	}
	if got := (Scalar{sig.F32, reflect.TypeFor[float32]()}).fromChecksum(0x7F800001); math.Float32bits(got.(float32)) != 0x7F800001 {
		t.Errorf("f32 signalling NaN: bits %#x", math.Float32bits(got.(float32)))
	}
	if got := (Scalar{sig.F64, reflect.TypeFor[float64]()}).fromChecksum(0x7FF0000000000001); math.Float64bits(got.(float64)) != 0x7FF0000000000001 {
		t.Errorf("f64 signalling NaN: bits %#x", math.Float64bits(got.(float64)))
	}
}

// TestArgs checks that every argument has its parameter's exact Go type.
func TestArgs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range Generate(7, 300) {
		ft := c.FuncType()
		for range 4 {
			args := c.Args(r)
			for i, a := range args {
				if reflect.TypeOf(a) != ft.In(i) {
					t.Fatalf("%s: argument %d has type %T, want %v", c.Name, i, a, ft.In(i))
				}
			}
			c.Checksum(args)
		}
	}
}

// TestBuild compiles a batch with the flags the differential test uses.
func TestBuild(t *testing.T) {
	cc := "cc"
	if w := strings.Fields(os.Getenv("CC")); len(w) > 0 {
		cc = w[0]
	}
	if _, err := exec.LookPath(cc); err != nil {
		t.Skipf("no C compiler: %v", err)
	}
	cases := Generate(3, 200)
	if _, err := Build(t.TempDir(), "abifuzz", cases); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(Source(cases), "f_3_199(") {
		t.Fatal("the last function is missing")
	}
}

// A batch has Go string parameters, whose C code folds them with fz_str,
// and their values reach the fast path's bound and beyond.
func TestGenerateStrings(t *testing.T) {
	var strs, long, nul int
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range Generate(11, 400) {
		for i, p := range c.Params {
			if _, ok := p.(Str); !ok {
				continue
			}
			strs++
			if !strings.Contains(c.C, fmt.Sprintf("fz_str(h, a%d)", i)) || !strings.Contains(c.C, fmt.Sprintf("const char *a%d", i)) {
				t.Fatalf("%s: parameter %d is a string, but the C code does not fold it as one:\n%s", c.Name, i, c.C)
			}
			for range 20 {
				s := p.value(r).(string)
				if len(s) > StringMax {
					long++
				}
				if strings.IndexByte(s, 0) >= 0 {
					nul++
				}
			}
		}
		if c.Result != nil {
			if _, ok := c.Result.(Str); ok {
				t.Fatalf("%s: a string result", c.Name)
			}
		}
	}
	if strs == 0 || long == 0 || nul == 0 {
		t.Errorf("%d string parameters, %d values longer than %d, %d with a NUL inside: want some of each", strs, long, StringMax, nul)
	}
	// The fold stops at the first NUL and counts the length.
	if foldStr(hashInit, "ab\x00cd") != foldStr(hashInit, "ab") || foldStr(hashInit, "") == foldStr(hashInit, "\x01") {
		t.Error("foldStr does not read the string as C does")
	}
}
