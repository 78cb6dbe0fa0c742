package jitffi

import (
	"fmt"
	"math"
	"testing"
)

// Symbols of the running process, and BindAddr.

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
