package jitffi

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/jitffi/jitffi/jit"
)

// Tracing reports whether this binary was built with the jitffi_trace tag,
// which makes every trampoline count its calls (see Counts).
const Tracing = traceEnabled

// Counts returns how many calls of fn ran natively through its trampoline
// (fast; counted only when Tracing) and how many entered its fallback
// closure (fallback; always counted): every call of a func on the slow
// path, and the bail-outs of a func on the fast path. A fast func bails
// out when its library was closed (the call panics) or when the runtime
// had asked the goroutine to stop as the call began (the call is made
// through runtime.cgocall instead, so the collector is not starved). A func
// jitffi did not bind returns zeros.
func Counts(fn any) (fast, fallback uint64) {
	b := lookupBinding(fn)
	if b == nil {
		return 0, 0
	}
	if b.rec != nil {
		fast = atomic.LoadUint64(&b.rec.count)
	}
	return fast, b.target.Calls.Load()
}

// Describe explains what was generated for fn: its path, the plan (where
// each argument lives on the Go and the C side), and on the fast path the
// decoded machine code of its trampoline. It is meant for bug reports and
// for learning the calling conventions.
func Describe(fn any) (string, error) {
	b := lookupBinding(fn)
	if b == nil {
		return "", fmt.Errorf("jitffi: describe: %T was not bound by jitffi", fn)
	}
	var s strings.Builder
	fmt.Fprintf(&s, "%s: %v\n%s", b.name, b.path, b.plan)
	if b.rec != nil {
		l, err := jit.Disassemble(b.plan.Arch, b.code)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&s, "trampoline at %#x, %d bytes:\n%s", b.rec.code, len(b.code), l)
	}
	return s.String(), nil
}
