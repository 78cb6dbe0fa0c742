package jitffi

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/jitffi/jitffi/fixtures"
)

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

func TestIntegrationEcho(t *testing.T) {
	itCheckEchoes(t, itOpen(t))
}

func itCheckEchoes(t *testing.T, lib *Library) {
	t.Run("bool", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_bool", "bool(bool)", itEchoes(false, true))
	})
	t.Run("i8", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_i8", "i8(i8)", itEchoes[int8](0, 1, -1, math.MinInt8, math.MaxInt8, 0x55))
	})
	t.Run("u8", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_u8", "u8(u8)", itEchoes[uint8](0, 1, 0x80, math.MaxUint8, 0x55, 0xAA))
	})
	t.Run("i16", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_i16", "i16(i16)", itEchoes[int16](0, 1, -1, math.MinInt16, math.MaxInt16, 0x5555))
	})
	t.Run("u16", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_u16", "u16(u16)", itEchoes[uint16](0, 1, 0x8000, math.MaxUint16, 0x5555, 0xAAAA))
	})
	t.Run("i32", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_i32", "i32(i32)", itEchoes[int32](0, 1, -1, math.MinInt32, math.MaxInt32, 0x55555555))
	})
	t.Run("u32", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_u32", "u32(u32)", itEchoes[uint32](0, 1, 0x80000000, math.MaxUint32, 0x55555555, 0xAAAAAAAA))
	})
	t.Run("i64", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_i64", "i64(i64)", itEchoes[int64](0, 1, -1, math.MinInt64, math.MaxInt64, 0x5555555555555555))
	})
	t.Run("i64 as int", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_i64", "i64(i64)", itEchoes[int](0, 1, -1, math.MinInt, math.MaxInt))
	})
	t.Run("u64", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_u64", "u64(u64)", itEchoes[uint64](0, 1, 1<<63, math.MaxUint64, 0x5555555555555555, 0xAAAAAAAAAAAAAAAA))
	})
	t.Run("u64 as uint", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_u64", "u64(u64)", itEchoes[uint](0, 1, math.MaxUint))
	})
	t.Run("isize", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_isize", "isize(isize)", itEchoes[int](0, 1, -1, math.MinInt, math.MaxInt, 0x5555555555555555))
	})
	t.Run("usize", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_usize", "usize(usize)", itEchoes[uintptr](0, 1, math.MaxUint64, 0x5555555555555555))
	})
	t.Run("usize as uint64", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_usize", "usize(usize)", itEchoes[uint64](0, 1, math.MaxUint64))
	})
	t.Run("f32", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_f32", "f32(f32)", itEchoes[float32](0, 1, -1, math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 0.1))
	})
	t.Run("f64", func(t *testing.T) {
		itUnary(t, lib, "fx_echo_f64", "f64(f64)", itEchoes(0, 1, -1, math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 0.1))
	})
	t.Run("named types", func(t *testing.T) {
		fast, slow := itBindBoth[func(itInt32, itInt32) itInt32](t, lib, "fx_add_i32", "i32(i32, i32)")
		itBoth(t, "fx_add_i32(40, 2)", itInt32(42), fast(40, 2), slow(40, 2))
	})
	t.Run("fx_add_i32", func(t *testing.T) {
		fast, slow := itBindBoth[func(int32, int32) int32](t, lib, "fx_add_i32", "i32(i32, i32)")
		for _, c := range [][3]int32{{2, 40, 42}, {math.MaxInt32, 1, math.MinInt32}, {-1, -1, -2}, {math.MinInt32, -1, math.MaxInt32}, {0, 0, 0}} {
			itBoth(t, fmt.Sprintf("fx_add_i32(%d, %d)", c[0], c[1]), c[2], fast(c[0], c[1]), slow(c[0], c[1]))
		}
	})
	t.Run("fx_not", func(t *testing.T) {
		itUnary(t, lib, "fx_not", "bool(bool)", []itPair[bool, bool]{{false, true}, {true, false}})
	})
}

func TestIntegrationLimits(t *testing.T) {
	lib := itOpen(t)
	t.Run("constants", func(t *testing.T) {
		itConst[int8](t, lib, "fx_min_i8", "i8()", math.MinInt8)
		itConst[int8](t, lib, "fx_max_i8", "i8()", math.MaxInt8)
		itConst[uint8](t, lib, "fx_max_u8", "u8()", math.MaxUint8)
		itConst[int16](t, lib, "fx_min_i16", "i16()", math.MinInt16)
		itConst[int16](t, lib, "fx_max_i16", "i16()", math.MaxInt16)
		itConst[uint16](t, lib, "fx_max_u16", "u16()", math.MaxUint16)
		itConst[int32](t, lib, "fx_min_i32", "i32()", math.MinInt32)
		itConst[int32](t, lib, "fx_max_i32", "i32()", math.MaxInt32)
		itConst[uint32](t, lib, "fx_max_u32", "u32()", math.MaxUint32)
		itConst[int64](t, lib, "fx_min_i64", "i64()", math.MinInt64)
		itConst[int64](t, lib, "fx_max_i64", "i64()", math.MaxInt64)
		itConst[uint64](t, lib, "fx_max_u64", "u64()", math.MaxUint64)
	})
	t.Run("widen", func(t *testing.T) {
		itUnary(t, lib, "fx_widen_i8", "i64(i8)", []itPair[int8, int64]{{0, 0}, {1, 1}, {-1, -1}, {math.MinInt8, math.MinInt8}, {math.MaxInt8, math.MaxInt8}})
		itUnary(t, lib, "fx_widen_u8", "u64(u8)", []itPair[uint8, uint64]{{0, 0}, {1, 1}, {0x80, 0x80}, {math.MaxUint8, math.MaxUint8}})
		itUnary(t, lib, "fx_widen_i16", "i64(i16)", []itPair[int16, int64]{{0, 0}, {-1, -1}, {math.MinInt16, math.MinInt16}, {math.MaxInt16, math.MaxInt16}})
		itUnary(t, lib, "fx_widen_u16", "u64(u16)", []itPair[uint16, uint64]{{0, 0}, {0x8000, 0x8000}, {math.MaxUint16, math.MaxUint16}})
		itUnary(t, lib, "fx_widen_i32", "i64(i32)", []itPair[int32, int64]{{0, 0}, {-1, -1}, {math.MinInt32, math.MinInt32}, {math.MaxInt32, math.MaxInt32}})
		itUnary(t, lib, "fx_widen_u32", "u64(u32)", []itPair[uint32, uint64]{{0, 0}, {0x80000000, 0x80000000}, {math.MaxUint32, math.MaxUint32}})
		itUnary(t, lib, "fx_widen_bool", "u64(bool)", []itPair[bool, uint64]{{false, 0}, {true, 1}})
	})
	t.Run("fx_u32_to_u8", func(t *testing.T) {
		itUnary(t, lib, "fx_u32_to_u8", "u8(u32)", []itPair[uint32, uint8]{{0x1234, 0x34}, {0xFFFFFF00, 0}, {0xFF, 0xFF}})
	})
}

// itCheckArgs is the argument list fx_check_args_8 expects.
type itCheckArgs struct {
	a int8
	b uint8
	c int16
	d uint16
	e int32
	f uint32
	g int64
	h uint64
}

var itGoodCheckArgs = itCheckArgs{math.MinInt8, math.MaxUint8, math.MinInt16, math.MaxUint16, math.MinInt32, math.MaxUint32, math.MinInt64, math.MaxUint64}

// itCheckArgsCases are the expected arguments and, for each position, the
// same with that argument off by one (the checker then returns -k).
func itCheckArgsCases() []itPair[itCheckArgs, int32] {
	cases := []itPair[itCheckArgs, int32]{{itGoodCheckArgs, 1}}
	for k := range 8 {
		c := itGoodCheckArgs
		switch k {
		case 0:
			c.a++
		case 1:
			c.b--
		case 2:
			c.c++
		case 3:
			c.d--
		case 4:
			c.e++
		case 5:
			c.f--
		case 6:
			c.g++
		case 7:
			c.h--
		}
		cases = append(cases, itPair[itCheckArgs, int32]{c, -int32(k + 1)})
	}
	return cases
}

