package rtprobe

import "github.com/jitffi/jitffi/jit"

// go126 is the layout of the Go 1.25 and 1.26 runtimes on linux/amd64 and
// linux/arm64 (runtime2.go's g, gobuf and m), without the two values that
// are specific to a process (TLSG, SwitchPC). Probe checks every field
// against the live process before the fast path uses it.
var go126 = jit.Runtime{
	GStackguard0: 16,
	GM:           48,
	GSched:       56,
	GobufSP:      0,
	GobufPC:      8,
	GobufLR:      32,
	GobufBP:      40,
	MG0:          0,
	StackPreempt: -1314,
}

// g.atomicstatus, and the goroutine states withParkedG and checkG rely
// on. Only the probe reads the status; trampolines never do.
const (
	gAtomicstatus = 144
	gRunning      = 2 // _Grunning
	gWaiting      = 4 // _Gwaiting; the collector ors in _Gscan (0x1000) while it holds the g
)

// Layout returns the layout Probe and ProbeCgo check, without the
// process-specific TLSG and SwitchPC. It is for tools that print trampolines without
// binding anything; a binding uses what Probe returns.
func Layout() jit.Runtime {
	rt := go126
	cgoLayout(&rt)
	return rt
}
