// Package abi describes calling conventions as data.
//
// It owns the register and stack assignment of a signature on both sides of
// a call: the Go side (ABIInternal, the convention the Go compiler uses when
// it calls a func value) and the C side (System V x86-64 or AAPCS64). The
// result is a Plan: for every argument and the result, where the Go caller
// leaves it and where the C callee expects it, which narrow-integer
// extension is needed on the way and how many stack bytes each side uses.
// Extras the call carries, such as errno capture, are inputs of New
// (Feature), never patches made to a plan afterwards. abi says nothing
// about which plans the JIT can lower: that is jit.CanLower's to say. New
// refuses plans over the limits both paths rely on (MaxFrame, and
// sig.MaxParams for signatures not built by sig.Parse).
//
// Registers are named by abstract index (I0, I1, ... for integer registers,
// F0, F1, ... for floating-point ones) so that the assignment never names a
// machine register; the per-architecture tables in goabi.go, sysv.go and
// aapcs64.go map indices to names for dumps. Both the JIT (package jit) and
// the reflective slow path (package fallback) consume the same Plan, so a
// disagreement between the two paths points at the lowering.
//
// A struct by value has a Struct plan (Arg.Struct, Result.Struct; see
// struct.go, sysv_struct.go and aapcs64_struct.go): on the C side its
// pieces and the registers or stack slots they travel in, or the address
// of a copy (AAPCS64) or of a result buffer (RDI on System V, X8 on
// AAPCS64); on the Go side the register of each scalar leaf, or its stack
// slot.
//
// Package abi carries no build tags: both architectures plan on any host.
// It imports only package sig and the standard library; it must never import
// jit, exec, fallback or the root package.
//
// Stability: the exported names are public API, shared by jit and fallback;
// new conventions and features are added, existing fields keep their
// meaning. The String form and Key of a plan may change between releases.
package abi
