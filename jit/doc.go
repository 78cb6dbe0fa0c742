// Package jit lowers an abi.Plan to machine code: the trampoline that a
// bound Go func value enters directly.
//
// It owns the answer to "can this plan take the fast path?": CanLower
// says yes or gives the reason, and Compile refuses exactly what CanLower
// refuses. It also owns the runtime entry contract of the fast path (the bail-out check,
// the switch to the system stack with g.sched saved and the TLS g slot
// set, the argument moves, the call, result normalisation, the restore),
// described step by step in amd64.go and in RATIONALE.md at the top of the
// module. The offsets into the Go runtime's private structures come in a
// Runtime value that the caller has validated against the live process;
// jit itself never touches the running process, carries no build tags, and
// lowers for every architecture on any host.
//
// The code depends only on the Plan and the Runtime, not on the C target:
// the target, the fallback closure and the trace counter are read from the
// binding's record (see Record*), whose address arrives in the closure
// context register. One code block therefore serves every binding of the
// same signature.
//
// golang-asm (Go 1.15's cmd/internal/obj) does the encoding behind one
// small adapter per architecture (x86enc.go, arm64enc.go, sharing the
// locked context of asmctx.go); the rest of the package speaks its own
// vocabulary. jit imports abi, sig, golang-asm and golang.org/x/arch (the
// decoders behind Disassemble), never exec, fallback or the root package.
//
// Stability: CanLower, Compile, Disassemble, Runtime and the Record*
// offsets are public API for the root package and tools such as the dump
// command; the generated code and its listing may change in any release.
// The opcode and register names of the lowering are unexported.
package jit
