package abi

import (
	"strings"
	"testing"

	"github.com/jitffi/jitffi/sig"
)

// fuzzSignature decodes fuzz input into a valid signature and the Go shape
// of each parameter: byte 0 is the result kind, byte 1 the number of
// parameters (at most what the remaining bytes describe), then one byte per
// parameter: its kind, and for ptr whether Go passes a slice.
func fuzzSignature(data []byte) (*sig.Signature, []GoParam) {
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	s := &sig.Signature{Result: sig.Type{Kind: sig.Kind(next() % uint8(sig.Ptr+1))}}
	n := min(int(next()), len(data), sig.MaxParams)
	shapes := make([]GoParam, n)
	for i := range n {
		b := next()
		k := sig.Bool + sig.Kind(b%uint8(sig.Ptr))
		s.Params = append(s.Params, sig.Type{Kind: k})
		if k == sig.Ptr && b&0x80 != 0 {
			shapes[i] = GoSlice
		}
	}
	return s, shapes
}

func fuzzSeeds(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{7, 2, 6, 6})
	f.Add([]byte{0, 1, 0x80 | 13})
	mixed := []byte{12, 24}
	for i := range 24 {
		mixed = append(mixed, byte(i*37))
	}
	f.Add(mixed)
	floats := []byte{11, 20}
	for i := range 20 {
		floats = append(floats, 11+byte(i%2))
	}
	f.Add(floats)
	slices := []byte{13, 12}
	for range 12 {
		slices = append(slices, 0x80|13, 5)
	}
	f.Add(slices)
	long := []byte{8, 255}
	for i := range 255 {
		long = append(long, byte(i))
	}
	f.Add(long)
}

// FuzzPlan: New never fails or panics for a valid signature, on either
// architecture; the plan keeps the invariants of TestPlanInvariants; its
// String is deterministic and the same whether the Go shapes are given or
// left to default; invalid variants of the signature are errors.
func FuzzPlan(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, shapes := fuzzSignature(data)
		if r, err := sig.Parse(s.String()); err != nil || r.String() != s.String() {
			t.Fatalf("%v does not parse back: %v", s, err)
		}
		scalar := true
		for _, sh := range shapes {
			scalar = scalar && sh == GoScalar
		}
		for _, arch := range []Arch{AMD64, ARM64} {
			p, err := New(arch, s, shapes)
			if err != nil {
				t.Fatalf("%s %v: %v", arch, s, err)
			}
			checkInvariants(t, p)
			dump := p.String()
			if dump != p.String() {
				t.Fatalf("String is not deterministic:\n%s\n%s", dump, p.String())
			}
			if !strings.HasPrefix(dump, string(arch)+" "+s.String()+"\n") {
				t.Fatalf("dump does not start with the signature:\n%s", dump)
			}
			q, err := New(arch, s, shapes)
			if err != nil || q.String() != dump {
				t.Fatalf("planning twice differs (%v):\n%s\n%v", err, dump, q)
			}
			if scalar {
				q, err := New(arch, s, nil)
				if err != nil || q.String() != dump {
					t.Fatalf("nil shapes differ from scalar shapes (%v):\n%s\n%v", err, dump, q)
				}
			}

			// Invalid variants.
			if _, err := New(arch, s, append(append([]GoParam{}, shapes...), GoScalar)); err == nil {
				t.Fatalf("%s %v: one shape too many accepted", arch, s)
			}
			bad := &sig.Signature{Result: s.Result, Params: append(append([]sig.Type{}, s.Params...), sig.Type{Kind: sig.Void})}
			if _, err := New(arch, bad, nil); err == nil {
				t.Fatalf("%s %v: void parameter accepted", arch, bad)
			}
			for i, prm := range s.Params {
				if prm.Kind != sig.Ptr {
					wrong := append([]GoParam{}, shapes...)
					wrong[i] = GoSlice
					if _, err := New(arch, s, wrong); err == nil {
						t.Fatalf("%s %v: slice for parameter %d accepted", arch, s, i)
					}
					break
				}
			}
		}
	})
}
