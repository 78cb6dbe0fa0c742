package abi

import (
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
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

	// Variadic: the variadic arguments go where fixed ones would, f32 is
	// promoted to double, AL counts the vector registers.
	"i32(ptr, usize, ptr, ... i32, f64)",
	"i32(ptr, ...)",
	"i32(...)",
	"i32(ptr, f32, ... f32, i8, bool, u16, f64)",
	"f64(i32, ... f32, f32, f32, f32, f32, f32, f32, f32, f32, f64, i64, i64, i64, i64, i64, i16)",
	"void(f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, ... f32, f32)",

	// Structs by value: System V eightbyte classes and MEMORY, AAPCS64
	// HFAs, packed X registers and copies by reference; indirect results
	// (RDI / X8); structs that do not fit the registers left; Go's
	// ABIInternal assignment (field by field, or the stack for arrays).
	"{i32, i32}(i32, i32)",
	"{f32, f32}({f32, f32})",
	"{f64, f64}({f64, f64})",
	"{i8, {f32, f32}}({i8, {f32, f32}})",
	"{f32[3]}({f32[3]})",
	"{f64, f64, f64}({f64, f64, f64})",
	"{f32, f32, f32, f32}({f32, f32, f32, f32})",
	"{i64, i64, i64}({i64, i64, i64}, i64)",
	"{i8, i16, i32}({i8, i16, i32})",
	"{f64, i32}({f64, i32})",
	"{i32, f32}({i32, f32})",
	"{u8[2], {i16, {f32}}}({u8[2], {i16, {f32}}})",
	"{i16, {f32[2], {u8[3], i32}}, f64}(ptr, {i16, {f32[2], {u8[3], i32}}, f64})",
	"u64(i64, i64, i64, i64, i64, i64, i64, i64, {i32, i32})",
	"u64(i64, i64, i64, i64, i64, {i64, i64}, i64)",
	"u64(i64, i64, i64, i64, i64, i64, i64, {i64, i64}, i64)",
	"f64(f64, f64, f64, f64, f64, f64, f64, {f64, f64}, f64)",
	"f64(f64, f64, f64, f64, f64, f64, {f64, f64, f64}, f64)",
	"{ptr, i64}({ptr, i64}, {bool, u8})",
	"{i64, i64}(i64, {i64, i64, i64}, i64, i64, i64, i64, i64, i64, {i64, i64, i64})",
	"i32(ptr, ... {i32, f64}, {f32, f32})",
}

// goldenSlices binds some ptr parameters as Go slices or strings, keyed by
// signature.
var goldenSlices = map[string][]GoParam{
	"i32(ptr, i64, ptr)": {GoString, GoScalar, GoString},
	"i64(i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr, i64)": {
		GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoString, GoString, GoScalar},
	"ptr(ptr, usize)": {GoSlice, GoScalar},
	"i64(i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr, ptr)": {
		GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoSlice, GoScalar},
	"i64(i64, i64, i64, i64, i64, i64, i64, ptr, i64)": {
		GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoScalar, GoSlice, GoScalar},
}