func TestIntegrationCheckArgs(t *testing.T) {
	lib := itOpen(t)
	t.Run("fx_check_args_8", func(t *testing.T) {
		fast, slow := itBindBoth[func(int8, uint8, int16, uint16, int32, uint32, int64, uint64) int32](t, lib,
			"fx_check_args_8", "i32(i8, u8, i16, u16, i32, u32, i64, u64)")
		for _, c := range itCheckArgsCases() {
			a := c.in
			itBoth(t, fmt.Sprintf("fx_check_args_8%+v", a), c.want,
				fast(a.a, a.b, a.c, a.d, a.e, a.f, a.g, a.h),
				slow(a.a, a.b, a.c, a.d, a.e, a.f, a.g, a.h))
		}
	})
	t.Run("fx_check_args_stack", func(t *testing.T) {
		fast, slow := itBindBoth[func(int64, int64, int64, int64, int64, int64, int64, int64, int64,
			int8, uint8, int16, uint16, int32, uint32, int64, uint64) int32](t, lib,
			"fx_check_args_stack", "i32(i64, i64, i64, i64, i64, i64, i64, i64, i64, i8, u8, i16, u16, i32, u32, i64, u64)")
		type stackCase struct {
			x    [9]int64
			a    itCheckArgs
			want int32
		}
		fill := [9]int64{1, 2, 3, 4, 5, 6, 7, 8, 9}
		var cases []stackCase
		for _, c := range itCheckArgsCases() {
			want := c.want
			if want != 1 {
				want -= 9
			}
			cases = append(cases, stackCase{fill, c.in, want})
		}
		for i := range fill {
			x := fill
			x[i] = -x[i]
			cases = append(cases, stackCase{x, itGoodCheckArgs, -int32(i + 1)})
		}
		for _, c := range cases {
			x, a := c.x, c.a
			itBoth(t, fmt.Sprintf("fx_check_args_stack(%v, %+v)", x, a), c.want,
				fast(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], a.a, a.b, a.c, a.d, a.e, a.f, a.g, a.h),
				slow(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], a.a, a.b, a.c, a.d, a.e, a.f, a.g, a.h))
		}
	})
}

// itDirtyWords are 64-bit values whose low bits are the narrow argument and
// whose upper bits are garbage. The calls below truncate them in a way the
// compiler may implement by passing the whole register.
var itDirtyWords = []uint64{0x1FF, 0xDEADBEEFCAFE0142, 0xFFFFFFFFFFFF0080, 0x100, 0x17F, 0x18001, 0xABCD7FFF}

//go:noinline
func itCallU8(f func(uint8) uint32, v uint64) uint32 { return f(uint8(v)) }

//go:noinline
func itCallI8(f func(int8) uint32, v uint64) uint32 { return f(int8(v)) }

//go:noinline
func itCallU16(f func(uint16) uint32, v uint64) uint32 { return f(uint16(v)) }

//go:noinline
func itCallI16(f func(int16) uint32, v uint64) uint32 { return f(int16(v)) }

//go:noinline
func itCallBool(f func(bool) uint32, v uint64) uint32 { return f(v&1 != 0) }

func TestIntegrationDirtyBits(t *testing.T) {
	lib := itOpen(t)
	t.Run("narrow arguments", func(t *testing.T) {
		// fx_u32_echo reads the whole 32-bit register the narrow
		// argument came in: the caller must have extended it.
		u8f, u8s := itBindBoth[func(uint8) uint32](t, lib, "fx_u32_echo", "u32(u8)")
		i8f, i8s := itBindBoth[func(int8) uint32](t, lib, "fx_u32_echo", "u32(i8)")
		u16f, u16s := itBindBoth[func(uint16) uint32](t, lib, "fx_u32_echo", "u32(u16)")
		i16f, i16s := itBindBoth[func(int16) uint32](t, lib, "fx_u32_echo", "u32(i16)")
		bf, bs := itBindBoth[func(bool) uint32](t, lib, "fx_u32_echo", "u32(bool)")
		for _, v := range itDirtyWords {
			itBoth(t, fmt.Sprintf("u32(u8) given uint8(%#x)", v), uint32(uint8(v)), itCallU8(u8f, v), itCallU8(u8s, v))
			itBoth(t, fmt.Sprintf("u32(i8) given int8(%#x)", v), uint32(int32(int8(v))), itCallI8(i8f, v), itCallI8(i8s, v))
			itBoth(t, fmt.Sprintf("u32(u16) given uint16(%#x)", v), uint32(uint16(v)), itCallU16(u16f, v), itCallU16(u16s, v))
			itBoth(t, fmt.Sprintf("u32(i16) given int16(%#x)", v), uint32(int32(int16(v))), itCallI16(i16f, v), itCallI16(i16s, v))
			itBoth(t, fmt.Sprintf("u32(bool) given %#x&1 != 0", v), uint32(v&1), itCallBool(bf, v), itCallBool(bs, v))
		}
		if got := itCallU8(u8f, 0x1FF); got != 0xFF {
			t.Errorf("fast u32(u8) given uint8(0x1FF) = %#x, want 0xff", got)
		}
	})
	t.Run("narrow results", func(t *testing.T) {
		itUnary(t, lib, "fx_ret_wide", "u8(u32)", []itPair[uint32, uint8]{{256, 0}, {0x1FF, 255}, {0xFFFFFF7F, 0x7F}, {5, 5}})
		itUnary(t, lib, "fx_ret_wide", "i8(u32)", []itPair[uint32, int8]{{0x180, -128}, {0x17F, 127}, {0xFFFFFF00, 0}, {0xFF, -1}})
		itUnary(t, lib, "fx_ret_wide", "u16(u32)", []itPair[uint32, uint16]{{0x10000, 0}, {0x1FFFF, 0xFFFF}, {0xABCD1234, 0x1234}})
		itUnary(t, lib, "fx_ret_wide", "i16(u32)", []itPair[uint32, int16]{{0x18000, math.MinInt16}, {0x17FFF, math.MaxInt16}, {0xFFFF, -1}})
		itUnary(t, lib, "fx_ret_wide", "bool(u32)", []itPair[uint32, bool]{{0x100, false}, {0x101, true}, {0, false}, {1, true}})
		itUnary(t, lib, "fx_ret_wide64", "u32(u64)", []itPair[uint64, uint32]{{0x1_0000_0005, 5}, {0xFFFFFFFF_00000000, 0}, {0x1_FFFF_FFFF, math.MaxUint32}})
		itUnary(t, lib, "fx_ret_wide64", "i32(u64)", []itPair[uint64, int32]{{0x1_8000_0000, math.MinInt32}, {0xFFFFFFFF_7FFFFFFF, math.MaxInt32}, {0x1_0000_0005, 5}, {0x2_FFFF_FFFF, -1}})
	})
}

// itVectors returns a few fixed argument vectors and n random ones.
func itVectors[T any](rng *rand.Rand, n, width int, fixed [][]T, gen func(*rand.Rand) T) [][]T {
	out := append([][]T(nil), fixed...)
	for range n {
		v := make([]T, width)
		for i := range v {
			v[i] = gen(rng)
		}
		out = append(out, v)
	}
	return out
}

func itRepeat[T any](n int, v T) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func itSeq[T int64 | int32 | float64 | float32](n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(i + 1)
	}
	return s
}

func itRandF64(r *rand.Rand) float64 {
	switch r.IntN(4) {
	case 0:
		return r.NormFloat64() * 1e300
	case 1:
		return r.NormFloat64() * 1e-300
	}
	return r.NormFloat64() * 1000
}

