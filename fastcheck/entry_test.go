package fastcheck_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/jitffi/jitffi"
	"github.com/jitffi/jitffi/fastcheck"
	"github.com/jitffi/jitffi/fixtures"
)

func TestRequireEntry(t *testing.T) {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skip("callbacks are linux/amd64 and linux/arm64 only")
	}
	lib, err := jitffi.Open(fixtures.Shared(t))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	var apply, applySlow func(cb *jitffi.Callback, x int64) int64
	if err := lib.Bind(&apply, "cb_apply", "i64(ptr, i64)"); err != nil {
		t.Fatal(err)
	}
	if err := lib.Bind(&applySlow, "cb_apply", "i64(ptr, i64)", jitffi.Blocking()); err != nil {
		t.Fatal(err)
	}
	cb, err := jitffi.NewCallback(func(x int64) int64 { return x + 1 }, "")
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	want := fastcheck.FastEntry
	if !jitffi.PathOf(apply).Fast {
		want = fastcheck.StandardEntry
	}
	fastcheck.RequireEntry(t, cb, want, func() { apply(cb, 1) })
	fastcheck.RequireEntry(t, cb, fastcheck.StandardEntry, func() { applySlow(cb, 1) })
	if !jitffi.Tracing {
		return
	}
	r := &recorder{TB: t}
	func() {
		defer func() {
			if v := recover(); v != nil {
				if _, ok := v.(stop); !ok {
					panic(v)
				}
			}
		}()
		fastcheck.RequireEntry(r, cb, fastcheck.FastEntry, func() { applySlow(cb, 1) })
	}()
	if !strings.Contains(r.failed, "want them through the fast entry") {
		t.Errorf("RequireEntry accepted a standard-entry call as fast: %q", r.failed)
	}
}
