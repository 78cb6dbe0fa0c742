package jitffi

import (
	"fmt"
	"math"
	"testing"
)

// Scalars: every kind echoed and at its limits, the argument checker, and
// dirty upper bits that the extensions must clear.

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
