package abi

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jitffi/jitffi/sig"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenSigs are the signatures whose plans are pinned in
// testdata/<arch>.golden. Slices are marked with a leading '[' on the
// parameter index list in goldenSlices.
var goldenSigs = []string{
	"void()",
	"i32(i32, i32)",
	"f64(f64)",
	"u8(i8, u16, bool, i16)",
	"bool(bool)",
	"u32(u64)",
	"f32(f32, f64, f32)",
	"ptr(ptr, usize)",
	"f64(i32, f64, i64, i8, f32, u8, i16, f64, u32, f32, u16, f64)",
	"i64(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)",
	"i32(i8, i8, i8, i8, i8, i8, i8, i8, i8, i8, i16, i32, i8)",
	"f64(f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64)",
	"f32(f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)",
}

// goldenSlices binds some ptr parameters as Go slices, keyed by signature.
var goldenSlices = map[string][]GoParam{
	"ptr(ptr, usize)": {GoSlice, GoScalar},
	"i64(i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr)": {
		GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoSlice, GoScalar},
	"i64(i64, i64, i64, i64, i64, i64, i64, ptr, i64)": {
		GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoSlice, GoScalar},
}

func dump(t *testing.T, arch Arch) string {
	var b strings.Builder
	sigs := append([]string{}, goldenSigs...)
	for s := range goldenSlices {
		if !contains(sigs, s) {
			sigs = append(sigs, s)
		}
	}
	for _, src := range sigs {
		s, err := sig.Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		p, err := New(arch, s, goldenSlices[src])
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		b.WriteString(p.String())
		b.WriteString("\n")
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestGoldenPlans(t *testing.T) {
	for _, arch := range []Arch{AMD64, ARM64} {
		t.Run(string(arch), func(t *testing.T) {
			got := dump(t, arch)
			path := filepath.Join("testdata", string(arch)+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./abi -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("plans differ from %s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// Properties every plan keeps, checked over many generated signatures:
// registers are handed out in order without gaps or reuse, C stack slots
// are consecutive 8-byte slots, Go stack slots are naturally aligned and
// do not overlap.
func TestPlanInvariants(t *testing.T) {
	kinds := []sig.Kind{sig.Bool, sig.I8, sig.U8, sig.I16, sig.U16, sig.I32, sig.U32, sig.I64, sig.U64, sig.Isize, sig.Usize, sig.F32, sig.F64, sig.Ptr}
	seed := uint64(1)
	next := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	for iter := 0; iter < 2000; iter++ {
		n := next(40)
		s := &sig.Signature{Result: sig.Type{Kind: kinds[next(len(kinds))]}}
		shapes := make([]GoParam, n)
		for i := 0; i < n; i++ {
			k := kinds[next(len(kinds))]
			s.Params = append(s.Params, sig.Type{Kind: k})
			if k == sig.Ptr && next(2) == 0 {
				shapes[i] = GoSlice
			}
		}
		for _, arch := range []Arch{AMD64, ARM64} {
			p, err := New(arch, s, shapes)
			if err != nil {
				t.Fatalf("%v: %v", s, err)
			}
			checkInvariants(t, p)
		}
	}
}

func checkInvariants(t *testing.T, p *Plan) {
	t.Helper()
	ar, _ := archOf(p.Arch)
	var cInt, cFlt, cSlot int
	used := map[int]bool{} // Go stack bytes
	var goInt, goFlt int
	for i, a := range p.Args {
		switch a.C.Class {
		case Int:
			if a.C.Reg != cInt {
				t.Fatalf("%s\narg %d: C int register %d, want %d", p, i, a.C.Reg, cInt)
			}
			cInt++
		case Float:
			if a.C.Reg != cFlt {
				t.Fatalf("%s\narg %d: C float register %d, want %d", p, i, a.C.Reg, cFlt)
			}
			cFlt++
		case Stack:
			if a.C.Off != 8*cSlot {
				t.Fatalf("%s\narg %d: C stack offset %d, want %d", p, i, a.C.Off, 8*cSlot)
			}
			cSlot++
		}
		if cInt > ar.cConv.ints || cFlt > ar.cConv.flts {
			t.Fatalf("%s\narg %d: C registers overflow", p, i)
		}
		switch a.Go.Class {
		case Int:
			if a.Go.Reg < goInt {
				t.Fatalf("%s\narg %d: Go int register %d reused", p, i, a.Go.Reg)
			}
			goInt = a.Go.Reg + 1
			if a.GoAs == GoSlice {
				goInt += 2
			}
			if goInt > ar.goConv.ints {
				t.Fatalf("%s\narg %d: Go int registers overflow", p, i)
			}
		case Float:
			if a.Go.Reg != goFlt {
				t.Fatalf("%s\narg %d: Go float register %d, want %d", p, i, a.Go.Reg, goFlt)
			}
			goFlt++
		case Stack:
			size, align := a.Kind.Size(), a.Kind.Size()
			if a.GoAs == GoSlice {
				size, align = 24, 8
			}
			if a.Go.Off%align != 0 {
				t.Fatalf("%s\narg %d: Go stack offset %d not %d-aligned", p, i, a.Go.Off, align)
			}
			for b := a.Go.Off; b < a.Go.Off+size; b++ {
				if used[b] {
					t.Fatalf("%s\narg %d: Go stack byte %d used twice", p, i, b)
				}
				used[b] = true
			}
			if a.Go.Off+size > p.GoStack {
				t.Fatalf("%s\narg %d: beyond the Go stack area (%d)", p, i, p.GoStack)
			}
		}
	}
	if p.CStack != 8*cSlot {
		t.Fatalf("%s\nCStack %d, want %d", p, p.CStack, 8*cSlot)
	}
}

func TestPlanErrors(t *testing.T) {
	s, _ := sig.Parse("i32(i32)")
	if _, err := New("riscv64", s, nil); err == nil {
		t.Error("unknown arch accepted")
	}
	if _, err := New(AMD64, s, []GoParam{GoSlice}); err == nil {
		t.Error("slice for an i32 parameter accepted")
	}
	if _, err := New(AMD64, s, []GoParam{GoScalar, GoScalar}); err == nil {
		t.Error("wrong number of Go shapes accepted")
	}
}

// Key must separate every pair of plans whose dumps differ.
func TestKeySeparatesPlans(t *testing.T) {
	seen := map[string]string{}
	for _, arch := range []Arch{AMD64, ARM64} {
		for _, src := range append(append([]string{}, goldenSigs...), "i32(i32)", "i32(i64)", "u32(i32)", "void(ptr)") {
			s, _ := sig.Parse(src)
			for _, shapes := range [][]GoParam{nil, goldenSlices[src]} {
				p, err := New(arch, s, shapes)
				if err != nil {
					t.Fatal(err)
				}
				if prev, ok := seen[p.Key()]; ok && prev != p.String() {
					t.Fatalf("key %q shared by\n%s\nand\n%s", p.Key(), prev, p)
				}
				seen[p.Key()] = p.String()
			}
		}
	}
}
