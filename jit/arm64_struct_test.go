package jit

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/arch/arm64/arm64asm"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

// simSPARM64 is the value of SP the arm64 simulator gives the trampoline on
// the system stack (for the addresses of by-reference copies and of X8).
const simSPARM64 = 0x7ffe0000

// immShiftARM64 is the value of an immediate operand such as "#0x20" or
// "#0x1, lsl #12".
func immShiftARM64(is arm64asm.ImmShift) (uint64, error) {
	str := is.String()
	num, shift, _ := strings.Cut(str, ", lsl #")
	v, err := strconv.ParseUint(strings.TrimPrefix(num, "#"), 0, 64)
	if err != nil {
		return 0, fmt.Errorf("immediate %q: %v", str, err)
	}
	if shift != "" {
		n, err := strconv.Atoi(shift)
		if err != nil {
			return 0, fmt.Errorf("immediate %q: %v", str, err)
		}
		v <<= n
	}
	return v, nil
}

// structBytesARM64 lays out a struct argument the way C sees it in memory,
// from its Go registers or the Go stack; covered marks the bytes that
// belong to a field (all of them for a struct on the Go stack).
func structBytesARM64(a abi.Arg, m *machineARM64) ([]byte, []bool) {
	s := a.Struct
	b := make([]byte, s.Size)
	covered := make([]bool, s.Size)
	if s.Go == nil {
		copy(b, m.goStack[a.Go.Off:])
		for k := range covered {
			covered[k] = true
		}
		return b, covered
	}
	for _, l := range s.Go {
		v := m.x[l.Loc.Reg]
		if l.Loc.Class == abi.Float {
			v = m.v[l.Loc.Reg]
		}
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], v)
		n := l.Kind.Size()
		copy(b[l.Off:l.Off+n], w[:n])
		for k := range n {
			covered[l.Off+k] = true
		}
	}
	return b, covered
}

// checkStructArgARM64 compares what C finds in the locations of a struct
// argument with its C layout: X registers, V registers (an HFA's
// members), C stack slots, or the copy a by-reference argument points to,
// which must lie above the C stack arguments.
func checkStructArgARM64(p *abi.Plan, m *machineARM64, s *abi.Struct, want []byte, covered []bool) error {
	got := make([]byte, s.Size)
	switch s.Pass {
	case abi.InRegs, abi.InMemory:
		for _, pc := range s.Pieces {
			var v uint64
			switch pc.Loc.Class {
			case abi.Int:
				v = m.x[pc.Loc.Reg]
			case abi.Float:
				v = m.v[pc.Loc.Reg]
			case abi.Stack:
				copy(got[pc.Off:pc.Off+pc.Size], m.cStack[pc.Loc.Off:])
				continue
			}
			var w [8]byte
			binary.LittleEndian.PutUint64(w[:], v)
			copy(got[pc.Off:pc.Off+pc.Size], w[:pc.Size])
		}
	case abi.ByRef:
		var addr uint64
		switch s.Ref.Class {
		case abi.Int:
			addr = m.x[s.Ref.Reg]
		case abi.Stack:
			addr = binary.LittleEndian.Uint64(m.cStack[s.Ref.Off:])
		}
		off := int(addr) - simSPARM64
		if off < p.CStack || off+s.Size > len(m.cStack) || off%8 != 0 {
			return fmt.Errorf("by-reference copy at %#x: SP%+d, not above %d bytes of C stack arguments", addr, off, p.CStack)
		}
		copy(got, m.cStack[off:])
	default:
		return fmt.Errorf("argument passed %v", s.Pass)
	}
	for k := range want {
		if covered[k] && got[k] != want[k] {
			return fmt.Errorf("byte %d: C sees % x, want % x", k, got, want)
		}
	}
	return nil
}

// refCopiesARM64 are the byte ranges (from SP) of the by-reference copies C
// receives, which must survive until C returns.
func refCopiesARM64(p *abi.Plan, m *machineARM64) [][2]int {
	var out [][2]int
	for _, a := range p.Args {
		if s := a.Struct; s != nil && s.Pass == abi.ByRef {
			addr := m.x[s.Ref.Reg]
			if s.Ref.Class == abi.Stack {
				addr = binary.LittleEndian.Uint64(m.cStack[s.Ref.Off:])
			}
			off := int(addr) - simSPARM64
			out = append(out, [2]int{off, off + s.Size})
		}
	}
	return out
}