func itRandF32(r *rand.Rand) float32 { return float32(r.NormFloat64() * 1e6) }

func TestIntegrationMixes(t *testing.T) {
	itCheckMixes(t, itOpen(t))
}

func itCheckMixes(t *testing.T, lib *Library) {
	rng := rand.New(rand.NewPCG(1, 2))
	t.Run("fx_args0", func(t *testing.T) {
		itConst(t, lib, "fx_args0", "f64()", 7.0)
	})
	t.Run("fx_sum_i64_16", func(t *testing.T) {
		fast, slow := itBindBoth[func(int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64) int64](t, lib,
			"fx_sum_i64_16", "i64(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)")
		for _, a := range itVectors(rng, 20, 16, [][]int64{itSeq[int64](16), itRepeat[int64](16, -1), itRepeat[int64](16, math.MaxInt64), itRepeat[int64](16, math.MinInt64)},
			func(r *rand.Rand) int64 { return int64(r.Uint64()) }) {
			var want int64
			for i, x := range a {
				want += int64(i+1) * x
			}
			itBoth(t, fmt.Sprintf("fx_sum_i64_16%v", a), want,
				fast(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]),
				slow(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]))
		}
	})
	t.Run("fx_sum_f64_16", func(t *testing.T) {
		fast, slow := itBindBoth[func(float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64) float64](t, lib,
			"fx_sum_f64_16", "f64(f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64)")
		for _, a := range itVectors(rng, 20, 16, [][]float64{itSeq[float64](16), itRepeat(16, 0.1), itRepeat(16, math.Copysign(0, -1))}, itRandF64) {
			itBoth(t, fmt.Sprintf("fx_sum_f64_16%v", a), itWsum(a...),
				fast(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]),
				slow(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]))
		}
	})
	t.Run("fx_mix_16a", func(t *testing.T) {
		fast, slow := itBindBoth[func(int32, float64, int32, float64, int32, float64, int32, float64, int32, float64, int32, float64, int32, float64, int32, float64) float64](t, lib,
			"fx_mix_16a", "f64(i32, f64, i32, f64, i32, f64, i32, f64, i32, f64, i32, f64, i32, f64, i32, f64)")
		type mix struct {
			i [8]int32
			f [8]float64
		}
		cases := []mix{
			{[8]int32{1, 3, 5, 7, 9, 11, 13, 15}, [8]float64{2, 4, 6, 8, 10, 12, 14, 16}},
			{[8]int32{math.MinInt32, math.MaxInt32, -1, 0, 1, math.MinInt32, math.MaxInt32, -7}, [8]float64{0.1, -0.2, 1e300, -1e-300, 3, math.Pi, -math.E, 0}},
		}
		for range 20 {
			var m mix
			for k := range 8 {
				m.i[k] = int32(rng.Uint32())
				m.f[k] = itRandF64(rng)
			}
			cases = append(cases, m)
		}
		for _, m := range cases {
			i, f := m.i, m.f
			var xs []float64
			for k := range 8 {
				xs = append(xs, float64(i[k]), f[k])
			}
			itBoth(t, fmt.Sprintf("fx_mix_16a(%v, %v)", i, f), itWsum(xs...),
				fast(i[0], f[0], i[1], f[1], i[2], f[2], i[3], f[3], i[4], f[4], i[5], f[5], i[6], f[6], i[7], f[7]),
				slow(i[0], f[0], i[1], f[1], i[2], f[2], i[3], f[3], i[4], f[4], i[5], f[5], i[6], f[6], i[7], f[7]))
		}
	})
	t.Run("fx_mix_16b", func(t *testing.T) {
		const sig16b = "f64(i8, u16, f32, i64, u8, f64, i16, u32, f32, bool, isize, usize, f64, i32, ptr, i8)"
		type args struct {
			a0  int8
			a1  uint16
			a2  float32
			a3  int64
			a4  uint8
			a5  float64
			a6  int16
			a7  uint32
			a8  float32
			a9  bool
			a10 int
			a11 uintptr
			a12 float64
			a13 int32
			a14 []byte
			a15 int8
		}
		buf := make([]byte, 32)
		cases := []args{
			{1, 2, 3, 4, 5, 6, 7, 8, 9, true, 11, 12, 13, 14, buf, 16},
			{math.MinInt8, math.MaxUint16, -0.5, math.MinInt64, math.MaxUint8, -1e300, math.MinInt16, math.MaxUint32, math.MaxFloat32, false, math.MaxInt, math.MaxUint64, 1e-300, math.MinInt32, nil, math.MaxInt8},
			{-1, 0, 0, -1, 0, 0, -1, 0, 0, true, -1, 0, 0, -1, buf[5:9], -1},
			{0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, 0, 0, []byte{}, 0},
			{0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, 0, 0, buf[:0], 0},
		}
		for range 10 {
			cases = append(cases, args{int8(rng.Uint32()), uint16(rng.Uint32()), itRandF32(rng), int64(rng.Uint64()), uint8(rng.Uint32()), itRandF64(rng),
				int16(rng.Uint32()), rng.Uint32(), itRandF32(rng), rng.IntN(2) == 1, int(rng.Uint64()), uintptr(rng.Uint64()), itRandF64(rng), int32(rng.Uint32()),
				buf[rng.IntN(16):], int8(rng.Uint32())})
		}
		dataOf := func(b []byte) unsafe.Pointer {
			if len(b) == 0 {
				return nil // nil and empty slices are NULL
			}
			return unsafe.Pointer(unsafe.SliceData(b))
		}
		want := func(a args, p unsafe.Pointer) float64 {
			return itWsum(float64(a.a0), float64(a.a1), float64(a.a2), float64(a.a3), float64(a.a4), a.a5, float64(a.a6), float64(a.a7),
				float64(a.a8), itB2F(a.a9), float64(a.a10), float64(a.a11), a.a12, float64(a.a13), itPtrF(p), float64(a.a15))
		}
		t.Run("slice", func(t *testing.T) {
			// The slice header goes on Go's stack: nine integer registers
			// are used up before it.
			fast, slow := itBindBoth[func(int8, uint16, float32, int64, uint8, float64, int16, uint32, float32, bool, int, uintptr, float64, int32, []byte, int8) float64](t, lib, "fx_mix_16b", sig16b)
			for _, a := range cases {
				itBoth(t, fmt.Sprintf("fx_mix_16b(%+v) (len(a14)=%d)", a, len(a.a14)), want(a, dataOf(a.a14)),
					fast(a.a0, a.a1, a.a2, a.a3, a.a4, a.a5, a.a6, a.a7, a.a8, a.a9, a.a10, a.a11, a.a12, a.a13, a.a14, a.a15),
					slow(a.a0, a.a1, a.a2, a.a3, a.a4, a.a5, a.a6, a.a7, a.a8, a.a9, a.a10, a.a11, a.a12, a.a13, a.a14, a.a15))
			}
		})
		t.Run("pointer", func(t *testing.T) {
			fast, slow := itBindBoth[func(int8, uint16, float32, int64, uint8, float64, int16, uint32, float32, bool, int, uintptr, float64, int32, *byte, int8) float64](t, lib, "fx_mix_16b", sig16b)
			for _, a := range cases {
				var p *byte
				if len(a.a14) > 0 {
					p = &a.a14[0]
				}
				itBoth(t, fmt.Sprintf("fx_mix_16b(%+v) (a14=%p)", a, p), want(a, unsafe.Pointer(p)),
					fast(a.a0, a.a1, a.a2, a.a3, a.a4, a.a5, a.a6, a.a7, a.a8, a.a9, a.a10, a.a11, a.a12, a.a13, p, a.a15),
					slow(a.a0, a.a1, a.a2, a.a3, a.a4, a.a5, a.a6, a.a7, a.a8, a.a9, a.a10, a.a11, a.a12, a.a13, p, a.a15))
			}
		})
	})
	t.Run("fx_mix_12", func(t *testing.T) {
		fast, slow := itBindBoth[func(int32, float64, int64, int8, float32, uint8, int16, float64, uint32, float32, uint16, float64) float64](t, lib,
			"fx_mix_12", "f64(i32, f64, i64, i8, f32, u8, i16, f64, u32, f32, u16, f64)")
		type args struct {
			a0  int32
			a1  float64
			a2  int64
			a3  int8
			a4  float32
			a5  uint8
			a6  int16
			a7  float64
			a8  uint32
			a9  float32
			a10 uint16
			a11 float64
		}
		cases := []args{
			{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
			{math.MinInt32, -1e300, math.MaxInt64, math.MinInt8, math.SmallestNonzeroFloat32, math.MaxUint8, math.MinInt16, 0.1, math.MaxUint32, -math.MaxFloat32, math.MaxUint16, 1e-300},
		}
		for range 20 {
			cases = append(cases, args{int32(rng.Uint32()), itRandF64(rng), int64(rng.Uint64()), int8(rng.Uint32()), itRandF32(rng), uint8(rng.Uint32()),
				int16(rng.Uint32()), itRandF64(rng), rng.Uint32(), itRandF32(rng), uint16(rng.Uint32()), itRandF64(rng)})
		}
		for _, a := range cases {
			want := itWsum(float64(a.a0), a.a1, float64(a.a2), float64(a.a3), float64(a.a4), float64(a.a5), float64(a.a6), a.a7, float64(a.a8), float64(a.a9), float64(a.a10), a.a11)
			itBoth(t, fmt.Sprintf("fx_mix_12(%+v)", a), want,
				fast(a.a0, a.a1, a.a2, a.a3, a.a4, a.a5, a.a6, a.a7, a.a8, a.a9, a.a10, a.a11),
				slow(a.a0, a.a1, a.a2, a.a3, a.a4, a.a5, a.a6, a.a7, a.a8, a.a9, a.a10, a.a11))
		}
	})
	t.Run("fx_mix_10i", func(t *testing.T) {
		fast, slow := itBindBoth[func(int32, int32, int32, int32, int32, int32, int32, int32, int32, int32) float64](t, lib,
			"fx_mix_10i", "f64(i32, i32, i32, i32, i32, i32, i32, i32, i32, i32)")
		for _, a := range itVectors(rng, 20, 10, [][]int32{itSeq[int32](10), itRepeat[int32](10, math.MinInt32), itRepeat[int32](10, -1)},
			func(r *rand.Rand) int32 { return int32(r.Uint32()) }) {
			var xs []float64
			for _, x := range a {
				xs = append(xs, float64(x))
			}
			itBoth(t, fmt.Sprintf("fx_mix_10i%v", a), itWsum(xs...),
				fast(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]),
				slow(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]))
		}
	})
	t.Run("fx_mix_f32_20", func(t *testing.T) {
		fast, slow := itBindBoth[func(float32, float32, float32, float32, float32, float32, float32, float32, float32, float32,
			float32, float32, float32, float32, float32, float32, float32, float32, float32, float32) float64](t, lib,
			"fx_mix_f32_20", "f64(f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)")
		for _, a := range itVectors(rng, 20, 20, [][]float32{itSeq[float32](20), itRepeat[float32](20, 0.1), itRepeat[float32](20, -math.MaxFloat32)}, itRandF32) {
			var xs []float64
			for _, x := range a {
				xs = append(xs, float64(x))
			}
			itBoth(t, fmt.Sprintf("fx_mix_f32_20%v", a), itWsum(xs...),
				fast(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19]),
				slow(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19]))
		}
	})
	t.Run("fx_mix_64", func(t *testing.T) {
		fast, slow := itBindBoth[func(int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32, int64, float64, int32, float32) float64](t, lib,
			"fx_mix_64", "f64(i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32, i64, f64, i32, f32)")
		type args struct {
			i [16]int64
			d [16]float64
			w [16]int32
			f [16]float32
		}
		var cases []args
		var seq args
		for k := range 16 {
			seq.i[k], seq.d[k], seq.w[k], seq.f[k] = int64(4*k+1), float64(4*k+2), int32(4*k+3), float32(4*k+4)
		}
		cases = append(cases, seq)
		for range 10 {
			var a args
			for k := range 16 {
				a.i[k], a.d[k], a.w[k], a.f[k] = int64(rng.Uint64()), itRandF64(rng), int32(rng.Uint32()), itRandF32(rng)
			}
			cases = append(cases, a)
		}
		for _, a := range cases {
			var xs []float64
			for k := range 16 {
				xs = append(xs, float64(a.i[k]), a.d[k], float64(a.w[k]), float64(a.f[k]))
			}
			itBoth(t, fmt.Sprintf("fx_mix_64(%+v)", a), itWsum(xs...),
				fast(a.i[0], a.d[0], a.w[0], a.f[0], a.i[1], a.d[1], a.w[1], a.f[1], a.i[2], a.d[2], a.w[2], a.f[2], a.i[3], a.d[3], a.w[3], a.f[3],
					a.i[4], a.d[4], a.w[4], a.f[4], a.i[5], a.d[5], a.w[5], a.f[5], a.i[6], a.d[6], a.w[6], a.f[6], a.i[7], a.d[7], a.w[7], a.f[7],
					a.i[8], a.d[8], a.w[8], a.f[8], a.i[9], a.d[9], a.w[9], a.f[9], a.i[10], a.d[10], a.w[10], a.f[10], a.i[11], a.d[11], a.w[11], a.f[11],
					a.i[12], a.d[12], a.w[12], a.f[12], a.i[13], a.d[13], a.w[13], a.f[13], a.i[14], a.d[14], a.w[14], a.f[14], a.i[15], a.d[15], a.w[15], a.f[15]),
				slow(a.i[0], a.d[0], a.w[0], a.f[0], a.i[1], a.d[1], a.w[1], a.f[1], a.i[2], a.d[2], a.w[2], a.f[2], a.i[3], a.d[3], a.w[3], a.f[3],
					a.i[4], a.d[4], a.w[4], a.f[4], a.i[5], a.d[5], a.w[5], a.f[5], a.i[6], a.d[6], a.w[6], a.f[6], a.i[7], a.d[7], a.w[7], a.f[7],
					a.i[8], a.d[8], a.w[8], a.f[8], a.i[9], a.d[9], a.w[9], a.f[9], a.i[10], a.d[10], a.w[10], a.f[10], a.i[11], a.d[11], a.w[11], a.f[11],
					a.i[12], a.d[12], a.w[12], a.f[12], a.i[13], a.d[13], a.w[13], a.f[13], a.i[14], a.d[14], a.w[14], a.f[14], a.i[15], a.d[15], a.w[15], a.f[15]))
		}
	})
}

