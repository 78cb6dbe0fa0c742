//go:build cgo

package bench

// The cgo rows call the C function through a pointer obtained with dlsym
// from the same shared library the other paths load (see the package
// documentation): each shim below is a static C function that the cgo
// wrapper inlines, so a cgo call costs the usual cgo transition plus one
// indirect C call, as a cgo call into a shared library does through the
// PLT. Every shim is marked nocallback, and those taking pointers
// noescape: the fastest cgo calls available.

/*
#cgo CFLAGS: -O2
#cgo nocallback bx_void
#cgo nocallback bx_add_i32
#cgo nocallback bx_neg_f64
#cgo nocallback bx_sum4_f64
#cgo nocallback bx_sum_bytes
#cgo noescape bx_sum_bytes
#cgo nocallback bx_mix_8
#cgo nocallback bx_mix_12
#cgo nocallback bx_cos
#cgo nocallback bx_strlen
#cgo noescape bx_strlen
#cgo nocallback bx_crc32
#cgo noescape bx_crc32
#include <stddef.h>
#include <stdint.h>

enum {
	BX_VOID,
	BX_ADD_I32,
	BX_NEG_F64,
	BX_SUM4_F64,
	BX_SUM_BYTES,
	BX_MIX_8,
	BX_MIX_12,
	BX_COS,
	BX_STRLEN,
	BX_CRC32,
	BX_N
};

static void *bx_fn[BX_N];

static void bx_set(int i, uintptr_t p) { bx_fn[i] = (void *)p; }

static void bx_void(void) { ((void (*)(void))bx_fn[BX_VOID])(); }

static int32_t bx_add_i32(int32_t a, int32_t b)
{
	return ((int32_t (*)(int32_t, int32_t))bx_fn[BX_ADD_I32])(a, b);
}

static double bx_neg_f64(double x) { return ((double (*)(double))bx_fn[BX_NEG_F64])(x); }

static double bx_sum4_f64(double a, double b, double c, double d)
{
	return ((double (*)(double, double, double, double))bx_fn[BX_SUM4_F64])(a, b, c, d);
}

static uint64_t bx_sum_bytes(const uint8_t *p, uint64_t n)
{
	return ((uint64_t (*)(const uint8_t *, uint64_t))bx_fn[BX_SUM_BYTES])(p, n);
}

static double bx_mix_8(int32_t a0, int64_t a1, double a2, uint32_t a3,
                       int16_t a4, int64_t a5, uint8_t a6, int32_t a7)
{
	return ((double (*)(int32_t, int64_t, double, uint32_t, int16_t, int64_t,
	                    uint8_t, int32_t))bx_fn[BX_MIX_8])(a0, a1, a2, a3, a4, a5, a6, a7);
}

static double bx_mix_12(int32_t a0, double a1, int64_t a2, int8_t a3,
                        float a4, uint8_t a5, int16_t a6, double a7,
                        uint32_t a8, float a9, uint16_t a10, double a11)
{
	return ((double (*)(int32_t, double, int64_t, int8_t, float, uint8_t,
	                    int16_t, double, uint32_t, float, uint16_t,
	                    double))bx_fn[BX_MIX_12])(a0, a1, a2, a3, a4, a5, a6,
	                                              a7, a8, a9, a10, a11);
}

static double bx_cos(double x) { return ((double (*)(double))bx_fn[BX_COS])(x); }

static size_t bx_strlen(const char *s) { return ((size_t (*)(const char *))bx_fn[BX_STRLEN])(s); }

static unsigned long bx_crc32(unsigned long crc, const unsigned char *p, unsigned int n)
{
	return ((unsigned long (*)(unsigned long, const unsigned char *,
	                           unsigned int))bx_fn[BX_CRC32])(crc, p, n);
}
*/
import "C"

import "unsafe"

func setter(slot C.int) func(unsafe.Pointer) {
	return func(addr unsafe.Pointer) { C.bx_set(slot, C.uintptr_t(uintptr(addr))) }
}

func init() {
	cgoCalls = map[string]cgoCall{
		"fx_void":      {setter(C.BX_VOID), cgoVoid},
		"fx_add_i32":   {setter(C.BX_ADD_I32), cgoAddI32},
		"fx_neg_f64":   {setter(C.BX_NEG_F64), cgoNegF64},
		"bx_sum4_f64":  {setter(C.BX_SUM4_F64), cgoSum4F64},
		"fx_sum_bytes": {setter(C.BX_SUM_BYTES), cgoSumBytes},
		"bx_mix_8":     {setter(C.BX_MIX_8), cgoMix8},
		"fx_mix_12":    {setter(C.BX_MIX_12), cgoMix12},
		"cos":          {setter(C.BX_COS), cgoCos},
		"strlen":       {setter(C.BX_STRLEN), cgoStrlen},
		"crc32":        {setter(C.BX_CRC32), cgoCRC32},
	}
}

// The loops below mirror the loops of the other paths in call_test.go
// argument for argument.

func cgoVoid(n int, _ []byte) float64 {
	for range n {
		C.bx_void()
	}
	return 0
}

func cgoAddI32(n int, _ []byte) float64 {
	var s int32
	for i := range n {
		s += int32(C.bx_add_i32(C.int32_t(i), 7))
	}
	return float64(s)
}

func cgoNegF64(n int, _ []byte) float64 {
	x := 1.5
	for range n {
		x = float64(C.bx_neg_f64(C.double(x)))
	}
	return x
}

func cgoSum4F64(n int, _ []byte) float64 {
	var s float64
	for range n {
		s += float64(C.bx_sum4_f64(1, 2, 3, 4))
	}
	return s
}

func cgoSumBytes(n int, buf []byte) float64 {
	var s uint64
	p := (*C.uint8_t)(unsafe.Pointer(&buf[0]))
	for range n {
		s += uint64(C.bx_sum_bytes(p, C.uint64_t(len(buf))))
	}
	return float64(s)
}

func cgoMix8(n int, _ []byte) float64 {
	var s float64
	for range n {
		s += float64(C.bx_mix_8(1, 2, 3.5, 4, 5, 6, 7, 8))
	}
	return s
}

func cgoMix12(n int, _ []byte) float64 {
	var s float64
	for range n {
		s += float64(C.bx_mix_12(1, 2.5, 3, 4, 5.5, 6, 7, 8.5, 9, 10.5, 11, 12.5))
	}
	return s
}

func cgoCos(n int, _ []byte) float64 {
	var s float64
	for range n {
		s += float64(C.bx_cos(0.5))
	}
	return s
}

func cgoStrlen(n int, buf []byte) float64 {
	var s uintptr
	p := (*C.char)(unsafe.Pointer(&buf[0]))
	for range n {
		s += uintptr(C.bx_strlen(p))
	}
	return float64(s)
}

func cgoCRC32(n int, buf []byte) float64 {
	var crc C.ulong
	p := (*C.uchar)(unsafe.Pointer(&buf[0]))
	for range n {
		crc = C.bx_crc32(crc, p, C.uint(len(buf)))
	}
	return float64(crc)
}
