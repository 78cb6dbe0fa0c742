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

// minChunk is the least size of a dual-mapped chunk. Small blocks are
// appended to the current chunk until it is full, so at most one chunk's
// tail is unused; 64 KiB is also the largest arm64 page size, so the
// amortised cost per block does not depend on the page size.
const minChunk = 64 << 10

func (arch Arch) check() {
	if arch != AMD64 && arch != ARM64 {
		panic(fmt.Sprintf("exec: unsupported arch %q", string(arch)))
	}
}

// Mode says how an Arena obtains executable memory.
type Mode string

const (
	// DualMapped: code is appended densely to chunks of a shared-memory
	// file mapped twice, read-write (private to the arena) and
	// read-execute (the addresses Place returns).
	DualMapped Mode = "dual-mapped"
	// SealedPages: every Place call gets fresh anonymous pages, written
	// and then sealed read-execute. Used where the shared-memory file
	// cannot be created or mapped executable; each call costs whole pages.
	SealedPages Mode = "sealed-pages"
)

// Arena hands out executable memory that is never writable through the
// addresses it returns. The zero value is not usable; use New. An Arena
// is safe for concurrent use.
type Arena struct {
	arch Arch
	mode Mode
	why  string // why mode is SealedPages; empty otherwise

	mu     sync.RWMutex
	ranges []span // executable ranges, sorted by start; never shrinks
	cur    *chunk // dual-mapped chunk being filled; nil if none
	bump   bump   // where the next batch goes in cur
	stats  Stats
	// rwSeen records every read-write view ever mapped, for the tests'
	// W^X scans; nil outside tests.
	rwSeen *[]span
}

type span struct{ start, end uintptr }

// chunk is one dual-mapped region: rw is the arena's private writable
// view, rx the executable view of the same bytes.
type chunk struct {
	rw []byte
	rx uintptr
}

// Stats describes what an Arena has mapped, for tests and benchmarks.
type Stats struct {
	Mode      Mode
	Mappings  int // executable mappings made
	Bytes     int // bytes of executable mapping (whole pages)
	RWBytes   int // bytes of read-write views mapped right now (never executable)
	CodeBytes int // bytes of code placed
	Blocks    int // blocks placed
	Batches   int // Place calls that placed blocks: one flush and sync each
	Spare     int // bytes at the end of the current chunk no block uses yet
}

// New returns an Arena that fills and flushes for arch. The arch only has
// to match the host for the placed code to be executed; placing code for
// another architecture is allowed so that fills can be inspected.
// It panics if arch is not AMD64 or ARM64.
//
// New checks once whether dual mapping works here; if not, the arena uses
// SealedPages and Stats and FallbackReason say so.
func New(arch Arch) *Arena {
	arch.check()
	a := &Arena{arch: arch, mode: DualMapped, bump: newBump(pageSize())}
	if err := dualMapAvailable(); err != nil {
		a.mode, a.why = SealedPages, err.Error()
	}
	a.stats.Mode = a.mode
	return a
}

// newSealed returns an Arena that uses SealedPages regardless of what the
// system supports, so that the fallback is tested everywhere.
func newSealed(arch Arch) *Arena {
	arch.check()
	return &Arena{arch: arch, mode: SealedPages, why: "forced", stats: Stats{Mode: SealedPages}}
}

// FallbackReason says why the arena uses SealedPages, or "" if it does not.
func (a *Arena) FallbackReason() string { return a.why }

// Place copies the blocks into executable memory and returns the address
// of each block's first byte (same order). The blocks of one call are laid
// out contiguously as by Layout. The bytes are written only through a
// view the caller never sees, the I-cache is flushed where needed, and
// every thread is made to resynchronise its instruction stream where the
// kernel allows, all before Place returns: no caller can jump to an
// address before its code is complete. Placed code is never rewritten or
// unmapped. An empty batch returns nil, nil; an empty block is an error.
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
	offsets, end := pack(a.arch, sizes)
	addrs := make([]uintptr, len(blocks))
	if a.mode == SealedPages {
		return addrs, a.placeSealed(blocks, offsets, end, code, addrs)
	}
	return addrs, a.placeDual(blocks, offsets, end, code, addrs)
}

