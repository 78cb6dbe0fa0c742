package abi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jitffi/jitffi/sig"
)

// passShape summarises the C side of a struct: "I8 F4" for pieces in
// registers (class and size), "mem24", "ref", "ind".
func passShape(s *Struct) string {
	switch s.Pass {
	case InMemory:
		return fmt.Sprintf("mem%d", s.Size)
	case ByRef:
		return "ref"
	case Indirect:
		return "ind"
	}
	var parts []string
	for _, pc := range s.Pieces {
		c := "I"
		if pc.Loc.Class == Float {
			c = "F"
		}
		parts = append(parts, fmt.Sprintf("%s%d", c, pc.Size))
	}
	return strings.Join(parts, " ")
}

// TestStructClasses pins the classification of struct shapes, as an
// argument (in fresh registers) and as a result, on both conventions.
func TestStructClasses(t *testing.T) {
	for _, c := range []struct {
		typ                string
		sysvArg, sysvRet   string
		aapcsArg, aapcsRet string
		goRegs             bool // Go passes it in registers
	}{
		{"{i32, i32}", "I8", "I8", "I8", "I8", true},
		{"{f32, f32}", "F8", "F8", "F4 F4", "F4 F4", true},
		{"{f64, f64}", "F8 F8", "F8 F8", "F8 F8", "F8 F8", true},
		{"{i8, {f32, f32}}", "I8 F4", "I8 F4", "I8 I4", "I8 I4", true},
		{"{f32[3]}", "F8 F4", "F8 F4", "F4 F4 F4", "F4 F4 F4", false},
		{"{f64, f64, f64}", "mem24", "ind", "F8 F8 F8", "F8 F8 F8", true},
		{"{f32, f32, f32, f32}", "F8 F8", "F8 F8", "F4 F4 F4 F4", "F4 F4 F4 F4", true},
		{"{f64, f64, f64, f64}", "mem32", "ind", "F8 F8 F8 F8", "F8 F8 F8 F8", true},
		{"{f64, f64, f64, f64, f64}", "mem40", "ind", "ref", "ind", true},
		{"{f32[5]}", "mem20", "ind", "ref", "ind", false},
		{"{i64, i64, i64}", "mem24", "ind", "ref", "ind", true},
		{"{i8, i16, i32}", "I8", "I8", "I8", "I8", true},
		{"{f64, i32}", "F8 I8", "F8 I8", "I8 I8", "I8 I8", true},
		{"{i32, f64}", "I8 F8", "I8 F8", "I8 I8", "I8 I8", true},
		{"{i32, f32}", "I8", "I8", "I8", "I8", true},
		{"{f32, i32}", "I8", "I8", "I8", "I8", true},
		{"{f32, f32, i32}", "F8 I4", "F8 I4", "I8 I4", "I8 I4", true},
		{"{f32, f64}", "F8 F8", "F8 F8", "I8 I8", "I8 I8", true},
		{"{{f64}, {f64[1]}}", "F8 F8", "F8 F8", "F8 F8", "F8 F8", true},
		{"{u8[16]}", "I8 I8", "I8 I8", "I8 I8", "I8 I8", false},
		{"{u8[17]}", "mem17", "ind", "ref", "ind", false},
		{"{u8}", "I1", "I1", "I1", "I1", true},
		{"{i16, u8}", "I4", "I4", "I4", "I4", true},
		{"{ptr}", "I8", "I8", "I8", "I8", true},
		{"{bool, f32}", "I8", "I8", "I8", "I8", true},
		{"{u8[2], {i16, {f32}}}", "I8 F4", "I8 F4", "I8 I4", "I8 I4", false},
		{"{i16, {f32[2], {u8[3], i32}}, f64}", "mem32", "ind", "ref", "ind", false},
	} {
		typ, err := sig.Parse(c.typ + "(" + c.typ + ")")
		if err != nil {
			t.Fatal(err)
		}
		for _, arch := range []Arch{AMD64, ARM64} {
			p, err := New(arch, typ, nil)
			if err != nil {
				t.Fatalf("%s %s: %v", arch, c.typ, err)
			}
			checkInvariants(t, p)
			wantArg, wantRet := c.sysvArg, c.sysvRet
			if arch == ARM64 {
				wantArg, wantRet = c.aapcsArg, c.aapcsRet
			}
			if got := passShape(p.Args[0].Struct); got != wantArg {
				t.Errorf("%s %s argument: %s, want %s\n%s", arch, c.typ, got, wantArg, p)
			}
			if got := passShape(p.Result.Struct); got != wantRet {
				t.Errorf("%s %s result: %s, want %s\n%s", arch, c.typ, got, wantRet, p)
			}
			if got := p.Args[0].Struct.Go != nil; got != c.goRegs {
				t.Errorf("%s %s: Go registers %v, want %v\n%s", arch, c.typ, got, c.goRegs, p)
			}
		}
	}
}

