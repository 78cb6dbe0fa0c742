package jitffi

import (
	"errors"
	"strings"
	"testing"
)

func openLibc(t *testing.T) *Library {
	t.Helper()
	libc, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { libc.Close() })
	return libc
}

const libcDecls = `
	/* stdlib.h and string.h, cleaned */
	typedef struct { int quot; int rem; } div_t;
	typedef struct { long quot, rem; } ldiv_t;
	enum cmp_result { LESS = -1, SAME, MORE };
	enum { NAME_MAX_ = 16 };
	struct named { char name[NAME_MAX_]; unsigned short len; };
	typedef int (*cmp_fn)(const void *, const void *);
	div_t div(int numer, int denom);
	ldiv_t ldiv(long numer, long denom);
	size_t strlen(const char *s);
	int abs(int);
	void qsort(void *base, size_t nmemb, size_t size, cmp_fn compar);
	int snprintf(char *restrict str, size_t size, const char *restrict format, ...);
`

func TestCDefBind(t *testing.T) {
	libc := openLibc(t)
	if err := libc.CDef(libcDecls); err != nil {
		t.Fatal(err)
	}
	// The prototypes come from the declarations.
	var strlen func(*byte) uintptr
	if err := libc.Bind(&strlen, "strlen", ""); err != nil {
		t.Fatal(err)
	}
	if n := strlen(&[]byte("hello\x00")[0]); n != 5 {
		t.Errorf("strlen = %d", n)
	}
	var abs func(int32) int32
	if err := libc.Bind(&abs, "abs", ""); err != nil {
		t.Fatal(err)
	}
	if abs(-7) != 7 {
		t.Errorf("abs(-7) = %d", abs(-7))
	}
	// A declared struct by value, through its typedef.
	var div func(int32, int32) struct{ Quot, Rem int32 }
	if err := libc.Bind(&div, "div", ""); err != nil {
		t.Fatal(err)
	}
	if r := div(17, 5); r.Quot != 3 || r.Rem != 2 {
		t.Errorf("div(17, 5) = %+v", r)
	}
	var ldiv func(int64, int64) struct{ Quot, Rem int64 }
	if err := libc.Bind(&ldiv, "ldiv", "ldiv_t ldiv(long, long)"); err != nil {
		t.Fatal(err)
	}
	if r := ldiv(-17, 5); r.Quot != -3 || r.Rem != -2 {
		t.Errorf("ldiv(-17, 5) = %+v", r)
	}
	// A declared variadic prototype takes its variadic arguments from
	// the Go type.
	var snprintf func(*byte, uintptr, *byte, int32, float64) int32
	if err := libc.Bind(&snprintf, "snprintf", ""); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32)
	n := snprintf(&buf[0], uintptr(len(buf)), &[]byte("%d %.1f\x00")[0], 42, 2.5)
	if got := string(buf[:n]); got != "42 2.5" {
		t.Errorf("snprintf = %q", got)
	}
	// Typedef names work in any signature bound from the library.
	var abs2 func(int32) int32
	if err := libc.Bind(&abs2, "abs", "int abs(enum cmp_result x)"); err != nil {
		t.Fatal(err)
	}
	if abs2(-3) != 3 {
		t.Error("abs through an enum parameter")
	}
	// Without a declaration, the signature is inferred as before.
	var labs func(int64) int64
	if err := libc.Bind(&labs, "labs", ""); err != nil || labs(-9) != 9 {
		t.Errorf("labs inferred: %v", err)
	}
	for name, want := range map[string]int64{"LESS": -1, "SAME": 0, "MORE": 1, "NAME_MAX_": 16} {
		if v, ok := libc.Const(name); !ok || v != want {
			t.Errorf("Const(%s) = %d, %v; want %d", name, v, ok, want)
		}
	}
	if _, ok := libc.Const("strlen"); ok {
		t.Error("Const(strlen) found")
	}
}

