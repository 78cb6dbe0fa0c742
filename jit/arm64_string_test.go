package jit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jitffi/jitffi/abi"
)

// TestStringListingARM64 is TestStringListingAMD64 for arm64: the golden
// listings of string plans (testdata/arm64_string.listing), every length
// check before the frame is pushed and followed by b.hi, one NUL store
// per string, and a string result leaving through a branch to
// Runtime.StringResult.
func TestStringListingARM64(t *testing.T) {
	plans := stringPlans(t, abi.ARM64)
	var b strings.Builder
	for _, title := range sortedKeys(plans) {
		p := plans[title]
		code, err := Compile(p, stringRuntime(runtimeARM64(false)))
		if err != nil {
			t.Fatalf("%s: %v", title, err)
		}
		l, err := listARM64(code)
		if err != nil {
			t.Fatalf("%s: %v\n%s", title, err, l)
		}
		fmt.Fprintf(&b, "# %s (%d bytes)\n%s\n", title, len(code), l)

		lines := strings.Split(strings.TrimSpace(l), "\n")
		push := -1
		for i, line := range lines {
			if strings.HasPrefix(line, "str x30, [sp,#-16]!") {
				push = i
				break
			}
		}
		if push < 0 {
			t.Fatalf("%s: no frame push\n%s", title, l)
		}
		checks := 0
		for i, line := range lines[:push] {
			if strings.HasPrefix(line, "b.hi ") {
				if !strings.HasPrefix(lines[i-1], "cmp ") {
					t.Errorf("%s: b.hi not after a compare\n%s", title, l)
				}
				checks++
			}
		}
		if want := stringArgs(p); checks != want {
			t.Errorf("%s: %d length checks before the frame, want %d\n%s", title, checks, want, l)
		}
		if n := strings.Count(l, "strb wzr, [x21]"); n != stringArgs(p) {
			t.Errorf("%s: %d NUL stores, want %d\n%s", title, n, stringArgs(p), l)
		}
		if exit := strings.Contains(l, "mov x21, #0x2080\nmovk x21, #0x40, lsl #16\nbr x21\n"); exit != p.Result.String {
			t.Errorf("%s: string result %v, branch to StringResult %v\n%s", title, p.Result.String, exit, l)
		}
	}
	got := b.String()
	path := filepath.Join("testdata", "arm64_string.listing")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./jit -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("listings differ from %s (-want +got):\n%s", path, diff)
	}
}

// The arm64 exit of string results ends, on both of its ways out, in the
// branch to Runtime.StringResult instead of RET.
func TestSharedStringExitARM64(t *testing.T) {
	rt := runtimeARM64(false)
	rt.StringResult = 0x7000
	sh, err := CompileShared(abi.ARM64, rt)
	if err != nil {
		t.Fatal(err)
	}
	if sh.ExitString == 0 {
		t.Fatal("no string exit")
	}
	l, _ := listARM64(sh.Code[sh.ExitString:])
	if n := strings.Count(l, "orr x21, xzr, #0x7000\nbr x21\n"); n != 2 || strings.Contains(l, "ret") {
		t.Errorf("%d branches to StringResult:\n%s", n, l)
	}
	// Without StringResult there is no string exit, and a string result
	// is not compiled.
	rt.StringResult = 0
	if sh, _ := CompileShared(abi.ARM64, rt); sh.ExitString != 0 {
		t.Error("a string exit without StringResult")
	}
	if _, err := Compile(stringPlans(t, abi.ARM64)["string(string)"], rt); err == nil {
		t.Error("a string result compiled without its exit")
	}
}
