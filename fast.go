package jitffi

import (
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"unsafe"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/exec"
	"github.com/jitffi/jitffi/internal/rtprobe"
	"github.com/jitffi/jitffi/jit"
	"github.com/jitffi/jitffi/sig"
)

// Path says which way a bound func reaches C.
type Path struct {
	Fast   bool
	Reason string // why not fast; empty on the fast path
}

func (p Path) String() string {
	if p.Fast {
		return "fast"
	}
	return "fallback: " + p.Reason
}

// PathOf reports the path of a func bound by Bind or BindAddr. fn may be
// the func value or a pointer to the variable holding it. A func jitffi did
// not bind reports Path{Reason: "not bound by jitffi"}.
func PathOf(fn any) Path {
	b := lookupBinding(fn)
	if b == nil {
		return Path{Reason: "not bound by jitffi"}
	}
	return b.path
}

// FastPathError reports why the fast path is unavailable in this process,
// or nil if it is available. The runtime contract is checked once, on first
// use.
func FastPathError() error {
	fast.once.Do(initFast)
	return fast.err
}

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

func initFast() {
	fast.cache = make(map[string]cached)
	rt, err := rtprobe.Probe()
	if err != nil {
		fast.err = fmt.Errorf("runtime check failed: %v", err)
		return
	}
	rt.Trace = traceEnabled
	errnoState.once.Do(initErrno)
	if errnoState.err == nil && errnoState.tlsOK {
		rt.ErrnoOK = true
		rt.ErrnoTLS = errnoState.tlsOff
		rt.ErrnoItab = errnoState.itab
		rt.ErrnoTable = uint64(uintptr(unsafe.Pointer(&errnoState.table[0])))
	}
	fast.rt = rt
	fast.arena = exec.New(exec.Arch(runtime.GOARCH))
	if err := selfTest(); err != nil {
		fast.err = fmt.Errorf("runtime check failed: self-test call: %v", err)
	}
}

// choosePath decides the path of a new binding.
func choosePath(p *abi.Plan, cfg *config) Path {
	switch {
	case env.noFast:
		return Path{Reason: "JITFFI_FAST=0"}
	case cfg.blocking:
		return Path{Reason: "Blocking option"}
	case !p.Fast:
		return Path{Reason: p.Reason}
	}
	fast.once.Do(initFast)
	if fast.err != nil {
		return Path{Reason: fast.err.Error()}
	}
	if p.Errno && !fast.rt.ErrnoOK {
		return Path{Reason: "errno capture: errno is not at a fixed offset from the thread pointer"}
	}
	return Path{Fast: true}
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

// selfTest calls a trampoline end to end before anything else may: a
// native adder placed in the arena (amd64 `lea (%rdi,%rsi), %rax; ret`,
// arm64 `add x0, x0, x1; ret`), called through the compiled i64(i64, i64)
// trampoline. Its fallback is a Go func
// computing the same sum, so a bail-out (a preemption request that happens
// to be pending) gives the same answer.
func selfTest() error {
	var adder []byte
	switch runtime.GOARCH {
	case "amd64":
		adder = []byte{0x48, 0x8d, 0x04, 0x37, 0xc3}
	case "arm64":
		adder = []byte{0x00, 0x00, 0x01, 0x8b, 0xc0, 0x03, 0x5f, 0xd6} // 0x8b010000, 0xd65f03c0
	default:
		return fmt.Errorf("no self-test for %s", runtime.GOARCH)
	}
	native, err := fast.arena.Place(adder)
	if err != nil {
		return err
	}
	s := &sig.Signature{Result: sig.Type{Kind: sig.I64}, Params: []sig.Type{{Kind: sig.I64}, {Kind: sig.I64}}}
	p, err := abi.New(abi.Arch(runtime.GOARCH), s, nil)
	if err != nil {
		return err
	}
	code, err := jit.Compile(p, &fast.rt)
	if err != nil {
		return err
	}
	entry, err := fast.arena.Place(code)
	if err != nil {
		return err
	}
	var goAdd func(int64, int64) int64 = func(a, b int64) int64 { return a + b }
	rec := &record{code: entry[0], target: native[0], fallback: funcval(reflect.ValueOf(goAdd))}
	var add func(int64, int64) int64
	*(*unsafe.Pointer)(unsafe.Pointer(&add)) = unsafe.Pointer(rec)
	for i := int64(0); i < 100; i++ {
		if got, want := add(i<<33, -i), i<<33-i; got != want {
			return fmt.Errorf("add(%d, %d) = %d, want %d", i<<33, -i, got, want)
		}
	}
	runtime.KeepAlive(rec)
	return nil
}
