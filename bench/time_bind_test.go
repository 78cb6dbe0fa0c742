package bench

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ebitengine/purego"

	"github.com/jitffi/jitffi"
)

// bindN is the number of distinct symbols BenchmarkBind1000 binds.
const bindN = 1000

func bindName(i int) string { return fmt.Sprintf("bx_bind_%04d", i) }

// bindC returns the source of libjitffi_bind.so: bindN small functions
// with distinct names and the same signature, "i32(i32, i32)".
func bindC() string {
	var sb strings.Builder
	sb.WriteString("#include <stdint.h>\n")
	for i := range bindN {
		fmt.Fprintf(&sb, "__attribute__((visibility(\"default\"))) int32_t %s(int32_t a, int32_t b) { return a + b + %d; }\n", bindName(i), i)
	}
	return sb.String()
}

// BenchmarkBind1000 measures Bind: one op is one Bind, of the bindN
// symbols of libjitffi_bind.so in turn, each into a fresh func variable.
// Every bindN binds the library is closed and reopened (outside the
// timer), so that the bindings a Library keeps do not pile up. Besides
// ns/op (per Bind) it reports the median of the individually timed binds,
// median-ns/bind. jitffi compiles one trampoline per distinct signature
// and keeps it for the life of the process, so the compile cost is paid
// by the first Bind only and is not part of these numbers (the root
// package's BenchmarkBind measures it). The size of each trampoline is
// reported by BenchmarkCall's fast rows (code-bytes).
func BenchmarkBind1000(b *testing.B) {
	names := make([]string, bindN)
	for i := range names {
		names[i] = bindName(i)
	}
	type binder func(b *testing.B, i int, f *func(int32, int32) int32)
	run := func(b *testing.B, open func(b *testing.B) (binder, func())) {
		fns := make([]func(int32, int32) int32, bindN)
		times := make([]time.Duration, 0, min(b.N, 1<<20))
		bind, closeLib := open(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			j := i % bindN
			if j == 0 && i > 0 {
				b.StopTimer()
				closeLib()
				clear(fns)
				bind, closeLib = open(b)
				b.StartTimer()
			}
			t0 := time.Now()
			bind(b, j, &fns[j])
			if len(times) < cap(times) {
				times = append(times, time.Since(t0))
			}
		}
		b.StopTimer()
		for j, f := range fns {
			if f != nil {
				if got := f(2, 40); got != int32(42+j) {
					b.Fatalf("%s(2, 40) = %d, want %d", names[j], got, 42+j)
				}
			}
		}
		closeLib()
		slices.Sort(times)
		b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns/bind")
	}

	jitOpen := func(opts ...jitffi.Option) func(b *testing.B) (binder, func()) {
		return func(b *testing.B) (binder, func()) {
			// The library stays loaded through the handle openLib keeps,
			// so reopening it is cheap.
			lib, err := jitffi.Open(openLibPath(b, libBind))
			if err != nil {
				b.Fatal(err)
			}
			bind := func(b *testing.B, i int, f *func(int32, int32) int32) {
				if err := lib.Bind(f, names[i], "i32(i32, i32)", opts...); err != nil {
					b.Fatal(err)
				}
			}
			return bind, func() { lib.Close() }
		}
	}
	b.Run("fast", func(b *testing.B) {
		var f func(int32, int32) int32
		bind, closeLib := jitOpen()(b)
		bind(b, 0, &f)
		requireFast(b, f)
		closeLib()
		run(b, jitOpen())
	})
	b.Run("fallback(blocking)", func(b *testing.B) {
		run(b, jitOpen(jitffi.Blocking()))
	})
	b.Run("purego.RegisterLibFunc", func(b *testing.B) {
		run(b, func(b *testing.B) (binder, func()) {
			h := openLib(b, libBind).h
			return func(b *testing.B, i int, f *func(int32, int32) int32) {
				purego.RegisterLibFunc(f, h, names[i])
			}, func() {}
		})
	})
}
