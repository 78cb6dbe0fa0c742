// Package fastcheck is a test helper that proves calls took jitffi's fast
// path.
//
//	fastcheck.Require(t, add, func() {
//		if add(1, 2) != 3 { ... }
//	})
//
// Require fails the test unless fn is bound on the fast path and, when the
// binary is built with -tags jitffi_trace, unless the block really called
// it through its trampoline. Calls that bailed out to the slow path because
// the runtime asked the goroutine to stop are reported in the test log;
// they are the mechanism that keeps a fast call from starving the garbage
// collector, not a fall to the slow path.
//
// fastcheck imports only the root package and the standard library.
//
// Stability: Require is public API and keeps its signature; what it checks
// may get stricter as jitffi learns to prove more.
package fastcheck

import (
	"testing"

	"github.com/jitffi/jitffi"
)

// Require runs block and fails t unless the calls of fn inside it ran on
// the fast path.
func Require(t testing.TB, fn any, block func()) {
	t.Helper()
	if p := jitffi.PathOf(fn); !p.Fast {
		t.Fatalf("fastcheck: %T is not on the fast path: %v", fn, p)
	}
	fast0, slow0 := jitffi.Counts(fn)
	block()
	fast1, slow1 := jitffi.Counts(fn)
	if p := jitffi.PathOf(fn); !p.Fast {
		t.Fatalf("fastcheck: %T left the fast path: %v", fn, p)
	}
	if jitffi.Tracing && fast1 == fast0 {
		t.Fatalf("fastcheck: no call of %T ran through its trampoline (%d bail-outs)", fn, slow1-slow0)
	}
	if slow1 != slow0 {
		t.Logf("fastcheck: %d of the calls of %T bailed out on a preemption request", slow1-slow0, fn)
	}
}

// Entry names a callback entry for RequireEntry.
type Entry int

const (
	FastEntry     Entry = iota // C called back from inside a fast-path call
	StandardEntry              // through the runtime's cgocallback
)

func (e Entry) String() string {
	if e == FastEntry {
		return "fast entry"
	}
	return "standard entry"
}

// RequireEntry runs block and, in binaries built with -tags jitffi_trace,
// fails t unless the calls of cb inside it went through entry and at least
// one did. Like Require, it tolerates standard-entry calls when entry is
// FastEntry and logs them: an outer fast-path call that bailed out to the
// slow path on a preemption request calls back through the standard entry.
// Without the tag it only runs block.
func RequireEntry(t testing.TB, cb *jitffi.Callback, entry Entry, block func()) {
	t.Helper()
	f0, s0 := cb.Counts()
	block()
	f1, s1 := cb.Counts()
	if !jitffi.Tracing {
		return
	}
	fast, std := f1-f0, s1-s0
	switch {
	case entry == FastEntry && fast == 0, entry == StandardEntry && (std == 0 || fast != 0):
		t.Fatalf("fastcheck: callback calls: %d through the fast entry, %d through the standard entry; want them through the %v", fast, std, entry)
	case entry == FastEntry && std != 0:
		t.Logf("fastcheck: %d callback calls went through the standard entry (outer calls that bailed out)", std)
	}
}
