package jitffi

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// Variadic calls, against the C library's snprintf and against fixtures
// that read their arguments with va_arg (and, on x86-64, report AL). Every
// function is bound both ways (itBindBoth): the default binding must be on
// the fast path when the process allows it, the Blocking one on the
// fallback, and both must give the same results.

// vaLibc opens the running process (and so the C library) for one test.
func vaLibc(t *testing.T) *Library {
	t.Helper()
	libc, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := libc.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return libc
}

// vaStr returns a NUL-terminated copy of s.
func vaStr(s string) *byte { b := append([]byte(s), 0); return &b[0] }

// vaBuf is a snprintf destination, filled with junk so that a missing
// terminator shows.
type vaBuf [256]byte

func newVaBuf() *vaBuf {
	var b vaBuf
	for i := range b {
		b[i] = 'X'
	}
	return &b
}

func (b *vaBuf) ptr() *byte   { return &b[0] }
func (b *vaBuf) len() uintptr { return uintptr(len(b)) }

func (b *vaBuf) String() string {
	n := 0
	for n < len(b) && b[n] != 0 {
		n++
	}
	return string(b[:n])
}

// vaCheck compares what snprintf wrote through the fast and the slow
// binding, and their return values, with want.
func vaCheck(t *testing.T, call, want string, fastN, slowN int32, fastBuf, slowBuf *vaBuf) {
	t.Helper()
	itBoth(t, call+" text", want, fastBuf.String(), slowBuf.String())
	itBoth(t, call+" result", int32(len(want)), fastN, slowN)
}

func TestVariadicSnprintf(t *testing.T) {
	libc := vaLibc(t)

	t.Run("int and double", func(t *testing.T) {
		f, s := itBindBoth[func(*byte, uintptr, *byte, int32, float64) int32](t, libc, "snprintf", "i32(ptr, usize, ptr, ... i32, f64)")
		format := vaStr("%d %.3f")
		for _, c := range []struct {
			i int32
			d float64
		}{{42, 3.14159}, {-7, -0.0005}, {math.MaxInt32, 1e10}, {math.MinInt32, math.Inf(-1)}} {
			fb, sb := newVaBuf(), newVaBuf()
			fn := f(fb.ptr(), fb.len(), format, c.i, c.d)
			sn := s(sb.ptr(), sb.len(), format, c.i, c.d)
			want := fmt.Sprintf("%d %.3f", c.i, c.d)
			if math.IsInf(c.d, -1) {
				want = fmt.Sprintf("%d -inf", c.i)
			}
			vaCheck(t, fmt.Sprintf("snprintf(%%d %%.3f, %d, %v)", c.i, c.d), want, fn, sn, fb, sb)
		}
	})

	t.Run("float32 arrives as double", func(t *testing.T) {
		f, s := itBindBoth[func(*byte, uintptr, *byte, float32) int32](t, libc, "snprintf", "i32(ptr, usize, ptr, ... f32)")
		for _, c := range []struct {
			format string
			x      float32
			want   string
		}{
			{"%.2f", 1.5, "1.50"},
			// Exactly float64(float32(0.1)): promotion widens, it does not
			// round to the nearest double of the decimal.
			{"%.12f", 0.1, fmt.Sprintf("%.12f", float64(float32(0.1)))},
			{"%g", -2.5e-10, "-2.5e-10"},
			{"%a", 1, "0x1p+0"},
		} {
			fb, sb := newVaBuf(), newVaBuf()
			format := vaStr(c.format)
			vaCheck(t, fmt.Sprintf("snprintf(%s, float32(%v))", c.format, c.x), c.want,
				f(fb.ptr(), fb.len(), format, c.x), s(sb.ptr(), sb.len(), format, c.x), fb, sb)
		}
	})

	t.Run("string", func(t *testing.T) {
		f, s := itBindBoth[func(*byte, uintptr, *byte, *byte, int32) int32](t, libc, "snprintf", "int(char *, size_t, const char *, ... const char *, int)")
		arg := []byte("hello\x00ignored")
		fb, sb := newVaBuf(), newVaBuf()
		format := vaStr("<%s|%d>")
		vaCheck(t, "snprintf(<%s|%d>)", "<hello|7>",
			f(fb.ptr(), fb.len(), format, &arg[0], 7), s(sb.ptr(), sb.len(), format, &arg[0], 7), fb, sb)
	})

	t.Run("narrow integers and bool", func(t *testing.T) {
		f, s := itBindBoth[func(*byte, uintptr, *byte, int8, uint8, int16, uint16, bool, bool) int32](t, libc, "snprintf", "i32(ptr, usize, ptr, ... i8, u8, i16, u16, bool, bool)")
		fb, sb := newVaBuf(), newVaBuf()
		format := vaStr("%d %d %d %d %d %d")
		vaCheck(t, "snprintf(narrow)", "-5 200 -300 65535 1 0",
			f(fb.ptr(), fb.len(), format, -5, 200, -300, 65535, true, false),
			s(sb.ptr(), sb.len(), format, -5, 200, -300, 65535, true, false), fb, sb)
	})

	t.Run("stack arguments", func(t *testing.T) {
		// 3 fixed and 8 int arguments need 11 integer slots (6 registers),
		// 10 doubles need 10 vector slots (8 registers): both overflow to
		// the stack, interleaved in argument order.
		type fn = func(*byte, uintptr, *byte,
			int32, int32, int32, int32, int32, int32, int32, int32,
			float64, float64, float64, float64, float64, float64, float64, float64, float64, float64) int32
		f, s := itBindBoth[fn](t, libc, "snprintf",
			"i32(ptr, usize, ptr, ... i32, i32, i32, i32, i32, i32, i32, i32, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64)")
		const format = "%d %d %d %d %d %d %d %d %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f"
		want := fmt.Sprintf(format, 1, -2, 3, -4, 5, -6, 7, -8, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5)
		fb, sb := newVaBuf(), newVaBuf()
		cf := vaStr(format)
		vaCheck(t, "snprintf(18 variadic)", want,
			f(fb.ptr(), fb.len(), cf, 1, -2, 3, -4, 5, -6, 7, -8, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5),
			s(sb.ptr(), sb.len(), cf, 1, -2, 3, -4, 5, -6, 7, -8, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5), fb, sb)
	})

	t.Run("no variadic arguments", func(t *testing.T) {
		f, s := itBindBoth[func(*byte, uintptr, *byte) int32](t, libc, "snprintf", "i32(ptr, usize, ptr, ...)")
		fb, sb := newVaBuf(), newVaBuf()
		format := vaStr("hello, world")
		vaCheck(t, "snprintf(hello, world)", "hello, world",
			f(fb.ptr(), fb.len(), format), s(sb.ptr(), sb.len(), format), fb, sb)
		// Truncation: the result is the length the whole text needs.
		fb, sb = newVaBuf(), newVaBuf()
		itBoth(t, "snprintf(6, hello, world)", int32(12), f(fb.ptr(), 6, format), s(sb.ptr(), 6, format))
		itBoth(t, "truncated text", "hello", fb.String(), sb.String())
	})
}

