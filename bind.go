package jitffi

import (
	"fmt"
	"reflect"
	"runtime"
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

// bind is Bind and BindAddr after the lookup: it checks the Go type
// against the signature, plans the call, lets the engine choose the path
// and builds the func.
func bind(fv reflect.Value, addr uintptr, name, signature string, l *Library, opts []Option) error {
	if runtime.GOOS != "linux" {
		// The plans follow the Linux variants of the C conventions (Apple's
		// arm64 one, for one, packs stack arguments differently).
		return fmt.Errorf("jitffi: bind %s: %s/%s is not supported", name, runtime.GOOS, runtime.GOARCH)
	}
	cfg := configOf(opts)
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
	s, err := parseOrInfer(signature, ct, l, name)
	if err != nil {
		return fmt.Errorf("jitffi: bind %s: %w", name, err)
	}
	shapes, err := gotype.Check(ct, s)
	if err != nil {
		return fmt.Errorf("jitffi: bind %s as %v: %w", name, s, l.explainStruct(err))
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
		return fmt.Errorf("jitffi: bind %s: %w", name, err)
	}
	b := &binding{name: name, plan: plan}
	b.path = choosePath(plan, &cfg)
	if !b.path.Fast && cfg.strict {
		return fmt.Errorf("jitffi: bind %s as %v: %w: %s", name, s, ErrNotFast, b.path.Reason)
	}

	var gate *fallback.Gate
	if l != nil {
		gate = &l.gate
	}
	b.target = fallback.NewTarget(addr, gate, &closedError{name}, errnoState.location, b)
	slow, err := fallback.Make(plan, t, b.target)
	if err != nil {
		return fmt.Errorf("jitffi: bind %s: %w", name, err)
	}

	var fn unsafe.Pointer // the funcval the user's variable will hold
	if b.path.Fast {
		if plan.Errno {
			useErrnoTable()
		}
		code, entry, err := trampoline(plan)
		if err != nil {
			if cfg.strict {
				return fmt.Errorf("jitffi: bind %s as %v: %w: %w", name, s, ErrNotFast, err)
			}
			b.path = Path{Cause: CauseUnsupported, Reason: err.Error()}
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
	if s.Name != "" && l != nil && s.Name != symbol {
		return nil, fmt.Errorf("the signature declares function %s, not %s", s.Name, symbol)
	}
	return s, nil
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