// placeSealed gives the batch its own fresh mapping. Each call owns its
// mapping, so mapping, filling and sealing need no lock; only the
// bookkeeping is shared.
func (a *Arena) placeSealed(blocks [][]byte, offsets []int, end, code int, addrs []uintptr) error {
	total := alignUp(end, pageSize())
	base, err := mapSealed(total, func(mem []byte) {
		assemble(a.arch, mem, offsets, blocks)
	})
	if err != nil {
		return err
	}
	for i, off := range offsets {
		addrs[i] = base + uintptr(off)
	}
	a.mu.Lock()
	a.addRange(span{base, base + uintptr(total)})
	a.stats.Mappings++
	a.stats.Bytes += total
	a.stats.CodeBytes += code
	a.stats.Blocks += len(blocks)
	a.stats.Batches++
	a.mu.Unlock()
	return nil
}

// placeDual appends the batch to the current chunk, or to a new one when
// it does not fit (see bump). The whole step runs under the lock: for the
// small blocks it is made for, it is a copy of a few hundred bytes.
func (a *Arena) placeDual(blocks [][]byte, offsets []int, end, code int, addrs []uintptr) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	start, where := a.bump.next(end)
	c := a.cur
	switch where {
	case atOwn:
		nc, err := a.mapChunk(alignUp(end, pageSize()))
		if err != nil {
			return err
		}
		c = nc
	case atNew:
		nc, err := a.mapChunk(a.bump.chunk)
		if err != nil {
			return err
		}
		a.retire(a.cur)
		a.cur, c = nc, nc
	}

	dst := c.rw[start : start+end]
	for i, b := range blocks {
		copy(dst[offsets[i]:], b)
	}
	rx := c.rx + uintptr(start)
	flushICache(rx, rx+uintptr(end))
	syncCores()
	for i, off := range offsets {
		addrs[i] = rx + uintptr(off)
	}
	if a.bump.commit(start, end, where) || where == atOwn {
		a.retire(c)
		if c == a.cur {
			a.cur = nil
		}
	}
	a.stats.CodeBytes += code
	a.stats.Blocks += len(blocks)
	a.stats.Batches++
	return nil
}

// Where a batch goes.
const (
	atCur = iota // appended to the current chunk
	atNew        // at the start of a new current chunk
	atOwn        // a chunk of its own, larger than minChunk; the current one stays
)

// bump is the allocation rule of a dual-mapped arena, kept apart from the
// mapping so that it can be run for page sizes the host does not have.
type bump struct {
	chunk int // size of a regular chunk: max(minChunk, page size)
	room  int // size of the current chunk; 0 if there is none
	used  int // bytes used at its front
}

func newBump(pageSize int) bump { return bump{chunk: max(minChunk, pageSize)} }

// next says where a batch of end bytes goes and at which offset.
func (b *bump) next(end int) (start, where int) {
	if end > minChunk {
		return 0, atOwn
	}
	start = alignUp(b.used, blockAlign)
	if b.room == 0 || start+end > b.room {
		return 0, atNew
	}
	return start, atCur
}

// commit records a placed batch and reports whether the current chunk
// is now full (too little room for even one more aligned block).
func (b *bump) commit(start, end, where int) (full bool) {
	switch where {
	case atOwn:
		return false
	case atNew:
		b.room = b.chunk
	}
	b.used = start + end
	if b.room-b.used < blockAlign {
		b.room, b.used = 0, 0
		return true
	}
	return false
}

