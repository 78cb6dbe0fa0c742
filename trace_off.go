//go:build !jitffi_trace

package jitffi

// traceEnabled: without the jitffi_trace build tag the trampolines carry no
// counter code at all.
const traceEnabled = false
