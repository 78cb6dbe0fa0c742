package jitffi

import (
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/fallback"
	"github.com/jitffi/jitffi/internal/gotype"
	"github.com/jitffi/jitffi/sig"
)

// Bind looks up the symbol name and stores into *fnPtr a Go func that calls
// it with the given C signature:
//
//	var add func(int32, int32) int32
//	err := lib.Bind(&add, "add", "i32(i32, i32)")
//
// fnPtr must point to a variable of func type whose parameters and result
// match the signature. The signature may be a C prototype, whose function
// name, if given, must be name; it may use the names declared with CDef.
// An empty signature is the prototype CDef declared for name, else it is
// inferred from the Go type.
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
	var buf [2 + 16]byte
	name := string(strconv.AppendUint(append(buf[:0], "0x"...), uint64(uintptr(addr)), 16)) // %#x, in one allocation
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

// bind is Bind and BindAddr after the lookup: it checks the Go type
// against the signature, plans the call, lets the engine choose the path
// and builds the func.
func bind(fv reflect.Value, addr uintptr, name, signature string, l *Library, opts []Option) error {
	cfg := configOf(opts)
	p, err := prepare(fv.Type(), name, signature, l, &cfg)
	if err != nil {
		return err
	}
	if p.needsCode() {
		placeCode([]*prepared{p})
	}
	return finish(fv, addr, name, l, &cfg, p)
}

// prepared is everything a Bind works out from its signature, Go type and
// options, before it looks at the symbol: the same for every binding of
// the same inputs, and cached (see prepCache).
type prepared struct {
	s    *sig.Signature
	plan *abi.Plan
	path Path
	// On the fast path, the placed trampoline; entry is 0 until placeCode
	// has run, and stays 0 when it failed (codeErr; the path is then
	// unsupported).
	code    []byte
	entry   uintptr
	codeErr error
	// The slow closures' shape, shared by every binding; shapeErr, if it
	// cannot be made, is reported by finish (and not cached).
	shape    *fallback.Shape
	shapeErr error
	key      prepKey
}

func (p *prepared) needsCode() bool { return p.path.Fast && p.entry == 0 && p.shapeErr == nil }

// prepare checks the Go type t against the signature and plans the call
// (or takes both from the cache). It does not compile: placeCode does,
// for one prepared binding or a batch.
func prepare(t reflect.Type, name, signature string, l *Library, cfg *config) (*prepared, error) {
	if runtime.GOOS != "linux" {
		// The plans follow the Linux variants of the C conventions (Apple's
		// arm64 one, for one, packs stack arguments differently).
		return nil, fmt.Errorf("jitffi: bind %s: %s/%s is not supported", name, runtime.GOOS, runtime.GOARCH)
	}
	key := prepKey{signature: signature, t: t, errno: cfg.errno, blocking: cfg.blocking, decls: l.declarations()}
	if signature == "" && l != nil {
		key.symbol = name // CDef's prototype is the symbol's
	}
	if p := prepCache.get(&key); p != nil {
		if err := checkName(p.s, l, name); err != nil {
			return nil, fmt.Errorf("jitffi: bind %s: %w", name, err)
		}
		return p, nil
	}
	ct := t // the Go type of the C call itself, without a trailing error
	if cfg.errno {
		errnoState.once.Do(initErrno)
		if errnoState.err != nil {
			return nil, fmt.Errorf("jitffi: bind %s: %w", name, errnoState.err)
		}
		if t.Kind() == reflect.Func && (t.NumOut() == 0 || t.Out(t.NumOut()-1) != errorType) {
			return nil, fmt.Errorf("jitffi: bind %s: the Errno option needs a Go func whose last result is error, got %v", name, t)
		}
		ct = withoutLastResult(t)
	}
	s, err := parseOrInfer(signature, ct, l, name)
	if err != nil {
		return nil, fmt.Errorf("jitffi: bind %s: %w", name, err)
	}
	shapes, err := gotype.Check(ct, s)
	if err != nil {
		return nil, fmt.Errorf("jitffi: bind %s as %v: %w", name, s, l.explainStruct(err))
	}
	var features []abi.Feature
	if cfg.errno {
		features = append(features, abi.CaptureErrno)
	}
	if gotype.StringResult(ct) {
		features = append(features, abi.StringResult)
	}
	plan, err := abi.New(abi.Arch(runtime.GOARCH), s, shapes, features...)
	if err != nil {
		return nil, fmt.Errorf("jitffi: bind %s: %w", name, err)
	}
	p := &prepared{s: s, plan: plan, path: choosePath(plan, cfg), key: key}
	p.shape, p.shapeErr = fallback.NewShape(plan, t, errnoState.location)
	if p.shapeErr != nil {
		return p, nil // finish reports it, after the Strict check as ever
	}
	if p.path.Fast && plan.Errno {
		useErrnoTable() // before the code is compiled: it reads the table's itab
	}
	if !p.path.Fast {
		prepCache.put(p) // nothing to compile
	}
	return p, nil
}