// vaWantAL is what fx_va_al reports for n vector registers.
func vaWantAL(n int32) int32 {
	if runtime.GOARCH != "amd64" {
		return -1
	}
	return n
}

func TestVariadicFixtures(t *testing.T) {
	lib := itOpen(t)

	t.Run("AL", func(t *testing.T) {
		none, noneS := itBindBoth[func(int32) int32](t, lib, "fx_va_al", "i32(i32, ...)")
		itBoth(t, "fx_va_al(0)", vaWantAL(0), none(0), noneS(0))
		ints, intsS := itBindBoth[func(int32, int32, int64) int32](t, lib, "fx_va_al", "i32(i32, ... i32, i64)")
		itBoth(t, "fx_va_al(ints)", vaWantAL(0), ints(2, 1, 2), intsS(2, 1, 2))
		three, threeS := itBindBoth[func(int32, float64, int32, float32, float64) int32](t, lib, "fx_va_al", "i32(i32, ... f64, i32, f32, f64)")
		itBoth(t, "fx_va_al(3 floats)", vaWantAL(3), three(4, 1, 2, 3, 4), threeS(4, 1, 2, 3, 4))
		type ten = func(int32, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64) int32
		many, manyS := itBindBoth[ten](t, lib, "fx_va_al", "i32(i32, ... f64, f64, f64, f64, f64, f64, f64, f64, f64, f64)")
		itBoth(t, "fx_va_al(10 doubles)", vaWantAL(8), many(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), manyS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
		// A fixed f32 is no variadic argument, but it uses a register too.
		fixedF, fixedFS := itBindBoth[func(int32, float32, float64) int32](t, lib, "fx_va_al", "i32(i32, f32, ... f64)")
		itBoth(t, "fx_va_al(fixed f32)", vaWantAL(2), fixedF(1, 1, 2), fixedFS(1, 1, 2))
	})

	t.Run("doubles and promoted floats", func(t *testing.T) {
		type fn = func(int32, float64, float32, float64, float32, float64, float32, float64, float32, float64, float32, float64, float32) float64
		f, s := itBindBoth[fn](t, lib, "fx_va_sum", "f64(i32, ... f64, f32, f64, f32, f64, f32, f64, f32, f64, f32, f64, f32)")
		args := []float64{0.1, float64(float32(0.2)), -3e100, float64(float32(-1.25e-7)), 5, float64(float32(math.Pi)),
			7.5, float64(float32(1e30)), math.SmallestNonzeroFloat64, float64(float32(math.SmallestNonzeroFloat32)), 11, float64(float32(-12.5))}
		itBoth(t, "fx_va_sum(12)", itWsum(args...),
			f(12, 0.1, 0.2, -3e100, -1.25e-7, 5, math.Pi, 7.5, 1e30, math.SmallestNonzeroFloat64, math.SmallestNonzeroFloat32, 11, -12.5),
			s(12, 0.1, 0.2, -3e100, -1.25e-7, 5, math.Pi, 7.5, 1e30, math.SmallestNonzeroFloat64, math.SmallestNonzeroFloat32, 11, -12.5))
		// Floats spilled to the Go stack as well as the C stack: 15 fixed
		// doubles fill Go's float registers.
		type spill = func(int32, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float32, float32) float64
		g, gs := itBindBoth[spill](t, lib, "fx_va_sum",
			"f64(i32, ... f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f32, f32)")
		want := itWsum(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, float64(float32(0.3)), -16.5)
		itBoth(t, "fx_va_sum(16)", want,
			g(16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0.3, -16.5),
			gs(16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0.3, -16.5))
	})

	t.Run("narrow integers arrive as int", func(t *testing.T) {
		type fn = func(int32, int8, uint8, int16, uint16, bool, int32, int8, uint16, int16) int64
		f, s := itBindBoth[fn](t, lib, "fx_va_ints", "i64(i32, ... i8, u8, i16, u16, bool, i32, i8, u16, i16)")
		xs := []int64{-128, 255, -32768, 65535, 1, math.MinInt32, -1, 1, -2}
		var want int64
		for i, x := range xs {
			want += int64(i+1) * x
		}
		itBoth(t, "fx_va_ints(9)", want,
			f(9, -128, 255, -32768, 65535, true, math.MinInt32, -1, 1, -2),
			s(9, -128, 255, -32768, 65535, true, math.MinInt32, -1, 1, -2))
	})

	t.Run("mixed", func(t *testing.T) {
		type fn = func(*byte, int32, float64, int64, unsafe.Pointer, float32, int8, float64, int64, int32, float64,
			int32, float64, int64, float64, float64, float64, float64, float32) float64
		f, s := itBindBoth[fn](t, lib, "fx_va_mix",
			"f64(ptr, ... i32, f64, i64, ptr, f32, i8, f64, i64, i32, f64, i32, f64, i64, f64, f64, f64, f64, f32)")
		types := vaStr("idlpdidlidi" + "dlddddd")
		var target int64
		p := unsafe.Pointer(&target)
		want := itWsum(-1, 2.5, -3<<40, itPtrF(p), float64(float32(0.7)), -6, 7.25, 8, -9, 10.5,
			11, 12.5, -13, 14.5, 15.5, 16.5, 17.5, float64(float32(18.1)))
		got := f(types, -1, 2.5, -3<<40, p, 0.7, -6, 7.25, 8, -9, 10.5, 11, 12.5, -13, 14.5, 15.5, 16.5, 17.5, 18.1)
		gotS := s(types, -1, 2.5, -3<<40, p, 0.7, -6, 7.25, 8, -9, 10.5, 11, 12.5, -13, 14.5, 15.5, 16.5, 17.5, 18.1)
		itBoth(t, "fx_va_mix(18)", want, got, gotS)
	})
}

// The Go func lists every parameter, fixed and variadic, in order; a
// variadic Go func is refused, and so is a mismatch on a variadic argument.
func TestVariadicGoTypes(t *testing.T) {
	lib := itOpen(t)
	for _, c := range []struct {
		fn   any
		sig  string
		want string
	}{
		{new(func(int32, ...float64) float64), "f64(i32, ... f64)", "variadic"},
		{new(func(int32) float64), "f64(i32, ... f64)", "has 2 parameters"},
		{new(func(int32, float32) float64), "f64(i32, ... f64)", "parameter 1"},
		{new(func(int32, float64, float64) float64), "f64(i32, ... f64)", "has 2 parameters"},
	} {
		err := lib.Bind(c.fn, "fx_va_sum", c.sig)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Bind(%T, %q) = %v, want an error containing %q", c.fn, c.sig, err, c.want)
		}
	}
	// The same C function bound with two lists of variadic arguments.
	one, oneS := itBindBoth[func(int32, float64) float64](t, lib, "fx_va_sum", "f64(i32, ... f64)")
	two, twoS := itBindBoth[func(int32, float64, float32) float64](t, lib, "fx_va_sum", "f64(i32, ... f64, f32)")
	itBoth(t, "fx_va_sum(1)", 2.5, one(1, 2.5), oneS(1, 2.5))
	itBoth(t, "fx_va_sum(2)", itWsum(2.5, 4), two(2, 2.5, 4), twoS(2, 2.5, 4))
}
