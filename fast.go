package jitffi

import (
	"sync"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/exec"
	"github.com/jitffi/jitffi/jit"
)

var fast struct {
	once  sync.Once
	rt    jit.Runtime
	err   error
	arena *exec.Arena

	mu    sync.Mutex
	cache map[string]cached // plan key -> placed code
}

type cached struct {
	code  []byte
	entry uintptr
}

// trampoline returns the placed code for a plan, compiling it on first
// use. Code depends only on the plan, so it is shared by every binding of
// the same signature and never released: the total is bounded by the
// number of distinct signatures.
func trampoline(p *abi.Plan) ([]byte, uintptr, error) {
	key := p.Key()
	fast.mu.Lock()
	defer fast.mu.Unlock()
	if c, ok := fast.cache[key]; ok {
		return c.code, c.entry, nil
	}
	code, err := jit.Compile(p, &fast.rt)
	if err != nil {
		return nil, 0, err
	}
	addrs, err := fast.arena.Place(code)
	if err != nil {
		return nil, 0, err
	}
	fast.cache[key] = cached{code, addrs[0]}
	return code, addrs[0], nil
}
