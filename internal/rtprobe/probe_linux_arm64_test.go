package rtprobe

import "testing"

// gobuf.lr is checked only on arm64, in arch; a wrong offset must fail it.
func TestProbeRejectsWrongLR(t *testing.T) {
	rt, err := Probe()
	if err != nil {
		t.Fatal(err)
	}
	for name, lr := range map[string]int32{"gobuf.pc": rt.GobufPC, "gobuf.bp": rt.GobufBP} {
		r := rt
		r.GobufLR = lr
		err := guarded(func() error { return checkParkedLR(&r) })
		if err == nil {
			t.Errorf("gobuf.lr at the offset of %s passed the check", name)
		} else {
			t.Logf("gobuf.lr at %s: %v", name, err)
		}
	}
	if err := guarded(func() error { return checkParkedLR(&rt) }); err != nil {
		t.Errorf("the probed layout fails the check: %v", err)
	}
}
