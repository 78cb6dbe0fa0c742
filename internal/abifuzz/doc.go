// Package abifuzz generates random C signatures for differential testing
// of the fast path against the fallback.
//
// Generate derives a batch of cases from a seed. Each case is a C function
// with a random signature whose body folds every argument into a 64-bit
// checksum and returns the checksum converted to its result type (or, for
// a void function, stores it in the global fz_last, read back through
// fz_get_last). Source writes one C file for a batch; Expect computes in Go
// the value the C code must return for given arguments. A test compiles the
// file into a shared library, binds every function on the fast path and on
// the fallback, calls both with the values of Case.Args and compares the
// results with Expect bit for bit.
//
// GenerateCallbacks derives a batch of callback cases: random signatures
// of scalars and, in a third of the cases, structs by value as
// parameters and results (no variadics, no slices: NewCallback refuses
// them) with constant argument sets. CallbackSource writes a C function
// for each that calls the callback it is given with every set, some
// arguments through wider C types so that their upper bits are dirty,
// struct arguments built leaf by leaf, and returns a mask of the sets
// whose result (every leaf of a struct result) was not the expected one;
// the test checks in the Go callback every argument it receives (see
// CallbackCase).
//
// # The checksum
//
// With P = 0x100000001B3 and all arithmetic on uint64 (mod 2^64):
//
//	h = 0x9E3779B97F4A7C15 ^ salt        // salt: a per-case constant
//	h = (h ^ word(a_i)) * P              // for each argument, in order
//
// where word(a) is the value as C sees it widened to 64 bits: signed
// integers sign-extended, unsigned integers and bool zero-extended, f32 and
// f64 their raw IEEE bits (memcpy, so NaN payloads, -0 and denormals count)
// and pointers their address. A Go string parameter (Str, a const char *)
// folds as fz_str: its length up to the first NUL, then each byte, so that
// C must receive the bytes, not an address. The result is h converted to the result type:
// integers by C conversion (truncation), bool as h&1, f32 the low 32 bits
// of h reinterpreted, f64 all 64 bits reinterpreted, ptr the address h.
//
// # Type trees
//
// Parameter and result types are Type values, nodes of a tree: Scalar,
// Struct (a struct by value, see struct.go) and Array (only as a struct
// field). C folding, Go folding and value generation recurse into the
// children, and a compound value folds its scalar leaves in declaration
// order.
//
// abifuzz imports sig and the standard library; only tests of the root
// package use it. Stability: internal.
package abifuzz
