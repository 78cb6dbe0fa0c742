package jitffi

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// cbLib binds the callback fixtures twice: fast (when the process allows
// it) and Blocking, so every test runs both entries.
type cbLib struct {
	lib      *Library
	loop     func(cb *Callback, n int32) int64
	apply    func(cb *Callback, x int64) int64
	all      func(cb *Callback) int64
	retI8    func(cb *Callback) int32
	retU16   func(cb *Callback) int32
	retBool  func(cb *Callback) int32
	retF32   func(cb *Callback, x float32) float32
	retF64   func(cb *Callback, a, b float64) float64
	intsF64  func(cb *Callback) float64
	ptrF32   func(cb *Callback, p unsafe.Pointer) float32
	thread   func(cb *Callback, x int64) int64
	threads  func(cb *Callback, n int32, calls int64) int64
	qsort    func(base unsafe.Pointer, n, size uintptr, cmp *Callback)
	applyPtr func(cb unsafe.Pointer, x int64) int64
	isNull   func(cb *Callback) int32
}

func needCallbacks(t testing.TB) {
	t.Helper()
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		c, err := NewCallback(func() {}, "")
		if err == nil {
			c.Close()
			t.Fatalf("NewCallback works on %s: enable the callback tests there", runtime.GOARCH)
		}
		t.Skipf("callbacks are not implemented on %s: %v", runtime.GOARCH, err)
	}
}

func cbOpen(t testing.TB, blocking bool) *cbLib {
	t.Helper()
	needCallbacks(t)
	l := &cbLib{lib: itOpen(t)}
	var opts []Option
	if blocking {
		opts = append(opts, Blocking())
	}
	libc, err := Open("libc.so.6")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { libc.Close() })
	for _, b := range []struct {
		lib  *Library
		fn   any
		name string
		sig  string
	}{
		{l.lib, &l.loop, "cb_loop", "i64(ptr, i32)"},
		{l.lib, &l.apply, "cb_apply", "i64(ptr, i64)"},
		{l.lib, &l.applyPtr, "cb_apply", "i64(ptr, i64)"},
		{l.lib, &l.all, "cb_all", "i64(ptr)"},
		{l.lib, &l.retI8, "cb_ret_i8", "i32(ptr)"},
		{l.lib, &l.retU16, "cb_ret_u16", "i32(ptr)"},
		{l.lib, &l.retBool, "cb_ret_bool", "i32(ptr)"},
		{l.lib, &l.retF32, "cb_ret_f32", "f32(ptr, f32)"},
		{l.lib, &l.retF64, "cb_ret_f64", "f64(ptr, f64, f64)"},
		{l.lib, &l.intsF64, "cb_ints_f64", "f64(ptr)"},
		{l.lib, &l.ptrF32, "cb_ptr_f32", "f32(ptr, ptr)"},
		{l.lib, &l.thread, "cb_thread", "i64(ptr, i64)"},
		{l.lib, &l.threads, "cb_threads", "i64(ptr, i32, i64)"},
		{l.lib, &l.isNull, "cb_is_null", "i32(ptr)"},
		{libc, &l.qsort, "qsort", "void(ptr, usize, usize, ptr)"},
	} {
		if err := b.lib.Bind(b.fn, b.name, b.sig, opts...); err != nil {
			t.Fatal(err)
		}
		itCheckPath(t, b.name, b.fn, blocking)
	}
	return l
}

