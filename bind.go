package jitffi

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"sync"
	"unsafe"
	"weak"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/fallback"
	"github.com/jitffi/jitffi/jit"
	"github.com/jitffi/jitffi/sig"
)

// SignatureError reports a malformed signature; Offset is the byte offset
// of the problem in Input.
type SignatureError = sig.Error

// ErrNotFast is wrapped by the error Bind returns under Strict when the
// function cannot take the fast path.
var ErrNotFast = errors.New("jitffi: not on the fast path")

// Option changes how Bind binds a function.
type Option func(*config)

type config struct {
	blocking bool
	strict   bool
	errno    bool
}

// Blocking makes the binding always take the slow path, which tells the
// scheduler the goroutine is leaving Go for the duration of the call (as cgo
// does). Use it for C functions that may block: I/O, locks, sleeps. On the
// fast path a long call holds its P and delays stop-the-world phases of the
// garbage collector until it returns, and signals the runtime sends to the
// thread interrupt sleeps and waits with EINTR.
func Blocking() Option { return func(c *config) { c.blocking = true } }

// Strict makes Bind fail with an error wrapping ErrNotFast instead of
// silently binding the slow path. JITFFI_STRICT=1 in the environment turns
// it on for every Bind.
func Strict() Option { return func(c *config) { c.strict = true } }

// Bind looks up the symbol name and stores into *fnPtr a Go func that calls
// it with the given C signature:
//
//	var add func(int32, int32) int32
//	err := lib.Bind(&add, "add", "i32(i32, i32)")
//
// fnPtr must point to a variable of func type whose parameters and result
// match the signature. An empty signature is inferred from the Go type.
func (l *Library) Bind(fnPtr any, name, signature string, opts ...Option) error {
	fv, err := funcVar(fnPtr)
	if err != nil {
		return fmt.Errorf("jitffi: bind %s: %w", name, err)
	}
	addr, err := l.lookup(name)
	if err != nil {
		return err
	}
	return bind(fv, addr, name, signature, l, opts)
}

// BindAddr is Bind for a function known by its address.
func BindAddr(fnPtr any, addr unsafe.Pointer, signature string, opts ...Option) error {
	name := fmt.Sprintf("%#x", uintptr(addr))
	fv, err := funcVar(fnPtr)
	if err != nil {
		return fmt.Errorf("jitffi: bind %s: %w", name, err)
	}
	if addr == nil {
		return fmt.Errorf("jitffi: bind: nil function address")
	}
	return bind(fv, uintptr(addr), name, signature, nil, opts)
}

// funcVar checks that fnPtr points to a func variable and returns it.
func funcVar(fnPtr any) (reflect.Value, error) {
	v := reflect.ValueOf(fnPtr)
	if !v.IsValid() || v.Kind() != reflect.Pointer {
		return reflect.Value{}, fmt.Errorf("want a pointer to a func variable, got %T", fnPtr)
	}
	if v.IsNil() {
		return reflect.Value{}, fmt.Errorf("want a pointer to a func variable, got a nil %T", fnPtr)
	}
	if v.Elem().Kind() != reflect.Func {
		return reflect.Value{}, fmt.Errorf("want a pointer to a func variable, got %T", fnPtr)
	}
	return v.Elem(), nil
}

