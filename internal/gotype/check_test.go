package gotype

import (
	"errors"
	"reflect"
	"testing"
	"unsafe"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

func mustParse(t *testing.T, s string) *sig.Signature {
	t.Helper()
	p, err := sig.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheck(t *testing.T) {
	type pt struct{ X, Y float64 }
	shapes, err := Check(reflect.TypeFor[func([]byte, unsafe.Pointer, pt) int32](), mustParse(t, "i32(ptr, ptr, {f64, f64})"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []abi.GoParam{abi.GoSlice, abi.GoPointer, abi.GoScalar}; !reflect.DeepEqual(shapes, want) {
		t.Errorf("shapes %v, want %v", shapes, want)
	}
	for _, c := range []struct {
		fn        reflect.Type
		signature string
		param     int
		msg       string
	}{
		{reflect.TypeFor[func(int32, int64)](), "void(i32, i32)", 1, "Go type int64 does not match C type i32 (want int32)"},
		{reflect.TypeFor[func() []byte](), "ptr()", -1, "Go type []uint8 does not match C type ptr (want unsafe.Pointer, *T, string or uintptr)"},
		{reflect.TypeFor[func(pt)](), "void({f64, f32})", 0, "field 1 (Y): Go type float64 does not match C type f32 (want float32)"},
	} {
		_, err := Check(c.fn, mustParse(t, c.signature))
		var te *TypeError
		if !errors.As(err, &te) {
			t.Errorf("%v as %s: %v, want a *TypeError", c.fn, c.signature, err)
			continue
		}
		if te.Param != c.param || te.Msg != c.msg {
			t.Errorf("%v as %s: TypeError{Param: %d, Msg: %q}, want {%d, %q}", c.fn, c.signature, te.Param, te.Msg, c.param, c.msg)
		}
	}
	// A wrong count is not a type error.
	if _, err := Check(reflect.TypeFor[func(int32)](), mustParse(t, "void()")); err == nil || errors.As(err, new(*TypeError)) {
		t.Errorf("parameter count mismatch: %v, want a plain error", err)
	}
}

func TestInfer(t *testing.T) {
	type inner struct {
		A [3]float32
		B uint8
	}
	type outer struct {
		I inner
		P *int
	}
	s, err := Infer(reflect.TypeFor[func(int, uintptr, outer, []byte) float64]())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.String(), mustParse(t, "f64(i64, usize, {{f32[3], u8}, ptr}, ptr)").String(); got != want {
		t.Errorf("Infer = %s, want %s", got, want)
	}
	for _, ft := range []reflect.Type{
		reflect.TypeFor[func(chan int)](),
		reflect.TypeFor[func() (int, int)](),
		reflect.TypeFor[func() []byte](),
		reflect.TypeFor[func(struct{})](),
	} {
		if _, err := Infer(ft); err == nil {
			t.Errorf("Infer(%v) succeeded, want an error", ft)
		}
	}
}