// Bit patterns every float path must keep.
var (
	itF64Specials = []uint64{
		0x7ff0000000000001, // signalling NaN
		0x7ff4000000000000, // signalling NaN, high payload bit
		0x7ff8000000000123, // quiet NaN with a payload
		0x7ff8000000000000, // the default quiet NaN
		0xfff8000000000001, // negative quiet NaN
		0xfff0000000000001, // negative signalling NaN
		0x8000000000000000, // -0
		0x0000000000000000, // +0
		0x7ff0000000000000, // +Inf
		0xfff0000000000000, // -Inf
		0x0000000000000001, // smallest denormal
		0x8000000000000001, // negative smallest denormal
		0x000fffffffffffff, // largest denormal
		0x7fefffffffffffff, // largest finite
		0x3ff0000000000000, // 1
		0x5555555555555555,
	}
	itF32Specials = []uint32{
		0x7f800001, // signalling NaN
		0x7fa00000, // signalling NaN, high payload bit
		0x7fc00123, // quiet NaN with a payload
		0x7fc00000,
		0xffc00001, // negative quiet NaN
		0xff800001, // negative signalling NaN
		0x80000000, // -0
		0x00000000,
		0x7f800000, // +Inf
		0xff800000, // -Inf
		0x00000001, // smallest denormal
		0x80000001,
		0x007fffff, // largest denormal
		0x7f7fffff, // largest finite
		0x3f800000, // 1
		0x55555555,
	}
)

