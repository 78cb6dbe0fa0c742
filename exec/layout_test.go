package exec

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestLayout(t *testing.T) {
	many := make([]int, 100)
	manyOff := make([]int, 100)
	for i := range many {
		many[i] = 8
		manyOff[i] = 16 * i
	}
	tests := []struct {
		name    string
		page    int
		sizes   []int
		offsets []int
		total   int
	}{
		{"empty", 4096, nil, nil, 0},
		{"one byte", 4096, []int{1}, []int{0}, 4096},
		{"aligned sizes pack tightly", 4096, []int{16, 16, 32}, []int{0, 16, 32}, 4096},
		{"odd sizes pad to 16", 4096, []int{1, 17, 5}, []int{0, 16, 48}, 4096},
		{"many blocks share a page", 4096, many, manyOff, 4096},
		{"exactly one page", 4096, []int{4096}, []int{0}, 4096},
		{"one byte over a page", 4096, []int{4097}, []int{0}, 8192},
		{"second block spills to next page", 4096, []int{4090, 10}, []int{0, 4096}, 8192},
		{"block larger than a page", 4096, []int{3, 9000, 3}, []int{0, 16, 9024}, 12288},
		{"16K pages", 16384, []int{20000, 1}, []int{0, 20000}, 32768},
		{"zero-size entry keeps alignment", 4096, []int{5, 0, 5}, []int{0, 16, 16}, 4096},
	}
	for _, arch := range []Arch{AMD64, ARM64} {
		for _, tt := range tests {
			t.Run(string(arch)+"/"+tt.name, func(t *testing.T) {
				off, total := Layout(arch, tt.page, tt.sizes)
				if !slices.Equal(off, tt.offsets) || total != tt.total {
					t.Errorf("Layout(%v) = %v, %d; want %v, %d", tt.sizes, off, total, tt.offsets, tt.total)
				}
			})
		}
	}
}

// TestLayoutInvariants checks the properties Place relies on over random
// batches: aligned, ordered, non-overlapping, and the least whole-page total.
func TestLayoutInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 2000; iter++ {
		page := []int{4096, 16384, 65536}[r.IntN(3)]
		sizes := make([]int, 1+r.IntN(40))
		for i := range sizes {
			sizes[i] = 1 + r.IntN(3000)
		}
		off, total := Layout(AMD64, page, sizes)
		end := 0
		for i, o := range off {
			if o%16 != 0 {
				t.Fatalf("sizes %v: offset %d of block %d not 16-aligned", sizes, o, i)
			}
			if o < end || o-end >= 16 {
				t.Fatalf("sizes %v: block %d at %d, previous ended at %d", sizes, i, o, end)
			}
			end = o + sizes[i]
		}
		if total%page != 0 || total < end || total-end >= page {
			t.Fatalf("sizes %v: total %d for end %d with page %d", sizes, total, end, page)
		}
	}
}

func TestLayoutPanics(t *testing.T) {
	for _, tt := range []struct {
		name  string
		arch  Arch
		page  int
		sizes []int
	}{
		{"unknown arch", "386", 4096, []int{1}},
		{"zero page", AMD64, 0, []int{1}},
		{"page not power of two", AMD64, 3000, []int{1}},
		{"negative size", AMD64, 4096, []int{-1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Layout did not panic")
				}
			}()
			Layout(tt.arch, tt.page, tt.sizes)
		})
	}
}

