package jitffi

import (
	"bytes"
	"fmt"
	"math"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// Pointers and slices, a deep C stack, and void.

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