func TestIntegrationFloatBits(t *testing.T) {
	itCheckFloatBits(t, itOpen(t))
}

func itCheckFloatBits(t *testing.T, lib *Library) {
	var f64id, f64neg, f64echo []itPair[float64, float64]
	var f64to []itPair[float64, uint64]
	var f64from []itPair[uint64, float64]
	for _, b := range itF64Specials {
		x := math.Float64frombits(b)
		f64id = append(f64id, itPair[float64, float64]{x, x})
		f64echo = append(f64echo, itPair[float64, float64]{x, x})
		f64neg = append(f64neg, itPair[float64, float64]{x, math.Float64frombits(b ^ 1<<63)})
		f64to = append(f64to, itPair[float64, uint64]{x, b})
		f64from = append(f64from, itPair[uint64, float64]{b, x})
	}
	var f32id []itPair[float32, float32]
	var f32named []itPair[itF32, itF32]
	var f32to []itPair[float32, uint32]
	var f32from []itPair[uint32, float32]
	for _, b := range itF32Specials {
		x := math.Float32frombits(b)
		f32id = append(f32id, itPair[float32, float32]{x, x})
		f32named = append(f32named, itPair[itF32, itF32]{itF32(x), itF32(x)})
		f32to = append(f32to, itPair[float32, uint32]{x, b})
		f32from = append(f32from, itPair[uint32, float32]{b, x})
	}
	t.Run("fx_f64_bits", func(t *testing.T) { itUnary(t, lib, "fx_f64_bits", "f64(f64)", f64id) })
	t.Run("fx_echo_f64", func(t *testing.T) { itUnary(t, lib, "fx_echo_f64", "f64(f64)", f64echo) })
	t.Run("fx_neg_f64", func(t *testing.T) { itUnary(t, lib, "fx_neg_f64", "f64(f64)", f64neg) })
	t.Run("fx_f64_to_bits", func(t *testing.T) { itUnary(t, lib, "fx_f64_to_bits", "u64(f64)", f64to) })
	t.Run("fx_bits_to_f64", func(t *testing.T) { itUnary(t, lib, "fx_bits_to_f64", "f64(u64)", f64from) })
	t.Run("fx_f32_id", func(t *testing.T) { itUnary(t, lib, "fx_f32_id", "f32(f32)", f32id) })
	t.Run("fx_echo_f32", func(t *testing.T) { itUnary(t, lib, "fx_echo_f32", "f32(f32)", f32id) })
	t.Run("fx_f32_id named type", func(t *testing.T) { itUnary(t, lib, "fx_f32_id", "f32(f32)", f32named) })
	t.Run("fx_f32_to_bits", func(t *testing.T) { itUnary(t, lib, "fx_f32_to_bits", "u32(f32)", f32to) })
	t.Run("fx_bits_to_f32", func(t *testing.T) { itUnary(t, lib, "fx_bits_to_f32", "f32(u32)", f32from) })
}

func TestIntegrationPointers(t *testing.T) {
	itCheckPointers(t, itOpen(t))
}

func itCheckPointers(t *testing.T, lib *Library) {
	data := []byte{1, 2, 3, 250, 251, 0, 7}
	var dataSum uint64
	for _, b := range data {
		dataSum += uint64(b)
	}
	t.Run("fx_is_null", func(t *testing.T) {
		withCap := make([]byte, 0, 16)
		itUnary(t, lib, "fx_is_null", "i32(ptr)", []itPair[[]byte, int32]{
			{nil, 1}, {[]byte{}, 1}, {withCap, 1}, {data[3:3], 1}, {data, 0}, {data[6:], 0},
		})
		itUnary(t, lib, "fx_is_null", "i32(ptr)", []itPair[[]uint32, int32]{{nil, 1}, {[]uint32{}, 1}, {[]uint32{7}, 0}})
		itUnary(t, lib, "fx_is_null", "i32(ptr)", []itPair[*byte, int32]{{nil, 1}, {&data[0], 0}})
		itUnary(t, lib, "fx_is_null", "i32(ptr)", []itPair[unsafe.Pointer, int32]{{nil, 1}, {unsafe.Pointer(&data[1]), 0}})
		itUnary(t, lib, "fx_is_null", "i32(ptr)", []itPair[uintptr, int32]{{0, 1}, {uintptr(unsafe.Pointer(&data[1])), 0}})
	})
	t.Run("fx_sum_bytes", func(t *testing.T) {
		fast, slow := itBindBoth[func([]byte, uint64) uint64](t, lib, "fx_sum_bytes", "u64(ptr, u64)")
		for _, c := range []struct {
			b    []byte
			n    uint64
			want uint64
		}{{nil, 0, 0}, {nil, 5, 0}, {[]byte{}, 0, 0}, {data, uint64(len(data)), dataSum}, {data[3:5], 2, 501}, {data, 3, 6}} {
			itBoth(t, fmt.Sprintf("fx_sum_bytes(%v, %d)", c.b, c.n), c.want, fast(c.b, c.n), slow(c.b, c.n))
		}
		pf, ps := itBindBoth[func(*byte, uint64) uint64](t, lib, "fx_sum_bytes", "u64(ptr, u64)")
		itBoth(t, "fx_sum_bytes(&data[0], len)", dataSum, pf(&data[0], uint64(len(data))), ps(&data[0], uint64(len(data))))
		itBoth(t, "fx_sum_bytes((*byte)(nil), 4)", uint64(0), pf(nil, 4), ps(nil, 4))
		uf, us := itBindBoth[func(unsafe.Pointer, uint64) uint64](t, lib, "fx_sum_bytes", "u64(ptr, u64)")
		words := []uint32{0x01020304, 0xFF000001}
		itBoth(t, "fx_sum_bytes(words, 8)", uint64(1+2+3+4+0xFF+1), uf(unsafe.Pointer(&words[0]), 8), us(unsafe.Pointer(&words[0]), 8))
		wf, ws := itBindBoth[func([]uint32, uint64) uint64](t, lib, "fx_sum_bytes", "u64(ptr, u64)")
		itBoth(t, "fx_sum_bytes([]uint32, 8)", uint64(1+2+3+4+0xFF+1), wf(words, 8), ws(words, 8))
	})
	t.Run("fx_fill", func(t *testing.T) {
		fast, slow := itBindBoth[func([]byte, uint64, uint8)](t, lib, "fx_fill", "void(ptr, u64, u8)")
		for i, f := range []func([]byte, uint64, uint8){fast, slow} {
			buf := make([]byte, 64)
			for k := range buf {
				buf[k] = 0xEE
			}
			v := uint8(0x11 * (i + 1))
			f(buf[8:], 40, v)
			want := bytes.Repeat([]byte{0xEE}, 64)
			copy(want[8:48], bytes.Repeat([]byte{v}, 40))
			if diff := cmp.Diff(want, buf); diff != "" {
				t.Errorf("%s: fx_fill(buf[8:], 40, %#x) (-want +got):\n%s", []string{"fast", "fallback"}[i], v, diff)
			}
			f(nil, 40, v) // NULL: does nothing
			f([]byte{}, 0, v)
		}
		pf, ps := itBindBoth[func(unsafe.Pointer, uint64, uint8)](t, lib, "fx_fill", "void(ptr, u64, u8)")
		var x [2]uint64
		pf(unsafe.Pointer(&x[0]), 8, 0xAB)
		ps(unsafe.Pointer(&x[1]), 4, 0xCD)
		if diff := cmp.Diff([2]uint64{0xABABABABABABABAB, 0xCDCDCDCD}, x); diff != "" {
			t.Errorf("fx_fill through unsafe.Pointer (-want +got):\n%s", diff)
		}
	})
	t.Run("fx_strlen", func(t *testing.T) {
		itUnary(t, lib, "fx_strlen", "usize(ptr)", []itPair[[]byte, uintptr]{
			{[]byte("hello\x00"), 5}, {[]byte("\x00"), 0}, {nil, 0}, {[]byte("ab\x00cd\x00"), 2},
		})
		s := []byte("jitffi\x00")
		itUnary(t, lib, "fx_strlen", "usize(ptr)", []itPair[*byte, uintptr]{{&s[0], 6}, {&s[3], 3}, {nil, 0}})
	})
	t.Run("fx_echo_ptr", func(t *testing.T) {
		buf := make([]byte, 16)
		p := unsafe.Pointer(&buf[3])
		itUnary(t, lib, "fx_echo_ptr", "ptr(ptr)", []itPair[unsafe.Pointer, unsafe.Pointer]{{nil, nil}, {p, p}})
		itUnary(t, lib, "fx_echo_ptr", "ptr(ptr)", []itPair[*byte, *byte]{{nil, nil}, {&buf[5], &buf[5]}})
		itUnary(t, lib, "fx_echo_ptr", "ptr(ptr)", []itPair[uintptr, uintptr]{{0, 0}, {uintptr(p), uintptr(p)}, {math.MaxUint64, math.MaxUint64}})
		itUnary(t, lib, "fx_echo_ptr", "ptr(ptr)", []itPair[[]byte, unsafe.Pointer]{{nil, nil}, {[]byte{}, nil}, {buf[7:], unsafe.Pointer(&buf[7])}})
		// The returned *byte is usable as a Go pointer.
		fast, slow := itBindBoth[func(*byte) *byte](t, lib, "fx_echo_ptr", "ptr(ptr)")
		*fast(&buf[0]) = 0x5A
		*slow(&buf[1]) = 0xA5
		if buf[0] != 0x5A || buf[1] != 0xA5 {
			t.Errorf("stores through the returned pointers: buf[:2] = %#x, want 5a a5", buf[:2])
		}
	})
}