func TestCDefErrors(t *testing.T) {
	libc := openLibc(t)
	if err := libc.CDef(libcDecls); err != nil {
		t.Fatal(err)
	}
	var sErr *SignatureError
	for _, tt := range []struct{ src, msg string }{
		{"#include <stdlib.h>\nint abs(int);", "preprocessor lines are not supported"},
		{"int abs(int); unsinged long labs(long);", `unknown type "unsinged"`},
		{"typedef long div_t;", "typedef div_t redefined"},
		{"struct s { int a : 2; };", "bit-fields"},
	} {
		err := libc.CDef(tt.src)
		if !errors.As(err, &sErr) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("CDef(%q) = %v, want a SignatureError containing %q", tt.src, err, tt.msg)
		}
	}
	// A failed CDef adds nothing.
	var labs func(int64) int64
	if err := libc.Bind(&labs, "labs", "unsinged long(long)"); err == nil {
		t.Error("unsinged long accepted")
	}
	// A named prototype must name the symbol.
	var abs func(int32) int32
	err := libc.Bind(&abs, "abs", "int labs(int);")
	if err == nil || !strings.Contains(err.Error(), "declares function labs, not abs") {
		t.Errorf("Bind with another function's prototype: %v", err)
	}
	if err := libc.Bind(&abs, "abs", "int abs(int x);"); err != nil {
		t.Errorf("Bind with its own prototype: %v", err)
	}
	// The declared prototype is checked against the Go type.
	var strlen func(float64) uintptr
	if err := libc.Bind(&strlen, "strlen", ""); err == nil || !strings.Contains(err.Error(), "parameter 0") {
		t.Errorf("strlen bound to func(float64): %v", err)
	}
	// A Go struct that does not match a declared struct by value: the
	// error names the C fields.
	var div func(int32, int32) struct{ Quot, Rem int64 }
	err = libc.Bind(&div, "div", "")
	var te *TypeError
	if !errors.As(err, &te) || te.Param != -1 {
		t.Fatalf("div bound to a struct of int64: %v", err)
	}
	for _, want := range []string{
		"against div_t:",
		"field quot: Go field Quot: Go type int64 does not match C type i32",
		"field rem: Go field Rem: Go type int64 does not match C type i32",
		"field rem: at offset 4 in C, Go field Rem at 8",
		"size 8 in C, 16 in Go",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("div error lacks %q:\n%v", want, err)
		}
	}
	libc.Close()
	if err := libc.CDef("int abs(int);"); !errors.Is(err, ErrClosed) {
		t.Errorf("CDef after Close: %v", err)
	}
}

func TestCheckStruct(t *testing.T) {
	libc := openLibc(t)
	if err := libc.CDef(libcDecls); err != nil {
		t.Fatal(err)
	}
	type named struct {
		Name [16]int8
		Len  uint16
	}
	if err := libc.CheckStruct("named", named{}); err != nil {
		t.Errorf("matching struct: %v", err)
	}
	if err := libc.CheckStruct("div_t", &struct{ Q, R int32 }{}); err != nil {
		t.Errorf("div_t through a pointer: %v", err)
	}
	type wrong struct {
		Name [15]int8 // one short: len moves
		Len  uint32
		Pad  uint64
	}
	err := libc.CheckStruct("named", wrong{})
	if err == nil {
		t.Fatal("mismatched struct accepted")
	}
	for _, want := range []string{
		"struct named does not match Go type jitffi.wrong",
		"field name: Go field Name: Go type [15]int8 has 15 elements, C type i8[16] has 16",
		"field len: Go field Len: Go type uint32 does not match C type u16",
		"field len: at offset 16 in C, Go field Len at 16",
		"Go field Pad (uint64, offset 24): no C field 2",
		"size 18 in C, 32 in Go",
		"alignment 2 in C, 8 in Go",
	} {
		if want == "field len: at offset 16 in C, Go field Len at 16" {
			// Same offset by chance: it must not be reported.
			if strings.Contains(err.Error(), want) {
				t.Errorf("error reports an offset that matches:\n%v", err)
			}
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	type shifted struct {
		Len  uint16
		Name [16]int8
	}
	err = libc.CheckStruct("named", shifted{})
	if err == nil || !strings.Contains(err.Error(), "field len: at offset 16 in C, Go field Name at 2") {
		t.Errorf("shifted fields: %v", err)
	}
	if err := libc.CheckStruct("nope", named{}); err == nil || !strings.Contains(err.Error(), "no such struct") {
		t.Errorf("unknown struct: %v", err)
	}
	if err := libc.CheckStruct("named", 3); err == nil {
		t.Error("CheckStruct of an int accepted")
	}
}
