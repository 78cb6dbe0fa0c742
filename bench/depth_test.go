package bench

import (
	"fmt"
	"testing"

	"github.com/jitffi/jitffi"
)

// BenchmarkDepth runs the loops of BenchmarkCall's i32(i32,i32) and of
// BenchmarkCallback from d Go frames deeper than the other benchmarks do:
// a program calls C from deep in its stack, and on some machines every
// call costs more there, plain Go calls included. Each op is cbLoopN calls;
// ns/call is the cost of one. The floor row is a Go function that is
// never inlined.
func BenchmarkDepth(b *testing.B) {
	l := openLib(b, libFixtures)
	var add func(x, y int32) int32
	if err := l.jit.Bind(&add, "fx_add_i32", "i32(i32, i32)"); err != nil {
		b.Fatal(err)
	}
	var loop func(cb *jitffi.Callback, n int32) int64
	if err := l.jit.Bind(&loop, "cb_loop", "i64(ptr, i32)"); err != nil {
		b.Fatal(err)
	}
	cb, err := jitffi.NewCallback(func(x int32) int32 { return x + 1 }, "")
	if err != nil {
		b.Skip(err)
	}
	defer cb.Close()
	addLoop := func(add func(x, y int32) int32) func() int64 {
		return func() int64 {
			s := int32(0)
			for i := range int32(cbLoopN) {
				s = add(s, i)
			}
			return int64(s)
		}
	}
	wantAdd := int64(int32(cbLoopN * (cbLoopN - 1) / 2))
	wantCB := int64(cbLoopN) * (cbLoopN + 1) / 2
	for _, d := range []int{0, 16, 32, 64} {
		run := func(name string, want int64, f func() int64) {
			b.Run(fmt.Sprintf("d=%d/%s", d, name), func(b *testing.B) {
				if f == nil {
					b.Skip("built without cgo")
				}
				for range b.N {
					if got := atDepth(d, f); got != want {
						b.Fatalf("got %d, want %d", got, want)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/cbLoopN, "ns/call")
			})
		}
		run("call/floor", wantAdd, addLoop(depthAdd))
		run("call/fast", wantAdd, addLoop(add))
		run("callback/fast-entry", wantCB, func() int64 { return loop(cb, cbLoopN) })
		var cgo func() int64
		if cgoCallbackLoop != nil {
			cgo = func() int64 { return cgoCallbackLoop(cbLoopN) }
		}
		run("callback/cgo", wantCB, cgo)
	}
}

// atDepth calls f from d more frames down the stack.
//
//go:noinline
func atDepth(d int, f func() int64) int64 {
	if d == 0 {
		return f()
	}
	return atDepth(d-1, f)
}

//go:noinline
func depthAdd(x, y int32) int32 { return x + y }
