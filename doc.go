// Package jitffi calls C functions in shared libraries at native speed,
// without cgo.
//
// State a C signature at run time and get back an ordinary typed Go func:
//
//	lib, err := jitffi.Open("libm.so.6")
//	...
//	var cos func(float64) float64
//	err = lib.Bind(&cos, "cos", "f64(f64)")
//	y := cos(1.0)
//
// jitffi parses the signature, plans where every argument lives on the Go
// side (Go's register ABI) and on the C side (System V x86-64 on
// linux/amd64, AAPCS64 on linux/arm64), and compiles a trampoline
// specialised for that plan into W^X executable memory. Calling the func enters the trampoline directly: it switches to
// the thread's system stack, moves the arguments, calls C and returns, with
// no reflection, allocation or scheduler transition (about 3.5 ns where cgo
// costs about 40).
//
// Signatures the fast path cannot serve, processes where the runtime
// contract cannot be verified, JITFFI_FAST=0 in the environment and the
// Blocking option take a reflective slow path through runtime.cgocall.
// PathOf says which path a func takes and why; Strict (or JITFFI_STRICT=1)
// turns a silent fall to the slow path into an error.
//
// # Signatures
//
// "ret(params)" over void, bool, i8, u8, i16, u16, i32, u32, i64, u64,
// isize, usize, f32, f64 and ptr; C spellings (int, unsigned long,
// size_t, double, const char *, ...) are accepted. Structs by value are
// written {i32, f64} (nested, with arrays inside: {i8, {f32[3]}}) and
// bound to Go structs with matching fields; "..." starts the variadic
// arguments a binding passes ("i32(ptr, usize, ptr, ... i32, f64)"), with
// C's default argument promotions. The Go types that match each C type are
// listed in the README. A signature may also be a C prototype pasted from
// a header ("int sqlite3_open(const char *filename, sqlite3 **ppDb);").
// An empty signature is the prototype declared with CDef, else inferred
// from the Go func type. The Errno option captures errno as a trailing
// error result.
//
// # Declarations
//
// Library.CDef adds C declarations (typedefs, structs, enums, prototypes)
// that every signature bound from the library may use; Library.Const reads
// an enum constant back and Library.CheckStruct checks a Go struct against
// a declared one. Library.BindAll binds every func field of a struct, by
// its jitffi and sig tags, the declarations, or inference.
//
// # Rules for C code
//
// Go memory passed as a pointer (*T, []T, unsafe.Pointer) stays alive and
// in place for the duration of the call; C must not keep it after the call
// returns (the same rule as cgo's). nil and empty slices are passed as NULL.
//
// On the fast path the goroutine keeps its P while C runs: a stop-the-world
// (at the start and end of every garbage collection) waits for the call in
// flight, and signals the runtime sends to the thread (preemption requests)
// make sleeps, poll and similar waits return EINTR. Bind C functions that
// may block with Blocking, which tells the scheduler, like cgo does.
//
// C calls back into Go through a Callback (NewCallback): from inside a
// fast-path call on the same thread through a fast entry that goes straight
// back onto the goroutine's stack, and from anywhere else through the
// runtime's own entry, as cgo's //export does. C must not unwind (longjmp)
// across a call.
//
// # Layout
//
// library.go (Open, Library), bind.go (Bind, BindAddr: orchestration
// only), options.go (Option, the environment variables), errors.go, path.go
// (Path, PathOf, Describe, FastPathError), engine.go (the one choice of
// path, the start-up check, the record, the registry and the cache of
// prepared signatures), fast.go (the code cache), errno.go and callback.go (NewCallback; the Go half of the
// callback entries is internal/upcall). Go-type checking and inference live in
// internal/gotype.
//
// Stability: every exported name of this package is public API under the
// usual Go compatibility promise; Path.Reason's wording and Describe's
// output are for people and may change.
package jitffi
