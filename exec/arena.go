package exec

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"sync"
)

// Arch selects the trap fill and the I-cache rule; values match the
// strings "amd64" and "arm64".
type Arch string

// Supported architectures.
const (
	AMD64 Arch = "amd64"
	ARM64 Arch = "arm64"
)

// blockAlign is the start alignment of every block. 16 bytes suits both
// architectures: it matches the amd64 fetch-block size that compilers align
// functions to, and exceeds the 4-byte instruction alignment arm64 requires.
const blockAlign = 16

func (arch Arch) check() {
	if arch != AMD64 && arch != ARM64 {
		panic(fmt.Sprintf("exec: unsupported arch %q", string(arch)))
	}
}

// Arena hands out sealed executable memory. The zero value is not usable;
// use New. An Arena is safe for concurrent use.
type Arena struct {
	arch Arch

	mu     sync.RWMutex
	ranges []span // sorted by start; never shrinks, pages are never unmapped
	stats  Stats
}

type span struct{ start, end uintptr }

// Stats describes what an Arena has mapped, for tests and benchmarks.
type Stats struct {
	Mappings  int // mappings made
	Bytes     int // bytes mapped (whole pages)
	CodeBytes int // bytes of code placed
}

// New returns an Arena that fills and flushes for arch. The arch only has
// to match the host for the placed code to be executed; placing code for
// another architecture is allowed so that fills can be inspected.
// It panics if arch is not AMD64 or ARM64.
func New(arch Arch) *Arena {
	arch.check()
	return &Arena{arch: arch}
}

// Place copies the blocks into fresh RW pages, flushes the I-cache where
// needed, seals the pages RX, and returns the address of each block's first
// byte (same order). An empty batch returns nil, nil; an empty block is an
// error.
func (a *Arena) Place(blocks ...[]byte) ([]uintptr, error) {
	if len(blocks) == 0 {
		return nil, nil
	}
	sizes := make([]int, len(blocks))
	code := 0
	for i, b := range blocks {
		if len(b) == 0 {
			return nil, fmt.Errorf("exec: block %d is empty", i)
		}
		sizes[i] = len(b)
		code += len(b)
	}
	offsets, total := Layout(a.arch, pageSize(), sizes)
	// Each call owns its fresh mapping, so mapping, filling and sealing need
	// no lock; only the bookkeeping below is shared.
	base, err := mapSealed(total, func(mem []byte) {
		assemble(a.arch, mem, offsets, blocks)
	})
	if err != nil {
		return nil, err
	}

	addrs := make([]uintptr, len(blocks))
	for i, off := range offsets {
		addrs[i] = base + uintptr(off)
	}

	s := span{base, base + uintptr(total)}
	a.mu.Lock()
	i, _ := slices.BinarySearchFunc(a.ranges, s.start, func(r span, x uintptr) int {
		return cmp.Compare(r.start, x)
	})
	if (i > 0 && a.ranges[i-1].end > s.start) || (i < len(a.ranges) && a.ranges[i].start < s.end) {
		a.mu.Unlock()
		panic(fmt.Sprintf("exec: BUG: new mapping [%#x,%#x) overlaps a live one", s.start, s.end))
	}
	a.ranges = slices.Insert(a.ranges, i, s)
	a.stats.Mappings++
	a.stats.Bytes += total
	a.stats.CodeBytes += code
	a.mu.Unlock()
	return addrs, nil
}

// Stats returns a snapshot of what the arena has mapped.
func (a *Arena) Stats() Stats {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.stats
}

// Contains reports whether addr lies inside a mapping this arena made.
// Callers use it to recognise their own trampolines.
func (a *Arena) Contains(addr uintptr) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	// i is the first range starting at or after addr; unless it starts
	// exactly at addr, only the range before it can contain addr.
	i, found := slices.BinarySearchFunc(a.ranges, addr, func(r span, x uintptr) int {
		return cmp.Compare(r.start, x)
	})
	if found {
		return true
	}
	return i > 0 && addr < a.ranges[i-1].end
}

// Layout is the packing computation Place uses: each block starts at the
// next 16-byte aligned offset after the previous one, and total is the
// space used rounded up to whole pages. It is pure so that it can be
// tested on any host. It panics if arch is unknown, pageSize is not a
// positive power of two, or a size is negative.
func Layout(arch Arch, pageSize int, sizes []int) (offsets []int, total int) {
	arch.check()
	if pageSize <= 0 || pageSize&(pageSize-1) != 0 {
		panic(fmt.Sprintf("exec: page size %d is not a power of two", pageSize))
	}
	if len(sizes) == 0 {
		return nil, 0
	}
	offsets = make([]int, len(sizes))
	end := 0
	for i, n := range sizes {
		if n < 0 {
			panic(fmt.Sprintf("exec: negative block size %d", n))
		}
		offsets[i] = alignUp(end, blockAlign)
		end = offsets[i] + n
	}
	return offsets, alignUp(end, pageSize)
}

func alignUp(n, align int) int { return (n + align - 1) &^ (align - 1) }

// assemble writes the image of one mapping into mem: traps everywhere,
// then each block at its offset. Filling first also covers the padding
// between blocks, so no reachable byte is left as a stray zero on amd64.
func assemble(arch Arch, mem []byte, offsets []int, blocks [][]byte) {
	fillTrap(arch, mem)
	for i, b := range blocks {
		if copy(mem[offsets[i]:], b) != len(b) {
			panic("exec: BUG: block does not fit its layout")
		}
	}
}

// fillTrap fills mem with the architecture's trap instruction.
func fillTrap(arch Arch, mem []byte) {
	var t byte
	switch arch {
	case AMD64:
		t = 0xCC // int3
	case ARM64:
		t = 0x00 // words of zero decode as UDF #0
	default:
		panic(fmt.Sprintf("exec: BUG: fill for unknown arch %q", string(arch)))
	}
	for i := range mem {
		mem[i] = t
	}
}

func pageSize() int { return os.Getpagesize() }
