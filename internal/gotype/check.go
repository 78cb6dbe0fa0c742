package gotype

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

// The Go types a C type may be bound to. Named types with these kinds are
// accepted too.
var goKinds = map[sig.Kind][]reflect.Kind{
	sig.Bool:  {reflect.Bool},
	sig.I8:    {reflect.Int8},
	sig.U8:    {reflect.Uint8},
	sig.I16:   {reflect.Int16},
	sig.U16:   {reflect.Uint16},
	sig.I32:   {reflect.Int32},
	sig.U32:   {reflect.Uint32},
	sig.I64:   {reflect.Int64, reflect.Int},
	sig.U64:   {reflect.Uint64, reflect.Uint},
	sig.Isize: {reflect.Int, reflect.Int64},
	sig.Usize: {reflect.Uintptr, reflect.Uint, reflect.Uint64},
	sig.F32:   {reflect.Float32},
	sig.F64:   {reflect.Float64},
	sig.Ptr:   {reflect.UnsafePointer, reflect.Pointer, reflect.Uintptr, reflect.Slice, reflect.String},
}

// wantGo names the Go types a C type accepts, for error messages.
var wantGo = map[sig.Kind]string{
	sig.Bool: "bool", sig.I8: "int8", sig.U8: "uint8", sig.I16: "int16",
	sig.U16: "uint16", sig.I32: "int32", sig.U32: "uint32",
	sig.I64: "int64 or int", sig.U64: "uint64 or uint", sig.Isize: "int or int64",
	sig.Usize: "uintptr, uint or uint64", sig.F32: "float32", sig.F64: "float64",
	sig.Ptr: "unsafe.Pointer, *T, []T, string or uintptr",
}

// CallbackType is the root package's *Callback, which a ptr parameter
// passes as the C function pointer it holds (abi.GoDeref). Set once by the
// root package's init.
var CallbackType reflect.Type

func accepts(k sig.Kind, t reflect.Type, result bool) bool {
	if k == sig.Ptr && result && t.Kind() == reflect.Slice {
		return false // C returns an address, not a length
	}
	for _, gk := range goKinds[k] {
		if t.Kind() == gk {
			return true
		}
	}
	return false
}

// TypeError reports a Go parameter or result type that does not match its
// C type.
type TypeError struct {
	Param int          // the parameter's index, or -1 for the result
	Go    reflect.Type // the Go type given
	C     sig.Type     // the C type of the signature
	Msg   string       // what is wrong, e.g. "Go type int does not match C type f64 (want float64)"
}

func (e *TypeError) Error() string {
	if e.Param < 0 {
		return "result: " + e.Msg
	}
	return fmt.Sprintf("parameter %d: %s", e.Param, e.Msg)
}

func typeError(param int, g reflect.Type, c sig.Type, format string, args ...any) *TypeError {
	return &TypeError{Param: param, Go: g, C: c, Msg: fmt.Sprintf(format, args...)}
}