// mapChunk maps a fresh dual-mapped chunk of size bytes, trap-filled.
// Called with a.mu held.
func (a *Arena) mapChunk(size int) (*chunk, error) {
	rw, rx, err := mapDual(size)
	if err != nil {
		return nil, err
	}
	fillTrap(a.arch, rw)
	a.addRange(span{sliceAddr(rx), sliceAddr(rx) + uintptr(size)})
	a.stats.Mappings++
	a.stats.Bytes += size
	a.stats.RWBytes += size
	if a.rwSeen != nil {
		p := sliceAddr(rw)
		*a.rwSeen = append(*a.rwSeen, span{p, p + uintptr(size)})
	}
	return &chunk{rw: rw, rx: sliceAddr(rx)}, nil
}

// retire unmaps a chunk's writable view once nothing more will be written
// to it, so that a full chunk has no second way in. Called with a.mu held.
func (a *Arena) retire(c *chunk) {
	if c == nil || c.rw == nil {
		return
	}
	a.stats.RWBytes -= len(c.rw)
	unmapView(c.rw)
	c.rw = nil
}

// addRange records an executable range. Called with a.mu held.
func (a *Arena) addRange(s span) {
	i, _ := slices.BinarySearchFunc(a.ranges, s.start, func(r span, x uintptr) int {
		return cmp.Compare(r.start, x)
	})
	if (i > 0 && a.ranges[i-1].end > s.start) || (i < len(a.ranges) && a.ranges[i].start < s.end) {
		panic(fmt.Sprintf("exec: BUG: new mapping [%#x,%#x) overlaps a live one", s.start, s.end))
	}
	a.ranges = slices.Insert(a.ranges, i, s)
}

// Stats returns a snapshot of what the arena has mapped.
func (a *Arena) Stats() Stats {
	a.mu.RLock()
	defer a.mu.RUnlock()
	s := a.stats
	if a.bump.room > 0 {
		s.Spare = a.bump.room - a.bump.used
	}
	return s
}

// Contains reports whether addr lies inside an executable mapping this
// arena made. Callers use it to recognise their own trampolines.
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

// Layout is the packing computation Place uses for one batch: each block
// starts at the next 16-byte aligned offset after the previous one, and
// total is the space used rounded up to whole pages (what one SealedPages
// call maps; a dual-mapped arena places the same layout inside a chunk).
// It is pure so that it can be tested on any host. It panics if arch is
// unknown, pageSize is not a positive power of two, or a size is negative.
func Layout(arch Arch, pageSize int, sizes []int) (offsets []int, total int) {
	arch.check()
	if pageSize <= 0 || pageSize&(pageSize-1) != 0 {
		panic(fmt.Sprintf("exec: page size %d is not a power of two", pageSize))
	}
	if len(sizes) == 0 {
		return nil, 0
	}
	offsets, end := pack(arch, sizes)
	return offsets, alignUp(end, pageSize)
}

// pack returns each block's aligned offset and the end of the last block.
func pack(arch Arch, sizes []int) (offsets []int, end int) {
	arch.check()
	offsets = make([]int, len(sizes))
	for i, n := range sizes {
		if n < 0 {
			panic(fmt.Sprintf("exec: negative block size %d", n))
		}
		offsets[i] = alignUp(end, blockAlign)
		end = offsets[i] + n
	}
	return offsets, end
}

// DenseBytes is the executable memory a dual-mapped arena with the given
// page size maps for blocks placed one at a time, in order: Place's
// allocation rule, run without mapping anything, so that the cost per
// block can be checked for page sizes the host does not have. It panics
// on the same inputs as Layout.
func DenseBytes(arch Arch, pageSize int, sizes []int) int {
	Layout(arch, pageSize, nil) // validates arch and pageSize
	b := newBump(pageSize)
	total := 0
	for _, n := range sizes {
		if n < 0 {
			panic(fmt.Sprintf("exec: negative block size %d", n))
		}
		start, where := b.next(n)
		switch where {
		case atOwn:
			total += alignUp(n, pageSize)
		case atNew:
			total += b.chunk
		}
		b.commit(start, n, where)
	}
	return total
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
