// Package asmcgo lets tests call C code the way some runtime-internal and
// linknamed code does: on the system stack through runtime.asmcgocall,
// without entering a system call, so that the goroutine stays running.
// A callback that C makes from such a call is entered by neither a
// jitffi fast-path call nor cgo, which is what the tests of that refusal
// need.
//
// asmcgo imports only the standard library, and only tests import it.
//
// Stability: internal; nothing here is public API.
package asmcgo