// binding is everything known about one bound func.
type binding struct {
	name   string
	plan   *abi.Plan
	path   Path
	rec    *record // nil on the slow path
	target *fallback.Target
	code   []byte // the trampoline, for Describe
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

var env = struct {
	noFast, strict bool
}{
	noFast: os.Getenv("JITFFI_FAST") == "0",
	strict: os.Getenv("JITFFI_STRICT") == "1",
}

func bind(fv reflect.Value, addr uintptr, name, signature string, l *Library, opts []Option) error {
	if runtime.GOOS != "linux" {
		// The plans follow the Linux variants of the C conventions (Apple's
		// arm64 one, for one, packs stack arguments differently).
		return fmt.Errorf("jitffi: bind %s: %s/%s is not supported", name, runtime.GOOS, runtime.GOARCH)
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	cfg.strict = cfg.strict || env.strict
	t := fv.Type()
	ct := t // the Go type of the C call itself, without a trailing error
	if cfg.errno {
		errnoState.once.Do(initErrno)
		if errnoState.err != nil {
			return fmt.Errorf("jitffi: bind %s: %w", name, errnoState.err)
		}
		if t.Kind() == reflect.Func && (t.NumOut() == 0 || t.Out(t.NumOut()-1) != errorType) {
			return fmt.Errorf("jitffi: bind %s: the Errno option needs a Go func whose last result is error, got %v", name, t)
		}
		ct = withoutLastResult(t)
	}
	s, err := parseOrInfer(signature, ct)
	if err != nil {
		return fmt.Errorf("jitffi: bind %s: %w", name, err)
	}
	shapes, err := checkType(ct, s)
	if err != nil {
		return fmt.Errorf("jitffi: bind %s as %v: %w", name, s, err)
	}
	plan, err := abi.New(abi.Arch(runtime.GOARCH), s, shapes)
	if err != nil {
		return fmt.Errorf("jitffi: bind %s: %w", name, err)
	}
	if cfg.errno {
		plan.SetErrno()
	}
	b := &binding{name: name, plan: plan}
	b.path = choosePath(plan, &cfg)
	if !b.path.Fast && cfg.strict {
		return fmt.Errorf("jitffi: bind %s as %v: %w: %s", name, s, ErrNotFast, b.path.Reason)
	}

	b.target = &fallback.Target{
		Addr:          addr,
		ErrClosed:     &closedError{name},
		ErrnoLocation: errnoState.location,
		Owner:         b,
	}
	if l != nil {
		b.target.Gate = &l.gate
	}
	slow, err := fallback.Make(plan, t, b.target)
	if err != nil {
		return fmt.Errorf("jitffi: bind %s: %w", name, err)
	}

	var fn unsafe.Pointer // the funcval the user's variable will hold
	if b.path.Fast {
		code, entry, err := trampoline(plan)
		if err != nil {
			if cfg.strict {
				return fmt.Errorf("jitffi: bind %s as %v: %w: %v", name, s, ErrNotFast, err)
			}
			b.path = Path{Reason: err.Error()}
		} else {
			b.code = code
			b.rec = &record{code: entry, target: addr, fallback: funcval(slow), b: b}
			fn = unsafe.Pointer(b.rec)
		}
	}
	if fn == nil {
		fn = funcval(slow)
	}
	if l != nil {
		if err := l.add(b); err != nil {
			return err
		}
	}
	register(fn, b)
	*(*unsafe.Pointer)(fv.Addr().UnsafePointer()) = fn
	return nil
}

func parseOrInfer(signature string, t reflect.Type) (*sig.Signature, error) {
	if signature == "" {
		return inferSignature(t)
	}
	s, err := sig.Parse(signature)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// funcval returns the funcval pointer behind a func value.
func funcval(f reflect.Value) unsafe.Pointer {
	i := f.Interface()
	// A func is pointer-shaped: the interface's data word is the funcval.
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&i))[1]
}

// The registry maps the funcvals handed to users back to their bindings,
// for PathOf and Describe. It holds them weakly: a binding lives exactly
// as long as the func value (and its library, while open) references it.
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
	w, ok := registry.Load(uintptr(funcval(v)))
	if !ok {
		return nil
	}
	return w.(weak.Pointer[binding]).Value()
}

// closedError is the panic value of a call after Close.
type closedError struct{ name string }

func (e *closedError) Error() string { return "jitffi: call to " + e.name + ": " + ErrClosed.Error() }
func (e *closedError) Unwrap() error { return ErrClosed }

// withoutLastResult is t without its last result.
func withoutLastResult(t reflect.Type) reflect.Type {
	in := make([]reflect.Type, t.NumIn())
	for i := range in {
		in[i] = t.In(i)
	}
	out := make([]reflect.Type, t.NumOut()-1)
	for i := range out {
		out[i] = t.Out(i)
	}
	return reflect.FuncOf(in, out, t.IsVariadic())
}