// placeCode compiles and places the trampolines the prepared bindings
// still need, all in one batch (see trampolines), and caches the ones that
// were placed. A trampoline that cannot be made leaves its binding on the
// slow path, with the reason.
func placeCode(ps []*prepared) {
	var plans []*abi.Plan
	var need []*prepared
	for _, p := range ps {
		if p.needsCode() && p.codeErr == nil {
			plans = append(plans, p.plan)
			need = append(need, p)
		}
	}
	codes := trampolines(plans)
	for i, p := range need {
		c := codes[i]
		if c.err != nil {
			p.codeErr = c.err
			p.path = Path{Cause: CauseUnsupported, Reason: c.err.Error()}
			continue // not cached: placing may fail for want of memory
		}
		p.code, p.entry = c.code, c.entry
		prepCache.put(p)
	}
}

// finish makes the binding of a prepared signature to the function at
// addr and stores its func into fv.
func finish(fv reflect.Value, addr uintptr, name string, l *Library, cfg *config, p *prepared) error {
	if !p.path.Fast && cfg.strict {
		if p.codeErr != nil {
			return fmt.Errorf("jitffi: bind %s as %v: %w: %w", name, p.s, ErrNotFast, p.codeErr)
		}
		return fmt.Errorf("jitffi: bind %s as %v: %w: %s", name, p.s, ErrNotFast, p.path.Reason)
	}
	if p.shapeErr != nil {
		return fmt.Errorf("jitffi: bind %s: %w", name, p.shapeErr)
	}
	// A fast binding is one allocation with its record, which the user's
	// func value points to; a library's are handed out from its slabs.
	var b *binding
	if p.path.Fast {
		var fb *fastBinding
		if l != nil {
			var err error
			if fb, err = l.newFast(name); err != nil {
				return err
			}
		} else {
			fb = new(fastBinding)
		}
		b = &fb.binding
		b.rec = &fb.record
	} else {
		b = &binding{}
	}
	b.name, b.plan, b.path = name, p.plan, p.path
	b.closed.name = name
	var gate *fallback.Gate
	if l != nil {
		gate = &l.gate
	}
	slow, target := p.shape.Make(addr, gate, &b.closed, b)
	b.target = target

	var fn unsafe.Pointer // the funcval the user's variable will hold
	if b.rec != nil {
		b.code = p.code
		b.rec.code, b.rec.fallback, b.rec.b = p.entry, funcval(slow), b
		// Close may be zeroing the targets of the library's slab right
		// now (add then refuses the binding): it stores atomically too.
		atomic.StoreUintptr(&b.rec.target, addr)
		fn = unsafe.Pointer(b.rec)
	} else {
		fn = funcval(slow)
	}
	if l != nil {
		if err := l.add(b); err != nil {
			return err
		}
	}
	if b.rec == nil {
		register(fn, b) // a fast binding is found from its record
	}
	*(*unsafe.Pointer)(fv.Addr().UnsafePointer()) = fn
	return nil
}

// parseOrInfer makes the signature of a binding: the one given, parsed
// with the library's declarations; else the prototype CDef declared for
// the symbol; else one inferred from the Go type. l is nil for BindAddr.
func parseOrInfer(signature string, t reflect.Type, l *Library, symbol string) (*sig.Signature, error) {
	d := l.declarations()
	if signature == "" {
		if s, ok := d.Func(symbol); ok && l != nil {
			return withVariadicArgs(s, t)
		}
		return gotype.Infer(t)
	}
	s, err := d.Parse(signature)
	if err != nil {
		return nil, err
	}
	if err := checkName(s, l, symbol); err != nil {
		return nil, err
	}
	return s, nil
}

// checkName refuses a prototype that names another function than the
// symbol it is bound to (BindAddr has no symbol name to compare).
func checkName(s *sig.Signature, l *Library, symbol string) error {
	if s.Name != "" && l != nil && s.Name != symbol {
		return fmt.Errorf("the signature declares function %s, not %s", s.Name, symbol)
	}
	return nil
}

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
