package jitffi

import (
	"math"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// forceBailOut makes every call of a fast binding take the trampoline's
// bail-out: the record's target is zeroed while the library stays open, so
// the fallback closure makes the call with the argument registers (and Go
// stack arguments) exactly as the trampoline received them.
func forceBailOut(t *testing.T, fn any) {
	t.Helper()
	b := lookupBinding(fn)
	if b == nil || b.rec == nil {
		t.Fatalf("%T is not a fast-path binding", fn)
	}
	atomic.StoreUintptr(&b.rec.target, 0)
}

func TestBailOutKeepsArguments(t *testing.T) {
	if err := FastPathError(); err != nil || env.noFast {
		t.Skipf("fast path unavailable: %v", err)
	}
	lib := openFixtures(t)

	type call struct {
		name, sig string
		fn        any // pointer to the func variable
		run       func() any
	}
	var (
		add     func(int32, int32) int32
		sum16   func(int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64, int64) int64
		f32x20  func(float32, float32, float32, float32, float32, float32, float32, float32, float32, float32, float32, float32, float32, float32, float32, float32, float32, float32, float32, float32) float64
		mix16b  func(int8, uint16, float32, int64, uint8, float64, int16, uint32, float32, bool, int, uintptr, float64, int32, unsafe.Pointer, int8) float64
		check   func(int64, int64, int64, int64, int64, int64, int64, int64, int64, int8, uint8, int16, uint16, int32, uint32, int64, uint64) int32
		bits32  func(float32) uint32
		sumB    func([]byte, uint64) uint64
		retWide func(uint32) uint8
	)
	buf := []byte{1, 2, 3, 250}
	var x int
	calls := []call{
		{"fx_add_i32", "i32(i32, i32)", &add, func() any { return add(40, 2) }},
		{"fx_sum_i64_16", "", &sum16, func() any {
			return sum16(1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, math.MinInt64)
		}},
		{"fx_mix_f32_20", "", &f32x20, func() any {
			return f32x20(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20.5)
		}},
		{"fx_mix_16b", "", &mix16b, func() any {
			return mix16b(-128, 65535, 1.5, math.MaxInt64, 255, -2.25, -32768, math.MaxUint32, -0.5, true, -7, 9, 1e300, math.MinInt32, unsafe.Pointer(&x), 127)
		}},
		{"fx_check_args_stack", "i32(i64, i64, i64, i64, i64, i64, i64, i64, i64, i8, u8, i16, u16, i32, u32, i64, u64)", &check, func() any {
			return check(1, 2, 3, 4, 5, 6, 7, 8, 9, math.MinInt8, math.MaxUint8, math.MinInt16, math.MaxUint16, math.MinInt32, math.MaxUint32, math.MinInt64, math.MaxUint64)
		}},
		{"fx_f32_to_bits", "u32(f32)", &bits32, func() any { return bits32(math.Float32frombits(0x7f800001)) }},
		{"fx_sum_bytes", "u64(ptr, u64)", &sumB, func() any { return sumB(buf, uint64(len(buf))) }},
		{"fx_ret_wide", "u8(u32)", &retWide, func() any { return retWide(0x1ff) }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if err := lib.Bind(c.fn, c.name, c.sig, Strict()); err != nil {
				t.Fatal(err)
			}
			want := c.run() // on the fast path
			_, slow0 := Counts(c.fn)
			forceBailOut(t, c.fn)
			got := c.run() // through the bail-out
			_, slow1 := Counts(c.fn)
			if slow1 == slow0 {
				t.Fatal("the call did not bail out to the fallback")
			}
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b float64) bool {
				return math.Float64bits(a) == math.Float64bits(b)
			})); diff != "" {
				t.Errorf("fast path and bail-out disagree (-fast +bail-out):\n%s", diff)
			}
		})
	}
	// The values themselves, so that agreeing on a wrong answer fails too.
	if got := check(1, 2, 3, 4, 5, 6, 7, 8, 9, math.MinInt8, math.MaxUint8, math.MinInt16, math.MaxUint16, math.MinInt32, math.MaxUint32, math.MinInt64, math.MaxUint64); got != 1 {
		t.Errorf("fx_check_args_stack after bail-out = %d, want 1", got)
	}
	if got := bits32(math.Float32frombits(0x7f800001)); got != 0x7f800001 {
		t.Errorf("signalling NaN through the bail-out: C saw %#x", got)
	}
	if got := retWide(0x1ff); got != 0xff {
		t.Errorf("fx_ret_wide(0x1ff) as u8 after bail-out = %#x", got)
	}
}
