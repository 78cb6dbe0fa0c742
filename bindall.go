package jitffi

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// BindAll binds every exported func-typed field of the struct ptrToStruct
// points to:
//
//	var z struct {
//		Crc32   func(crc uint64, buf *byte, n uint32) uint64
//		Version func() *byte            `jitffi:"zlibVersion"`
//		Deflate func(unsafe.Pointer, int32) int32 `jitffi:"deflate,strict" sig:"i32(ptr, i32)"`
//		Extra   func() int32            `jitffi:"zlibCompileFlags,optional"`
//	}
//	err := lib.BindAll(&z)
//
// The symbol is the name in the field's jitffi tag, or else the field's
// name. Options follow a comma: blocking, errno, strict (as the Options of
// the same names) and optional, which leaves the field nil when the
// symbol is missing instead of failing. The signature is the field's sig
// tag, or else the prototype declared with CDef, or else inferred from the
// Go type. A field tagged jitffi:"-" is skipped, as are exported fields of
// other kinds without a jitffi tag. Every field is tried: the error, a
// *BindAllError, names each one that failed.
func (l *Library) BindAll(ptrToStruct any) error {
	if l == nil || l.handle == 0 {
		return fmt.Errorf("jitffi: BindAll: %w", ErrNotOpen)
	}
	v := reflect.ValueOf(ptrToStruct)
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("jitffi: BindAll: want a non-nil pointer to a struct, got %T", ptrToStruct)
	}
	sv := v.Elem()
	st := sv.Type()
	type failure struct {
		field int
		FieldError
	}
	var failed []failure
	// The fields are bound in two passes: first every field is looked
	// up and prepared, then the trampolines the prepared ones still need
	// are compiled and placed in one batch, and the funcs are made.
	type pending struct {
		field  int
		addr   uintptr
		symbol string
		cfg    config
		p      *prepared
	}
	todo := make([]pending, 0, st.NumField())
	for i := range st.NumField() {
		f := st.Field(i)
		tag, tagged := f.Tag.Lookup("jitffi")
		if tag == "-" {
			continue
		}
		symbol, optText, _ := strings.Cut(tag, ",")
		if symbol == "" {
			symbol = f.Name
		}
		fail := func(err error) {
			failed = append(failed, failure{i, FieldError{Field: f.Name, Symbol: symbol, Err: err}})
		}
		switch {
		case f.Type.Kind() != reflect.Func:
			if tagged {
				fail(fmt.Errorf("field of type %v, not a func", f.Type))
			}
			continue
		case !f.IsExported():
			if tagged {
				fail(errors.New("unexported field: BindAll cannot set it"))
			}
			continue
		}
		opts, optional, err := fieldOptions(optText)
		if err != nil {
			fail(err)
			continue
		}
		addr, err := l.lookup(symbol)
		if err != nil {
			if optional && !errors.Is(err, ErrClosed) {
				sv.Field(i).SetZero()
				continue
			}
			fail(err)
			continue
		}
		cfg := configOf(opts)
		p, err := prepare(f.Type, symbol, f.Tag.Get("sig"), l, &cfg)
		if err != nil {
			fail(err)
			continue
		}
		todo = append(todo, pending{field: i, addr: addr, symbol: symbol, cfg: cfg, p: p})
	}
	ps := make([]*prepared, len(todo))
	for j := range todo {
		ps[j] = todo[j].p
	}
	placeCode(ps)
	for j := range todo {
		t := &todo[j]
		if err := finish(sv.Field(t.field), t.addr, t.symbol, l, &t.cfg, t.p); err != nil {
			failed = append(failed, failure{t.field, FieldError{Field: st.Field(t.field).Name, Symbol: t.symbol, Err: err}})
		}
	}
	if failed != nil {
		// In field order, whichever pass found the error.
		slices.SortStableFunc(failed, func(a, b failure) int { return a.field - b.field })
		fields := make([]FieldError, len(failed))
		for j, f := range failed {
			fields[j] = f.FieldError
		}
		return &BindAllError{Type: st, Fields: fields}
	}
	return nil
}

// fieldOptions parses the options of a jitffi tag.
func fieldOptions(text string) (opts []Option, optional bool, err error) {
	if text == "" {
		return nil, false, nil
	}
	for _, o := range strings.Split(text, ",") {
		switch strings.TrimSpace(o) {
		case "blocking":
			opts = append(opts, Blocking())
		case "errno":
			opts = append(opts, Errno())
		case "strict":
			opts = append(opts, Strict())
		case "optional":
			optional = true
		default:
			return nil, false, fmt.Errorf("unknown jitffi tag option %q (want blocking, errno, strict or optional)", o)
		}
	}
	return opts, optional, nil
}

// BindAllError is the error of a BindAll some of whose fields failed.
type BindAllError struct {
	Type   reflect.Type // the struct type
	Fields []FieldError // in field order
}

// FieldError is why one field of a BindAll failed.
type FieldError struct {
	Field  string // the Go field name
	Symbol string // the symbol it was to be bound to
	Err    error
}

func (e *BindAllError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "jitffi: BindAll %v: %d of its fields failed:", e.Type, len(e.Fields))
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n\tfield %s (symbol %s): %v", f.Field, f.Symbol, f.Err)
	}
	return b.String()
}

// Unwrap returns the error of each field, for errors.Is and errors.As.
func (e *BindAllError) Unwrap() []error {
	errs := make([]error, len(e.Fields))
	for i, f := range e.Fields {
		errs[i] = f.Err
	}
	return errs
}
