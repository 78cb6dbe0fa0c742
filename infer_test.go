package jitffi

import (
	"math"
	"testing"
	"unsafe"
)

// Inferred signatures and C spellings.

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
