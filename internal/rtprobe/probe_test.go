package rtprobe

import (
	"runtime"
	"testing"

	"github.com/jitffi/jitffi/jit"

	_ "github.com/ebitengine/purego" // cgo support (real or fakecgo), as in the root package
)

// fastPlatform reports whether this platform has a fast path.
func fastPlatform() bool {
	return runtime.GOOS == "linux" && (runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64")
}

func TestProbe(t *testing.T) {
	rt, err := Probe()
	if !fastPlatform() {
		if err == nil {
			t.Fatalf("Probe succeeded on %s/%s, which has no fast path", runtime.GOOS, runtime.GOARCH)
		}
		return
	}
	if err != nil {
		t.Fatalf("Probe: %v", err)
	}
	switch runtime.GOARCH {
	case "amd64": // below the thread pointer (TLS variant II)
		if rt.TLSG >= 0 || rt.TLSG%8 != 0 {
			t.Errorf("TLS g offset %d: want a negative multiple of 8", rt.TLSG)
		}
	case "arm64": // above the two-word thread control block (variant I)
		if rt.TLSG < 16 || rt.TLSG%8 != 0 {
			t.Errorf("TLS g offset %d: want a multiple of 8, at least 16", rt.TLSG)
		}
	}
	if f := runtime.FuncForPC(uintptr(rt.SwitchPC)); f == nil || f.Name() != "runtime.systemstack_switch" {
		t.Errorf("SwitchPC %#x is not in runtime.systemstack_switch", rt.SwitchPC)
	}
	t.Logf("%v", &rt)
}

// A wrong offset must be caught: each check is run against a corrupted
// description.
func TestProbeRejectsWrongOffsets(t *testing.T) {
	if !fastPlatform() {
		t.Skip("no fast path here")
	}
	rt, err := Probe()
	if err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*jit.Runtime){
		"g.m":        func(r *jit.Runtime) { r.GM += 8 },
		"m.g0":       func(r *jit.Runtime) { r.MG0 += 8 },
		"g.sched":    func(r *jit.Runtime) { r.GSched += 8 },
		"gobuf.bp":   func(r *jit.Runtime) { r.GobufBP += 8 },
		"gobuf.sp":   func(r *jit.Runtime) { r.GobufSP += 16 },
		"stackguard": func(r *jit.Runtime) { r.GStackguard0 += 8 },
	} {
		r := rt
		mutate(&r)
		err := guarded(func() error { return checkG(&r) })
		if err == nil {
			err = guarded(func() error { return checkParked(&r) })
		}
		if err == nil {
			t.Errorf("%s: corrupted offset passed every check", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
