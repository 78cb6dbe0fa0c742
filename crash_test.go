package jitffi

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/jitffi/jitffi/fixtures"
)

// A segfault inside C called through the fast path must give the report
// a cgo call gives, naming the Go function that made the call near the
// top: during the call the TLS g is g0, m.incgo is set and m.libcallsp/pc
// and g.sched describe the caller (see jit.Runtime.MLibcall).
func TestCrashReport(t *testing.T) {
	if err := FastPathError(); err != nil {
		t.Skipf("fast path unavailable: %v", err)
	}
	lib := fixtures.Shared(t) // build in the parent; the child only loads it
	out, err := spawnTest(t, "TestCrashChild", "JITFFI_CRASH_CHILD="+lib)
	if err == nil {
		t.Fatalf("child survived a NULL dereference in C:\n%s", out)
	}

	// The report a cgo call gives: the signal and the faulting PC, "signal
	// arrived during cgo execution" (m.incgo is set for the call's
	// length), then the goroutine that made the call, unwound from
	// m.libcallsp/pc (set to g.sched's) through systemstack_switch into
	// the Go callers, with the Go caller within the report's first dozen
	// lines; no frames of the system stack (C code, which the runtime
	// prints as unknown PCs) and no hex dump.
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^SIGSEGV: segmentation violation\nPC=0x[0-9a-f]+ m=\d+ sigcode=\d+ addr=0x0\n` +
			`signal arrived during cgo execution\n\n` +
			`goroutine \d+ gp=\S+ m=\d+ mp=\S+ \[running\]:\n` +
			`runtime\.systemstack_switch\(\)\n.*\n` +
			`github\.com/jitffi/jitffi\.crashingCaller\(.*\)\n.*\n` +
			`github\.com/jitffi/jitffi\.TestCrashChild\(`),
	} {
		if !want.MatchString(out) {
			t.Errorf("crash report lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(out, "\n")
	caller := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "github.com/jitffi/jitffi.crashingCaller(") {
			caller = i
			break
		}
	}
	if caller < 0 || caller > 12 {
		t.Errorf("the Go caller is at line %d of the report, want within the first 12:\n%s", caller+1, out)
	}
	for _, bad := range []string{"traceback stuck", "unexpected return pc", "unknown pc", "goroutine 0 ", "panic during panic", "fatal error"} {
		if strings.Contains(out, bad) {
			t.Errorf("crash report contains %q:\n%s", bad, out)
		}
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
