package jitffi

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/jitffi/jitffi/fixtures"
)

// badBind binds name into a fresh variable of type F and checks that a
// failed Bind left the variable untouched.
func badBind[F any](t *testing.T, lib *Library, name, signature string, opts ...Option) error {
	t.Helper()
	var f F
	err := lib.Bind(&f, name, signature, opts...)
	if err != nil && !reflect.ValueOf(&f).Elem().IsNil() {
		t.Errorf("Bind(%s, %q) failed (%v) but stored a func", name, signature, err)
	}
	return err
}

// badBindAddr is badBind for BindAddr.
func badBindAddr[F any](t *testing.T, addr unsafe.Pointer, signature string, opts ...Option) error {
	t.Helper()
	var f F
	err := BindAddr(&f, addr, signature, opts...)
	if err != nil && !reflect.ValueOf(&f).Elem().IsNil() {
		t.Errorf("BindAddr(%p, %q) failed (%v) but stored a func", addr, signature, err)
	}
	return err
}

// sigOffset is what a case expects of a *SignatureError; none means the
// error must not be one.
type sigOffset struct {
	want   bool
	offset int
	input  string
}

func sigAt(input string, offset int) sigOffset { return sigOffset{true, offset, input} }

// badCall runs f, turning a panic into a test failure.
func badCall(t *testing.T, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("panicked instead of returning an error: %v", r)
			err = nil
		}
	}()
	return f()
}

type fn2 = func(int32, int32) int32

