package jitffi

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/jitffi/jitffi/fixtures"
)

// A segfault inside C called through the fast path must give the runtime's
// ordinary fatal-signal report, naming the Go function that made the call:
// during the call the TLS g is g0 and g.sched describes the caller, exactly
// as for a cgo call.
func TestCrashReport(t *testing.T) {
	if err := FastPathError(); err != nil {
		t.Skipf("fast path unavailable: %v", err)
	}
	lib := fixtures.Shared(t) // build in the parent; the child only loads it
	out, err := spawnTest(t, "TestCrashChild", "JITFFI_CRASH_CHILD="+lib)
	if err == nil {
		t.Fatalf("child survived a NULL dereference in C:\n%s", out)
	}
	// The report a cgo call gives: the signal, the faulting PC, and the
	// goroutine that made the call, unwound from g.sched through
	// systemstack_switch into the Go callers. (The system stack's own
	// frames are C code, which the runtime prints as unknown PCs, as it
	// does for cgo.)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^SIGSEGV: segmentation violation\nPC=0x[0-9a-f]+ m=\d+ sigcode=\d+ addr=0x0\n`),
		regexp.MustCompile(`(?m)^goroutine \d+ gp=\S+ m=\d+ mp=\S+ \[running\]:\n` +
			`runtime\.systemstack_switch\(\)\n.*\n` +
			`github\.com/jitffi/jitffi\.crashingCaller\(.*\)\n.*\n` +
			`github\.com/jitffi/jitffi\.TestCrashChild\(`),
	} {
		if !want.MatchString(out) {
			t.Errorf("crash report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "traceback stuck") || strings.Contains(out, "unexpected return pc") {
		t.Errorf("garbled traceback:\n%s", out)
	}
}

func TestCrashChild(t *testing.T) {
	path := os.Getenv("JITFFI_CRASH_CHILD")
	if path == "" {
		t.Skip("runs only as TestCrashReport's child process")
	}
	lib, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var deref func() int32
	if err := lib.Bind(&deref, "fx_deref_null", "i32()", Strict()); err != nil {
		t.Fatal(err)
	}
	crashingCaller(deref)
	t.Fatal("still alive after the NULL dereference")
}

//go:noinline
func crashingCaller(f func() int32) int32 { return f() + 1 }
