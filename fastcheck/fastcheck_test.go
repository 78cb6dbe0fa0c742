package fastcheck_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jitffi/jitffi"
	"github.com/jitffi/jitffi/fastcheck"
	"github.com/jitffi/jitffi/fixtures"
)

// recorder is a testing.TB that records a fatal failure instead of ending
// the test, so Require's failures can be asserted.
type recorder struct {
	testing.TB
	failed string
}

type stop struct{}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	panic(stop{})
}

func (r *recorder) Logf(format string, args ...any) { r.TB.Logf(format, args...) }

func require(t *testing.T, fn any, block func()) (failure string) {
	r := &recorder{TB: t}
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(stop); !ok {
				panic(v)
			}
			failure = r.failed
		}
	}()
	fastcheck.Require(r, fn, block)
	return ""
}

func TestRequire(t *testing.T) {
	lib, err := jitffi.Open(fixtures.Shared(t))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	var fast, slow func(int32, int32) int32
	if err := lib.Bind(&fast, "fx_add_i32", "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	if err := lib.Bind(&slow, "fx_add_i32", "i32(i32, i32)", jitffi.Blocking()); err != nil {
		t.Fatal(err)
	}
	if msg := require(t, slow, func() { slow(1, 2) }); !strings.Contains(msg, "not on the fast path") {
		t.Errorf("Require on a Blocking func: failure %q, want 'not on the fast path'", msg)
	}
	if !jitffi.PathOf(fast).Fast {
		t.Skipf("fast path unavailable here: %v", jitffi.PathOf(fast))
	}
	if msg := require(t, fast, func() {
		if fast(40, 2) != 42 {
			t.Error("wrong sum")
		}
	}); msg != "" {
		t.Errorf("Require on a fast func failed: %s", msg)
	}
	msg := require(t, fast, func() {})
	if jitffi.Tracing && !strings.Contains(msg, "no call") {
		t.Errorf("Require around a block that never calls fn: failure %q, want 'no call'", msg)
	}
	if !jitffi.Tracing && msg != "" {
		t.Errorf("without tracing Require can only check the path; it failed: %s", msg)
	}
}
