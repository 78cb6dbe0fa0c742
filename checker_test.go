package jitffi

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/jitffi/jitffi/fixtures"
)

func openFixtures(t *testing.T) *Library {
	t.Helper()
	lib, err := Open(fixtures.Shared(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

func TestPathOfReasons(t *testing.T) {
	lib := openFixtures(t)
	var fast, slow func(int32, int32) int32
	if err := lib.Bind(&fast, "fx_add_i32", "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	if err := lib.Bind(&slow, "fx_add_i32", "i32(i32, i32)", Blocking()); err != nil {
		t.Fatal(err)
	}
	wantFast := "fast"
	if err := FastPathError(); err != nil {
		wantFast = "fallback: " + err.Error()
	}
	if env.noFast {
		wantFast = "fallback: JITFFI_FAST=0"
	}
	for _, c := range []struct {
		fn   any
		want string
	}{
		{fast, wantFast},
		{&fast, wantFast},
		{slow, "fallback: Blocking option"},
		{&slow, "fallback: Blocking option"},
		{func(int32, int32) int32 { return 0 }, "fallback: not bound by jitffi"},
		{nil, "fallback: not bound by jitffi"},
		{42, "fallback: not bound by jitffi"},
	} {
		if got := PathOf(c.fn).String(); got != c.want {
			t.Errorf("PathOf(%T) = %q, want %q", c.fn, got, c.want)
		}
	}
}

func TestStrict(t *testing.T) {
	lib := openFixtures(t)
	var add func(int32, int32) int32
	err := lib.Bind(&add, "fx_add_i32", "i32(i32, i32)", Strict(), Blocking())
	if !errors.Is(err, ErrNotFast) {
		t.Fatalf("Strict with Blocking: err = %v, want ErrNotFast", err)
	}
	if add != nil {
		t.Fatal("a failed Bind stored a func")
	}
	err = lib.Bind(&add, "fx_add_i32", "i32(i32, i32)", Strict())
	if FastPathError() == nil && !env.noFast {
		if err != nil {
			t.Fatalf("Strict on a fast signature: %v", err)
		}
	} else if !errors.Is(err, ErrNotFast) {
		t.Fatalf("Strict without a fast path: err = %v, want ErrNotFast", err)
	}
}

func TestDescribe(t *testing.T) {
	lib := openFixtures(t)
	var mix func(int32, float64, int64, int8, float32, uint8, int16, float64, uint32, float32, uint16, float64) float64
	if err := lib.Bind(&mix, "fx_mix_12", ""); err != nil {
		t.Fatal(err)
	}
	d, err := Describe(mix)
	if err != nil {
		t.Fatal(err)
	}
	// What the plan and the listing look like differs by architecture.
	argLine, callInsn, counterInsn := "arg 10 u16: go I6(R9) -> c S+0 zext16", "call *%r12", "incq 0x18(%rdx)"
	if runtime.GOARCH == "arm64" {
		argLine, callInsn, counterInsn = "arg 10 u16: go I6(R6) -> c I6(R6) zext16", "blr x20", "ldxr"
	}
	for _, want := range []string{"fx_mix_12: ", "f64(i32, f64, i64, i8, f32, u8, i16, f64, u32, f32, u16, f64)", argLine} {
		if !strings.Contains(d, want) {
			t.Errorf("Describe lacks %q:\n%s", want, d)
		}
	}
	if PathOf(mix).Fast {
		if !strings.Contains(d, "trampoline at 0x") || !strings.Contains(d, callInsn) {
			t.Errorf("Describe lacks the decoded trampoline:\n%s", d)
		}
		if got := strings.Contains(d, counterInsn); got != Tracing {
			t.Errorf("counter code present = %v, want %v (Tracing)\n%s", got, Tracing, d)
		}
	}
	if _, err := Describe(func() {}); err == nil {
		t.Error("Describe of a func jitffi did not bind succeeded")
	}
}

func TestCounts(t *testing.T) {
	lib := openFixtures(t)
	var fast, slow func(int32, int32) int32
	if err := lib.Bind(&fast, "fx_add_i32", "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	if err := lib.Bind(&slow, "fx_add_i32", "i32(i32, i32)", Blocking()); err != nil {
		t.Fatal(err)
	}
	const n = 100
	f0, s0 := Counts(slow)
	for i := 0; i < n; i++ {
		slow(1, 2)
	}
	f1, s1 := Counts(slow)
	if f1 != f0 || s1-s0 != n {
		t.Errorf("slow func: counts moved by (%d, %d), want (0, %d)", f1-f0, s1-s0, n)
	}
	if !PathOf(fast).Fast {
		return
	}
	f0, s0 = Counts(fast)
	for i := 0; i < n; i++ {
		fast(1, 2)
	}
	f1, s1 = Counts(fast)
	// A bail-out on a pending preemption request moves a call from the
	// fast counter to the fallback one; with tracing the total is exact.
	df, ds := f1-f0, s1-s0
	switch {
	case Tracing && df+ds != n:
		t.Errorf("fast func, traced: counts moved by (%d, %d), want %d in all", df, ds, n)
	case !Tracing && (df != 0 || ds > n):
		t.Errorf("fast func, untraced: counts moved by (%d, %d), want (0, at most %d bail-outs)", df, ds, n)
	}
}
