package bench

import (
	"slices"
	"testing"
	"unsafe"

	"github.com/ebitengine/purego"

	"github.com/jitffi/jitffi"
)

// cbLoopN is the number of callbacks per C call in BenchmarkCallback.
const cbLoopN = 1000

// BenchmarkCallback: a C function calls an i32(i32) Go func cbLoopN times,
// entered through jitffi's fast entry (the outer call on the fast path),
// jitffi's standard entry (the outer call Blocking), a cgo //export (the
// cgo row) and purego.NewCallback. ns/callback is the cost of one callback.
func BenchmarkCallback(b *testing.B) {
	add1 := func(x int32) int32 { return x + 1 }
	want := int64(cbLoopN) * (cbLoopN + 1) / 2
	run := func(b *testing.B, loop func() int64) {
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if got := loop(); got != want {
				b.Fatalf("loop returned %d, want %d", got, want)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/cbLoopN, "ns/callback")
	}
	jit := func(b *testing.B, opts ...jitffi.Option) {
		l := openLib(b, libFixtures)
		var loop func(cb *jitffi.Callback, n int32) int64
		if err := l.jit.Bind(&loop, "cb_loop", "i64(ptr, i32)", opts...); err != nil {
			b.Fatal(err)
		}
		cb, err := jitffi.NewCallback(add1, "")
		if err != nil {
			b.Skip(err)
		}
		defer cb.Close()
		run(b, func() int64 { return loop(cb, cbLoopN) })
	}
	b.Run("fast-entry", func(b *testing.B) { jit(b) })
	b.Run("standard-entry", func(b *testing.B) { jit(b, jitffi.Blocking()) })
	b.Run("cgo", func(b *testing.B) {
		if cgoCallbackLoop == nil {
			b.Skip("built without cgo")
		}
		run(b, func() int64 { return cgoCallbackLoop(cbLoopN) })
	})
	b.Run("purego", func(b *testing.B) {
		l := openLib(b, libFixtures)
		var loop func(cb uintptr, n int32) int64
		purego.RegisterLibFunc(&loop, l.h, "cb_loop")
		cb := purego.NewCallback(add1)
		run(b, func() int64 { return loop(cb, cbLoopN) })
	})
}

const qsortN = 100000

// BenchmarkQsort sorts qsortN int32 with libc's qsort and a Go comparator
// through each entry (the cgo row: a cgo //export comparator), with Go's
// slices.Sort as the floor. ns/op is one
// sort of a fresh copy.
func BenchmarkQsort(b *testing.B) {
	src := make([]int32, qsortN)
	seed := uint32(7)
	for i := range src {
		seed = seed*1664525 + 1013904223
		src[i] = int32(seed)
	}
	sorted := slices.Sorted(slices.Values(src))
	xs := make([]int32, qsortN)
	run := func(b *testing.B, sort func(xs []int32)) {
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			copy(xs, src)
			b.StartTimer()
			sort(xs)
		}
		b.StopTimer()
		if !slices.Equal(xs, sorted) {
			b.Fatal("not sorted")
		}
	}
	cmp := func(a, b unsafe.Pointer) int32 {
		x, y := *(*int32)(a), *(*int32)(b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	b.Run("floor", func(b *testing.B) { run(b, func(xs []int32) { slices.Sort(xs) }) })
	jit := func(b *testing.B, opts ...jitffi.Option) {
		libc := openLib(b, libC)
		var qsort func(base []int32, n, size uintptr, cmp *jitffi.Callback)
		if err := libc.jit.Bind(&qsort, "qsort", "void qsort(void *, size_t, size_t, int (*)(const void *, const void *))", opts...); err != nil {
			if err := libc.jit.Bind(&qsort, "qsort", "void(ptr, usize, usize, ptr)", opts...); err != nil {
				b.Fatal(err)
			}
		}
		cb, err := jitffi.NewCallback(cmp, "i32(ptr, ptr)")
		if err != nil {
			b.Skip(err)
		}
		defer cb.Close()
		run(b, func(xs []int32) { qsort(xs, qsortN, 4, cb) })
	}
	b.Run("fast-entry", func(b *testing.B) { jit(b) })
	b.Run("standard-entry", func(b *testing.B) { jit(b, jitffi.Blocking()) })
	b.Run("cgo", func(b *testing.B) {
		if cgoQsort == nil {
			b.Skip("built without cgo")
		}
		run(b, cgoQsort)
	})
	b.Run("purego", func(b *testing.B) {
		libc := openLib(b, libC)
		var qsort func(base []int32, n, size uintptr, cmp uintptr)
		purego.RegisterLibFunc(&qsort, libc.h, "qsort")
		cb := purego.NewCallback(cmp)
		run(b, func(xs []int32) { qsort(xs, qsortN, 4, cb) })
	})
}

// BenchmarkNewCallback is the cost of making and closing one callback of
// a known signature.
func BenchmarkNewCallback(b *testing.B) {
	f := func(x int32) int32 { return x }
	b.ReportAllocs()
	for range b.N {
		cb, err := jitffi.NewCallback(f, "i32(i32)")
		if err != nil {
			b.Skip(err)
		}
		cb.Close()
	}
}
