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

// trampoline returns the placed code for a plan (a read-only view of the
// executable memory) and its entry address, compiling it on first use.
// Code depends only on the plan, so it is shared by every binding of the
// same signature and never released: the total is bounded by the number
// of distinct signatures, at about the size of the code (exec packs it
// densely).
func trampoline(p *abi.Plan) ([]byte, uintptr, error) {
	key := p.Key()
	fast.mu.Lock()
	defer fast.mu.Unlock()
	if c, ok := fast.cache[key]; ok {
		return placedCode(c.entry, c.size), c.entry, nil
	}
	code, err := jit.Compile(p, &fast.rt)
	if err != nil {
		return nil, 0, err
	}
	addrs, err := fast.arena.Place(code)
	if err != nil {
		return nil, 0, err
	}
	fast.cache[key] = cached{addrs[0], len(code)}
	return placedCode(addrs[0], len(code)), addrs[0], nil
}
