package jit

import (
	"reflect"
	"testing"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/internal/abifuzz"
)

// TestStructFuzzCases: every struct signature of the differential
// fuzzer's default batch (the seed TestABIFuzz uses) is planned fast on
// both architectures, and its moves pass the simulator of each, so the
// fuzzer's struct cases exercise the fast path wherever it runs.
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
		t.Logf("%s: %d of %d struct cases fast", arch, fast, structs)
	}
}
