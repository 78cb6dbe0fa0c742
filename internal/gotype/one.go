package gotype

import (
	"reflect"

	"github.com/jitffi/jitffi/sig"
)

// Match checks one Go type against one C type (a scalar, a struct or an
// array, as a struct field), naming the first field that differs. The
// root package's CheckStruct uses it field by field.
func Match(g reflect.Type, c sig.Type) error { return matchType(g, c) }

// InferType is the C type Infer gives a Go parameter of type t, for the
// variadic arguments of a declared prototype.
func InferType(t reflect.Type) (sig.Type, bool) { return inferType(t) }
