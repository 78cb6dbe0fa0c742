package jit

import (
	"strings"
	"testing"

	"github.com/jitffi/jitffi/abi"
)

// AL is set only for variadic calls, as the last instruction before the
// call, also after errno is cleared.
func TestVariadicALAMD64(t *testing.T) {
	tests := []struct {
		src   string
		errno bool
		al    string // the instruction before the call; "" for none
	}{
		{"i32(ptr, usize, ptr, ... i32, f64)", false, "mov $0x1,%eax"},
		{"i32(ptr, ...)", false, "mov $0x0,%eax"},
		{"f64(... f64, f64, f64, f64, f64, f64, f64, f64, f64)", false, "mov $0x8,%eax"},
		{"i32(ptr, ... f32)", true, "mov $0x1,%eax"},
		{"i32(ptr, f64)", false, ""},
	}
	for _, tt := range tests {
		p := planFor(t, abi.AMD64, tt.src, nil)
		rt := testRuntime(false)
		if tt.errno {
			p = withErrno(t, p)
			rt.ErrnoOK, rt.ErrnoTLS, rt.ErrnoItab, rt.ErrnoTable = true, -56, 0x5000, 0x6000
		}
		code, err := Compile(p, rt)
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		l, _ := listAMD64(code)
		lines := strings.Split(strings.TrimSpace(l), "\n")
		for i, line := range lines {
			if line != "call *%r12" {
				continue
			}
			prev := lines[i-1]
			if tt.al != "" && prev != tt.al {
				t.Errorf("%s: %q before the call, want %q\n%s", tt.src, prev, tt.al, l)
			}
			if tt.al == "" && strings.HasSuffix(prev, ",%eax") {
				t.Errorf("%s: non-variadic call sets AL\n%s", tt.src, l)
			}
		}
		if tt.errno && !strings.Contains(l, "movl $0x0,%fs:0xffffffc8\n"+tt.al+"\ncall *%r12") {
			t.Errorf("%s: errno clear, AL, call not in sequence\n%s", tt.src, l)
		}
	}
}

// AAPCS64 passes variadic arguments like fixed ones; the arm64 lowering
// compiles them, promoted f32 included.
func TestVariadicARM64(t *testing.T) {
	for _, src := range []string{"i32(ptr, ... f32)", "i32(f32, ... i32, f64)", "i32(ptr, ...)"} {
		if _, err := Compile(planFor(t, abi.ARM64, src, nil), testRuntime(false)); err != nil {
			t.Errorf("arm64 %s: %v", src, err)
		}
	}
}
