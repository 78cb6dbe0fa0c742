package jit

import (
	"testing"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

// fuzzPlan decodes fuzz input into an amd64 plan: byte 0 sets tracing
// (bit 0) and the result kind, byte 1 the number of parameters (at most
// what the remaining bytes describe), then one byte per parameter: its
// kind, and for ptr whether Go passes a slice (bit 7) or a string (bit 6).
func fuzzPlan(t *testing.T, data []byte) (*abi.Plan, bool) {
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	b0 := next()
	trace := b0&1 != 0
	s := &sig.Signature{Result: sig.Type{Kind: sig.Kind((b0 >> 1) % uint8(sig.Ptr+1))}}
	n := min(int(next()), len(data), sig.MaxParams)
	shapes := make([]abi.GoParam, n)
	for i := range n {
		b := next()
		k := sig.Bool + sig.Kind(b%uint8(sig.Ptr))
		s.Params = append(s.Params, sig.Type{Kind: k})
		switch {
		case k == sig.Ptr && b&0x80 != 0:
			shapes[i] = abi.GoSlice
		case k == sig.Ptr && b&0x40 != 0:
			shapes[i] = abi.GoString
		}
	}
	p, err := abi.New(abi.AMD64, s, shapes)
	if err != nil {
		t.Fatalf("%v: %v", s, err)
	}
	return p, trace
}

// FuzzCompileAMD64: Compile never fails or panics for a fast plan, the code
// decodes completely, and the argument moves it makes deliver every
// argument, extended, where C expects it (see TestArgumentMovesAMD64).
func FuzzCompileAMD64(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{14, 2, 6, 6})
	f.Add([]byte{1, 3, 0x80 | 13, 0, 11})
	mixed := []byte{24, 24}
	for i := range 24 {
		mixed = append(mixed, byte(i*37))
	}
	f.Add(mixed)
	slices := []byte{27, 12}
	for range 12 {
		slices = append(slices, 0x80|13, 1)
	}
	f.Add(slices)
	long := []byte{17, 255}
	for i := range 255 {
		long = append(long, byte(i*7))
	}
	f.Add(long)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, trace := fuzzPlan(t, data)
		if checkLower(t, p) != nil {
			return
		}
		code, err := Compile(p, testRuntime(trace))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(code) == 0 {
			t.Fatalf("%s: no code", p)
		}
		if _, err := Disassemble(abi.AMD64, code); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		again, err := Compile(p, testRuntime(trace))
		if err != nil || string(again) != string(code) {
			t.Fatalf("%s: compiling twice gives different code (%v)", p, err)
		}
		seed := uint64(len(data))*0x9E3779B97F4A7C15 | 1
		for _, b := range data {
			seed = (seed ^ uint64(b)) * 0x100000001B3
		}
		if seed == 0 {
			seed = 1
		}
		rnd := func() uint64 {
			seed ^= seed << 13
			seed ^= seed >> 7
			seed ^= seed << 17
			return seed
		}
		if err := simulateMoves(p, code, rnd); err != nil {
			l, _ := listAMD64(code)
			t.Fatalf("%v\n%s\n%s", err, p, l)
		}
	})
}