func TestBadInput(t *testing.T) {
	path := fixtures.Shared(t)
	lib, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	closed, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	addr, err := lib.Symbol("fx_add_i32")
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		call func(t *testing.T) error
		is   error     // errors.Is target, if any
		sig  sigOffset // the *SignatureError expected, if any
		msg  []string  // substrings of the message
	}{
		// Malformed signatures, with the offset of the problem.
		{
			name: "unclosed parameter list",
			call: func(t *testing.T) error { return badBind[fn2](t, lib, "fx_add_i32", "i32(i32") },
			sig:  sigAt("i32(i32", 7),
		},
		{
			name: "unknown result type",
			call: func(t *testing.T) error { return badBind[fn2](t, lib, "fx_add_i32", "i33(i32)") },
			sig:  sigAt("i33(i32)", 0),
			msg:  []string{`"i33"`},
		},
		{
			name: "unknown parameter type",
			call: func(t *testing.T) error { return badBind[fn2](t, lib, "fx_add_i32", "i32(i32, int33)") },
			sig:  sigAt("i32(i32, int33)", 9),
			msg:  []string{`"int33"`},
		},
		{
			name: "trailing comma",
			call: func(t *testing.T) error { return badBind[fn2](t, lib, "fx_add_i32", "i32(i32,)") },
			sig:  sigAt("i32(i32,)", 8),
		},
		{
			name: "struct parameter bound to a scalar",
			call: func(t *testing.T) error { return badBind[func(int32) int32](t, lib, "fx_echo_i32", "i32({i32})") },
			msg:  []string{"parameter 0", "int32", "{i32}", "Go struct"},
		},
		{
			name: "variadic Go func for a variadic signature",
			call: func(t *testing.T) error {
				return badBind[func(int32, ...float64) float64](t, lib, "fx_va_sum", "f64(i32, ... f64)")
			},
			msg: []string{"variadic", "fixed parameter types"},
		},
		{
			name: "variadic twice",
			call: func(t *testing.T) error {
				return badBind[func(unsafe.Pointer) int32](t, lib, "fx_is_null", "i32(ptr, ..., ...)")
			},
			sig: sigAt("i32(ptr, ..., ...)", 14),
			msg: []string{`"..."`},
		},
		{
			name: "void among parameters",
			call: func(t *testing.T) error { return badBind[fn2](t, lib, "fx_add_i32", "i32(void, i32)") },
			sig:  sigAt("i32(void, i32)", 4),
		},
		{
			name: "long double",
			call: func(t *testing.T) error {
				return badBind[func(float64) float64](t, lib, "fx_echo_f64", "long double(double)")
			},
			sig: sigAt("long double(double)", 0),
			msg: []string{"unsupported"},
		},
		{
			name: "junk after signature",
			call: func(t *testing.T) error { return badBind[fn2](t, lib, "fx_add_i32", "i32(i32, i32) x") },
			sig:  sigAt("i32(i32, i32) x", 14),
		},
		{
			name: "malformed signature by address",
			call: func(t *testing.T) error { return badBindAddr[fn2](t, addr, "i32(i32 i32)") },
			sig:  sigAt("i32(i32 i32)", 8),
		},

		// Go types that do not match the signature.
		{
			name: "wrong parameter type",
			call: func(t *testing.T) error {
				return badBind[func(int32, int64) int32](t, lib, "fx_add_i32", "i32(i32, i32)")
			},
			msg: []string{"parameter 1", "int64", "i32"},
		},
		{
			name: "wrong first parameter type",
			call: func(t *testing.T) error {
				return badBind[func(float64, int32) int32](t, lib, "fx_add_i32", "i32(i32, i32)")
			},
			msg: []string{"parameter 0", "float64", "i32"},
		},
		{
			name: "string for i64",
			call: func(t *testing.T) error { return badBind[func(string) uintptr](t, lib, "fx_strlen", "usize(i64)") },
			msg:  []string{"parameter 0", "string", "i64"},
		},
		{
			name: "too few Go parameters",
			call: func(t *testing.T) error { return badBind[func(int32) int32](t, lib, "fx_add_i32", "i32(i32, i32)") },
			msg:  []string{"2 parameters", "has 1"},
		},
		{
			name: "too many Go parameters",
			call: func(t *testing.T) error {
				return badBind[func(int32, int32, int32) int32](t, lib, "fx_add_i32", "i32(i32, i32)")
			},
			msg: []string{"2 parameters", "has 3"},
		},
		{
			name: "no Go result",
			call: func(t *testing.T) error { return badBind[func(int32, int32)](t, lib, "fx_add_i32", "i32(i32, i32)") },
			msg:  []string{"exactly one result"},
		},
		{
			name: "two Go results",
			call: func(t *testing.T) error {
				return badBind[func(int32, int32) (int32, error)](t, lib, "fx_add_i32", "i32(i32, i32)")
			},
			msg: []string{"exactly one result"},
		},
		{
			name: "result for void",
			call: func(t *testing.T) error { return badBind[func() int32](t, lib, "fx_void", "void()") },
			msg:  []string{"returns void"},
		},
		{
			name: "wrong result type",
			call: func(t *testing.T) error {
				return badBind[func(int32, int32) int64](t, lib, "fx_add_i32", "i32(i32, i32)")
			},
			msg: []string{"result", "int64", "i32"},
		},
		{
			name: "unsigned result for signed",
			call: func(t *testing.T) error {
				return badBind[func(int32, int32) uint32](t, lib, "fx_add_i32", "i32(i32, i32)")
			},
			msg: []string{"result", "uint32", "i32"},
		},
		{
			name: "slice result",
			call: func(t *testing.T) error {
				return badBind[func(unsafe.Pointer) []byte](t, lib, "fx_echo_ptr", "ptr(ptr)")
			},
			msg: []string{"result", "[]uint8", "ptr"},
		},
		{
			name: "variadic Go func",
			call: func(t *testing.T) error {
				return badBind[func(int32, ...int32) int32](t, lib, "fx_add_i32", "i32(i32, i32)")
			},
			msg: []string{"variadic"},
		},
		{
			name: "uninferable parameter",
			call: func(t *testing.T) error { return badBind[func(map[int]int) uintptr](t, lib, "fx_strlen", "") },
			msg:  []string{"cannot infer", "parameter 0", "map[int]int"},
		},
		{
			name: "uninferable slice result",
			call: func(t *testing.T) error { return badBind[func(unsafe.Pointer) []byte](t, lib, "fx_echo_ptr", "") },
			msg:  []string{"cannot infer", "result", "[]uint8"},
		},
		{
			name: "uninferable results",
			call: func(t *testing.T) error { return badBind[func(int32, int32) (int32, int32)](t, lib, "fx_add_i32", "") },
			msg:  []string{"cannot infer", "2 results"},
		},
		{
			name: "uninferable by address",
			call: func(t *testing.T) error { return badBindAddr[func(map[int]int)](t, addr, "") },
			msg:  []string{"cannot infer", "map[int]int"},
		},
		{
			name: "mismatch by address",
			call: func(t *testing.T) error { return badBindAddr[func(int32, int32) float64](t, addr, "i32(i32, i32)") },
			msg:  []string{"result", "float64", "i32"},
		},

		// fnPtr that is not a pointer to a func variable.
		{
			name: "nil fnPtr",
			call: func(t *testing.T) error { return lib.Bind(nil, "fx_add_i32", "i32(i32, i32)") },
			msg:  []string{"pointer to a func variable"},
		},
		{
			name: "func value instead of pointer",
			call: func(t *testing.T) error {
				f := func(a, b int32) int32 { return a + b }
				return lib.Bind(f, "fx_add_i32", "i32(i32, i32)")
			},
			msg: []string{"pointer to a func variable", "func(int32, int32) int32"},
		},
		{
			name: "pointer to int",
			call: func(t *testing.T) error {
				var x int
				err := lib.Bind(&x, "fx_add_i32", "i32(i32, i32)")
				if x != 0 {
					t.Errorf("Bind wrote %d into the int", x)
				}
				return err
			},
			msg: []string{"pointer to a func variable", "*int"},
		},
		{
			name: "nil pointer to func",
			call: func(t *testing.T) error { return lib.Bind((*fn2)(nil), "fx_add_i32", "i32(i32, i32)") },
			msg:  []string{"pointer to a func variable", "nil", "*func(int32, int32) int32"},
		},
		{
			name: "nil fnPtr with missing symbol",
			call: func(t *testing.T) error { return lib.Bind(nil, "fx_no_such_function", "i32(i32, i32)") },
			msg:  []string{"pointer to a func variable"},
		},
		{
			name: "BindAddr to a non-pointer",
			call: func(t *testing.T) error { return BindAddr(42, addr, "i32(i32, i32)") },
			msg:  []string{"pointer to a func variable", "int"},
		},
		{
			name: "BindAddr to a nil pointer to func",
			call: func(t *testing.T) error { return BindAddr((*fn2)(nil), addr, "i32(i32, i32)") },
			msg:  []string{"pointer to a func variable", "nil"},
		},
		{
			name: "BindAddr with nil address",
			call: func(t *testing.T) error { return badBindAddr[fn2](t, nil, "i32(i32, i32)") },
			msg:  []string{"nil function address"},
		},

		// Missing libraries and symbols carry dlerror's text.
		{
			name: "missing library",
			call: func(t *testing.T) error {
				l, err := Open("/nonexistent/libjitffi_no_such_library.so")
				if l != nil {
					t.Errorf("Open of a missing library returned a *Library")
				}
				return err
			},
			msg: []string{"libjitffi_no_such_library.so", "cannot open shared object file"},
		},
		{
			name: "missing library by bare name",
			call: func(t *testing.T) error {
				l, err := Open("libjitffi_no_such_library.so.7")
				if l != nil {
					t.Errorf("Open of a missing library returned a *Library")
				}
				return err
			},
			msg: []string{"libjitffi_no_such_library.so.7", "cannot open shared object file"},
		},
		{
			name: "not a shared object",
			call: func(t *testing.T) error {
				l, err := Open(fixtures.Dir() + "/" + fixtures.Header)
				if l != nil {
					t.Errorf("Open of a C header returned a *Library")
				}
				return err
			},
			msg: []string{fixtures.Header},
		},
		{
			name: "missing symbol",
			call: func(t *testing.T) error { return badBind[fn2](t, lib, "fx_no_such_function", "i32(i32, i32)") },
			msg:  []string{"fx_no_such_function", "undefined symbol"},
		},
		{
			name: "missing symbol by Symbol",
			call: func(t *testing.T) error {
				p, err := lib.Symbol("fx_no_such_function")
				if p != nil {
					t.Errorf("Symbol of a missing symbol = %p", p)
				}
				return err
			},
			msg: []string{"fx_no_such_function", "undefined symbol"},
		},

		// A closed library.
		{
			name: "Bind on a closed library",
			call: func(t *testing.T) error { return badBind[fn2](t, closed, "fx_add_i32", "i32(i32, i32)") },
			is:   ErrClosed,
			msg:  []string{"fx_add_i32"},
		},
		{
			name: "Blocking Bind on a closed library",
			call: func(t *testing.T) error {
				return badBind[fn2](t, closed, "fx_add_i32", "i32(i32, i32)", Blocking())
			},
			is: ErrClosed,
		},
		{
			name: "Symbol on a closed library",
			call: func(t *testing.T) error {
				p, err := closed.Symbol("fx_add_i32")
				if p != nil {
					t.Errorf("Symbol on a closed library = %p", p)
				}
				return err
			},
			is:  ErrClosed,
			msg: []string{"fx_add_i32"},
		},

		// Strict refuses the slow path.
		{
			name: "Strict with Blocking",
			call: func(t *testing.T) error {
				return badBind[fn2](t, lib, "fx_add_i32", "i32(i32, i32)", Blocking(), Strict())
			},
			is: ErrNotFast,
		},
		{
			name: "Strict with Blocking by address",
			call: func(t *testing.T) error { return badBindAddr[fn2](t, addr, "i32(i32, i32)", Blocking(), Strict()) },
			is:   ErrNotFast,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := badCall(t, func() error { return c.call(t) })
			if err == nil {
				t.Fatal("got no error")
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %q does not wrap %q", err, c.is)
			}
			var se *SignatureError
			switch {
			case c.sig.want && !errors.As(err, &se):
				t.Errorf("error %q (%T) is not a *SignatureError", err, err)
			case c.sig.want:
				if diff := cmp.Diff([]any{c.sig.input, c.sig.offset}, []any{se.Input, se.Offset}); diff != "" {
					t.Errorf("SignatureError %q: [Input, Offset] (-want +got):\n%s", se, diff)
				}
			case errors.As(err, &se):
				t.Errorf("error %q is a *SignatureError, but the signature is well formed", err)
			}
			for _, m := range c.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not contain %q", err, m)
				}
			}
		})
	}
}

