package jitffi

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/jitffi/jitffi/fixtures"
	"github.com/jitffi/jitffi/sig"
)

// checkPrefix checks that err says "jitffi: " once, at the start.
func checkPrefix(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "jitffi: ") || strings.Count(msg, "jitffi:") != 1 {
		t.Errorf("%s: error %q: want exactly one jitffi: prefix, at the start", what, msg)
	}
}

func TestErrorsWrap(t *testing.T) {
	_, err := Open("/nonexistent/libjitffi-none.so")
	checkPrefix(t, "Open", err)
	if err != nil && errors.Unwrap(err) == nil {
		t.Errorf("Open: error %q wraps nothing", err)
	}

	lib := itOpen(t)
	_, err = lib.Symbol("fx_no_such_function")
	checkPrefix(t, "Symbol", err)
	if !errors.Is(err, ErrNoSymbol) {
		t.Errorf("Symbol of a missing name: %v, want an error wrapping ErrNoSymbol", err)
	}
	var f func()
	err = lib.Bind(&f, "fx_no_such_function", "void()")
	checkPrefix(t, "Bind", err)
	if !errors.Is(err, ErrNoSymbol) {
		t.Errorf("Bind of a missing name: %v, want an error wrapping ErrNoSymbol", err)
	}

	err = lib.Bind(&f, "fx_void", "void(", Blocking())
	checkPrefix(t, "Bind with a bad signature", err)
	var se *SignatureError
	if !errors.As(err, &se) || se.Offset != 5 {
		t.Errorf("Bind with a bad signature: %v, want a *SignatureError at offset 5", err)
	}

	var add func(int32, int32) int32
	err = lib.Bind(&add, "fx_add_i32", "i32(i32, i32)", Blocking(), Strict())
	checkPrefix(t, "Bind Strict", err)
	if !errors.Is(err, ErrNotFast) {
		t.Errorf("Bind Strict+Blocking: %v, want an error wrapping ErrNotFast", err)
	}
}

func TestTypeError(t *testing.T) {
	lib := itOpen(t)
	type pair struct{ A, B int32 }
	for _, c := range []struct {
		name      string
		fn        any
		signature string
		param     int
		goType    reflect.Type
		cType     string
	}{
		{"parameter 1", new(func(int32, float64) int32), "i32(i32, i32)", 1, reflect.TypeFor[float64](), "i32"},
		{"result", new(func(int32, int32) float32), "i32(i32, i32)", -1, reflect.TypeFor[float32](), "i32"},
		{"struct parameter", new(func(pair, int32) int32), "i32({i32, f32}, i32)", 0, reflect.TypeFor[pair](), "{i32, f32}"},
	} {
		err := lib.Bind(c.fn, "fx_add_i32", c.signature)
		checkPrefix(t, c.name, err)
		var te *TypeError
		if !errors.As(err, &te) {
			t.Errorf("%s: %v, want a *TypeError", c.name, err)
			continue
		}
		cType, perr := sig.Parse(c.cType + "()")
		if perr != nil {
			t.Fatal(perr)
		}
		if te.Param != c.param || te.Go != c.goType || te.C.String() != cType.Result.String() {
			t.Errorf("%s: TypeError{Param: %d, Go: %v, C: %v}, want {%d, %v, %v}", c.name, te.Param, te.Go, te.C, c.param, c.goType, cType.Result)
		}
	}
}

func TestPathCause(t *testing.T) {
	lib, err := Open(fixtures.Shared(t))
	if err != nil {
		t.Fatal(err)
	}
	var slow, add func(int32, int32) int32
	if err := lib.Bind(&slow, "fx_add_i32", "i32(i32, i32)", Blocking()); err != nil {
		t.Fatal(err)
	}
	if p := PathOf(slow); p.Fast || p.Cause != CauseBlocking {
		t.Errorf("Blocking: PathOf = %+v, want CauseBlocking", p)
	}
	if err := lib.Bind(&add, "fx_add_i32", "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	if want := itWantPath(false); PathOf(add) != want {
		t.Errorf("PathOf = %+v, want %+v", PathOf(add), want)
	}
	if p := PathOf(func() {}); p.Cause != CauseNotBound {
		t.Errorf("PathOf(a Go func) = %+v, want CauseNotBound", p)
	}
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
	for _, fn := range []any{add, slow, &add} {
		if p := PathOf(fn); p.Fast || p.Cause != CauseClosed || !strings.Contains(p.String(), "closed") {
			t.Errorf("PathOf after Close = %+v (%v), want CauseClosed", p, p)
		}
	}
	_, err = lib.Symbol("fx_add_i32")
	checkPrefix(t, "Symbol after Close", err)
	if !errors.Is(err, ErrClosed) {
		t.Errorf("Symbol after Close: %v, want ErrClosed", err)
	}
	func() {
		defer func() {
			r := recover()
			err, _ := r.(error)
			checkPrefix(t, "call after Close", err)
			if !errors.Is(err, ErrClosed) || !strings.Contains(err.Error(), "fx_add_i32") {
				t.Errorf("call after Close panicked with %v, want an error naming the func and wrapping ErrClosed", r)
			}
		}()
		add(1, 2)
	}()
	if err := FastPathError(); err != nil {
		checkPrefix(t, "FastPathError", fmtErr(err))
	}
}

// fmtErr prefixes an error the way a caller reporting it would, so that
// checkPrefix can check FastPathError's text holds no prefix of its own.
func fmtErr(err error) error { return errors.New("jitffi: " + err.Error()) }

// Describe states the path once, the binding's, whatever the plan is.
func TestDescribeOnePath(t *testing.T) {
	lib := itOpen(t)
	var fast, slow func(int32, int32) int32
	if err := lib.Bind(&fast, "fx_add_i32", "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	if err := lib.Bind(&slow, "fx_add_i32", "i32(i32, i32)", Blocking()); err != nil {
		t.Fatal(err)
	}
	for _, fn := range []func(int32, int32) int32{fast, slow} {
		d, err := Describe(fn)
		if err != nil {
			t.Fatal(err)
		}
		first, rest, _ := strings.Cut(d, "\n")
		if want := "fx_add_i32: " + PathOf(fn).String(); first != want {
			t.Errorf("Describe's first line %q, want %q", first, want)
		}
		if strings.Contains(rest, "fallback") || strings.Contains("\n"+rest, "\nfast\n") {
			t.Errorf("Describe names a path again after its first line:\n%s", d)
		}
	}
}