// simulateStructResultARM64 plays the C callee returning a struct result
// from the BLR (code[pc:] follows it): random bytes in X0/X1 or V0..V3
// (dirty above each piece), or in the memory X8 points to, which must not
// overlap a by-reference copy; every register C may clobber is made dirty.
// It then runs the trampoline up to the restore of the TLS g slot and
// checks the Go result registers field by field (narrow integers extended
// to 64 bits), or the Go stack slot byte for byte and that nothing else
// in the caller's frame changed.
func simulateStructResultARM64(p *abi.Plan, m *machineARM64, code []byte, pc int, rnd func() uint64) error {
	s := p.Result.Struct
	res := make([]byte, s.Size)
	for k := range res {
		res[k] = byte(rnd())
	}
	var buf int
	if s.Pass == abi.Indirect {
		buf = int(m.x[8]) - simSPARM64
		if buf < p.CStack || buf+s.Size > len(m.cStack) || buf%8 != 0 {
			return fmt.Errorf("X8 = %#x: SP%+d, not above %d bytes of C stack arguments", m.x[8], buf, p.CStack)
		}
		for _, r := range refCopiesARM64(p, m) {
			if buf < r[1] && r[0] < buf+s.Size {
				return fmt.Errorf("result memory SP+%d..%d overlaps a by-reference copy at SP+%d..%d", buf, buf+s.Size, r[0], r[1])
			}
		}
	}
	// C clobbers X0-X18 and the low halves of V0-V7 and V16-V31.
	for r := 0; r <= 18; r++ {
		m.x[r] = rnd()
	}
	for r := range m.v {
		if r < 8 || r > 15 {
			m.v[r] = rnd()
		}
	}
	switch s.Pass {
	case abi.Indirect:
		copy(m.cStack[buf:], res)
	case abi.InRegs:
		for _, pc := range s.Pieces {
			var w [8]byte
			binary.LittleEndian.PutUint64(w[:], rnd())
			copy(w[:pc.Size], res[pc.Off:])
			v := binary.LittleEndian.Uint64(w[:])
			if pc.Loc.Class == abi.Float {
				m.v[pc.Loc.Reg] = v
			} else {
				m.x[pc.Loc.Reg] = v
			}
		}
	default:
		return fmt.Errorf("result passed %v", s.Pass)
	}
	goStack := append([]byte(nil), m.goStack...)
	for pc+4 <= len(code) {
		inst, err := arm64asm.Decode(code[pc:])
		if err != nil {
			return fmt.Errorf("decode at %#x: %v", pc, err)
		}
		text := arm64asm.GNUSyntax(inst)
		pc += 4
		if strings.HasPrefix(text, "mrs ") || text == exitARM64Listing[0] {
			break // the restore of the TLS g slot, in the shared exit
		}
		if text == "ldr x19, [x28,#56]" {
			continue // R19 from g.sched.sp: the simulated Go frame does not move
		}
		next, err := m.exec(inst, pc-4)
		if err != nil {
			return fmt.Errorf("after the call: %s: %v", text, err)
		}
		if next >= 0 {
			pc = next
		}
	}
	if s.Go == nil {
		off := p.Result.Go.Off
		if got := m.goStack[off : off+s.Size]; !bytes.Equal(got, res) {
			return fmt.Errorf("result on the Go stack at +%d: Go sees % x, want % x", off, got, res)
		}
		copy(goStack[off:], res)
		if !bytes.Equal(goStack, m.goStack) {
			return fmt.Errorf("the result copy writes the Go caller's frame outside the result slot +%d..+%d", off, off+s.Size)
		}
		return nil
	}
	for _, l := range s.Go {
		var w [8]byte
		copy(w[:], res[l.Off:l.Off+l.Kind.Size()])
		v := binary.LittleEndian.Uint64(w[:])
		var got, want uint64
		if l.Loc.Class == abi.Float {
			got, want = m.v[l.Loc.Reg], v
			if l.Kind == sig.F32 {
				got &= 0xffffffff
			}
		} else {
			got = m.x[l.Loc.Reg]
			switch l.Kind {
			case sig.I8:
				want = uint64(int64(int8(v)))
			case sig.I16:
				want = uint64(int64(int16(v)))
			case sig.I32:
				want = uint64(int64(int32(v)))
			default:
				want = v
			}
		}
		if got != want {
			return fmt.Errorf("result field +%d %v in %v: Go sees %#x, want %#x (C result % x)", l.Off, l.Kind, l.Loc, got, want, res)
		}
	}
	return nil
}