// TestBadInputNeverPanics feeds truncations and mutations of valid
// signatures to Bind: each must bind or fail with an error, never panic.
func TestBadInputNeverPanics(t *testing.T) {
	lib, err := Open(fixtures.Shared(t))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	valid := []string{
		"i32(i32, i32)",
		"int(const char *, size_t)",
		"unsigned long long(unsigned char, signed short int)",
		"void(void)",
		"f64(f32, ptr, struct foo *, enum bar *)",
	}
	junk := []string{"", "(", ")", ",", "*", "...", "{", "}", "[", "]", "void", "const", "long", "\x00", "\xff", "é", " "}
	var inputs []string
	for _, v := range valid {
		for i := 0; i <= len(v); i++ {
			inputs = append(inputs, v[:i])
			for _, j := range junk {
				inputs = append(inputs, v[:i]+j+v[i:])
			}
		}
	}
	inputs = append(inputs, strings.Repeat("i8,", 300), "i32("+strings.Repeat("i8, ", 300)+"i8)", strings.Repeat("*", 1000))
	for _, in := range inputs {
		err := badCall(t, func() error { return badBind[fn2](t, lib, "fx_add_i32", in) })
		var se *SignatureError
		if errors.As(err, &se) && (se.Offset < 0 || se.Offset > len(in)) {
			t.Errorf("signature %q: offset %d out of range", in, se.Offset)
		}
		if t.Failed() {
			t.Fatalf("stopped at signature %q", in)
		}
	}
}
