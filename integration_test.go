package jitffi

import (
	"fmt"
	"math"
	"os"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/jitffi/jitffi/fixtures"
)

// The harness of the integration tests, which live by feature in
// scalars_test.go, mixes_test.go, pointers_test.go, infer_test.go,
// symbols_test.go, env_test.go and concurrent_test.go.
//
// The integration tests bind every fixture function twice: once normally,
// which must give the fast path whenever the process allows it, and once
// with Blocking, which always gives the fallback. Both are called with the
// same inputs and must agree with each other and with the value the
// header's formula gives in Go.

// itOpen loads the fixture library for one test and closes it when
// the test ends.
func itOpen(t testing.TB) *Library {
	t.Helper()
	lib, err := Open(fixtures.Shared(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := lib.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return lib
}

// itWantPath is the path a binding must take in this process.
func itWantPath(blocking bool) Path {
	switch {
	case os.Getenv("JITFFI_FAST") == "0":
		return Path{Cause: CauseEnv, Reason: "JITFFI_FAST=0"}
	case blocking:
		return Path{Cause: CauseBlocking, Reason: "Blocking option"}
	}
	if err := FastPathError(); err != nil {
		return Path{Cause: CauseRuntime, Reason: err.Error()}
	}
	return Path{Fast: true}
}

func itCheckPath(t testing.TB, what string, fn any, blocking bool) {
	t.Helper()
	if diff := cmp.Diff(itWantPath(blocking), PathOf(fn)); diff != "" {
		t.Errorf("PathOf(%s) (-want +got):\n%s", what, diff)
	}
}

// itBindBoth binds name twice, normally and with Blocking, and checks the
// path of each.
func itBindBoth[F any](t testing.TB, lib *Library, name, signature string) (fast, slow F) {
	t.Helper()
	if err := lib.Bind(&fast, name, signature); err != nil {
		t.Fatalf("Bind(%s, %q): %v", name, signature, err)
	}
	if err := lib.Bind(&slow, name, signature, Blocking()); err != nil {
		t.Fatalf("Bind(%s, %q, Blocking()): %v", name, signature, err)
	}
	itCheckPath(t, name, fast, false)
	itCheckPath(t, name+" with Blocking", slow, true)
	return fast, slow
}

// itCanon makes values comparable bit for bit: floats become their bit
// patterns (so NaN payloads and -0 count), pointers their addresses.
func itCanon(v any) any {
	switch x := v.(type) {
	case float32:
		return fmt.Sprintf("f32 %#08x", math.Float32bits(x))
	case float64:
		return fmt.Sprintf("f64 %#016x", math.Float64bits(x))
	case itF32:
		return fmt.Sprintf("f32 %#08x", math.Float32bits(float32(x)))
	case unsafe.Pointer:
		return fmt.Sprintf("ptr %#x", uintptr(x))
	case *byte:
		return fmt.Sprintf("ptr %#x", uintptr(unsafe.Pointer(x)))
	case uintptr:
		return fmt.Sprintf("uintptr %#x", x)
	}
	return v
}

// itBoth compares the fast and fallback results of one call with want.
func itBoth(t testing.TB, call string, want, fast, slow any) {
	t.Helper()
	w := itCanon(want)
	if diff := cmp.Diff([]any{w, w}, []any{itCanon(fast), itCanon(slow)}); diff != "" {
		t.Errorf("%s: [fast, fallback] (-want +got):\n%s", call, diff)
	}
}

type itPair[A, R any] struct {
	in   A
	want R
}

func itEchoes[T any](vals ...T) []itPair[T, T] {
	var ps []itPair[T, T]
	for _, v := range vals {
		ps = append(ps, itPair[T, T]{v, v})
	}
	return ps
}

// itUnary binds a one-argument function both ways and checks every case.
func itUnary[A, R any](t *testing.T, lib *Library, name, signature string, cases []itPair[A, R]) {
	t.Helper()
	fast, slow := itBindBoth[func(A) R](t, lib, name, signature)
	for _, c := range cases {
		itBoth(t, fmt.Sprintf("%s(%#v) as %q", name, itCanon(c.in), signature), c.want, fast(c.in), slow(c.in))
	}
}

// itConst binds a function without arguments both ways.
func itConst[R any](t *testing.T, lib *Library, name, signature string, want R) {
	t.Helper()
	fast, slow := itBindBoth[func() R](t, lib, name, signature)
	itBoth(t, name+"()", want, fast(), slow())
}

type itInt32 int32

type itF32 float32

// itWsum is the header's WSUM: products rounded before they are added.
func itWsum(xs ...float64) float64 {
	var s float64
	for i, x := range xs {
		s += float64(float64(i+1) * x)
	}
	return s
}

func itB2F(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func itPtrF(p unsafe.Pointer) float64 { return float64(uintptr(p)) }
