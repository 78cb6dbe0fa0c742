package jitffi

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

func cstr(s string) *byte { b := append([]byte(s), 0); return &b[0] }

// TestErrno binds libc functions with the Errno option on both paths:
// failures give the syscall.Errno the C library set, successes nil even
// right after a failure (errno is cleared before every call), and the
// error follows an integer, a float or no result.
func TestErrno(t *testing.T) {
	libc, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer libc.Close()
	for _, opts := range [][]Option{{Errno()}, {Errno(), Blocking()}} {
		var (
			open   func(*byte, int32) (int32, error)
			getpid func() (int32, error)
			strtod func(*byte, unsafe.Pointer) (float64, error)
			closeV func(int32) error
		)
		for _, b := range []struct {
			fn        any
			name, sig string
		}{
			{&open, "open", "i32(ptr, i32)"},
			{&getpid, "getpid", "i32()"},
			{&strtod, "strtod", "f64(ptr, ptr)"},
			{&closeV, "close", "void(i32)"},
		} {
			if err := libc.Bind(b.fn, b.name, b.sig, opts...); err != nil {
				t.Fatal(err)
			}
		}
		want := "fast"
		switch {
		case env.noFast:
			want = "fallback: JITFFI_FAST=0"
		case len(opts) > 1:
			want = "fallback: Blocking option"
		case FastPathError() != nil:
			want = "fallback: " + FastPathError().Error()
		}
		if got := PathOf(open).String(); got != want {
			t.Errorf("PathOf(open) = %q, want %q", got, want)
		}
		path := PathOf(open).String()

		fd, err := open(cstr("/nonexistent/jitffi/errno"), 0)
		if fd != -1 || !errors.Is(err, syscall.ENOENT) {
			t.Errorf("%s: open(missing) = %d, %v; want -1, ENOENT", path, fd, err)
		}
		var errno syscall.Errno
		if !errors.As(err, &errno) || errno != syscall.ENOENT {
			t.Errorf("%s: error %T %v is not syscall.ENOENT", path, err, err)
		}
		if pid, err := getpid(); pid <= 0 || err != nil {
			t.Errorf("%s: getpid() after a failure = %d, %v; want a pid, nil", path, pid, err)
		}
		if x, err := strtod(cstr("1e999"), nil); !math.IsInf(x, 1) || !errors.Is(err, syscall.ERANGE) {
			t.Errorf("%s: strtod(1e999) = %v, %v; want +Inf, ERANGE", path, x, err)
		}
		if x, err := strtod(cstr("2.5"), nil); x != 2.5 || err != nil {
			t.Errorf("%s: strtod(2.5) = %v, %v; want 2.5, nil", path, x, err)
		}
		if err := closeV(-1); !errors.Is(err, syscall.EBADF) {
			t.Errorf("%s: close(-1) error = %v; want EBADF", path, err)
		}
		if PathOf(open).Fast {
			missing := cstr("/nonexistent")
			if n := testing.AllocsPerRun(100, func() { open(missing, 0) }); n != 0 {
				t.Errorf("fast errno call allocates: %v allocs per call", n)
			}
		}
	}
}

func TestErrnoBadType(t *testing.T) {
	libc, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer libc.Close()
	var noErr func(*byte, int32) int32
	if err := libc.Bind(&noErr, "open", "i32(ptr, i32)", Errno()); err == nil {
		t.Error("Errno accepted a Go func without a trailing error result")
	}
	var twoErr func(*byte, int32) (error, error)
	if err := libc.Bind(&twoErr, "open", "i32(ptr, i32)", Errno()); err == nil {
		t.Error("Errno accepted an error where the C result goes")
	}
	var inferred func(*byte, int32) (int32, error)
	if err := libc.Bind(&inferred, "open", "", Errno()); err != nil {
		t.Errorf("inferring i32(ptr, i32) beside the error result: %v", err)
	}
}

// The errno table is built on the first fast binding with Errno, not on
// the first Bind: checked in a fresh process, where no other test ran.
func TestErrnoTableLazy(t *testing.T) {
	if os.Getenv("JITFFI_TEST_ERRNO_LAZY") == "1" {
		lib := itOpen(t)
		var add func(int32, int32) int32
		if err := lib.Bind(&add, "fx_add_i32", "i32(i32, i32)"); err != nil {
			t.Fatal(err)
		}
		if add(2, 3) != 5 || errnoTable.table != nil {
			t.Fatalf("after a Bind without Errno: table built = %v", errnoTable.table != nil)
		}
		var strtol func(*byte, *byte, int32) (int64, error)
		libc, err := Open("")
		if err != nil {
			t.Fatal(err)
		}
		if err := libc.Bind(&strtol, "strtol", "i64(ptr, ptr, i32)", Errno()); err != nil {
			t.Fatal(err)
		}
		if built, fast := errnoTable.table != nil, PathOf(strtol).Fast; built != fast {
			t.Fatalf("after a Bind with Errno on path %v: table built = %v", PathOf(strtol), built)
		}
		s := []byte("99999999999999999999999\x00")
		if _, err := strtol(&s[0], nil, 10); err != syscall.ERANGE {
			t.Fatalf("strtol overflow: error %v, want ERANGE", err)
		}
		fmt.Println("LAZY-OK")
		return
	}
	out, err := spawnTest(t, "TestErrnoTableLazy", "JITFFI_TEST_ERRNO_LAZY=1")
	if err != nil || !strings.Contains(out, "LAZY-OK") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
