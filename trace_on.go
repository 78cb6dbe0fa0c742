//go:build jitffi_trace

package jitffi

// traceEnabled: built with -tags jitffi_trace, every trampoline counts its
// calls (a locked increment in the binding's record).
const traceEnabled = true
