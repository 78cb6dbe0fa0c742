package jitffi

import (
	"reflect"
	"strings"
	"testing"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

// bindReflect binds name into a new variable of the func type ft and
// returns the variable.
func bindReflect(lib *Library, ft reflect.Type, name, signature string, opts ...Option) (reflect.Value, error) {
	v := reflect.New(ft)
	err := lib.Bind(v.Interface(), name, signature, opts...)
	return v.Elem(), err
}

var u64Type = reflect.TypeFor[uint64]()

// A C frame over abi.MaxFrame is refused on both paths, before anything
// is copied to the system stack.
func TestFrameLimit(t *testing.T) {
	lib := itOpen(t)
	huge := reflect.TypeFor[funcBig255]()
	hugeSig := "u64(" + strings.Repeat("{u8[65536]}, ", sig.MaxParams-1) + "{u8[65536]})"
	type under struct{ B [65528]uint8 }
	type small struct{ B [16]uint8 }
	over := reflect.FuncOf([]reflect.Type{reflect.TypeFor[under](), reflect.TypeFor[small]()}, []reflect.Type{u64Type}, false)
	for _, c := range []struct {
		name      string
		ft        reflect.Type
		signature string
		frame     int
	}{
		{"255 x {u8[65536]}", huge, hugeSig, sig.MaxParams * 65536},
		{"8 bytes over", over, "u64({u8[65528]}, {u8[16]})", abi.MaxFrame + 8},
	} {
		for _, opts := range [][]Option{nil, {Blocking()}} {
			f, err := bindReflect(lib, c.ft, "fx_big_arg", c.signature, opts...)
			if err == nil {
				t.Fatalf("%s (%d options): Bind succeeded, want an error", c.name, len(opts))
			}
			if !f.IsNil() {
				t.Errorf("%s: failed Bind stored a func", c.name)
			}
			for _, want := range []string{"fx_big_arg", "more than the limit of 65536"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%s: error %q does not mention %q", c.name, err, want)
				}
			}
			if strings.Count(err.Error(), "jitffi:") != 1 {
				t.Errorf("%s: error %q: want one jitffi: prefix", c.name, err)
			}
		}
	}
}

// The largest frame under the bound still binds and calls correctly on
// both paths.
func TestFrameLimitJustUnder(t *testing.T) {
	lib := itOpen(t)
	type under struct{ B [65528]uint8 }
	var v under
	var want uint64
	for i := range v.B {
		v.B[i] = uint8(i*7 + 3)
		want += uint64(i+1) * uint64(v.B[i])
	}
	for _, blocking := range []bool{false, true} {
		var opts []Option
		if blocking {
			opts = append(opts, Blocking())
		}
		var f func(under) uint64
		if err := lib.Bind(&f, "fx_big_arg", "u64({u8[65528]})", opts...); err != nil {
			t.Fatalf("blocking=%v: %v", blocking, err)
		}
		if got := f(v); got != want {
			t.Errorf("blocking=%v (%v): fx_big_arg = %d, want %d", blocking, PathOf(f), got, want)
		}
	}
}

// The parameter limit holds for inferred signatures as for explicit ones.
func TestParamLimitInferred(t *testing.T) {
	lib := itOpen(t)
	for _, ft := range []reflect.Type{reflect.TypeFor[funcI64x256](), reflect.TypeFor[funcI64x1000]()} {
		n := ft.NumIn()
		f, err := bindReflect(lib, ft, "fx_void", "")
		if err == nil {
			t.Fatalf("inferred %d parameters: Bind succeeded, want an error", n)
		}
		if !f.IsNil() {
			t.Errorf("%d parameters: failed Bind stored a func", n)
		}
		if want := "at most 255"; !strings.Contains(err.Error(), want) {
			t.Errorf("inferred %d parameters: error %q does not mention %q", n, err, want)
		}
		explicit := "void(" + strings.Repeat("i64, ", n-1) + "i64)"
		if _, err := bindReflect(lib, ft, "fx_void", explicit); err == nil {
			t.Errorf("explicit %d parameters: Bind succeeded, want an error", n)
		}
	}
	// At the limit an inferred signature still binds.
	ft := reflect.TypeFor[funcI64x255]()
	if _, err := bindReflect(lib, ft, "fx_void", ""); err != nil {
		t.Errorf("inferred %d parameters: %v", sig.MaxParams, err)
	}
}

// abi.New itself refuses a signature over the parameter limit however it
// was built.
func TestPlanParamLimit(t *testing.T) {
	s := &sig.Signature{Result: sig.Type{Kind: sig.Void}, Params: make([]sig.Type, sig.MaxParams+1)}
	for i := range s.Params {
		s.Params[i] = sig.Type{Kind: sig.I64}
	}
	for _, a := range []abi.Arch{abi.AMD64, abi.ARM64} {
		if _, err := abi.New(a, s, nil); err == nil || !strings.Contains(err.Error(), "more than the limit of 255") {
			t.Errorf("%s: abi.New of %d parameters: %v, want a limit error", a, len(s.Params), err)
		}
	}
}
