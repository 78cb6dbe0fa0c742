// Package rtprobe owns the fast path's knowledge of the Go runtime's
// private layout: the offsets of g, gobuf and m fields that trampolines
// use (Layout), the checks, run on the fast path's first use, that the
// running runtime is laid out that way (Probe), and the values that are
// specific to the process (the TLS g slot, the address of
// runtime.systemstack_switch, errno's offset from the thread pointer:
// ErrnoOffset), the fields a callback's fast entry touches, checked
// the same way (ProbeUpcall), and the cgo call state a fast call keeps
// for the profiler and crash reports, checked on a goroutine inside a
// real cgo call (ProbeCgo). jit takes the result as a plain jit.Runtime value and
// holds no layout of its own.
//
// Every check reads the live process: the current g's stack bounds against
// the current SP, g.m.g0.m against g.m, g0's saved SP against g0's stack,
// the saved registers of a parked goroutine (read once its status says it
// is parked) against its stack, the TLS g slot and errno's offset on two
// OS threads whose thread IDs are compared. If any check fails, Probe
// returns an error naming it and the fast path stays off for the whole
// process.
//
// rtprobe imports jit (for the Runtime description) and the standard
// library, nothing else: the caller supplies the call of
// __errno_location. Its assembly references runtime symbols directly, so
// it must not also declare //go:linkname bodies for the same symbols (that
// combination breaks the link); the fallback package owns the linkname to
// runtime.cgocall. Stability: internal; the root package and the dump
// command use it.
package rtprobe