// TestStructMovesARM64 runs the arm64 simulator over generated signatures
// with structs by value: HFAs, small structs packed into X registers,
// larger ones by reference, structs in C stack slots once the registers
// run out, results in X0/X1, V0..V3 or through X8, and Go's side in
// registers or on its stack.
func TestStructMovesARM64(t *testing.T) {
	seed := uint64(13)
	rnd := func() uint64 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
	next := func(n int) int { return int(rnd() % uint64(n)) }
	scalars := []sig.Kind{sig.Bool, sig.I8, sig.U8, sig.I16, sig.U16, sig.I32, sig.U32, sig.I64, sig.U64, sig.F32, sig.F64, sig.F32, sig.F64, sig.Ptr}
	var structType func(depth int) sig.Type
	structType = func(depth int) sig.Type {
		t := sig.Type{Kind: sig.Struct}
		hfa := next(3) == 0
		hk := []sig.Kind{sig.F32, sig.F64}[next(2)]
		for range 1 + next(4) {
			f := sig.Type{Kind: scalars[next(len(scalars))]}
			if hfa {
				f = sig.Type{Kind: hk}
			} else if depth > 1 && next(4) == 0 {
				f = structType(depth - 1)
			}
			if next(6) == 0 {
				e := f
				f = sig.Type{Kind: sig.Array, Elem: &e, Len: 1 + next(2)*next(3)}
			}
			t.Fields = append(t.Fields, f)
		}
		return t
	}
	count := map[string]int{}
	for iter := 0; iter < 3000; iter++ {
		s := &sig.Signature{Result: sig.Type{Kind: scalars[next(len(scalars))]}}
		if next(2) == 0 {
			s.Result = structType(3)
		}
		for range next(14) {
			if next(3) == 0 {
				s.Params = append(s.Params, structType(3))
			} else {
				s.Params = append(s.Params, sig.Type{Kind: scalars[next(len(scalars))]})
			}
		}
		s.Fixed = len(s.Params)
		if next(5) == 0 {
			s.Variadic, s.Fixed = true, next(len(s.Params)+1)
		}
		if !s.HasStruct() {
			continue
		}
		p, err := abi.New(abi.ARM64, s, nil)
		if err != nil {
			t.Fatalf("%v: %v", s, err)
		}
		if err := CanLower(p); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		count["plans"]++
		if r := p.Result.Struct; r != nil {
			count["result "+r.Pass.String()]++
			if r.Go == nil {
				count["result on the Go stack"]++
			}
		}
		for _, a := range p.Args {
			if st := a.Struct; st != nil {
				count["arg "+st.Pass.String()]++
				if st.Go == nil {
					count["arg on the Go stack"]++
				}
				if st.Pass == abi.InRegs && st.Pieces[0].Loc.Class == abi.Float {
					count["arg HFA"]++
				}
			}
		}
		code, err := Compile(p, runtimeARM64(false))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if err := simulateMovesARM64(p, code, rnd); err != nil {
			l, _ := listARM64(code)
			t.Fatalf("%v\n%s\n%s", err, p, l)
		}
	}
	for _, k := range []string{"result regs", "result indirect", "result on the Go stack", "arg regs", "arg memory", "arg ref", "arg on the Go stack", "arg HFA"} {
		if count[k] < 100 {
			t.Errorf("only %d plans with %s: %v", count[k], k, count)
		}
	}
	t.Logf("%v", count)
}
