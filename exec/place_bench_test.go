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

// BenchmarkPlace50 places 50 trampoline-sized blocks per op, as BindAll
// of a 50-field struct with new signatures does: in one Place call (one
// copy, flush and membarrier; one mapping when sealed), or one call per
// block as 50 Binds do.
func BenchmarkPlace50(b *testing.B) {
	blks := make([][]byte, 50)
	for i := range blks {
		blks[i] = bytes.Repeat([]byte{0xC3}, 120)
	}
	for _, mk := range []struct {
		name string
		new  func(Arch) *Arena
	}{{string(DualMapped), New}, {string(SealedPages), newSealed}} {
		b.Run(mk.name+"/batch", func(b *testing.B) {
			a := mk.new(AMD64)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Place(blks...); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(mk.name+"/one-by-one", func(b *testing.B) {
			a := mk.new(AMD64)
			b.ReportAllocs()
			for b.Loop() {
				for _, blk := range blks {
					if _, err := a.Place(blk); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
