package jit

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

// withErrno plans p again with errno capture.
func withErrno(t testing.TB, p *abi.Plan) *abi.Plan {
	t.Helper()
	shapes := make([]abi.GoParam, len(p.Args))
	for i, a := range p.Args {
		shapes[i] = a.GoAs
	}
	q, err := abi.New(p.Arch, p.Sig, shapes, abi.CaptureErrno)
	if err != nil {
		t.Fatalf("%v with errno: %v", p.Sig, err)
	}
	return q
}

// checkLower checks CanLower against an independent statement of what is
// lowered: every plan of amd64 and arm64. It returns CanLower's answer.
func checkLower(t testing.TB, p *abi.Plan) error {
	t.Helper()
	reason := ""
	err := CanLower(p)
	if got := fmt.Sprint(err); (err == nil) != (reason == "") || err != nil && got != reason {
		t.Fatalf("%s\nCanLower: %v, want %q", p, err, reason)
	}
	return err
}

func TestCanLower(t *testing.T) {
	for _, c := range []struct {
		src    string
		errno  bool
		reason string
	}{
		{"i32(i32, f64)", false, ""},
		{"i32(i32, f64)", true, ""},
		{"i32({i32})", false, ""},
		{"{f32, f32}()", false, ""},
		{"void(i8, {i8, {f32}[2]})", false, ""},
		{"{i32[2]}(i8)", false, ""},
		{"{i32, i32}(i32)", true, ""},
		{"{f32[3]}(i32)", true, ""},
		{"{i64, i64, i64, i64, i64, i64, i64, i64}()", true, ""},
	} {
		s, err := sig.Parse(c.src)
		if err != nil {
			t.Fatal(err)
		}
		for _, arch := range []abi.Arch{abi.AMD64, abi.ARM64} {
			var features []abi.Feature
			if c.errno {
				features = append(features, abi.CaptureErrno)
			}
			p, err := abi.New(arch, s, nil, features...)
			if err != nil {
				t.Fatal(err)
			}
			want := c.reason
			err = checkLower(t, p)
			if fmt.Sprint(err) != want && (err != nil || want != "") {
				t.Errorf("%s %s errno=%v: CanLower = %v, want %q", arch, c.src, c.errno, err, want)
			}
			// Compile refuses what CanLower refuses, and says why.
			if _, cerr := Compile(p, testRuntime(false)); err != nil && (cerr == nil || !strings.Contains(cerr.Error(), err.Error())) {
				t.Errorf("%s %s: Compile = %v, want the refusal %q", arch, c.src, cerr, err)
			}
		}
	}
}
