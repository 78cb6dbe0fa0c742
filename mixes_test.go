package jitffi

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// Mixed register and stack arguments, and float bit patterns.

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
