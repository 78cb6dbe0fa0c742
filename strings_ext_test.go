package jitffi_test

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/jitffi/jitffi"
	"github.com/jitffi/jitffi/fastcheck"
	"github.com/jitffi/jitffi/fixtures"
)

// TestStringFastcheck proves that string arguments and string results
// stay on the fast path (with -tags jitffi_trace, that every call reached
// the trampoline).
func TestStringFastcheck(t *testing.T) {
	if err := jitffi.FastPathError(); err != nil {
		t.Skipf("no fast path in this process: %v", err)
	}
	lib, err := jitffi.Open(fixtures.Shared(t))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	var cmp func(a, b string) int32
	if err := lib.Bind(&cmp, "fx_str_cmp", "int fx_str_cmp(const char *a, const char *b);", jitffi.Strict()); err != nil {
		t.Fatal(err)
	}
	var static func(int32) string
	if err := lib.Bind(&static, "fx_str_static", "const char *(int)", jitffi.Strict()); err != nil {
		t.Fatal(err)
	}
	fastcheck.Require(t, cmp, func() {
		if cmp("abc", "abd") != -1 || cmp("", "") != 0 {
			t.Error("fx_str_cmp gave a wrong order")
		}
	})
	fastcheck.Require(t, static, func() {
		if static(2) != "h\u00e9llo, w\u00f6rld" || static(0) != "" {
			t.Error("fx_str_static gave a wrong string")
		}
	})
}

func ExampleGoString() {
	libc, err := jitffi.Open("")
	if err != nil {
		panic(err)
	}
	defer libc.Close()

	var getenv func(name string) unsafe.Pointer
	if err := libc.Bind(&getenv, "getenv", "char *getenv(const char *name)"); err != nil {
		panic(err)
	}
	fmt.Printf("%q\n", jitffi.GoString(getenv("JITFFI_SURELY_UNSET"))) // NULL
	// Output: ""
}

func ExampleCString() {
	libc, err := jitffi.Open("")
	if err != nil {
		panic(err)
	}
	defer libc.Close()

	var strlen func(s *byte) uintptr
	if err := libc.Bind(&strlen, "strlen", "size_t strlen(const char *s)"); err != nil {
		panic(err)
	}
	fmt.Println(strlen(jitffi.CString("jitffi")), strlen(jitffi.CString("nul\x00inside")))
	// Output: 6 3
}

// A Go string binds to a char * parameter (C gets a NUL-terminated copy)
// and to a char * result (a copy of the C string; NULL gives "").
func Example_strings() {
	libc, err := jitffi.Open("")
	if err != nil {
		panic(err)
	}
	defer libc.Close()

	var strlen func(s string) uintptr
	var strerror func(errnum int32) string
	if err := libc.Bind(&strlen, "strlen", "size_t strlen(const char *s)"); err != nil {
		panic(err)
	}
	if err := libc.Bind(&strerror, "strerror", "char *strerror(int errnum)"); err != nil {
		panic(err)
	}
	fmt.Println(strlen("h\u00e9llo"), strerror(2))
	// Output: 6 No such file or directory
}
