package jit

import (
	"reflect"
	"strings"
	"testing"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/internal/abifuzz"
)

// TestStructFuzzCases: every struct signature of the differential
// fuzzer's default batch (the seed TestABIFuzz uses) is lowered on both
// architectures, and its moves pass the simulator of each, so the
// fuzzer's struct cases exercise the fast path wherever it runs; and the
// batch holds every way a struct crosses on both sides.
func TestStructFuzzCases(t *testing.T) {
	cases := abifuzz.Generate(0x5EED_0001, 600)
	seed := uint64(17)
	rnd := func() uint64 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
	for _, arch := range []abi.Arch{abi.AMD64, abi.ARM64} {
		structs, fast := 0, 0
		count := map[string]int{}
		for i := range cases {
			c := &cases[i]
			if !c.Sig.HasStruct() {
				continue
			}
			structs++
			shapes := make([]abi.GoParam, len(c.Params))
			for j, pt := range c.Params {
				if pt.GoType().Kind() == reflect.Slice {
					shapes[j] = abi.GoSlice
				}
			}
			p, err := abi.New(arch, c.Sig, shapes)
			if err != nil {
				t.Fatalf("%s %s: %v", arch, c.Name, err)
			}
			if err := CanLower(p); err != nil {
				t.Errorf("%s %s: not lowered: %v", arch, c.Name, err)
				continue
			}
			fast++
			for _, a := range p.Args {
				if st := a.Struct; st != nil {
					count["arg "+st.Pass.String()]++
					if st.Go == nil {
						count["arg on the Go stack"]++
					}
					if st.Pass == abi.InRegs && st.Pieces[0].Loc.Class == abi.Float {
						count["arg with a float piece first"]++
					}
				}
			}
			if r := p.Result.Struct; r != nil {
				count["result "+r.Pass.String()]++
				if r.Go == nil {
					count["result on the Go stack"]++
				}
			}
			if arch == abi.AMD64 {
				code, err := Compile(p, testRuntime(false))
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				err = simulateMoves(p, code, rnd)
				if err != nil {
					l, _ := listAMD64(code)
					t.Fatalf("%s: %v\n%s\n%s", c.Name, err, p, l)
				}
				continue
			}
			code, err := Compile(p, runtimeARM64(false))
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if err := simulateMovesARM64(p, code, rnd); err != nil {
				l, _ := listARM64(code)
				t.Fatalf("%s: %v\n%s\n%s", c.Name, err, p, l)
			}
		}
		if structs < 100 {
			t.Errorf("%s: only %d struct cases", arch, structs)
		}
		want := []string{"arg regs", "arg memory", "arg on the Go stack", "arg with a float piece first", "result regs", "result indirect", "result on the Go stack"}
		if arch == abi.ARM64 {
			want = append(want, "arg ref")
		}
		for _, k := range want {
			if count[k] < 5 {
				t.Errorf("%s: only %d struct cases with %s: %v", arch, count[k], k, count)
			}
		}
		t.Logf("%s: %d of %d struct cases fast; %v", arch, fast, structs, count)
	}
}

// TestErrnoStack: after a struct result that fills Go's integer registers
// (8 of amd64's 9, 15 of arm64's 16), errno capture's error goes to the
// Go caller's result area, right after the register-assigned struct: both
// words are stored there, the itab and table entry when errno is set and
// zeros when it is not.
func TestErrnoStack(t *testing.T) {
	for _, c := range []struct {
		arch   abi.Arch
		n      int
		stores []string
	}{
		{abi.AMD64, 8, []string{"mov %r15,0x18(%rbp)", "mov %r13,0x10(%rbp)", "movq $0x0,0x10(%rbp)", "movq $0x0,0x18(%rbp)"}},
		{abi.ARM64, 15, []string{"str x23, [x19,#32]", "str x23, [x19,#24]", "str xzr, [x19,#24]", "str xzr, [x19,#32]"}},
	} {
		src := "{i64" + strings.Repeat(", i64", c.n-1) + "}()"
		p := planFor(t, c.arch, src, nil)
		p = withErrno(t, p)
		if p.ErrGo.Class != abi.Stack || p.ErrGo.Off != 0 {
			t.Fatalf("%s %s: error at %v, want the Go stack at +0\n%s", c.arch, src, p.ErrGo, p)
		}
		rt := testRuntime(false)
		if c.arch == abi.ARM64 {
			rt = runtimeARM64(false)
		}
		rt.ErrnoOK, rt.ErrnoTLS, rt.ErrnoItab, rt.ErrnoTable = true, 48, 0x5000, 0x6000
		code, err := Compile(p, rt)
		if err != nil {
			t.Fatalf("%s %s: %v", c.arch, src, err)
		}
		l, err := listing(c.arch, code)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(l, "\n")
		at := 0
		for _, line := range lines {
			if at < len(c.stores) && line == c.stores[at] {
				at++
			}
		}
		if at != len(c.stores) {
			t.Errorf("%s %s: %q missing or out of order\n%s", c.arch, src, c.stores[at], l)
		}
	}
}
