package jitffi

import (
	"fmt"
	"reflect"
	"unsafe"

	cstrings "github.com/jitffi/jitffi/internal/cstr"
	"github.com/jitffi/jitffi/jit"
)

// GoString copies the NUL-terminated C string at p into a Go string; NULL
// gives "". It reads up to the first NUL and never past the page that
// holds it.
func GoString(p unsafe.Pointer) string { return cstrings.GoString(p) }

// GoStringN copies the n bytes at p into a Go string, NUL bytes included
// (C.GoStringN's rule); NULL or n == 0 gives "". A negative n panics.
func GoStringN(p unsafe.Pointer, n int) string { return cstrings.GoStringN(p, n) }

// CString returns a NUL-terminated copy of s in Go memory, to pass where
// C wants a char *. Like any Go memory passed to C, it stays valid for the
// call it is passed to as long as the Go program keeps the pointer (the
// garbage collector frees it like any other Go value; never free it with
// C's free), and C must not keep it after the call returns. A NUL byte
// inside s is copied as is, so C sees the string end there. CString("")
// is a pointer to a single NUL, never nil.
//
// A Go string parameter bound to a char * does this copy itself (see the
// README's Strings section); CString is for pointers stored in C structs
// or arrays, and for functions bound with *byte parameters.
func CString(s string) *byte {
	b := cstrings.Append(make([]byte, 0, len(s)+1), s)
	return &b[0]
}

// callbackStrings refuses Go strings in a callback's func type: C passes
// a char * without a length, and a Go string result would have to outlive
// the callback in memory C does not own.
func callbackStrings(t reflect.Type) error {
	for i := range t.NumIn() {
		if t.In(i).Kind() == reflect.String {
			return fmt.Errorf("parameter %d: a callback cannot take a Go string (take unsafe.Pointer and call GoString)", i)
		}
	}
	if t.NumOut() == 1 && t.Out(0).Kind() == reflect.String {
		return fmt.Errorf("a callback cannot return a Go string (return a pointer to C or Go memory that outlives the call)")
	}
	return nil
}

// MaxStackString is the longest Go string argument, in bytes, that a
// fast-path call copies onto the system stack without allocating; a call
// with a longer string goes through the slow path, which copies it into
// Go memory.
const MaxStackString = jit.StringMax