// itBigStack is fx_big_stack's formula.
func itBigStack(seed int64) int64 {
	h := uint64(seed)
	for i := 0; i < 1<<20; i++ {
		h = h*31 + uint64(uint8(uint64(seed)+uint64(i)))
	}
	return int64(h)
}

func TestIntegrationBigStack(t *testing.T) {
	lib := itOpen(t)
	var cases []itPair[int64, int64]
	for _, seed := range []int64{0, 1, -1, 0x123456789ABCDEF} {
		cases = append(cases, itPair[int64, int64]{seed, itBigStack(seed)})
	}
	itUnary(t, lib, "fx_big_stack", "i64(i64)", cases)
}

func TestIntegrationVoid(t *testing.T) {
	lib := itOpen(t)
	fast, slow := itBindBoth[func()](t, lib, "fx_void", "void()")
	countF, countS := itBindBoth[func() int64](t, lib, "fx_void_count", "i64()")
	c0 := countF()
	if c := countS(); c != c0 {
		t.Fatalf("fx_void_count: fast %d, fallback %d", c0, c)
	}
	for range 10 {
		fast()
	}
	for range 7 {
		slow()
	}
	itBoth(t, "fx_void_count() after 17 calls", c0+17, countF(), countS())

	// fx_sleep_ms and fx_usleep_ms_eintr: short waits that must return.
	sf, ss := itBindBoth[func(int32)](t, lib, "fx_sleep_ms", "void(i32)")
	sf(0)
	ss(1)
	ef, es := itBindBoth[func(int32) int32](t, lib, "fx_usleep_ms_eintr", "i32(i32)")
	itBoth(t, "fx_usleep_ms_eintr(0)", int32(0), ef(0), es(0))
	if n := es(1); n < 0 {
		t.Errorf("fallback fx_usleep_ms_eintr(1) = %d, want >= 0", n)
	}
	if n := ef(1); n < 0 {
		t.Errorf("fast fx_usleep_ms_eintr(1) = %d, want >= 0", n)
	}
}

