package jit

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

// stringPlans are plans with Go string arguments (in registers and on the
// Go stack) and string results, for the listings and contract checks.
func stringPlans(t *testing.T, arch abi.Arch) map[string]*abi.Plan {
	t.Helper()
	str, sc := abi.GoString, abi.GoScalar
	plans := map[string]*abi.Plan{
		"i32(ptr, i64, ptr) strings 0, 2": planFor(t, arch, "i32(ptr, i64, ptr)", []abi.GoParam{str, sc, str}),
		"i64(i64 x8, ptr, ptr, i64) strings on the Go stack": planFor(t, arch, "i64(i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64)",
			[]abi.GoParam{sc, sc, sc, sc, sc, sc, sc, sc, str, str, sc}),
	}
	for _, errno := range []bool{false, true} {
		s, err := sig.Parse("ptr(ptr)")
		if err != nil {
			t.Fatal(err)
		}
		features := []abi.Feature{abi.StringResult}
		title := "string(string)"
		if errno {
			features, title = append(features, abi.CaptureErrno), "(string, error)(string)"
		}
		p, err := abi.New(arch, s, []abi.GoParam{str}, features...)
		if err != nil {
			t.Fatal(err)
		}
		plans[title] = p
	}
	return plans
}

func stringRuntime(rt *Runtime) *Runtime {
	rt.ErrnoOK, rt.ErrnoTLS, rt.ErrnoItab, rt.ErrnoTable = true, -48, 0x5000, 0x6000
	rt.StringResult = 0x7000
	rt.ExitString = 0x402080 // the shared exit that jumps to StringResult
	return rt
}

// TestStringListingAMD64 pins the decoded trampolines of string plans in
// testdata/amd64_string.listing, and checks the parts of the contract
// strings add: every length check is in step 1, before the frame is
// pushed, and bails out for a length above StringMax; the copies come
// after the keep area and before the C frame; a string result leaves
// through the shared exit that jumps to Runtime.StringResult instead of
// returning (TestSharedStringExitAMD64).
func TestStringListingAMD64(t *testing.T) {
	plans := stringPlans(t, abi.AMD64)
	var b strings.Builder
	for _, title := range sortedKeys(plans) {
		p := plans[title]
		code, err := Compile(p, stringRuntime(testRuntime(false)))
		if err != nil {
			t.Fatalf("%s: %v", title, err)
		}
		l, err := listAMD64(code)
		if err != nil {
			t.Fatalf("%s: %v\n%s", title, err, l)
		}
		fmt.Fprintf(&b, "# %s (%d bytes)\n%s\n", title, len(code), l)

		lines := strings.Split(strings.TrimSpace(l), "\n")
		push := indexOf(lines, "push %rbp")
		checks := 0
		for i, line := range lines[:push] {
			if strings.HasPrefix(line, "cmp") && strings.Contains(line, "$0x1000,") {
				if !strings.HasPrefix(lines[i+1], "ja ") {
					t.Errorf("%s: length check %q not followed by ja\n%s", title, line, l)
				}
				checks++
			}
		}
		if want := stringArgs(p); checks != want {
			t.Errorf("%s: %d length checks before the frame, want %d\n%s", title, checks, want, l)
		}
		if strings.Count(l, "movb $0x0,(%rsp,%rdx)") != stringArgs(p) {
			t.Errorf("%s: want one NUL store per string\n%s", title, l)
		}
		marker, and := indexOf(lines, "mov %r13,(%rsp)"), indexOf(lines, "and $-0x10,%rsp")
		for i, line := range lines {
			if strings.HasPrefix(line, "movb $0x0,") && (i < marker || i > and) {
				t.Errorf("%s: a string copy outside the keep area and the C frame (line %d)\n%s", title, i, l)
			}
		}
		if p.Result.String != strings.Contains(l, "mov $0x402080,%r13\njmp *%r13\n") {
			t.Errorf("%s: string result %v, exit:\n%s", title, p.Result.String, l)
		}
	}
	got := b.String()
	path := filepath.Join("testdata", "amd64_string.listing")
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

// TestStringFrame: CanLower refuses a plan whose string copies could
// outgrow abi.MaxFrame, and a string result without Runtime.StringResult
// is not compiled.
func TestStringFrame(t *testing.T) {
	for _, n := range []int{15, 16} {
		s := &sig.Signature{Result: sig.Type{Kind: sig.Void}}
		shapes := make([]abi.GoParam, n)
		for i := range shapes {
			s.Params = append(s.Params, sig.Type{Kind: sig.Ptr})
			shapes[i] = abi.GoString
		}
		p, err := abi.New(abi.AMD64, s, shapes)
		if err != nil {
			t.Fatal(err)
		}
		err = CanLower(p)
		if fits := fastFrame(p) <= abi.MaxFrame; fits != (err == nil) {
			t.Errorf("%d strings: frame %d, CanLower: %v", n, fastFrame(p), err)
		}
		if n == 16 && (err == nil || !strings.Contains(err.Error(), "more than the limit")) {
			t.Errorf("%d strings: CanLower: %v, want a frame error", n, err)
		}
	}
	p := stringPlans(t, abi.AMD64)["string(string)"]
	if _, err := Compile(p, testRuntime(false)); err == nil || !strings.Contains(err.Error(), "StringResult") {
		t.Errorf("string result without Runtime.StringResult: %v", err)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
