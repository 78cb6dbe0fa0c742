package jitffi

import "testing"

func BenchmarkCallbackLoop(b *testing.B) {
	for _, blocking := range []bool{false, true} {
		name := map[bool]string{false: "fast-entry", true: "standard-entry"}[blocking]
		b.Run(name, func(b *testing.B) {
			l := cbOpen(b, blocking)
			c := newCB(b, func(x int32) int32 { return x + 1 }, "")
			const n = 1000
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				l.loop(c, n)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/callback")
		})
	}
}
