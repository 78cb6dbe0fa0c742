// Package cstr converts between Go strings and NUL-terminated C strings:
// the length of a C string without reading past the page that holds its
// NUL, copies in both directions. The root package's GoString, GoStringN
// and CString, the slow path's string arguments and results, and the
// fast path's string results use it.
//
// It imports the standard library only.
//
// Stability: internal.
package cstr