func newCB(t testing.TB, fn any, signature string) *Callback {
	t.Helper()
	c, err := NewCallback(fn, signature)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// checkEntry asserts, in traced builds, which entry the calls of c took
// inside block, whose outer calls are all through the bound func outer.
// A fast-path outer call that bails out (see Counts) runs on the slow path,
// and C's callbacks from it take the standard entry: they are allowed only
// when outer's fallback count shows such a bail-out.
func checkEntry(t testing.TB, c *Callback, wantFast bool, calls uint64, outer any, block func()) {
	t.Helper()
	f0, s0 := c.Counts()
	_, b0 := Counts(outer)
	block()
	f1, s1 := c.Counts()
	_, b1 := Counts(outer)
	if !traceEnabled {
		return
	}
	fast, std := f1-f0, s1-s0
	if wantFast && PathOf(outer).Fast && b1 > b0 && fast+std == calls {
		t.Logf("entries: %d outer calls bailed out; %d fast, %d standard", b1-b0, fast, std)
		return
	}
	if wantFast && (fast != calls || std != 0) || !wantFast && (std != calls || fast != 0) {
		t.Errorf("entries: %d fast, %d standard; want %d calls through the %s entry", fast, std, calls, map[bool]string{true: "fast", false: "standard"}[wantFast])
	}
}

// wantFastEntry is whether callbacks from calls bound with or without
// Blocking take the fast entry.
func wantFastEntry(blocking bool) bool { return itWantPath(blocking).Fast }

func forBoth(t *testing.T, f func(t *testing.T, blocking bool)) {
	t.Run("fast", func(t *testing.T) { f(t, false) })
	t.Run("blocking", func(t *testing.T) { f(t, true) })
}

func TestCallbackQsort(t *testing.T) {
	forBoth(t, func(t *testing.T, blocking bool) {
		l := cbOpen(t, blocking)
		const n = 100000
		xs := make([]int32, n)
		seed := uint32(1)
		for i := range xs {
			seed = seed*1664525 + 1013904223
			xs[i] = int32(seed)
		}
		want := slices.Clone(xs)
		slices.Sort(want)
		calls := uint64(0)
		cmpCB := newCB(t, func(a, b unsafe.Pointer) int32 {
			calls++
			x, y := *(*int32)(a), *(*int32)(b)
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}, "int(const void *, const void *)")
		f0, s0 := cmpCB.Counts()
		_, b0 := Counts(l.qsort)
		l.qsort(unsafe.Pointer(&xs[0]), n, 4, cmpCB)
		f1, s1 := cmpCB.Counts()
		_, b1 := Counts(l.qsort)
		if d := cmp.Diff(want, xs); d != "" {
			t.Fatalf("not sorted (-want +got):\n%.2000s", d)
		}
		// qsort of n elements makes between n-1 and n*log2(n)*2 comparisons.
		if calls < n-1 || calls > 2*n*17 {
			t.Errorf("%d comparator calls for %d elements", calls, n)
		}
		if traceEnabled {
			got, other := f1-f0, s1-s0
			if !wantFastEntry(blocking) || b1 > b0 {
				got, other = s1-s0, f1-f0 // Blocking, or the outer call bailed out
			}
			if got != calls || other != 0 {
				t.Errorf("the entry counted %d calls, the comparator saw %d (fast %d, standard %d)", got, calls, f1-f0, s1-s0)
			}
		}
	})
}

// allArgs is what cb_all passes (see callbacks.c).
type allArgs struct {
	B    bool
	I8   int8
	U8   uint8
	I16  int16
	U16  uint16
	I32  int32
	U32  uint32
	I64  int64
	U64  uint64
	F32  uint32 // bits
	F64  uint64 // bits
	P    uintptr
	I8b  int8
	U16b uint16
	I32b int32
	F32b uint32
	D    [8]float64
}

func TestCallbackAllScalars(t *testing.T) {
	want := allArgs{
		B: true, I8: -16, U8: 0xf0, I16: -32767, U16: 0x8001, I32: -2147483647, U32: 0x80000001,
		I64: -5, U64: math.MaxUint64, F32: 0x7fc12345, F64: math.Float64bits(math.Copysign(0, -1)),
		P: 0x1234, I8b: 127, U16b: 0xffff, I32b: math.MinInt32, F32b: 0xff800000,
		D: [8]float64{1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5},
	}
	forBoth(t, func(t *testing.T, blocking bool) {
		l := cbOpen(t, blocking)
		var got allArgs
		c := newCB(t, func(b bool, i8 int8, u8 uint8, i16 int16, u16 uint16, i32 int32, u32 uint32, i64 int64, u64 uint64,
			f32 float32, f64 float64, p uintptr, i8b int8, u16b uint16, i32b int32, f32b float32,
			d0, d1, d2, d3, d4, d5, d6, d7 float64) int64 {
			got = allArgs{b, i8, u8, i16, u16, i32, u32, i64, u64, math.Float32bits(f32), math.Float64bits(f64), p,
				i8b, u16b, i32b, math.Float32bits(f32b), [8]float64{d0, d1, d2, d3, d4, d5, d6, d7}}
			return -0x0102030405060708
		}, "i64(bool, i8, u8, i16, u16, i32, u32, i64, u64, f32, f64, ptr, i8, u16, i32, f32, f64, f64, f64, f64, f64, f64, f64, f64)")
		var r int64
		checkEntry(t, c, wantFastEntry(blocking), 1, l.all, func() { r = l.all(c) })
		if r != -0x0102030405060708 {
			t.Errorf("C got %#x back", r)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("arguments (-want +got):\n%s", d)
		}
	})
}

func TestCallbackResults(t *testing.T) {
	forBoth(t, func(t *testing.T, blocking bool) {
		l := cbOpen(t, blocking)
		if got := l.retI8(newCB(t, func() int8 { return -3 }, "")); got != -3 {
			t.Errorf("i8 result: C sees %#x, want -3", got)
		}
		if got := l.retU16(newCB(t, func() uint16 { return 0xfffe }, "")); got != 0xfffe {
			t.Errorf("u16 result: C sees %#x, want 0xfffe", got)
		}
		if got := l.retBool(newCB(t, func() bool { return true }, "")); got != 1 {
			t.Errorf("bool result: C sees %#x, want 1", got)
		}
		nan := math.Float32frombits(0x7fa00001)
		got := l.retF32(newCB(t, func(x float32) float32 { return x }, ""), nan)
		if math.Float32bits(got) != 0x7fa00001 {
			t.Errorf("f32 NaN payload: %#x", math.Float32bits(got))
		}
		sum := newCB(t, func(a, b float64) float64 { return a + b }, "f64(f64, f64)")
		if got := l.retF64(sum, math.Inf(1), 1); !math.IsInf(got, 1) {
			t.Errorf("f64: %v", got)
		}
		if got := l.retF64(sum, math.Copysign(0, -1), math.Copysign(0, -1)); math.Float64bits(got) != 1<<63 {
			t.Errorf("f64 -0: %#x", math.Float64bits(got))
		}
	})
}

// TestCallbackIntsFloatResult covers the shape the Go side calls without
// its generic caller (at most four integer arguments, a scalar result)
// with a float result, which comes back in the first float register.
func TestCallbackIntsFloatResult(t *testing.T) {
	forBoth(t, func(t *testing.T, blocking bool) {
		l := cbOpen(t, blocking)
		ints := newCB(t, func(a int8, b uint16, c int32, d int64) float64 {
			if a != -5 || b != 0xfffe || c != -70000 || d != 0x123456789abcdef {
				t.Errorf("Go received %d, %#x, %d, %#x", a, b, c, d)
			}
			return math.Float64frombits(0x7ff4000000000001) // a NaN payload
		}, "f64(i8, u16, i32, i64)")
		if got := l.intsF64(ints); math.Float64bits(got) != 0x7ff4000000000001 {
			t.Errorf("f64 result: C sees %#x", math.Float64bits(got))
		}
		var x byte
		ptr := newCB(t, func(p unsafe.Pointer, b uint8) float32 {
			if p != unsafe.Pointer(&x) || b != 200 {
				t.Errorf("Go received %p, %d; want %p, 200", p, b, &x)
			}
			return float32(math.Copysign(0, -1))
		}, "f32(ptr, u8)")
		if got := l.ptrF32(ptr, unsafe.Pointer(&x)); math.Float32bits(got) != 1<<31 {
			t.Errorf("f32 result: C sees %#x, want -0", math.Float32bits(got))
		}
	})
}

// TestCallbackNested goes C -> Go -> C -> Go eight deep, alternating fast
// and Blocking outer calls, with the Go stack grown past 1 MiB at the
// bottom, and checks every value on the way back.
func TestCallbackNested(t *testing.T) {
	needCallbacks(t)
	fast, slow := cbOpen(t, false), cbOpen(t, true)
	var cb *Callback
	cb = newCB(t, func(x int64) int64 {
		if x == 0 {
			return deep(1<<20/64) + 1000
		}
		var r int64
		if x%2 == 0 {
			r = fast.apply(cb, x-1)
		} else {
			r = slow.apply(cb, x-1)
		}
		runtime.GC()
		return r*3 + x
	}, "")
	got := fast.apply(cb, 8)
	want := deep(1<<20/64) + 1000
	for x := int64(1); x <= 8; x++ {
		want = want*3 + x
	}
	if got != want {
		t.Errorf("nested result %d, want %d", got, want)
	}
}

// deep recurses n times with a 64-byte frame and returns n.
//
//go:noinline
func deep(n int) int64 {
	var pad [6]int64
	pad[n%6] = 1
	if n == 0 {
		return pad[0]
	}
	return deep(n-1) + pad[n%6]
}

func TestCallbackForeignThread(t *testing.T) {
	l := cbOpen(t, true)
	c := newCB(t, func(x int64) int64 {
		s := make([]int64, 100) // allocate on the borrowed M
		s[0] = x
		return s[0] * 2
	}, "")
	var r int64
	checkEntry(t, c, false, 1, l.thread, func() { r = l.thread(c, 21) })
	if r != 42 {
		t.Errorf("cb_thread = %d, want 42", r)
	}
}

// TestCallbackForeignThreadFastDeadlocks shows the hazard the README
// documents: a fast-path call that waits for a C thread which calls back
// keeps its P, so once the runtime stops the world (here the callback
// itself calls runtime.GC, as any allocation may) the stop waits for that
// call, the call waits for the thread, and the thread's callback waits
// for the stop. This holds at any GOMAXPROCS; the child runs with 4. The
// child is killed with SIGQUIT, whose goroutine dump must show the
// collector stuck stopping the world.
func TestCallbackForeignThreadFastDeadlocks(t *testing.T) {
	l := cbOpen(t, false)
	if p := PathOf(l.thread); !p.Fast {
		t.Skipf("the outer call is not on the fast path in this process: %v", p)
	}
	if os.Getenv(itChildMode) == "deadlock" {
		c := newCB(t, func(x int64) int64 {
			fmt.Println("callback: collecting")
			runtime.GC()
			return x
		}, "")
		l.thread(c, 1)
		fmt.Println("outer call returned")
		return
	}
	cmd := testCommand("TestCallbackForeignThreadFastDeadlocks", itChildMode+"=deadlock", "GOMAXPROCS=4", "GOTRACEBACK=all")
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Read the child's output until it ends, and say when the callback
	// has started collecting.
	var (
		mu  sync.Mutex
		out []byte
	)
	collecting, eof := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(eof)
		buf, said := make([]byte, 4096), false
		for {
			n, err := pipe.Read(buf)
			mu.Lock()
			out = append(out, buf[:n]...)
			if !said && bytes.Contains(out, []byte("callback: collecting")) {
				said = true
				close(collecting)
			}
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	output := func() string { mu.Lock(); defer mu.Unlock(); return string(out) }
	select {
	case <-collecting:
	case <-eof:
		t.Fatalf("the child ended before its callback ran (%v):\n%s", cmd.Wait(), output())
	case <-time.After(2 * time.Minute): // generous: the child may run under an emulator
		cmd.Process.Kill()
		<-eof
		cmd.Wait()
		t.Fatalf("the child's callback did not start within 2 minutes:\n%s", output())
	}
	// The deadlock is immediate; this wait only gives a child that is not
	// stuck the time to show it.
	select {
	case <-eof:
		t.Fatalf("the child finished (%v), so the documented deadlock did not happen:\n%s", cmd.Wait(), output())
	case <-time.After(time.Second):
	}
	cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-eof:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-eof
	}
	cmd.Wait()
	dump := output()
	if strings.Contains(dump, "outer call returned") {
		t.Fatalf("the outer call returned:\n%s", dump)
	}
	if !strings.Contains(dump, "[stopping the world") || !strings.Contains(dump, "runtime.GC(") {
		t.Fatalf("the dump does not show runtime.GC stuck stopping the world:\n%s", dump)
	}
}

// TestCallbackForeignThreads: many threads that Go did not create call
// back at once (each borrows an M through the runtime's needm), with the
// collector running, in rounds, so that the threads of each round are new
// ones and those of the last have exited. Every result is checked. The
// outer call is Blocking, as the README asks of a C function that waits
// for threads that call back.
func TestCallbackForeignThreads(t *testing.T) {
	func(t *testing.T, blocking bool) {
		l := cbOpen(t, blocking)
		threads, calls, rounds := int32(16), int64(2000), 4
		if runtime.GOARCH != "amd64" || raceBuild {
			calls = 200 // under emulation or -race each borrowed M is slow
		}
		var n atomic.Int64
		c := newCB(t, func(x int64) int64 {
			n.Add(1)
			if x%64 == 0 {
				s := make([]int64, 64) // allocate, and let the scheduler in
				s[x%64] = x
				runtime.Gosched()
				return s[0]*3 + 1
			}
			return x*3 + 1
		}, "")
		startGCLoop(t, 0)
		total := int64(threads) * calls
		want := 3*total*(total-1)/2 + total // the sum of 3x+1 over [0, total)
		for r := range rounds {
			var got int64
			checkEntry(t, c, false, uint64(total), l.threads, func() { got = l.threads(c, threads, calls) })
			if got != want {
				t.Fatalf("round %d: cb_threads = %d, want %d", r, got, want)
			}
		}
		if got := n.Load(); got != int64(rounds)*total {
			t.Errorf("%d callbacks ran, want %d", got, int64(rounds)*total)
		}
	}(t, true)
}

func TestCallbackPanic(t *testing.T) {
	forBoth(t, func(t *testing.T, blocking bool) {
		l := cbOpen(t, blocking)
		c := newCB(t, func(x int64) int64 { panic("boom") }, "")
		for i := 0; i < 3; i++ {
			func() {
				defer func() {
					if r := recover(); r != "boom" {
						t.Fatalf("recovered %v, want boom", r)
					}
				}()
				l.apply(c, 1)
				t.Fatal("no panic")
			}()
		}
		// The thread and the system stack are usable again.
		ok := newCB(t, func(x int64) int64 { return x + 1 }, "")
		if got := l.apply(ok, 41); got != 42 {
			t.Errorf("after the panics: %d", got)
		}
	})
}

func TestCallbackNilIsNULL(t *testing.T) {
	forBoth(t, func(t *testing.T, blocking bool) {
		l := cbOpen(t, blocking)
		if l.isNull(nil) != 1 {
			t.Error("a nil *Callback did not reach C as NULL")
		}
		c := newCB(t, func() {}, "")
		if l.isNull(c) != 0 {
			t.Error("a *Callback reached C as NULL")
		}
		c.Close()
		if l.isNull(c) != 1 {
			t.Error("a closed *Callback did not reach C as NULL")
		}
	})
}

func TestCallbackClose(t *testing.T) {
	needCallbacks(t)
	c, err := NewCallback(func(x int64) int64 { return x }, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Ptr() == nil {
		t.Fatal("nil Ptr")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if c.Ptr() != nil {
		t.Error("Ptr after Close is not nil")
	}
	var nilCB *Callback
	if nilCB.Ptr() != nil || nilCB.Close() != nil {
		t.Error("nil *Callback")
	}
}

func TestCallbackBadInput(t *testing.T) {
	needCallbacks(t)
	for _, c := range []struct {
		fn   any
		sig  string
		want string
	}{
		{nil, "", "want a non-nil func"},
		{42, "", "want a non-nil func"},
		{(func())(nil), "", "want a non-nil func"},
		{func(int32) int32 { return 0 }, "i32(i32, ...)", "variadic"},
		{func(int32) int32 { return 0 }, "i64(i32)", "result"},
		{func([]byte) {}, "void(ptr)", "slice"},
		{func(int32) {}, "void(i32", "expected"},
	} {
		cb, err := NewCallback(c.fn, c.sig)
		if err == nil {
			cb.Close()
			t.Errorf("NewCallback(%T, %q) succeeded", c.fn, c.sig)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewCallback(%T, %q): %v, want it to mention %q", c.fn, c.sig, err, c.want)
		}
	}
}

// TestCallbackReuse makes and closes callbacks while other goroutines call
// others, and checks that slots are reused (the table stays bounded).
func TestCallbackReuse(t *testing.T) {
	l := cbOpen(t, false)
	keep := newCB(t, func(x int64) int64 { return x + 1 }, "")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if got := l.apply(keep, 1); got != 2 {
					t.Errorf("apply = %d", got)
					return
				}
			}
		}()
	}
	for i := 0; i < 20000; i++ {
		c, err := NewCallback(func(x int64) int64 { return x * 2 }, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := l.apply(c, int64(i)); got != int64(2*i) {
			t.Fatalf("apply = %d", got)
		}
		c.Close()
	}
	close(stop)
	wg.Wait()
	open, made := upcallLive()
	if made > 4096 {
		t.Errorf("%d slots made for 20000 NewCallback/Close cycles (%d open): slots are not reused", made, open)
	}
}