func TestIntegrationInferAndAliases(t *testing.T) {
	lib := itOpen(t)
	t.Run("inferred", func(t *testing.T) {
		add, addS := itBindBoth[func(int32, int32) int32](t, lib, "fx_add_i32", "")
		itBoth(t, "fx_add_i32(40, 2) inferred", int32(42), add(40, 2), addS(40, 2))
		neg, negS := itBindBoth[func(float64) float64](t, lib, "fx_neg_f64", "")
		itBoth(t, "fx_neg_f64(1.5) inferred", -1.5, neg(1.5), negS(1.5))
		isNull, isNullS := itBindBoth[func([]byte) int32](t, lib, "fx_is_null", "")
		itBoth(t, "fx_is_null(nil) inferred", int32(1), isNull(nil), isNullS(nil))
		itBoth(t, "fx_is_null([]byte{1}) inferred", int32(0), isNull([]byte{1}), isNullS([]byte{1}))
		echo, echoS := itBindBoth[func(uint8) uint8](t, lib, "fx_echo_u8", "")
		itBoth(t, "fx_echo_u8(0xAA) inferred", uint8(0xAA), echo(0xAA), echoS(0xAA))
		mix, mixS := itBindBoth[func(int32, float64, int64, int8, float32, uint8, int16, float64, uint32, float32, uint16, float64) float64](t, lib, "fx_mix_12", "")
		want := itWsum(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
		itBoth(t, "fx_mix_12(1..12) inferred", want, mix(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), mixS(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))
		u, uS := itBindBoth[func(uintptr) uintptr](t, lib, "fx_echo_usize", "")
		itBoth(t, "fx_echo_usize(max) inferred", uintptr(math.MaxUint64), u(math.MaxUint64), uS(math.MaxUint64))
		b, bS := itBindBoth[func(bool) bool](t, lib, "fx_not", "")
		itBoth(t, "fx_not(true) inferred", false, b(true), bS(true))
		v, vS := itBindBoth[func()](t, lib, "fx_void", "")
		v()
		vS()
	})
	t.Run("C spellings", func(t *testing.T) {
		add, addS := itBindBoth[func(int32, int32) int32](t, lib, "fx_add_i32", "int(int, int)")
		itBoth(t, "fx_add_i32 as int(int, int)", int32(-3), add(-1, -2), addS(-1, -2))
		neg, negS := itBindBoth[func(float64) float64](t, lib, "fx_neg_f64", "double(double)")
		itBoth(t, "fx_neg_f64 as double(double)", 2.25, neg(-2.25), negS(-2.25))
		s := []byte("four\x00")
		sl, slS := itBindBoth[func(*byte) uintptr](t, lib, "fx_strlen", "size_t(const char*)")
		itBoth(t, "fx_strlen as size_t(const char*)", uintptr(4), sl(&s[0]), slS(&s[0]))
		not, notS := itBindBoth[func(bool) bool](t, lib, "fx_not", "_Bool(_Bool)")
		itBoth(t, "fx_not as _Bool(_Bool)", true, not(false), notS(false))
		uc, ucS := itBindBoth[func(uint8) uint8](t, lib, "fx_echo_u8", "unsigned char(unsigned char)")
		itBoth(t, "fx_echo_u8 as unsigned char(unsigned char)", uint8(0xFE), uc(0xFE), ucS(0xFE))
		sc, scS := itBindBoth[func(int8) int8](t, lib, "fx_echo_i8", "signed char(signed char)")
		itBoth(t, "fx_echo_i8 as signed char(signed char)", int8(-100), sc(-100), scS(-100))
		l, lS := itBindBoth[func(int) int](t, lib, "fx_echo_i64", "long(long)")
		itBoth(t, "fx_echo_i64 as long(long)", math.MinInt, l(math.MinInt), lS(math.MinInt))
		us, usS := itBindBoth[func(uint16) uint16](t, lib, "fx_echo_u16", "unsigned short int(unsigned short)")
		itBoth(t, "fx_echo_u16 as unsigned short", uint16(0xBEEF), us(0xBEEF), usS(0xBEEF))
		u64, u64S := itBindBoth[func(uint64) uint64](t, lib, "fx_echo_u64", "uint64_t(uint64_t)")
		itBoth(t, "fx_echo_u64 as uint64_t(uint64_t)", uint64(math.MaxUint64), u64(math.MaxUint64), u64S(math.MaxUint64))
		f, fS := itBindBoth[func(float32) float32](t, lib, "fx_echo_f32", "float(float)")
		itBoth(t, "fx_echo_f32 as float(float)", float32(-0.75), f(-0.75), fS(-0.75))
		p, pS := itBindBoth[func(unsafe.Pointer) unsafe.Pointer](t, lib, "fx_echo_ptr", "void *(const void *)")
		itBoth(t, "fx_echo_ptr as void *(const void *)", unsafe.Pointer(&s[1]), p(unsafe.Pointer(&s[1])), pS(unsafe.Pointer(&s[1])))
		v, vS := itBindBoth[func()](t, lib, "fx_void", "void(void)")
		v()
		vS()
		c, cS := itBindBoth[func() float64](t, lib, "fx_args0", "double(void)")
		itBoth(t, "fx_args0 as double(void)", 7.0, c(), cS())
	})
}

func TestIntegrationProcessSymbols(t *testing.T) {
	self, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	strlenB, strlenBS := itBindBoth[func([]byte) uintptr](t, self, "strlen", "usize(ptr)")
	for _, s := range []string{"", "a", "hello, world"} {
		b := append([]byte(s), 0, 'x', 0)
		itBoth(t, fmt.Sprintf("strlen(%q)", s), uintptr(len(s)), strlenB(b), strlenBS(b))
	}
	strlenP, strlenPS := itBindBoth[func(*byte) uintptr](t, self, "strlen", "size_t(const char *)")
	b := []byte("process\x00")
	itBoth(t, "strlen(&b[2])", uintptr(5), strlenP(&b[2]), strlenPS(&b[2]))

	abs, absS := itBindBoth[func(int32) int32](t, self, "abs", "i32(i32)")
	for _, c := range [][2]int32{{0, 0}, {-5, 5}, {5, 5}, {math.MaxInt32, math.MaxInt32}, {-math.MaxInt32, math.MaxInt32}} {
		itBoth(t, fmt.Sprintf("abs(%d)", c[0]), c[1], abs(c[0]), absS(c[0]))
	}
	labs, labsS := itBindBoth[func(int64) int64](t, self, "labs", "long(long)")
	itBoth(t, "labs(-1<<40)", int64(1<<40), labs(-1<<40), labsS(-1<<40))
	toupper, toupperS := itBindBoth[func(int32) int32](t, self, "toupper", "int(int)")
	itBoth(t, "toupper('q')", int32('Q'), toupper('q'), toupperS('q'))
}

func TestIntegrationBindAddr(t *testing.T) {
	lib := itOpen(t)
	addr, err := lib.Symbol("fx_add_i32")
	if err != nil {
		t.Fatal(err)
	}
	if addr == nil {
		t.Fatal("Symbol(fx_add_i32) = nil")
	}
	var fast, slow, inferred func(int32, int32) int32
	if err := BindAddr(&fast, addr, "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	if err := BindAddr(&slow, addr, "i32(i32, i32)", Blocking()); err != nil {
		t.Fatal(err)
	}
	if err := BindAddr(&inferred, addr, ""); err != nil {
		t.Fatal(err)
	}
	itCheckPath(t, "BindAddr", fast, false)
	itCheckPath(t, "BindAddr with Blocking", slow, true)
	itCheckPath(t, "BindAddr inferred", inferred, false)
	itBoth(t, "fx_add_i32(40, 2) by address", int32(42), fast(40, 2), slow(40, 2))
	itBoth(t, "fx_add_i32(MaxInt32, 1) by address", int32(math.MinInt32), inferred(math.MaxInt32, 1), slow(math.MaxInt32, 1))

	mixAddr, err := lib.Symbol("fx_mix_f32_20")
	if err != nil {
		t.Fatal(err)
	}
	var mix, mixS func(float32, float32, float32, float32, float32, float32, float32, float32, float32, float32,
		float32, float32, float32, float32, float32, float32, float32, float32, float32, float32) float64
	if err := BindAddr(&mix, mixAddr, ""); err != nil {
		t.Fatal(err)
	}
	if err := BindAddr(&mixS, mixAddr, "", Blocking()); err != nil {
		t.Fatal(err)
	}
	var xs []float64
	for i := range 20 {
		xs = append(xs, float64(float32(i)*0.5))
	}
	itBoth(t, "fx_mix_f32_20 by address", itWsum(xs...),
		mix(0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5),
		mixS(0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5))
}

// The environment tests re-run the test binary with JITFFI_FAST=0 or
// JITFFI_STRICT=1, which are read once at start-up. itChildMode tells the
// child which part to play.
const itChildMode = "JITFFI_INTEGRATION_CHILD"

// itRunChild re-runs test alone in a child process with env added and
// checks that it ran and passed.
func itRunChild(t *testing.T, test, mode string, env ...string) {
	t.Helper()
	out, err := spawnTest(t, test, append([]string{itChildMode + "=" + mode}, env...)...)
	if err != nil {
		t.Fatalf("child %s: %v\n%s", mode, err, out)
	}
	for _, want := range []string{"--- PASS: " + test + " ", "\nPASS\n"} {
		if !strings.Contains(out, want) {
			t.Fatalf("child %s: output lacks %q:\n%s", mode, want, out)
		}
	}
}

func TestIntegrationEnvNoFast(t *testing.T) {
	switch os.Getenv(itChildMode) {
	case "":
		itRunChild(t, "TestIntegrationEnvNoFast", "nofast", "JITFFI_FAST=0", "JITFFI_STRICT=")
		return
	case "nofast":
	default:
		t.Fatalf("unexpected %s=%q", itChildMode, os.Getenv(itChildMode))
	}
	if got := os.Getenv("JITFFI_FAST"); got != "0" {
		t.Fatalf("child runs with JITFFI_FAST=%q", got)
	}
	lib := itOpen(t)
	var add func(int32, int32) int32
	if err := lib.Bind(&add, "fx_add_i32", "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Path{Cause: CauseEnv, Reason: "JITFFI_FAST=0"}, PathOf(add)); diff != "" {
		t.Errorf("PathOf(add) under JITFFI_FAST=0 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Path{Cause: CauseEnv, Reason: "JITFFI_FAST=0"}, PathOf(&add)); diff != "" {
		t.Errorf("PathOf(&add) under JITFFI_FAST=0 (-want +got):\n%s", diff)
	}
	if got := add(40, 2); got != 42 {
		t.Errorf("add(40, 2) = %d under JITFFI_FAST=0", got)
	}
	addr, err := lib.Symbol("fx_add_i32")
	if err != nil {
		t.Fatal(err)
	}
	var byAddr func(int32, int32) int32
	if err := BindAddr(&byAddr, addr, "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Path{Cause: CauseEnv, Reason: "JITFFI_FAST=0"}, PathOf(byAddr)); diff != "" {
		t.Errorf("PathOf(BindAddr) under JITFFI_FAST=0 (-want +got):\n%s", diff)
	}
	if got := byAddr(-40, -2); got != -42 {
		t.Errorf("byAddr(-40, -2) = %d under JITFFI_FAST=0", got)
	}
	// Everything else still works, through the fallback only (itBindBoth
	// checks the reason of every binding).
	t.Run("echo", func(t *testing.T) { itCheckEchoes(t, lib) })
	t.Run("mixes", func(t *testing.T) { itCheckMixes(t, lib) })
	t.Run("floats", func(t *testing.T) { itCheckFloatBits(t, lib) })
	t.Run("pointers", func(t *testing.T) { itCheckPointers(t, lib) })
}

func TestIntegrationEnvStrict(t *testing.T) {
	switch os.Getenv(itChildMode) {
	case "":
		itRunChild(t, "TestIntegrationEnvStrict", "strict", "JITFFI_STRICT=1", "JITFFI_FAST=")
		return
	case "strict":
	default:
		t.Fatalf("unexpected %s=%q", itChildMode, os.Getenv(itChildMode))
	}
	lib := itOpen(t)
	var slow func(int32, int32) int32
	err := lib.Bind(&slow, "fx_add_i32", "i32(i32, i32)", Blocking())
	if !errors.Is(err, ErrNotFast) {
		t.Errorf("Bind with Blocking under JITFFI_STRICT=1: err = %v, want one wrapping ErrNotFast", err)
	}
	if slow != nil {
		t.Errorf("failed Bind stored a func")
	}
	addr, err := lib.Symbol("fx_add_i32")
	if err != nil {
		t.Fatal(err)
	}
	var slowAddr func(int32, int32) int32
	if err := BindAddr(&slowAddr, addr, "i32(i32, i32)", Blocking()); !errors.Is(err, ErrNotFast) {
		t.Errorf("BindAddr with Blocking under JITFFI_STRICT=1: err = %v, want one wrapping ErrNotFast", err)
	}
	var fast func(int32, int32) int32
	err = lib.Bind(&fast, "fx_add_i32", "i32(i32, i32)")
	if !itWantPath(false).Fast {
		if !errors.Is(err, ErrNotFast) {
			t.Errorf("Bind without the fast path under JITFFI_STRICT=1: err = %v, want one wrapping ErrNotFast", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Bind under JITFFI_STRICT=1: %v", err)
	}
	itCheckPath(t, "add", fast, false)
	if got := fast(40, 2); got != 42 {
		t.Errorf("add(40, 2) = %d under JITFFI_STRICT=1", got)
	}
}

func TestIntegrationStrictOption(t *testing.T) {
	lib := itOpen(t)
	var slow func(int32, int32) int32
	err := lib.Bind(&slow, "fx_add_i32", "i32(i32, i32)", Blocking(), Strict())
	if !errors.Is(err, ErrNotFast) {
		t.Errorf("Bind with Blocking and Strict: err = %v, want one wrapping ErrNotFast", err)
	}
	if slow != nil {
		t.Errorf("failed Bind stored a func")
	}
	var fast func(int32, int32) int32
	err = lib.Bind(&fast, "fx_add_i32", "i32(i32, i32)", Strict())
	if !itWantPath(false).Fast {
		if !errors.Is(err, ErrNotFast) {
			t.Errorf("Bind with Strict and no fast path: err = %v, want one wrapping ErrNotFast", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Bind with Strict: %v", err)
	}
	if got := fast(1, 2); got != 3 {
		t.Errorf("add(1, 2) = %d", got)
	}
}

func TestIntegrationConcurrent(t *testing.T) {
	lib := itOpen(t)
	addF, addS := itBindBoth[func(int32, int32) int32](t, lib, "fx_add_i32", "i32(i32, i32)")
	mixF, mixS := itBindBoth[func(int32, float64, int64, int8, float32, uint8, int16, float64, uint32, float32, uint16, float64) float64](t, lib,
		"fx_mix_12", "f64(i32, f64, i64, i8, f32, u8, i16, f64, u32, f32, u16, f64)")
	sumF, sumS := itBindBoth[func([]byte, uint64) uint64](t, lib, "fx_sum_bytes", "u64(ptr, u64)")
	stackF, stackS := itBindBoth[func(int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64) int64](t, lib,
		"fx_sum_i64_16", "i64(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)")

	const goroutines, iters = 16, 1500
	var wg sync.WaitGroup
	errs := make(chan string, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			buf := make([]byte, 100+g)
			var sum uint64
			for i := range buf {
				buf[i] = byte(i * (g + 1))
				sum += uint64(buf[i])
			}
			for i := range iters {
				a, b := int32(i*g), int32(-i)
				k := int64(i + g)
				mixWant := itWsum(float64(a), 0.5, float64(k), float64(int8(g)), 1.5, 2, -3, 0.25, float64(uint32(i)), 4, 5, 6)
				var w int64
				for j := range 16 {
					w += int64(j+1) * (k + int64(j))
				}
				var bad string
				for path, f := range []struct {
					add   func(int32, int32) int32
					mix   func(int32, float64, int64, int8, float32, uint8, int16, float64, uint32, float32, uint16, float64) float64
					sum   func([]byte, uint64) uint64
					stack func(int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64) int64
				}{{addF, mixF, sumF, stackF}, {addS, mixS, sumS, stackS}} {
					if got := f.add(a, b); got != a+b {
						bad = fmt.Sprintf("add(%d, %d) = %d", a, b, got)
					} else if got := f.mix(a, 0.5, k, int8(g), 1.5, 2, -3, 0.25, uint32(i), 4, 5, 6); math.Float64bits(got) != math.Float64bits(mixWant) {
						bad = fmt.Sprintf("mix = %v, want %v", got, mixWant)
					} else if got := f.sum(buf, uint64(len(buf))); got != sum {
						bad = fmt.Sprintf("sum = %d, want %d", got, sum)
					} else if got := f.stack(k, k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9, k+10, k+11, k+12, k+13, k+14, k+15); got != w {
						bad = fmt.Sprintf("sum_i64_16 = %d, want %d", got, w)
					}
					if bad != "" {
						errs <- fmt.Sprintf("goroutine %d, iteration %d, %s: %s", g, i, []string{"fast", "fallback"}[path], bad)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

var (
	itSinkI32 int32
	itSinkF64 float64
	itSinkU64 uint64
)

func TestIntegrationFastNoAllocs(t *testing.T) {
	if p := itWantPath(false); !p.Fast {
		t.Skipf("the fast path is off in this process: %s", p.Reason)
	}
	lib := itOpen(t)
	var add func(int32, int32) int32
	if err := lib.Bind(&add, "fx_add_i32", "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	var mix func(int32, float64, int64, int8, float32, uint8, int16, float64, uint32, float32, uint16, float64) float64
	if err := lib.Bind(&mix, "fx_mix_12", ""); err != nil {
		t.Fatal(err)
	}
	var sum func([]byte, uint64) uint64
	if err := lib.Bind(&sum, "fx_sum_bytes", "u64(ptr, u64)"); err != nil {
		t.Fatal(err)
	}
	var void func()
	if err := lib.Bind(&void, "fx_void", "void()"); err != nil {
		t.Fatal(err)
	}
	buf := []byte{1, 2, 3}
	for _, c := range []struct {
		name string
		fn   any
		call func()
	}{
		{"fx_add_i32", add, func() { itSinkI32 = add(1, 2) }},
		{"fx_mix_12", mix, func() { itSinkF64 = mix(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) }},
		{"fx_sum_bytes", sum, func() { itSinkU64 = sum(buf, 3) }},
		{"fx_void", void, func() { void() }},
	} {
		itCheckPath(t, c.name, c.fn, false)
		if allocs := testing.AllocsPerRun(1000, c.call); allocs != 0 {
			t.Errorf("%s on the fast path: %v allocs per call, want 0", c.name, allocs)
		}
	}
	if itSinkI32 != 3 || itSinkU64 != 6 || itSinkF64 != itWsum(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) {
		t.Errorf("results: add %d, sum %d, mix %v", itSinkI32, itSinkU64, itSinkF64)
	}
}
