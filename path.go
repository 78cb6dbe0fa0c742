package jitffi

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/jitffi/jitffi/jit"
)

// Path says which way a bound func reaches C.
type Path struct {
	Fast   bool
	Cause  Cause  // why not fast, for code; CauseNone on the fast path
	Reason string // why not fast, in words; empty on the fast path
}

func (p Path) String() string {
	if p.Fast {
		return "fast"
	}
	return "fallback: " + p.Reason
}

// Cause says, for code and tests, why a func is not on the fast path.
// Path.Reason says the same in words, with the details.
type Cause uint8

const (
	CauseNone        Cause = iota // on the fast path
	CauseNotBound                 // the func was not bound by jitffi
	CauseClosed                   // its library was closed
	CauseEnv                      // JITFFI_FAST=0 in the environment
	CauseBlocking                 // the Blocking option
	CauseRuntime                  // the runtime check failed (see FastPathError)
	CauseUnsupported              // the JIT cannot lower this signature on this architecture
	CauseErrno                    // errno capture is not available on the fast path
)

var causeNames = [...]string{"none", "not bound", "closed", "environment", "blocking", "runtime", "unsupported", "errno"}

func (c Cause) String() string {
	if int(c) < len(causeNames) {
		return causeNames[c]
	}
	return fmt.Sprintf("Cause(%d)", uint8(c))
}

// PathOf reports the path of a func bound by Bind or BindAddr. fn may be
// the func value or a pointer to the variable holding it. A func jitffi did
// not bind reports CauseNotBound, a func whose library was closed
// CauseClosed.
func PathOf(fn any) Path {
	b := lookupBinding(fn)
	if b == nil {
		return Path{Cause: CauseNotBound, Reason: "not bound by jitffi"}
	}
	if g := b.target.Gate(); g != nil && g.Closed() {
		return Path{Cause: CauseClosed, Reason: ErrClosed.Error()}
	}
	return b.path
}

// FastPathError reports why the fast path is unavailable in this process,
// or nil if it is available. The runtime contract is checked once, on first
// use.
func FastPathError() error {
	fast.once.Do(initFast)
	return fast.err
}

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
	return fast, b.target.Calls()
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