// TestStructRegisterPressure: a struct that does not fit the registers
// left goes to the stack whole. System V leaves the registers to later
// arguments; AAPCS64 closes them (NGRN or NSRN becomes 8).
func TestStructRegisterPressure(t *testing.T) {
	for _, c := range []struct {
		src        string
		arch       Arch
		structAt   string // the struct's C location
		last       string // the C location of the last parameter, if a scalar
		indirectI0 bool
	}{
		{"u64(i64, i64, i64, i64, i64, {i64, i64}, i64)", AMD64, "mem16", "I5", false},
		{"u64(i64, i64, i64, i64, i64, i64, i64, {i64, i64}, i64)", ARM64, "mem16", "S+16", false},
		{"u64(i64, i64, i64, i64, i64, i64, {i64, i64}, i64)", ARM64, "I8 I8", "S+0", false},
		{"f64(f64, f64, f64, f64, f64, f64, f64, {f64, f64}, f64)", AMD64, "mem16", "F7", false},
		{"f64(f64, f64, f64, f64, f64, f64, f64, {f64, f64}, f64)", ARM64, "mem16", "S+16", false},
		{"f64(f64, f64, f64, f64, f64, f64, {f64, f64, f64}, f64)", ARM64, "mem24", "S+24", false},
		{"{f64, f64, f64}(i64, i64, i64, i64, i64, {i32, i32})", AMD64, "mem8", "", true},
		{"{f64, f64, f64}(i64, i64, i64, i64, {i32, i32})", AMD64, "I8", "", true},
	} {
		s, err := sig.Parse(c.src)
		if err != nil {
			t.Fatal(err)
		}
		p, err := New(c.arch, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, p)
		var st *Struct
		var last Arg
		for _, a := range p.Args {
			if a.Struct != nil {
				st = a.Struct
			}
			last = a
		}
		if got := passShape(st); got != c.structAt {
			t.Errorf("%s %s: struct %s, want %s\n%s", c.arch, c.src, got, c.structAt, p)
		}
		if c.last != "" && last.C.String() != c.last {
			t.Errorf("%s %s: last parameter at %v, want %s\n%s", c.arch, c.src, last.C, c.last, p)
		}
		if c.indirectI0 && (p.Result.Struct.Pass != Indirect || p.Args[0].C != (Loc{Class: Int, Reg: 1})) {
			t.Errorf("%s %s: the hidden result pointer does not take I0\n%s", c.arch, c.src, p)
		}
	}
}

// TestStructErrno: the trailing error of errno capture follows a struct
// result's Go registers, or goes on the Go stack when they do not fit
// (jit's TestCanLower checks that such a plan is not lowered).
func TestStructErrno(t *testing.T) {
	for _, c := range []struct {
		src  string
		want Loc
	}{
		{"{i32, i32}(i32)", Loc{Class: Int, Reg: 2}},
		{"{f64, i32}(i32)", Loc{Class: Int, Reg: 1}},
		{"{f32[3]}(i32)", Loc{Class: Int, Reg: 0}},
		{"{i64, i64, i64, i64, i64, i64, i64, i64}()", Loc{Class: Stack, Off: 0}},
	} {
		s, _ := sig.Parse(c.src)
		p, err := New(AMD64, s, nil, CaptureErrno)
		if err != nil {
			t.Fatal(err)
		}
		if p.ErrGo != c.want || !p.Errno {
			t.Errorf("%s: error at %v (Errno %v), want %v\n%s", c.src, p.ErrGo, p.Errno, c.want, p)
		}
		if !strings.Contains(p.String(), "errno: go ") {
			t.Errorf("%s: no errno line\n%s", c.src, p)
		}
	}
}

// randStruct draws a struct type of up to depth levels, with arrays.
func randStruct(next func(int) int, depth int) sig.Type {
	scalars := []sig.Kind{sig.Bool, sig.I8, sig.U8, sig.I16, sig.U16, sig.I32, sig.U32, sig.I64, sig.U64, sig.F32, sig.F64, sig.F32, sig.F64, sig.Ptr}
	n := 1 + next(4)
	t := sig.Type{Kind: sig.Struct}
	for range n {
		var f sig.Type
		if depth > 1 && next(4) == 0 {
			f = randStruct(next, depth-1)
		} else {
			f = sig.Type{Kind: scalars[next(len(scalars))]}
		}
		if next(5) == 0 {
			e := f
			f = sig.Type{Kind: sig.Array, Elem: &e, Len: 1 + next(4)}
		}
		t.Fields = append(t.Fields, f)
	}
	return t
}

// TestStructPlanInvariants checks the invariants of TestPlanInvariants on
// many signatures mixing scalars and structs, and that Key tells apart
// plans that differ.
func TestStructPlanInvariants(t *testing.T) {
	kinds := []sig.Kind{sig.I32, sig.I64, sig.F32, sig.F64, sig.Ptr, sig.U8}
	seed := uint64(7)
	next := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	keys := map[string]string{}
	for iter := 0; iter < 3000; iter++ {
		s := &sig.Signature{Result: sig.Type{Kind: kinds[next(len(kinds))]}}
		if next(2) == 0 {
			s.Result = randStruct(next, 3)
		}
		n := next(16)
		for range n {
			if next(2) == 0 {
				s.Params = append(s.Params, randStruct(next, 3))
			} else {
				s.Params = append(s.Params, sig.Type{Kind: kinds[next(len(kinds))]})
			}
		}
		s.Fixed = len(s.Params)
		if next(4) == 0 {
			s.Variadic, s.Fixed = true, next(n+1)
		}
		if r, err := sig.Parse(s.String()); err != nil || r.String() != s.String() {
			t.Fatalf("%v does not parse back: %v", s, err)
		}
		for _, arch := range []Arch{AMD64, ARM64} {
			p, err := New(arch, s, nil)
			if err != nil {
				t.Fatalf("%s %v: %v", arch, s, err)
			}
			checkInvariants(t, p)
			if prev, ok := keys[p.Key()]; ok && prev != p.String() {
				t.Fatalf("key %q shared by\n%s\nand\n%s", p.Key(), prev, p)
			}
			keys[p.Key()] = p.String()
		}
	}
}