func TestAssembleFill(t *testing.T) {
	blocks := [][]byte{
		{0x48, 0xC7, 0xC0, 0x2A, 0x00, 0x00, 0x00, 0xC3},
		{0x11, 0x22, 0x33},
		bytes.Repeat([]byte{0x90}, 40),
	}
	sizes := []int{len(blocks[0]), len(blocks[1]), len(blocks[2])}
	for _, tc := range []struct {
		arch Arch
		trap byte
	}{{AMD64, 0xCC}, {ARM64, 0x00}} {
		t.Run(string(tc.arch), func(t *testing.T) {
			off, total := Layout(tc.arch, 4096, sizes)
			mem := bytes.Repeat([]byte{0xA5}, total) // not a trap on either arch
			assemble(tc.arch, mem, off, blocks)
			covered := make([]bool, total)
			for i, b := range blocks {
				if got := mem[off[i] : off[i]+len(b)]; !bytes.Equal(got, b) {
					t.Errorf("block %d = % x, want % x", i, got, b)
				}
				for j := range b {
					covered[off[i]+j] = true
				}
			}
			for i, c := range mem {
				if !covered[i] && c != tc.trap {
					t.Fatalf("byte %d = %#x, want trap %#x", i, c, tc.trap)
				}
			}
		})
	}
}

func TestContainsRanges(t *testing.T) {
	a := New(AMD64)
	a.ranges = []span{{0x1000, 0x2000}, {0x2000, 0x4000}, {0x9000, 0xa000}}
	for _, tt := range []struct {
		addr uintptr
		want bool
	}{
		{0, false}, {0xfff, false}, {0x1000, true}, {0x1fff, true}, {0x2000, true},
		{0x3fff, true}, {0x4000, false}, {0x8fff, false}, {0x9000, true},
		{0x9abc, true}, {0xa000, false}, {^uintptr(0), false},
	} {
		if got := a.Contains(tt.addr); got != tt.want {
			t.Errorf("Contains(%#x) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestPlaceArguments(t *testing.T) {
	a := New(AMD64)
	before := a.Stats()
	addrs, err := a.Place()
	if addrs != nil || err != nil {
		t.Errorf("Place() = %v, %v; want nil, nil", addrs, err)
	}
	if _, err := a.Place([]byte{0xC3}, nil); err == nil {
		t.Errorf("Place with an empty block succeeded")
	}
	if s := a.Stats(); s != before {
		t.Errorf("rejected batches changed stats: %+v", s)
	}
}

func TestNewPanicsOnUnknownArch(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("New did not panic")
		}
	}()
	New("riscv64")
}

// TestDenseBytes checks the dual-mapped allocation rule for every page
// size arm64 may have, with blocks of the sizes trampolines have (about
// 110 to 160 bytes): at most 256 bytes of executable memory per block
// over 1000 blocks.
func TestDenseBytes(t *testing.T) {
	for _, tt := range []struct {
		name  string
		page  int
		sizes []int
		want  int
	}{
		{"none", 4096, nil, 0},
		{"one block opens a chunk", 4096, []int{1}, minChunk},
		{"64K pages: one chunk is one page", 65536, []int{1}, 65536},
		{"a chunk holds 4096 16-byte blocks", 4096, slices.Repeat([]int{16}, 4096), minChunk},
		{"the 4097th opens the next", 4096, slices.Repeat([]int{16}, 4097), 2 * minChunk},
		{"a block larger than a chunk maps its own pages", 4096, []int{10, minChunk + 1, 10}, minChunk + minChunk + 4096},
		{"1000 of 150 bytes", 4096, slices.Repeat([]int{150}, 1000), 3 * minChunk},
		{"1000 of 150 bytes, 16K pages", 16384, slices.Repeat([]int{150}, 1000), 3 * minChunk},
		{"1000 of 150 bytes, 64K pages", 65536, slices.Repeat([]int{150}, 1000), 3 * minChunk},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := DenseBytes(ARM64, tt.page, tt.sizes); got != tt.want {
				t.Errorf("DenseBytes = %d, want %d", got, tt.want)
			}
		})
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, page := range []int{4096, 16384, 65536} {
		sizes := make([]int, 1000)
		for i := range sizes {
			sizes[i] = 110 + r.IntN(51)
		}
		if per := DenseBytes(ARM64, page, sizes) / len(sizes); per > 256 {
			t.Errorf("page size %d: %d bytes per block, want at most 256", page, per)
		}
	}
}