func dump(t *testing.T, arch Arch) string {
	var b strings.Builder
	sigs := append([]string{}, goldenSigs...)
	// In a fixed order: map iteration order would make the file flaky.
	for _, s := range slices.Sorted(maps.Keys(goldenSlices)) {
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
		if next(3) == 0 {
			s.Variadic, s.Fixed = true, next(n+1)
		}
		shapes := make([]GoParam, n)
		for i := 0; i < n; i++ {
			k := kinds[next(len(kinds))]
			s.Params = append(s.Params, sig.Type{Kind: k})
			if k == sig.Ptr {
				shapes[i] = [...]GoParam{GoScalar, GoSlice, GoString}[next(3)]
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
	if r := p.Result.Struct; r != nil {
		checkStructPieces(t, p, -1, r)
		if r.Pass == Indirect && p.Arch == AMD64 {
			if r.Ref != (Loc{Class: Int}) {
				t.Fatalf("%s\nindirect result not in I0", p)
			}
			cInt = 1
		}
	}
	used := map[int]bool{} // Go stack bytes
	var goInt, goFlt int
	for i, a := range p.Args {
		var cLocs []Loc
		switch s := a.Struct; {
		case s == nil:
			cLocs = []Loc{a.C}
		case s.Pass == InRegs:
			checkStructPieces(t, p, i, s)
			for _, pc := range s.Pieces {
				cLocs = append(cLocs, pc.Loc)
			}
		case s.Pass == InMemory:
			checkStructPieces(t, p, i, s)
			for k := 0; k < s.Size; k += 8 {
				cLocs = append(cLocs, Loc{Class: Stack, Off: s.Pieces[0].Loc.Off + k})
			}
		case s.Pass == ByRef:
			if p.Arch != ARM64 || s.Size <= 16 {
				t.Fatalf("%s\narg %d: by reference", p, i)
			}
			cLocs = []Loc{s.Ref}
		default:
			t.Fatalf("%s\narg %d: pass %v", p, i, s.Pass)
		}
		for _, l := range cLocs {
			switch l.Class {
			case Int:
				if l.Reg != cInt {
					t.Fatalf("%s\narg %d: C int register %d, want %d", p, i, l.Reg, cInt)
				}
				cInt++
			case Float:
				if l.Reg != cFlt {
					t.Fatalf("%s\narg %d: C float register %d, want %d", p, i, l.Reg, cFlt)
				}
				cFlt++
			case Stack:
				if l.Off != 8*cSlot {
					t.Fatalf("%s\narg %d: C stack offset %d, want %d", p, i, l.Off, 8*cSlot)
				}
				cSlot++
			default:
				t.Fatalf("%s\narg %d: no C location", p, i)
			}
		}
		if cInt > ar.cConv.ints || cFlt > ar.cConv.flts {
			t.Fatalf("%s\narg %d: C registers overflow", p, i)
		}
		if a.Struct != nil && a.Struct.Go != nil {
			if a.Go.Class != None {
				t.Fatalf("%s\narg %d: struct both in Go registers and at %v", p, i, a.Go)
			}
			for _, lf := range a.Struct.Go {
				switch lf.Loc.Class {
				case Int:
					if lf.Loc.Reg != goInt {
						t.Fatalf("%s\narg %d: Go int register %d, want %d", p, i, lf.Loc.Reg, goInt)
					}
					goInt++
				case Float:
					if lf.Loc.Reg != goFlt {
						t.Fatalf("%s\narg %d: Go float register %d, want %d", p, i, lf.Loc.Reg, goFlt)
					}
					goFlt++
				default:
					t.Fatalf("%s\narg %d: Go leaf at %v", p, i, lf.Loc)
				}
			}
			if goInt > ar.goConv.ints || goFlt > ar.goConv.flts {
				t.Fatalf("%s\narg %d: Go registers overflow", p, i)
			}
			continue
		}
		switch a.Go.Class {
		case Int:
			if a.Go.Reg < goInt {
				t.Fatalf("%s\narg %d: Go int register %d reused", p, i, a.Go.Reg)
			}
			goInt = a.Go.Reg + 1
			switch a.GoAs {
			case GoSlice:
				goInt += 2
			case GoString:
				goInt++
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
			switch a.GoAs {
			case GoSlice:
				size, align = 24, 8
			case GoString:
				size, align = 16, 8
			}
			if a.Struct != nil {
				size, align = a.Struct.Size, a.Struct.Align
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
		default:
			t.Fatalf("%s\narg %d: no Go location", p, i)
		}
	}
	vec := 0
	for i, a := range p.Args {
		if want := p.Variadic && i >= p.Fixed && a.Kind == sig.F32; a.Promote != want {
			t.Fatalf("%s\narg %d: Promote %v, want %v", p, i, a.Promote, want)
		}
		if a.C.Class == Float {
			vec++
		}
		if a.Struct != nil && a.Struct.Pass == InRegs {
			for _, pc := range a.Struct.Pieces {
				if pc.Loc.Class == Float {
					vec++
				}
			}
		}
	}
	// AAPCS64 sets NSRN to 8 when an HFA does not fit: VecRegs then
	// counts the registers handed out rather than those holding values.
	if vec > 8 || p.VecRegs != vec && (p.Arch == AMD64 || p.VecRegs != 8) {
		t.Fatalf("%s\nVecRegs %d, want %d", p, p.VecRegs, vec)
	}
	if p.Fixed != p.Sig.NumFixed() || p.Variadic != p.Sig.Variadic {
		t.Fatalf("%s\nVariadic %v Fixed %d", p, p.Variadic, p.Fixed)
	}
	if p.CStack != 8*cSlot {
		t.Fatalf("%s\nCStack %d, want %d", p, p.CStack, 8*cSlot)
	}
}

// checkStructPieces checks the pieces of a struct argument (index i) or
// result (i < 0) against its type: registers hold at most 8 bytes each,
// in offset order, covering the struct (or, for an HFA, its members),
// and the Go leaves, when in registers, are its scalars in order.
func checkStructPieces(t *testing.T, p *Plan, i int, s *Struct) {
	t.Helper()
	if s.Size != s.Type.Size() || s.Align != s.Type.Align() {
		t.Fatalf("%s\nstruct %d: size %d align %d", p, i, s.Size, s.Align)
	}
	var leaves []cLeaf
	flatten(s.Type, 0, 1<<30, &leaves)
	if s.Go != nil {
		if len(s.Go) != len(leaves) {
			t.Fatalf("%s\nstruct %d: %d Go leaves for %d scalars", p, i, len(s.Go), len(leaves))
		}
		for k, lf := range s.Go {
			if lf.Off != leaves[k].off || lf.Kind != leaves[k].kind {
				t.Fatalf("%s\nstruct %d: Go leaf %d is %v at %d, want %v at %d", p, i, k, lf.Kind, lf.Off, leaves[k].kind, leaves[k].off)
			}
		}
	}
	switch s.Pass {
	case InMemory:
		if len(s.Pieces) != 1 || s.Pieces[0].Off != 0 || s.Pieces[0].Size != s.Size || s.Pieces[0].Loc.Class != Stack {
			t.Fatalf("%s\nstruct %d: memory pieces %v", p, i, s.Pieces)
		}
		return
	case InRegs:
	default:
		return
	}
	_, _, hfa := aapcs64HFA(s.Type)
	hfa = hfa && p.Arch == ARM64
	off := 0
	for _, pc := range s.Pieces {
		if pc.Size < 1 || pc.Size > 8 || pc.Loc.Class != Int && pc.Loc.Class != Float {
			t.Fatalf("%s\nstruct %d: piece %v", p, i, pc)
		}
		if pc.Off != off {
			t.Fatalf("%s\nstruct %d: piece at %d, want %d", p, i, pc.Off, off)
		}
		if hfa != (pc.Loc.Class == Float && p.Arch == ARM64) {
			t.Fatalf("%s\nstruct %d: piece %v (HFA %v)", p, i, pc, hfa)
		}
		off += pc.Size
	}
	if off != s.Size {
		t.Fatalf("%s\nstruct %d: pieces cover %d of %d bytes", p, i, off, s.Size)
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
	if _, err := New(AMD64, &sig.Signature{Result: s.Result, Params: s.Params, Variadic: true, Fixed: 2}, nil); err == nil {
		t.Error("Fixed beyond the parameters accepted")
	}
	for _, src := range []string{"i32({i32})", "{f32, f32}()", "void(i8, {i8, {f32}[2]})", "{i32[2]}(i8)"} {
		s, err := sig.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, arch := range []Arch{AMD64, ARM64} {
			if _, err := New(arch, s, nil); err != nil {
				t.Errorf("%s %s: %v", arch, src, err)
			}
		}
		if _, err := New(AMD64, s, []GoParam{GoSlice}); s.Params != nil && err == nil {
			t.Errorf("%s: a Go slice for a struct accepted", src)
		}
	}
	i32 := sig.Type{Kind: sig.I32}
	for _, bad := range []*sig.Signature{
		{Result: i32, Params: []sig.Type{{Kind: sig.Struct}}},
		{Result: sig.Type{Kind: sig.Struct}},
		{Result: i32, Params: []sig.Type{{Kind: sig.Array, Elem: &i32, Len: 2}}},
		{Result: sig.Type{Kind: sig.Array, Elem: &i32, Len: 2}},
		{Result: i32, Params: []sig.Type{{Kind: sig.Struct, Fields: []sig.Type{{Kind: sig.Array, Len: 2}}}}},
		{Result: i32, Params: []sig.Type{{Kind: sig.Struct, Fields: []sig.Type{{Kind: sig.Array, Elem: &i32}}}}},
		{Result: i32, Params: []sig.Type{{Kind: sig.Struct, Fields: []sig.Type{{Kind: sig.Void}}}}},
	} {
		for _, arch := range []Arch{AMD64, ARM64} {
			if p, err := New(arch, bad, nil); err == nil {
				t.Errorf("%s: malformed signature accepted:\n%v", arch, p)
			}
		}
	}
}

// Key must separate every pair of plans whose dumps differ.
func TestKeySeparatesPlans(t *testing.T) {
	seen := map[string]string{}
	for _, arch := range []Arch{AMD64, ARM64} {
		for _, src := range append(append([]string{}, goldenSigs...), "i32(i32)", "i32(i64)", "u32(i32)", "void(ptr)",
			"i32(f32, f32)", "i32(f32, ... f32)", "i32(... f32, f32)", "i32(f32, f32, ...)",
			"i32(i32, i32)", "i32(i32, ... i32)", "i32(i32, i32, ...)", "i32(... i32, i32)") {
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

func TestPlanStrings(t *testing.T) {
	s, _ := sig.Parse("i32(i32)")
	if _, err := New(AMD64, s, []GoParam{GoString}); err == nil {
		t.Error("string for an i32 parameter accepted")
	}
	if _, err := New(AMD64, s, nil, StringResult); err == nil {
		t.Error("string result for an i32 result accepted")
	}
	s, _ = sig.Parse("ptr(ptr)")
	for _, arch := range []Arch{AMD64, ARM64} {
		p, err := New(arch, s, []GoParam{GoString}, CaptureErrno, StringResult)
		if err != nil {
			t.Fatal(err)
		}
		// The string result takes I0 and I1, so the error follows in I2.
		if !p.Result.String || p.Result.Go != (Loc{Class: Int}) || p.ErrGo != (Loc{Class: Int, Reg: 2}) {
			t.Errorf("%s: result %+v, error at %v", arch, p.Result, p.ErrGo)
		}
		if !strings.Contains(p.String(), " string\n") || !strings.Contains(p.String(), "string -> c") {
			t.Errorf("%s: dump does not mark the strings:\n%s", arch, p)
		}
		q, err := New(arch, s, []GoParam{GoString}, CaptureErrno)
		if err != nil {
			t.Fatal(err)
		}
		if p.Key() == q.Key() {
			t.Errorf("%s: a string result and a ptr result share the key %q", arch, p.Key())
		}
	}
}
