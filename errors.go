package jitffi

import (
	"errors"

	"github.com/jitffi/jitffi/internal/gotype"
	"github.com/jitffi/jitffi/sig"
)

// Every error of Open, Bind, BindAddr, Symbol, Close and Describe, and
// every panic value of a call, starts with "jitffi: " once; the sentinels
// below carry no prefix of their own, since they are always wrapped.
// FastPathError's text has none either: it is also PathOf's Reason.

// ErrClosed is wrapped by the panic of a call to a func whose library was
// closed, and by errors of operations on a closed library.
var ErrClosed = errors.New("library closed")

// ErrNotOpen is wrapped by the errors of every method of a Library that
// Open did not return (the zero value).
var ErrNotOpen = errors.New("library not opened with Open")

// ErrNoSymbol is wrapped by the error of Symbol or Bind when the library
// has no symbol of that name; the dynamic linker's message follows it.
var ErrNoSymbol = errors.New("symbol not found")

// ErrNotFast is wrapped by the error Bind returns under Strict when the
// function cannot take the fast path.
var ErrNotFast = errors.New("not on the fast path")

// SignatureError reports a malformed signature; Offset is the byte offset
// of the problem in Input.
type SignatureError = sig.Error

// TypeError reports a Go parameter or result type that does not match the
// C type of the signature: Param is the parameter's index (-1 for the
// result), Go the Go type, C the C type.
type TypeError = gotype.TypeError

// closedError is the panic value of a call after Close.
type closedError struct{ name string }

func (e *closedError) Error() string { return "jitffi: call to " + e.name + ": " + ErrClosed.Error() }
func (e *closedError) Unwrap() error { return ErrClosed }
