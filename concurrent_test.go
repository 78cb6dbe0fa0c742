package jitffi

import (
	"fmt"
	"math"
	"sync"
	"testing"
)

// Concurrent calls, and calls that allocate nothing.

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
