// Package rtprobe checks, on the fast path's first use, that the running
// Go runtime is laid out the way the fast path's trampolines assume, and
// finds the values that are specific to the process (the TLS g slot, the
// address of runtime.systemstack_switch).
//
// Every check reads the live process: the current g's stack bounds against
// the current SP, g.m.g0.m against g.m, g0's saved SP against g0's stack,
// the saved registers of a parked goroutine (read once its status says it
// is parked) against its stack, the TLS g slot on two threads. If any
// check fails, Probe returns an error naming it and the fast path stays
// off for the whole process.
//
// rtprobe imports jit (for the Runtime description) and the standard
// library. Its assembly references runtime symbols directly, so it must not
// also declare //go:linkname bodies for the same symbols (that combination
// breaks the link); the fallback package owns the linkname to
// runtime.cgocall.
package rtprobe
