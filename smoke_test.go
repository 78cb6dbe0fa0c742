package jitffi

import (
	"testing"

	"github.com/jitffi/jitffi/fixtures"
)

func TestSmoke(t *testing.T) {
	if err := FastPathError(); err != nil {
		t.Fatal(err)
	}
	lib, err := Open(fixtures.Shared(t))
	if err != nil {
		t.Fatal(err)
	}
	var add func(int32, int32) int32
	if err := lib.Bind(&add, "fx_add_i32", "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	t.Log(PathOf(add), add(2, 40))
	var slow func(int32, int32) int32
	if err := lib.Bind(&slow, "fx_add_i32", "i32(i32, i32)", Blocking()); err != nil {
		t.Fatal(err)
	}
	t.Log(PathOf(slow), slow(2, 40))
	var mix func(int32, float64, int64, int8, float32, uint8, int16, float64, uint32, float32, uint16, float64) float64
	if err := lib.Bind(&mix, "fx_mix_12", ""); err != nil {
		t.Fatal(err)
	}
	t.Log(PathOf(mix), mix(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12))
	lib.Close()
	defer func() { t.Log("recovered:", recover()) }()
	add(1, 2)
}
