package jitffi_test

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/jitffi/jitffi"
	"github.com/jitffi/jitffi/fastcheck"
	"github.com/jitffi/jitffi/fixtures"
)

func Example() {
	libc, err := jitffi.Open("") // the running process and libc
	if err != nil {
		panic(err)
	}
	defer libc.Close()

	var strlen func(s *byte) uintptr
	if err := libc.Bind(&strlen, "strlen", "size_t(const char *)"); err != nil {
		panic(err)
	}
	s := []byte("jitffi\x00")
	fmt.Println(strlen(&s[0]))
	// Output: 6
}

func ExampleErrno() {
	libc, err := jitffi.Open("")
	if err != nil {
		panic(err)
	}
	defer libc.Close()

	var open func(path *byte, flags int32) (int32, error)
	if err := libc.Bind(&open, "open", "i32(ptr, i32)", jitffi.Errno()); err != nil {
		panic(err)
	}
	path := []byte("/nonexistent/file\x00")
	fd, err := open(&path[0], 0)
	fmt.Println(fd, errors.Is(err, syscall.ENOENT))
	// Output: -1 true
}

func ExamplePathOf() {
	libc, err := jitffi.Open("")
	if err != nil {
		panic(err)
	}
	defer libc.Close()

	var abs func(int32) int32
	if err := libc.Bind(&abs, "abs", "int(int)", jitffi.Blocking()); err != nil {
		panic(err)
	}
	fmt.Println(abs(-7), jitffi.PathOf(abs))
	// Output: 7 fallback: Blocking option
}

// The project's own hot functions must stay on the fast path: a silent fall
// to the slow path fails here (and, under -tags jitffi_trace, so does a
// block that never reaches the trampoline).
func TestFixturesStayFast(t *testing.T) {
	if err := jitffi.FastPathError(); err != nil {
		t.Skipf("fast path unavailable: %v", err)
	}
	lib, err := jitffi.Open(fixtures.Shared(t))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	var (
		add  func(int32, int32) int32
		neg  func(float64) float64
		sum  func([]byte, uint64) uint64
		void func()
	)
	for _, b := range []struct {
		fn        any
		name, sig string
	}{
		{&add, "fx_add_i32", "i32(i32, i32)"},
		{&neg, "fx_neg_f64", "f64(f64)"},
		{&sum, "fx_sum_bytes", "u64(ptr, u64)"},
		{&void, "fx_void", "void()"},
	} {
		if err := lib.Bind(b.fn, b.name, b.sig); err != nil {
			t.Fatal(err)
		}
	}
	if jitffi.PathOf(add).Reason == "JITFFI_FAST=0" {
		t.Skip("JITFFI_FAST=0")
	}
	fastcheck.Require(t, add, func() {
		for i := int32(0); i < 1000; i++ {
			if add(i, 1) != i+1 {
				t.Fatal("add")
			}
		}
	})
	fastcheck.Require(t, neg, func() {
		if neg(2) != -2 {
			t.Fatal("neg")
		}
	})
	buf := []byte{1, 2, 3}
	fastcheck.Require(t, sum, func() {
		if sum(buf, 3) != 6 {
			t.Fatal("sum")
		}
	})
	fastcheck.Require(t, void, func() { void() })
}
