package jitffi

import (
	"sync"
	"unsafe"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/exec"
	"github.com/jitffi/jitffi/jit"
)

var fast struct {
	once  sync.Once
	rt    jit.Runtime
	up    jit.Upcall // the callback entry's part of the runtime layout
	err   error
	arena *exec.Arena

	mu    sync.Mutex
	cache map[string]cached // plan key -> placed code

	// entries is the set of the entry addresses in cache, for
	// lookupBinding (which does not wait for mu, held while compiling).
	entriesMu sync.RWMutex
	entries   map[uintptr]struct{}
}

// cached is a placed trampoline. Its bytes are not kept on the heap: the
// arena's executable mapping is readable, never rewritten and never
// unmapped, so the code is read back from there (see placedCode).
type cached struct {
	entry uintptr
	size  int
}

// placedCode views the n bytes of code placed at entry, read-only.
func placedCode(entry uintptr, n int) []byte {
	return unsafe.Slice(*(**byte)(unsafe.Pointer(&entry)), n)
}

// placed is the outcome of trampolines for one plan.
type placed struct {
	code  []byte // a read-only view of the executable memory
	entry uintptr
	err   error
}

// trampolines returns the placed code for each plan, compiling the ones
// not seen before and placing them together in one batch: one copy into
// the arena and one instruction-stream synchronisation (one mapping, when
// the arena falls back to sealed pages) for the lot. Code depends only on
// the plan, so it is shared by every binding of the same signature and
// never released: the total is bounded by the number of distinct
// signatures, at about the size of the code (exec packs it densely).
func trampolines(plans []*abi.Plan) []placed {
	out := make([]placed, len(plans))
	if len(plans) == 0 {
		return out
	}
	fast.mu.Lock()
	defer fast.mu.Unlock()
	var blocks [][]byte
	var keys []string
	first := map[string]int{} // plan key -> index of its block in this batch
	which := make([]int, len(plans))
	for i, p := range plans {
		which[i] = -1
		key := p.Key()
		if c, ok := fast.cache[key]; ok {
			out[i] = placed{placedCode(c.entry, c.size), c.entry, nil}
			continue
		}
		if j, ok := first[key]; ok {
			which[i] = j
			continue
		}
		code, err := jit.Compile(p, &fast.rt)
		if err != nil {
			out[i].err = err
			continue
		}
		first[key] = len(blocks)
		which[i] = len(blocks)
		blocks = append(blocks, code)
		keys = append(keys, key)
	}
	addrs, err := fast.arena.Place(blocks...)
	if err == nil && len(keys) > 0 {
		fast.entriesMu.Lock()
		if fast.entries == nil {
			fast.entries = make(map[uintptr]struct{})
		}
		for j, key := range keys {
			fast.cache[key] = cached{addrs[j], len(blocks[j])}
			fast.entries[addrs[j]] = struct{}{}
		}
		fast.entriesMu.Unlock()
	}
	for i, j := range which {
		switch {
		case j < 0:
		case err != nil:
			out[i].err = err
		default:
			out[i] = placed{placedCode(addrs[j], len(blocks[j])), addrs[j], nil}
		}
	}
	return out
}

// isTrampoline reports whether addr is the entry of a cached trampoline.
func isTrampoline(addr uintptr) bool {
	fast.entriesMu.RLock()
	_, ok := fast.entries[addr]
	fast.entriesMu.RUnlock()
	return ok
}

// trampoline is trampolines for one plan.
func trampoline(p *abi.Plan) ([]byte, uintptr, error) {
	c := trampolines([]*abi.Plan{p})[0]
	return c.code, c.entry, c.err
}
