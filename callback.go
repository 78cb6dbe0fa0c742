package jitffi

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/internal/gotype"
	"github.com/jitffi/jitffi/internal/rtprobe"
	"github.com/jitffi/jitffi/internal/upcall"
	"github.com/jitffi/jitffi/jit"
)

// A Callback is a C function pointer that calls a Go func. C may call it
// from inside a fast-path call of this package on the same thread (the
// fast entry: back onto the calling goroutine's stack, no scheduler
// transition), from inside a Blocking or slow-path call, a cgo call or a
// purego call, and from threads Go did not create (the standard entry,
// through the runtime's own cgocallback). See the README's "Callbacks".
type Callback struct {
	ptr  uintptr // first word: what a ptr parameter passes for a *Callback
	rec  *upcall.Record
	mu   sync.Mutex
	done bool
}

func init() { gotype.CallbackType = reflect.TypeFor[*Callback]() }

// NewCallback makes a C function pointer that calls fn, a Go func whose
// type matches signature (an empty signature is inferred from fn's type).
// The rules are Bind's, in the other direction: C's arguments become fn's
// parameters and fn's result is returned to C; structs by value are
// accepted as parameters and results. Variadic signatures are refused, and
// so are signatures whose Go arguments and result on Go's stack need more
// than 512 bytes.
//
// A panic in fn (and runtime.Goexit) unwinds through the C frames that
// called it, as with cgo: the C code between is abandoned, and the panic
// continues in the Go code that made the outer call.
func NewCallback(fn any, signature string, opts ...Option) (*Callback, error) {
	v := reflect.ValueOf(fn)
	if !v.IsValid() || v.Kind() != reflect.Func || v.IsNil() {
		return nil, fmt.Errorf("jitffi: callback: want a non-nil func, got %T", fn)
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.errno || cfg.blocking {
		return nil, errors.New("jitffi: callback: the Errno and Blocking options do not apply to callbacks")
	}
	if err := upcalls.init(); err != nil {
		return nil, fmt.Errorf("jitffi: callback: %w", err)
	}
	kind, err := callbackKind(signature, v.Type())
	if err != nil {
		return nil, err
	}
	stub, rec, err := upcall.Open(funcval(v), kind.entry, kind.name, placeStubs)
	if err != nil {
		return nil, fmt.Errorf("jitffi: callback %s: %w", kind.name, err)
	}
	return &Callback{ptr: stub, rec: rec}, nil
}

// A cbKind is what every callback of one signature and Go func type
// shares: the placed entry, and the name messages use.
type cbKind struct {
	entry uintptr
	name  string
}

type cbKey struct {
	signature string
	t         reflect.Type
}

// callbackKind returns the kind of callbacks of type t with the given
// signature, checking and compiling it on first use; later NewCallbacks
// of the same pair only look it up.
func callbackKind(signature string, t reflect.Type) (*cbKind, error) {
	key := cbKey{signature, t}
	if k, ok := upcalls.kinds.Load(key); ok {
		return k.(*cbKind), nil
	}
	s, err := parseOrInfer(signature, t, nil, "")
	if err != nil {
		return nil, fmt.Errorf("jitffi: callback: %w", err)
	}
	if s.Variadic {
		return nil, fmt.Errorf("jitffi: callback %v: a callback cannot be variadic", s)
	}
	shapes, err := gotype.Check(t, s)
	if err == nil {
		err = callbackStrings(t)
	}
	if err != nil {
		return nil, fmt.Errorf("jitffi: callback %v: %w", s, err)
	}
	name := fmt.Sprintf("%v (%v)", s, t)
	plan, err := abi.New(abi.Arch(runtime.GOARCH), s, shapes)
	if err != nil {
		return nil, fmt.Errorf("jitffi: callback %s: %w", name, err)
	}
	if err := jit.CanCallback(plan); err != nil {
		return nil, fmt.Errorf("jitffi: callback %s: %w", name, err)
	}
	entry, err := callbackEntry(plan)
	if err != nil {
		return nil, fmt.Errorf("jitffi: callback %s: %w", name, err)
	}
	k, _ := upcalls.kinds.LoadOrStore(key, &cbKind{entry, name})
	return k.(*cbKind), nil
}

// Ptr returns the C function pointer, stable until Close; nil after Close
// (and for a nil *Callback).
func (c *Callback) Ptr() unsafe.Pointer {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return nil
	}
	return addrPointer(c.ptr)
}

// Close releases the Go func. It is idempotent. C must not call the
// pointer afterwards: until the pointer is handed out again by a later
// NewCallback (at the earliest after 1024 further Closes), a
// call is a fatal error that names the callback; after that it calls the
// new callback's func.
func (c *Callback) Close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.done {
		c.done = true
		atomic.StoreUintptr(&c.ptr, 0) // a *Callback now passes NULL
		c.rec.Close()
	}
	return nil
}

// Counts reports how many calls of c went through the fast and the
// standard entry. Counted only in binaries built with -tags jitffi_trace
// (see Tracing); zero otherwise.
func (c *Callback) Counts() (fast, standard uint64) {
	return c.rec.Fast.Load(), c.rec.Std.Load()
}

type upcallState struct {
	once sync.Once
	err  error
	up   jit.Upcall

	cache map[string]uintptr // plan key -> entry, under fast.mu
	kinds sync.Map           // cbKey -> *cbKind
}

var upcalls upcallState

func (u *upcallState) init() error {
	u.once.Do(func() {
		fast.once.Do(initFast)
		if !upcall.Supported {
			u.err = fmt.Errorf("callbacks are not implemented on %s/%s yet", runtime.GOOS, runtime.GOARCH)
			return
		}
		if fast.err != nil {
			u.err = fmt.Errorf("callbacks need the runtime checks of the fast path: %w", fast.err)
			return
		}
		u.up = fast.up
		u.cache = make(map[string]uintptr)
		upcall.Trace = traceEnabled
	})
	return u.err
}

// callbackEntry returns the placed entry code for callbacks of plan p,
// compiling it on first use; like trampolines, entries are shared by every
// callback of the signature and never released.
func callbackEntry(p *abi.Plan) (uintptr, error) {
	key := p.Key()
	fast.mu.Lock()
	defer fast.mu.Unlock()
	if e, ok := upcalls.cache[key]; ok {
		return e, nil
	}
	code, err := jit.CompileCallback(p, &fast.rt, &upcalls.up)
	if err != nil {
		return 0, err
	}
	addrs, err := fast.arena.Place(code)
	if err != nil {
		return 0, err
	}
	upcalls.cache[key] = addrs[0]
	return addrs[0], nil
}

func placeStubs(slots []uint64) (uintptr, error) {
	code, err := jit.CallbackStubs(abi.Arch(runtime.GOARCH), slots)
	if err != nil {
		return 0, err
	}
	addrs, err := fast.arena.Place(code)
	if err != nil {
		return 0, err
	}
	return addrs[0], nil
}

// probeUpcall checks the runtime fields the fast entry touches; part of
// the fast path's runtime checks, since any fast call may call back.
func probeUpcall(rt *jit.Runtime) (jit.Upcall, error) {
	if !upcall.Supported {
		return jit.Upcall{}, nil // NewCallback reports it
	}
	up, err := rtprobe.ProbeUpcall(rt)
	if err != nil {
		return up, fmt.Errorf("callback entry: %w", err)
	}
	if err := upcall.Init(*rt, &up); err != nil {
		return up, err
	}
	return up, nil
}

// upcallLive reports how many callbacks are open and how many slots exist.
func upcallLive() (open, made int) { return upcall.Live() }