// Check matches the Go func type against the signature and returns how
// the Go side passes each parameter. A parameter or result of the wrong
// type is a *TypeError. A Go string matches a ptr parameter (C gets a
// NUL-terminated copy, abi.GoString) and a ptr result (a copy of the C
// string: StringResult says whether t has one).
func Check(t reflect.Type, s *sig.Signature) ([]abi.GoParam, error) {
	if t.IsVariadic() {
		return nil, fmt.Errorf("Go type %v is variadic; C variadic functions are bound with fixed parameter types", t)
	}
	if t.NumIn() != len(s.Params) {
		return nil, fmt.Errorf("signature %v has %d parameters, Go type %v has %d", s, len(s.Params), t, t.NumIn())
	}
	shapes := make([]abi.GoParam, len(s.Params))
	for i, p := range s.Params {
		in := t.In(i)
		if p.Kind == sig.Struct {
			continue // checked by checkStructs below
		}
		if !accepts(p.Kind, in, false) {
			return nil, typeError(i, in, p, "Go type %v does not match C type %v (want %s)", in, p.Kind, wantGo[p.Kind])
		}
		switch {
		case in == CallbackType && in != nil:
			shapes[i] = abi.GoDeref
		case in.Kind() == reflect.Slice:
			shapes[i] = abi.GoSlice
		case in.Kind() == reflect.String:
			shapes[i] = abi.GoString
		case in.Kind() == reflect.Pointer || in.Kind() == reflect.UnsafePointer:
			shapes[i] = abi.GoPointer
		}
	}
	switch {
	case s.Result.Kind == sig.Struct:
		// As for parameters, checked by checkStructs below.
	case s.Result.Kind == sig.Void && t.NumOut() != 0:
		return nil, fmt.Errorf("signature %v returns void, Go type %v has results", s, t)
	case s.Result.Kind != sig.Void && t.NumOut() != 1:
		return nil, fmt.Errorf("signature %v returns %v, Go type %v must have exactly one result", s, s.Result.Kind, t)
	case s.Result.Kind != sig.Void && !accepts(s.Result.Kind, t.Out(0), true):
		want := wantGo[s.Result.Kind]
		if s.Result.Kind == sig.Ptr {
			want = "unsafe.Pointer, *T, string or uintptr"
		}
		return nil, typeError(-1, t.Out(0), s.Result, "Go type %v does not match C type %v (want %s)", t.Out(0), s.Result.Kind, want)
	}
	if err := checkStructs(t, s); err != nil {
		return nil, err
	}
	return shapes, nil
}

// inferKind is the C type of a Go type when the signature is left empty.
func inferKind(t reflect.Type) (sig.Kind, bool) {
	switch t.Kind() {
	case reflect.Bool:
		return sig.Bool, true
	case reflect.Int8:
		return sig.I8, true
	case reflect.Uint8:
		return sig.U8, true
	case reflect.Int16:
		return sig.I16, true
	case reflect.Uint16:
		return sig.U16, true
	case reflect.Int32:
		return sig.I32, true
	case reflect.Uint32:
		return sig.U32, true
	case reflect.Int64, reflect.Int:
		return sig.I64, true
	case reflect.Uint64, reflect.Uint:
		return sig.U64, true
	case reflect.Uintptr:
		return sig.Usize, true
	case reflect.Float32:
		return sig.F32, true
	case reflect.Float64:
		return sig.F64, true
	case reflect.UnsafePointer, reflect.Pointer, reflect.Slice, reflect.String:
		return sig.Ptr, true
	}
	return 0, false
}

// Infer derives the signature from the Go func type.
func Infer(t reflect.Type) (*sig.Signature, error) {
	if t.NumIn() > sig.MaxParams {
		return nil, fmt.Errorf("cannot infer a C signature from a Go func with %d parameters: at most %d", t.NumIn(), sig.MaxParams)
	}
	s := &sig.Signature{Result: sig.Type{Kind: sig.Void}}
	var bad []string
	for i := 0; i < t.NumIn(); i++ {
		pt, ok := inferType(t.In(i))
		if !ok {
			bad = append(bad, fmt.Sprintf("parameter %d has Go type %v", i, t.In(i)))
		}
		s.Params = append(s.Params, pt)
	}
	switch t.NumOut() {
	case 0:
	case 1:
		rt, ok := inferType(t.Out(0))
		if !ok || t.Out(0).Kind() == reflect.Slice {
			bad = append(bad, fmt.Sprintf("the result has Go type %v", t.Out(0)))
		}
		s.Result = rt
	default:
		bad = append(bad, fmt.Sprintf("%d results", t.NumOut()))
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("cannot infer a C signature from %v: %s; give the signature explicitly", t, strings.Join(bad, ", "))
	}
	if len(s.Params) == 0 {
		s.Params = nil
	}
	return s, nil
}

// StringResult reports whether the Go func type t receives a ptr result as
// a string (abi.StringResult). t has already been checked.
func StringResult(t reflect.Type) bool {
	return t.NumOut() == 1 && t.Out(0).Kind() == reflect.String
}
