package jitffi

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/jitffi/jitffi/internal/gotype"
	"github.com/jitffi/jitffi/sig"
)

// CDef adds C declarations to the library, as they would appear in its
// header cleaned of macros:
//
//	err := lib.CDef(`
//		typedef struct sqlite3 sqlite3;
//		typedef long long sqlite3_int64;
//		int sqlite3_open(const char *filename, sqlite3 **ppDb);
//	`)
//
// It accepts typedefs (of scalars, pointers, function pointers, arrays and
// structs), struct definitions (usable by value in signatures), enums
// (whose constants Const returns) and function prototypes, each ended by
// ";". Every signature bound from the library may then use the names, and
// Bind with an empty signature takes a declared function's prototype. A
// preprocessor line is an error; so is anything else outside that subset
// (see the README). On error nothing is added. The error is a
// *SignatureError with the offset of the problem in src.
func (l *Library) CDef(src string) error {
	if l == nil || l.handle == 0 {
		return fmt.Errorf("jitffi: cdef: %w", ErrNotOpen)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("jitffi: cdef: %w", ErrClosed)
	}
	d, err := l.decls.Load().Define(src)
	if err != nil {
		return fmt.Errorf("jitffi: cdef: %w", err)
	}
	// Decls are never changed once made, so Bind reads them without
	// the lock.
	l.decls.Store(d)
	return nil
}

// Const returns the value of an enum constant declared with CDef (none on
// a Library not made by Open).
func (l *Library) Const(name string) (int64, bool) {
	return l.declarations().Const(name)
}

// declarations returns what CDef declared, nil if nothing; l may be nil.
func (l *Library) declarations() *sig.Decls {
	if l == nil {
		return nil
	}
	return l.decls.Load()
}

// CheckStruct checks that a Go struct has the layout of a C struct
// declared with CDef, given by its tag ("point" for "struct point") or its
// typedef name: the same size and alignment, and field by field the same
// offset and a matching type. goStruct is a value of the struct type or a
// pointer to one. The error names every field that differs.
func (l *Library) CheckStruct(name string, goStruct any) error {
	if l == nil || l.handle == 0 {
		return fmt.Errorf("jitffi: check struct %s: %w", name, ErrNotOpen)
	}
	sd, ok := l.declarations().Struct(name)
	if !ok {
		return fmt.Errorf("jitffi: check struct %s: no such struct declared with CDef", name)
	}
	g := reflect.TypeOf(goStruct)
	for g != nil && g.Kind() == reflect.Pointer {
		g = g.Elem()
	}
	if g == nil || g.Kind() != reflect.Struct {
		return fmt.Errorf("jitffi: check struct %s: want a Go struct or a pointer to one, got %T", name, goStruct)
	}
	if errs := structMismatches(sd, g); len(errs) > 0 {
		return fmt.Errorf("jitffi: %s does not match Go type %v:\n\t%s", sd.Name, g, strings.Join(errs, "\n\t"))
	}
	return nil
}

// structMismatches lists how the Go struct g differs from sd, field by
// field.
func structMismatches(sd *sig.StructDef, g reflect.Type) []string {
	var errs []string
	c := sd.Type
	offs := c.Offsets()
	for i, cf := range c.Fields {
		cname := sd.Fields[i]
		if i >= g.NumField() {
			errs = append(errs, fmt.Sprintf("field %s (%v, offset %d): no Go field %d", cname, cf, offs[i], i))
			continue
		}
		gf := g.Field(i)
		if err := gotype.Match(gf.Type, cf); err != nil {
			errs = append(errs, fmt.Sprintf("field %s: Go field %s: %v", cname, gf.Name, err))
		}
		if gf.Offset != uintptr(offs[i]) {
			errs = append(errs, fmt.Sprintf("field %s: at offset %d in C, Go field %s at %d", cname, offs[i], gf.Name, gf.Offset))
		}
	}
	for i := len(c.Fields); i < g.NumField(); i++ {
		errs = append(errs, fmt.Sprintf("Go field %s (%v, offset %d): no C field %d", g.Field(i).Name, g.Field(i).Type, g.Field(i).Offset, i))
	}
	if g.Size() != uintptr(c.Size()) {
		errs = append(errs, fmt.Sprintf("size %d in C, %d in Go", c.Size(), g.Size()))
	}
	if g.Align() != c.Align() {
		errs = append(errs, fmt.Sprintf("alignment %d in C, %d in Go", c.Align(), g.Align()))
	}
	return errs
}

// explainStruct adds to the error of a Go struct that does not match a
// struct declared with CDef the list of its differences, field by field
// and by C field name.
func (l *Library) explainStruct(err error) error {
	var te *TypeError
	if !errors.As(err, &te) || te.C.Kind != sig.Struct || te.Go == nil || te.Go.Kind() != reflect.Struct {
		return err
	}
	sd, ok := l.declarations().StructOf(te.C)
	if !ok {
		return err
	}
	diffs := structMismatches(sd, te.Go)
	if len(diffs) == 0 {
		return err
	}
	return fmt.Errorf("%w; against %s:\n\t%s", err, sd.Name, strings.Join(diffs, "\n\t"))
}

// withVariadicArgs completes a declared variadic prototype with the
// variadic arguments the Go func passes after the fixed parameters,
// inferred from their Go types.
func withVariadicArgs(s *sig.Signature, t reflect.Type) (*sig.Signature, error) {
	if !s.Variadic || t.Kind() != reflect.Func || t.NumIn() <= len(s.Params) {
		return s, nil
	}
	v := *s
	v.Params = append([]sig.Type(nil), s.Params...)
	for i := len(s.Params); i < t.NumIn(); i++ {
		pt, ok := gotype.InferType(t.In(i))
		if !ok {
			return nil, fmt.Errorf("cannot infer the C type of variadic argument %d from Go type %v", i, t.In(i))
		}
		v.Params = append(v.Params, pt)
	}
	return &v, nil
}
