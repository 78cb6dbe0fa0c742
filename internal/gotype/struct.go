package gotype

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/jitffi/jitffi/sig"
)

// Structs by value. A C struct is bound to a Go struct whose fields match
// the C fields one to one, in order: a scalar field to a Go type the
// scalar accepts (except slices and strings: a ptr field is
// unsafe.Pointer, *T or uintptr), a C array field to a Go array of the same length and a
// matching element type, a nested struct to a nested Go struct. Field
// names do not matter. The Go struct's size, alignment and field offsets
// must be the C layout's, which they are on LP64 whenever the types
// match.

// checkStructs checks the Go types of the struct parameters and of a
// struct result against the signature; Check checks the scalars.
func checkStructs(t reflect.Type, s *sig.Signature) error {
	for i, p := range s.Params {
		if p.Kind != sig.Struct && p.Kind != sig.Array {
			continue
		}
		if err := matchStruct(t.In(i), p); err != nil {
			return typeError(i, t.In(i), p, "%v", err)
		}
	}
	if s.Result.Kind != sig.Struct && s.Result.Kind != sig.Array {
		return nil
	}
	if t.NumOut() != 1 {
		return fmt.Errorf("signature %v returns %v, Go type %v must have exactly one result", s, s.Result, t)
	}
	if err := matchStruct(t.Out(0), s.Result); err != nil {
		return typeError(-1, t.Out(0), s.Result, "%v", err)
	}
	return nil
}

// matchStruct checks that the Go type g can hold the C struct c.
func matchStruct(g reflect.Type, c sig.Type) error {
	if c.Kind != sig.Struct {
		return fmt.Errorf("C type %v cannot be passed by value (arrays only as struct fields)", c)
	}
	if g.Kind() != reflect.Struct {
		return fmt.Errorf("Go type %v does not match C type %v (want a Go struct %s)", g, c, goStructSpelling(c))
	}
	if err := matchType(g, c); err != nil {
		return err
	}
	// The checks above make the layouts agree on LP64; these keep the
	// promise explicit.
	if g.Size() != uintptr(c.Size()) || g.Align() != c.Align() {
		return fmt.Errorf("Go type %v has size %d and alignment %d, C type %v has size %d and alignment %d",
			g, g.Size(), g.Align(), c, c.Size(), c.Align())
	}
	return nil
}

// matchType checks one Go type against one C type, recursively, and names
// the first field that does not match.
func matchType(g reflect.Type, c sig.Type) error {
	switch c.Kind {
	case sig.Struct:
		if g.Kind() != reflect.Struct {
			return fmt.Errorf("Go type %v does not match C type %v (want a Go struct %s)", g, c, goStructSpelling(c))
		}
		// The fields both have first, so that a difference in nesting
		// names the field where it starts.
		offs := c.Offsets()
		for i, cf := range c.Fields[:min(len(c.Fields), g.NumField())] {
			gf := g.Field(i)
			if err := matchType(gf.Type, cf); err != nil {
				return fmt.Errorf("field %d (%s): %w", i, gf.Name, err)
			}
			if gf.Offset != uintptr(offs[i]) {
				return fmt.Errorf("field %d (%s): at offset %d in Go type %v, %d in C type %v", i, gf.Name, gf.Offset, g, offs[i], c)
			}
		}
		if g.NumField() != len(c.Fields) {
			return fmt.Errorf("Go type %v has %d fields, C type %v has %d", g, g.NumField(), c, len(c.Fields))
		}
		if g.Size() != uintptr(c.Size()) {
			return fmt.Errorf("Go type %v has size %d, C type %v has size %d", g, g.Size(), c, c.Size())
		}
		return nil
	case sig.Array:
		if g.Kind() != reflect.Array {
			return fmt.Errorf("Go type %v does not match C type %v (want a Go array [%d]%s)", g, c, c.Len, goSpelling(*c.Elem))
		}
		if g.Len() != c.Len {
			return fmt.Errorf("Go type %v has %d elements, C type %v has %d", g, g.Len(), c, c.Len)
		}
		if err := matchType(g.Elem(), *c.Elem); err != nil {
			return fmt.Errorf("element: %w", err)
		}
		return nil
	}
	if g.Kind() == reflect.Slice || g.Kind() == reflect.String || !accepts(c.Kind, g, true) {
		want := wantGo[c.Kind]
		if c.Kind == sig.Ptr {
			want = "unsafe.Pointer, *T or uintptr"
		}
		return fmt.Errorf("Go type %v does not match C type %v (want %s)", g, c, want)
	}
	return nil
}

// goSpelling names a Go type that matches C type c, for error messages.
func goSpelling(c sig.Type) string {
	switch c.Kind {
	case sig.Struct:
		return goStructSpelling(c)
	case sig.Array:
		return fmt.Sprintf("[%d]%s", c.Len, goSpelling(*c.Elem))
	case sig.Ptr:
		return "unsafe.Pointer"
	case sig.Isize:
		return "int"
	case sig.Usize:
		return "uintptr"
	}
	return strings.Fields(wantGo[c.Kind])[0]
}

func goStructSpelling(c sig.Type) string {
	parts := make([]string, len(c.Fields))
	for i, f := range c.Fields {
		parts[i] = goSpelling(f)
	}
	return "struct{ " + strings.Join(parts, "; ") + " }"
}

// inferType is the C type of a Go parameter or result type when the
// signature is left empty: inferKind's scalars, and for a Go struct the
// C struct of its fields.
func inferType(t reflect.Type) (sig.Type, bool) {
	if t.Kind() == reflect.Struct {
		if t.Size() > sig.MaxStructSize {
			return sig.Type{}, false
		}
		return inferField(t, 0)
	}
	k, ok := inferKind(t)
	return sig.Type{Kind: k}, ok
}

// inferField infers the C type of a struct field (or of a struct): no
// slices or strings, no empty structs or arrays.
func inferField(t reflect.Type, depth int) (sig.Type, bool) {
	if depth > 63 {
		return sig.Type{}, false
	}
	switch t.Kind() {
	case reflect.Struct:
		if t.NumField() == 0 {
			return sig.Type{}, false
		}
		st := sig.Type{Kind: sig.Struct}
		for i := range t.NumField() {
			f, ok := inferField(t.Field(i).Type, depth+1)
			if !ok {
				return sig.Type{}, false
			}
			st.Fields = append(st.Fields, f)
		}
		return st, true
	case reflect.Array:
		if t.Len() == 0 {
			return sig.Type{}, false
		}
		e, ok := inferField(t.Elem(), depth+1)
		if !ok {
			return sig.Type{}, false
		}
		return sig.Type{Kind: sig.Array, Elem: &e, Len: t.Len()}, true
	case reflect.Slice, reflect.String:
		return sig.Type{}, false
	}
	k, ok := inferKind(t)
	return sig.Type{Kind: k}, ok
}
