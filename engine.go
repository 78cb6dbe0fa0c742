package jitffi

import (
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"unsafe"
	"weak"

	"github.com/ebitengine/purego"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/exec"
	"github.com/jitffi/jitffi/fallback"
	cstrings "github.com/jitffi/jitffi/internal/cstr"
	"github.com/jitffi/jitffi/internal/rtprobe"
	"github.com/jitffi/jitffi/jit"
	"github.com/jitffi/jitffi/sig"
)

// The engine: the bindings and their records, the one decision between the
// fast and the slow path, the start-up check of the fast path and the
// registry behind PathOf. The code cache is in fast.go.

// binding is everything known about one bound func.
type binding struct {
	name   string
	plan   *abi.Plan // shared by the bindings of the same prepared signature
	path   Path
	rec    *record // nil on the slow path
	target *fallback.Target
	code   []byte      // the trampoline, for Describe
	closed closedError // the panic value of a call after Close
}

// fastBinding is a fast binding and its record in one allocation.
type fastBinding struct {
	binding
	record
}

// record is the funcval the user's func value points to on the fast path;
// its layout is jit's Record* constants.
type record struct {
	code     uintptr
	target   uintptr
	fallback unsafe.Pointer // *funcval of the fallback closure
	count    uint64
	b        *binding
}

func init() {
	var r record
	if unsafe.Offsetof(r.code) != jit.RecordCode || unsafe.Offsetof(r.target) != jit.RecordTarget ||
		unsafe.Offsetof(r.fallback) != jit.RecordFallback || unsafe.Offsetof(r.count) != jit.RecordCount {
		panic("jitffi: BUG: record layout does not match jit.Record*")
	}
}

// choosePath is the one place that decides the path of a new binding,
// and why.
func choosePath(p *abi.Plan, cfg *config) Path {
	switch {
	case env.noFast:
		return Path{Cause: CauseEnv, Reason: "JITFFI_FAST=0"}
	case cfg.blocking:
		return Path{Cause: CauseBlocking, Reason: "Blocking option"}
	}
	if err := jit.CanLower(p); err != nil {
		return Path{Cause: CauseUnsupported, Reason: err.Error()}
	}
	fast.once.Do(initFast)
	if fast.err != nil {
		return Path{Cause: CauseRuntime, Reason: fast.err.Error()}
	}
	if p.Errno && !fast.rt.ErrnoOK {
		return Path{Cause: CauseErrno, Reason: "errno capture: errno is not at a fixed offset from the thread pointer"}
	}
	return Path{Fast: true}
}

func initFast() {
	fast.cache = make(map[string]cached)
	rt, err := rtprobe.Probe()
	if err != nil {
		fast.err = fmt.Errorf("runtime check failed: %w", err)
		return
	}
	rt.Trace = traceEnabled
	if fast.up, err = probeUpcall(&rt); err != nil {
		fast.err = fmt.Errorf("runtime check failed: %w", err)
		return
	}
	if err := probeCgo(&rt); err != nil {
		fast.err = fmt.Errorf("runtime check failed: %w", err)
		return
	}
	errnoState.once.Do(initErrno)
	if errnoState.err == nil && errnoState.tlsOK {
		rt.ErrnoOK = true
		rt.ErrnoTLS = errnoState.tlsOff
	}
	rt.StringResult = uint64(cstrings.ResultEntry())
	fast.arena = exec.New(exec.Arch(runtime.GOARCH))
	if err := placeShared(&rt); err != nil {
		fast.err = fmt.Errorf("runtime check failed: %w", err)
		return
	}
	fast.rt = rt
	if err := selfTest(); err != nil {
		fast.err = fmt.Errorf("runtime check failed: self-test call: %w", err)
	}
}

// probeCgo finds and checks the cgo call state a fast call keeps for the
// profiler and crash reports (jit.Runtime.MNcgo), against calls of the C
// library's usleep through runtime.cgocall.
func probeCgo(rt *jit.Runtime) error {
	usleep, err := purego.Dlsym(purego.RTLD_DEFAULT, "usleep")
	if err != nil {
		return fmt.Errorf("cgo call state: %w", err)
	}
	if err := rtprobe.ProbeCgo(rt, func() { purego.SyscallN(usleep, 2000) }); err != nil {
		return fmt.Errorf("cgo call state: %w", err)
	}
	return nil
}

// placeShared compiles and places the code every trampoline shares (its
// return from the system stack to Go) and records where it is.
func placeShared(rt *jit.Runtime) error {
	sh, err := jit.CompileShared(abi.Arch(runtime.GOARCH), rt)
	if err != nil {
		return err
	}
	at, err := fast.arena.Place(sh.Code)
	if err != nil {
		return err
	}
	rt.Exit = uint64(at[0]) + uint64(sh.Exit)
	if sh.ExitString != 0 {
		rt.ExitString = uint64(at[0]) + uint64(sh.ExitString)
	}
	return nil
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

// funcval returns the funcval pointer behind a func value.
func funcval(f reflect.Value) unsafe.Pointer {
	i := f.Interface()
	// A func is pointer-shaped: the interface's data word is the funcval.
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&i))[1]
}

// The registry maps the funcvals of slow bindings back to their bindings,
// for PathOf and Describe (a fast binding's funcval is its record, which
// points to it). It holds them weakly: a binding lives exactly as long as
// the func value (and its library, while open) references it.
var registry sync.Map // uintptr(funcval) -> weak.Pointer[binding]

func register(fn unsafe.Pointer, b *binding) {
	key := uintptr(fn)
	registry.Store(key, weak.Make(b))
	runtime.AddCleanup(b, func(key uintptr) {
		if w, ok := registry.Load(key); ok && w.(weak.Pointer[binding]).Value() == nil {
			registry.CompareAndDelete(key, w)
		}
	}, key)
}

func lookupBinding(fn any) *binding {
	v := reflect.ValueOf(fn)
	if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Func {
		v = v.Elem()
	}
	if v.Kind() != reflect.Func || v.IsNil() {
		return nil
	}
	fv := funcval(v)
	// Every funcval starts with its code address; only records start
	// with a trampoline's.
	if isTrampoline(*(*uintptr)(fv)) {
		return (*record)(fv).b
	}
	w, ok := registry.Load(uintptr(fv))
	if !ok {
		return nil
	}
	return w.(weak.Pointer[binding]).Value()
}

// prepKey is what a prepared binding depends on. decls is immutable once
// made (CDef replaces it), so its pointer stands for its contents.
type prepKey struct {
	signature string
	symbol    string // only for an empty signature on a Library
	t         reflect.Type
	errno     bool
	blocking  bool
	decls     *sig.Decls
}

// maxPrepared bounds the cache: a program that binds endless distinct
// signatures or types starts over rather than grow it without end.
const maxPrepared = 4096

// prepCache holds what Bind worked out for the inputs it has seen: the
// parsed signature, the plan, the path and the placed trampoline, so that
// binding a known signature again only makes the binding itself. Only
// successes are cached; every error is found again, by the same checks.
var prepCache preparedCache

type preparedCache struct {
	mu sync.RWMutex
	m  map[prepKey]*prepared
}

func (c *preparedCache) get(k *prepKey) *prepared {
	c.mu.RLock()
	p := c.m[*k]
	c.mu.RUnlock()
	return p
}

func (c *preparedCache) put(p *prepared) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxPrepared {
		c.m = make(map[prepKey]*prepared)
	}
	c.m[p.key] = p
	c.mu.Unlock()
}
