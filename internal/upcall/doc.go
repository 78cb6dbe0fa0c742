// Package upcall is the Go half of jitffi's callbacks: C calling a Go func.
//
// A callback is a slot: a stub of native code, made once and reused, that
// loads the address of its slot (three words of non-Go memory: the entry
// of the slot's signature, the slot's index and its record) and jumps
// through it. The per-signature entry, compiled by jit, collects C's
// arguments into a Frame on the C stack, in Go's register-ABI layout, and
// then takes one of two ways into Go:
//
//   - the fast entry, when C calls back from inside a jitffi fast-path call
//     on the same thread: the goroutine is still running, so the entry
//     pins it to its thread, goes back onto its stack below the frame the
//     trampoline left there, and jumps into fastEntry (entry_linux_*.s),
//     which calls dispatch0, dispatch4 or dispatch16;
//   - the standard entry in every other case (inside cgo, purego or a
//     Blocking jitffi call, or on a thread Go did not create):
//     runtime.cgocallback, the runtime's own way in, which calls std.
//
// Both find the slot's Go func and call it with callFn: directly, when its
// arguments are a few integer registers and its result a scalar, or
// otherwise through callGo, a generic assembly caller that loads Go's
// argument registers and stack words from the Frame and stores the result
// registers back.
//
// RATIONALE.md ("Callbacks") explains why the fast entry is sound.
//
// upcall imports jit (for the frame layout and the runtime description)
// and the standard library. It must not import the root package.
//
// Stability: internal; nothing here is public API.
package upcall
