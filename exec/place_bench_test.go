//go:build linux

package exec

import (
	"bytes"
	"testing"
)

// BenchmarkPlaceSmall places one trampoline-sized block per op, as a
// code cache or a callback-stub allocator does.
func BenchmarkPlaceSmall(b *testing.B) {
	for _, mk := range []struct {
		name string
		new  func(Arch) *Arena
	}{{string(DualMapped), New}, {string(SealedPages), newSealed}} {
		b.Run(mk.name, func(b *testing.B) {
			a := mk.new(AMD64) // a foreign fill is fine: nothing runs it
			blk := bytes.Repeat([]byte{0xC3}, 120)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Place(blk); err != nil {
					b.Fatal(err)
				}
			}
			s := a.Stats()
			b.ReportMetric(float64(s.Bytes)/float64(s.Blocks), "exec-bytes/block")
		})
	}
}
