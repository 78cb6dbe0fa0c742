package jit

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/arch/x86/x86asm"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

var update = flag.Bool("update", false, "rewrite the golden listings")

// testRuntime is a fixed runtime description so listings are stable.
func testRuntime(trace bool) *Runtime {
	rt := testLayout
	rt.TLSG = -8
	rt.SwitchPC = 0x401008
	rt.Exit = 0x402040
	rt.Trace = trace
	return &rt
}

func planFor(t testing.TB, arch abi.Arch, src string, shapes []abi.GoParam) *abi.Plan {
	t.Helper()
	s, err := sig.Parse(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	p, err := abi.New(arch, s, shapes)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return p
}

var listingSigs = []string{
	"void()",
	"i32(i32, i32)",
	"f64(f64)",
	"u8(i8, u16, bool, i16)",
	"f32(f32, f64, f32)",
	"f64(i32, f64, i64, i8, f32, u8, i16, f64, u32, f32, u16, f64)",
	"i32(i8, i8, i8, i8, i8, i8, i8, i8, i8, i8, i16, i32, i8)",
	"f32(f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)",
	"i32(ptr, usize, ptr, ... i32, f64)",
	"i32(ptr, ...)",
	"void(f32, ... f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)",
	"{i32, i32}(i32, i32)",
	"u64({i8, {f32, f32}}, {i32, f32}, {f64, i32})",
	"{f64, f64, f64}(i64, {bool, u16, u64})",
	"u64(i64, i64, i64, i64, i64, {i64, i64}, i64)",
	"{i32[2], u8}(i8, {f32[3]}, {{i16, u8}[3]})",
	"{f64[3]}(i64, i64, i64, i64, i64, i64, i64, i64, {i32, i32})",
}

// TestListingsAMD64 pins the decoded trampolines of representative
// signatures in testdata/amd64.listing.
func TestListingsAMD64(t *testing.T) {
	var b strings.Builder
	for _, src := range listingSigs {
		code, err := Compile(planFor(t, abi.AMD64, src, nil), testRuntime(false))
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		l, err := listAMD64(code)
		if err != nil {
			t.Fatalf("%s: %v\n%s", src, err, l)
		}
		fmt.Fprintf(&b, "# %s (%d bytes)\n%s\n", src, len(code), l)
	}
	got := b.String()
	path := filepath.Join("testdata", "amd64.listing")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./jit -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("listings differ from %s (-want +got):\n%s", path, diff)
	}
}

// The entry contract, checked on the decoded listing of every golden
// signature: the bail-out comes first and touches no argument register,
// the TLS slot is set before SP moves to the system stack, and after the
// call the trampoline jumps to the shared exit (TestSharedAMD64 pins what
// that does).
func TestEntryContractAMD64(t *testing.T) {
	for _, src := range listingSigs {
		code, err := Compile(planFor(t, abi.AMD64, src, nil), testRuntime(false))
		if err != nil {
			t.Fatal(err)
		}
		l, _ := listAMD64(code)
		lines := strings.Split(strings.TrimSpace(l), "\n")
		wantPrefix := []string{
			"mov 0x8(%rdx),%r12",
			"test %r12,%r12",
			"je ",
			"testb $0x2,0x10(%r14)",
			"jne ",
			"push %rbp",
			"mov %rsp,%rbp",
		}
		for i, w := range wantPrefix {
			if !strings.HasPrefix(lines[i], w) {
				t.Fatalf("%s: line %d is %q, want %q\n%s", src, i, lines[i], w, l)
			}
		}
		order := []string{
			"mov %r13,%fs:0xfffffff8", "mov 0x38(%r13),%rsp", "call *%r12",
			"mov $0x402040,%r13", "jmp *%r13",
			"mov 0x10(%rdx),%rdx", "jmpq *(%rdx)",
		}
		at := 0
		for _, line := range lines {
			if at < len(order) && line == order[at] {
				at++
			}
		}
		if at != len(order) {
			t.Errorf("%s: %q missing or out of order\n%s", src, order[at], l)
		}
	}
}

// Without Trace no counter code is emitted; with it, exactly one locked
// increment of the record's count word.
func TestTraceCounterAMD64(t *testing.T) {
	p := planFor(t, abi.AMD64, "i32(i32, i32)", nil)
	for _, trace := range []bool{false, true} {
		code, err := Compile(p, testRuntime(trace))
		if err != nil {
			t.Fatal(err)
		}
		l, _ := listAMD64(code)
		n := strings.Count(l, "incq 0x18(%rdx)")
		if want := map[bool]int{false: 0, true: 1}[trace]; n != want || strings.Contains(l, "lock") != trace {
			t.Errorf("trace=%v: %d counter increments\n%s", trace, n, l)
		}
	}
}

// TestArgumentMovesAMD64 executes the argument moves of many generated
// plans on a small simulator of the instructions the lowering emits, with
// every Go argument register holding a value with dirty upper bits, and
// checks that every C location ends up with the right, extended value.
func TestArgumentMovesAMD64(t *testing.T) {
	kinds := []sig.Kind{sig.Bool, sig.I8, sig.U8, sig.I16, sig.U16, sig.I32, sig.U32, sig.I64, sig.U64, sig.Isize, sig.Usize, sig.F32, sig.F64, sig.Ptr}
	seed := uint64(7)
	rnd := func() uint64 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
	for iter := 0; iter < 1500; iter++ {
		s := &sig.Signature{Result: sig.Type{Kind: kinds[rnd()%uint64(len(kinds))]}}
		n := int(rnd() % 30)
		if rnd()%3 == 0 {
			s.Variadic, s.Fixed = true, int(rnd()%uint64(n+1))
		}
		shapes := make([]abi.GoParam, n)
		for i := 0; i < n; i++ {
			k := kinds[rnd()%uint64(len(kinds))]
			s.Params = append(s.Params, sig.Type{Kind: k})
			if k == sig.Ptr {
				// A string's copy is made before the moves, which
				// then pass its address from the data word.
				shapes[i] = [...]abi.GoParam{abi.GoScalar, abi.GoScalar, abi.GoSlice, abi.GoString}[rnd()%4]
			}
		}
		p, err := abi.New(abi.AMD64, s, shapes)
		if err != nil {
			t.Fatal(err)
		}
		code, err := Compile(p, testRuntime(false))
		if err != nil {
			t.Fatal(err)
		}
		if err := simulateMoves(p, code, rnd); err != nil {
			l, _ := listAMD64(code)
			t.Fatalf("%v\n%s\n%s", err, p, l)
		}
	}
}

// machine is the state the simulator tracks.
type machine struct {
	zf      bool // the zero flag, set by TEST and CMP
	gpr     [16]uint64
	xmm     [16]uint64
	goStack []byte // bytes at BP+16...
	cStack  []byte // bytes at SP... (C stack arguments, then staging)
}

// simSP is the value of SP the simulator gives the trampoline after it
// aligns the system stack (for LEA).
const simSP = 0x7fff0000

func simulateMoves(p *abi.Plan, code []byte, rnd func() uint64) error {
	m := &machine{goStack: make([]byte, p.GoStack+goResultBytes(p)+64), cStack: make([]byte, p.CStack+1024)}
	for i := range m.gpr {
		m.gpr[i] = rnd()
	}
	for i := range m.xmm {
		m.xmm[i] = rnd()
	}
	for i := range m.goStack {
		m.goStack[i] = byte(rnd())
	}
	// Half of the slices are empty: their length word is zero.
	for _, a := range p.Args {
		if a.GoAs != abi.GoSlice || rnd()%2 == 0 {
			continue
		}
		switch a.Go.Class {
		case abi.Int:
			m.gpr[goIntHW[a.Go.Reg+1]] = 0
		case abi.Stack:
			binary.LittleEndian.PutUint64(m.goStack[a.Go.Off+8:], 0)
		}
	}
	// Expected value of each argument, taken from where the Go caller put
	// it; an empty slice must reach C as NULL.
	want := make([]uint64, len(p.Args))
	for i, a := range p.Args {
		var length uint64
		switch a.Go.Class {
		case abi.Int:
			want[i] = m.gpr[goIntHW[a.Go.Reg]]
			if a.GoAs == abi.GoSlice {
				length = m.gpr[goIntHW[a.Go.Reg+1]]
			}
		case abi.Float:
			want[i] = m.xmm[a.Go.Reg]
		case abi.Stack:
			want[i] = binary.LittleEndian.Uint64(m.goStack[a.Go.Off:])
			if a.GoAs == abi.GoSlice {
				length = binary.LittleEndian.Uint64(m.goStack[a.Go.Off+8:])
			}
		}
		if a.GoAs == abi.GoSlice && length == 0 {
			want[i] = 0
		}
	}
	// The C bytes of each struct argument, from its Go registers.
	wantStruct := make([][]byte, len(p.Args))
	covered := make([][]bool, len(p.Args))
	for i, a := range p.Args {
		if a.Struct != nil {
			wantStruct[i], covered[i] = structBytes(a, m)
		}
	}
	goStack := append([]byte(nil), m.goStack...)
	// Run from the instruction after "and $-0x10,%rsp" to the call.
	pc, running, last := 0, false, ""
	for pc < len(code) {
		inst, err := x86asm.Decode(code[pc:], 64)
		if err != nil {
			return err
		}
		pc += inst.Len
		text := x86asm.GNUSyntax(inst, 0, nil)
		if !running {
			running = text == "and $-0x10,%rsp"
			continue
		}
		if inst.Op == x86asm.CALL {
			// A variadic callee finds the number of vector registers in
			// AL, set by the last instruction before the call.
			if want := fmt.Sprintf("mov $0x%x,%%eax", p.VecRegs); p.Variadic && last != want {
				return fmt.Errorf("variadic call: %q before the call, want %q", last, want)
			}
			if p.Variadic && m.gpr[0]&0xff != uint64(p.VecRegs) {
				return fmt.Errorf("variadic call: AL = %d, want %d", m.gpr[0]&0xff, p.VecRegs)
			}
			break
		}
		if err := m.exec(inst); err != nil {
			return fmt.Errorf("%s: %v", text, err)
		}
		last = text
	}
	if !bytes.Equal(goStack, m.goStack) {
		return fmt.Errorf("the argument moves write the Go caller's frame")
	}
	for i, a := range p.Args {
		if a.Struct != nil {
			if err := checkStructArg(m, a.Struct, wantStruct[i], covered[i]); err != nil {
				return fmt.Errorf("arg %d (%v): %v", i, a.Struct.Type, err)
			}
			continue
		}
		var got uint64
		switch a.C.Class {
		case abi.Int:
			got = m.gpr[cIntHW[a.C.Reg]]
		case abi.Float:
			got = m.xmm[a.C.Reg]
		case abi.Stack:
			got = binary.LittleEndian.Uint64(m.cStack[a.C.Off:])
		}
		if mask, w := cView(a, want[i]); got&mask != w {
			return fmt.Errorf("arg %d (%v): C sees %#x (mask %#x), want %#x", i, a.Kind, got&mask, mask, w)
		}
	}
	if p.Result.Struct != nil {
		return simulateStructResult(p, m, code, pc, rnd)
	}
	return nil
}

// goResultBytes is the size of the Go caller's stack-assigned result
// area the simulator provides (a struct result Go returns on its stack).
func goResultBytes(p *abi.Plan) int {
	if r := p.Result.Struct; r != nil && r.Go == nil {
		return p.Result.Go.Off - p.GoStack + r.Size
	}
	return 0
}

// structBytes lays out the Go register values of a struct argument the
// way C sees the struct in memory; covered marks the bytes that belong
// to a field (the rest is padding, which C never reads). A struct Go
// passes on its stack is its bytes there, all of which count.
func structBytes(a abi.Arg, m *machine) ([]byte, []bool) {
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
		var v uint64
		if l.Loc.Class == abi.Float {
			v = m.xmm[l.Loc.Reg]
		} else {
			v = m.gpr[goIntHW[l.Loc.Reg]]
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

// checkStructArg compares what C finds in the locations of a struct
// argument with its C layout.
func checkStructArg(m *machine, s *abi.Struct, want []byte, covered []bool) error {
	got := make([]byte, s.Size)
	for _, pc := range s.Pieces {
		switch pc.Loc.Class {
		case abi.Int, abi.Float:
			v := m.xmm[pc.Loc.Reg]
			if pc.Loc.Class == abi.Int {
				v = m.gpr[cIntHW[pc.Loc.Reg]]
			}
			var w [8]byte
			binary.LittleEndian.PutUint64(w[:], v)
			copy(got[pc.Off:pc.Off+pc.Size], w[:pc.Size])
		case abi.Stack:
			copy(got[pc.Off:pc.Off+pc.Size], m.cStack[pc.Loc.Off:])
		default:
			return fmt.Errorf("piece %+v has no location", pc)
		}
	}
	for k := range want {
		if covered[k] && got[k] != want[k] {
			return fmt.Errorf("byte %d: C sees % x, want % x", k, got, want)
		}
	}
	return nil
}

// simulateStructResult plays the C callee returning a struct result from
// the call instruction (code[pc:] follows it): random bytes in its C
// registers (with dirty bits above each piece) or in the buffer the hidden
// argument points to, every other register C may clobber made dirty. It
// then runs the trampoline up to the restore of the TLS g slot and checks
// every Go result register against the struct's field at its offset,
// narrow integers extended to 64 bits.
func simulateStructResult(p *abi.Plan, m *machine, code []byte, pc int, rnd func() uint64) error {
	s := p.Result.Struct
	res := make([]byte, s.Size)
	for k := range res {
		res[k] = byte(rnd())
	}
	var buf int
	if s.Pass == abi.Indirect {
		addr := m.gpr[cIntHW[s.Ref.Reg]]
		buf = int(addr) - simSP
		if buf < p.CStack || buf+s.Size > len(m.cStack) || buf%8 != 0 {
			return fmt.Errorf("hidden result pointer %#x: SP%+d, not in the staging area above %d bytes of arguments", addr, buf, p.CStack)
		}
	}
	// C clobbers every register but BX, BP, SP and R12-R15.
	for _, r := range []int{0, 1, 2, 6, 7, 8, 9, 10, 11} {
		m.gpr[r] = rnd()
	}
	for i := range m.xmm {
		m.xmm[i] = rnd()
	}
	switch s.Pass {
	case abi.Indirect:
		copy(m.cStack[buf:], res)
		m.gpr[0] = uint64(simSP + buf)
	case abi.InRegs:
		for _, pc := range s.Pieces {
			var w [8]byte
			binary.LittleEndian.PutUint64(w[:], rnd())
			copy(w[:pc.Size], res[pc.Off:])
			v := binary.LittleEndian.Uint64(w[:])
			if pc.Loc.Class == abi.Float {
				m.xmm[pc.Loc.Reg] = v
			} else {
				m.gpr[[]int{0, 2}[pc.Loc.Reg]] = v
			}
		}
	default:
		return fmt.Errorf("result passed %v", s.Pass)
	}
	goStack := append([]byte(nil), m.goStack...)
	for pc < len(code) {
		inst, err := x86asm.Decode(code[pc:], 64)
		if err != nil {
			return err
		}
		pc += inst.Len
		text := x86asm.GNUSyntax(inst, 0, nil)
		if text == "jmp *%r13" {
			break // to the shared exit
		}
		if text == "mov 0x38(%r14),%rbp" {
			continue // BP reloaded from g.sched.sp: the simulated Go frame does not move
		}
		if err := m.exec(inst); err != nil {
			return fmt.Errorf("after the call: %s: %v", text, err)
		}
	}
	if s.Go == nil {
		// Go's result slot holds the struct's bytes, and nothing else in
		// the caller's frame changed.
		off := p.Result.Go.Off
		if got := m.goStack[off : off+s.Size]; !bytes.Equal(got, res) {
			return fmt.Errorf("result on the Go stack at +%d: Go sees % x, want % x", off, got, res)
		}
		copy(goStack[off:], res)
		if !bytes.Equal(goStack, m.goStack) {
			return fmt.Errorf("the result copy writes the Go caller's frame outside the result slot +%d..+%d", off, off+s.Size)
		}
	}
	for _, l := range s.Go {
		var w [8]byte
		copy(w[:], res[l.Off:l.Off+l.Kind.Size()])
		v := binary.LittleEndian.Uint64(w[:])
		var got, want uint64
		if l.Loc.Class == abi.Float {
			got, want = m.xmm[l.Loc.Reg], v
			if l.Kind == sig.F32 {
				got &= 0xffffffff
			}
		} else {
			got = m.gpr[goIntHW[l.Loc.Reg]]
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

// cView is the part of a 64-bit location C reads for an argument, and the
// value it must hold there: narrow integers extended to 32 bits.
func cView(a abi.Arg, v uint64) (mask, want uint64) {
	if a.Promote {
		// A variadic f32 arrives as a double.
		return ^uint64(0), math.Float64bits(float64(math.Float32frombits(uint32(v))))
	}
	switch a.Kind {
	case sig.I8:
		return 0xffffffff, uint64(uint32(int32(int8(v))))
	case sig.U8, sig.Bool:
		return 0xffffffff, uint64(uint8(v))
	case sig.I16:
		return 0xffffffff, uint64(uint32(int32(int16(v))))
	case sig.U16:
		return 0xffffffff, uint64(uint16(v))
	case sig.I32, sig.U32, sig.F32:
		return 0xffffffff, v & 0xffffffff
	}
	return ^uint64(0), v
}

// Hardware numbers of the Go and C integer argument registers.
var (
	goIntHW = []int{0, 3, 1, 7, 6, 8, 9, 10, 11} // AX BX CX DI SI R8 R9 R10 R11
	cIntHW  = []int{7, 6, 2, 1, 8, 9}            // DI SI DX CX R8 R9
)

// gprOf maps a decoded register to its hardware number and width in bits.
func gprOf(r x86asm.Reg) (int, int, bool) {
	switch {
	case r >= x86asm.RAX && r <= x86asm.R15:
		return int(r - x86asm.RAX), 64, true
	case r >= x86asm.EAX && r <= x86asm.R15L:
		return int(r - x86asm.EAX), 32, true
	case r >= x86asm.AX && r <= x86asm.R15W:
		return int(r - x86asm.AX), 16, true
	case r >= x86asm.AL && r <= x86asm.BL:
		return int(r - x86asm.AL), 8, true
	case r >= x86asm.SPB && r <= x86asm.R15B:
		return int(r-x86asm.SPB) + 4, 8, true
	}
	return 0, 0, false
}

func (m *machine) read(a x86asm.Arg, bytes int) (uint64, error) {
	switch a := a.(type) {
	case x86asm.Reg:
		if n, _, ok := gprOf(a); ok {
			return m.gpr[n], nil
		}
		if a >= x86asm.X0 && a <= x86asm.X15 {
			return m.xmm[a-x86asm.X0], nil
		}
	case x86asm.Mem:
		buf, off, err := m.memory(a)
		if err != nil {
			return 0, err
		}
		var b [8]byte
		copy(b[:bytes], buf[off:off+bytes])
		return binary.LittleEndian.Uint64(b[:]), nil
	case x86asm.Imm:
		return uint64(int64(a)), nil
	}
	return 0, fmt.Errorf("cannot read %v", a)
}

func (m *machine) memory(a x86asm.Mem) ([]byte, int, error) {
	switch {
	case a.Base == x86asm.RBP && a.Index == 0 && a.Disp >= 16:
		return m.goStack, int(a.Disp - 16), nil
	case a.Base == x86asm.RSP && a.Index == 0 && a.Disp >= 0:
		return m.cStack, int(a.Disp), nil
	}
	return nil, 0, fmt.Errorf("unexpected memory operand %v", a)
}

func (m *machine) exec(inst x86asm.Inst) error {
	dst, src := inst.Args[0], inst.Args[1]
	size := inst.MemBytes
	var v uint64
	var err error
	switch inst.Op {
	case x86asm.XOR:
		a, _ := m.read(dst, 8)
		b, _ := m.read(src, 8)
		_, bits, _ := gprOf(dst.(x86asm.Reg))
		return m.write(dst, (a^b)&(1<<bits-1|^uint64(0)>>(64-bits)), bits/8, inst.Op)
	case x86asm.TEST:
		a, _ := m.read(dst, 8)
		b, _ := m.read(src, 8)
		m.zf = a&b == 0
		return nil
	case x86asm.CMP:
		a, err := m.read(dst, 8)
		if err != nil {
			return err
		}
		m.zf = a == uint64(int64(src.(x86asm.Imm)))
		return nil
	case x86asm.CMOVE:
		if !m.zf {
			return nil
		}
		if v, err = m.read(src, 8); err != nil {
			return err
		}
		return m.write(dst, v, 8, inst.Op)
	case x86asm.MOV, x86asm.MOVSD_XMM, x86asm.MOVSS, x86asm.MOVQ:
		width := 8
		if r, ok := dst.(x86asm.Reg); ok {
			if _, bits, ok := gprOf(r); ok {
				width = bits / 8
			}
		}
		if inst.Op == x86asm.MOVSS {
			width = 4
		}
		if size != 0 {
			width = size
		}
		if v, err = m.read(src, width); err != nil {
			return err
		}
		if width < 8 {
			v &= 1<<(8*width) - 1
		}
		return m.write(dst, v, width, inst.Op)
	case x86asm.LEA:
		a, ok := src.(x86asm.Mem)
		if !ok || a.Base != x86asm.RSP || a.Index != 0 {
			return fmt.Errorf("LEA of %v", src)
		}
		return m.write(dst, uint64(simSP+a.Disp), 8, inst.Op)
	case x86asm.CVTSS2SD:
		if v, err = m.read(src, 4); err != nil {
			return err
		}
		d := math.Float64bits(float64(math.Float32frombits(uint32(v))))
		return m.write(dst, d, 8, inst.Op)
	case x86asm.MOVSX, x86asm.MOVSXD, x86asm.MOVZX:
		from := size
		if from == 0 {
			r := src.(x86asm.Reg)
			_, bits, _ := gprOf(r)
			from = bits / 8
		}
		if v, err = m.read(src, from); err != nil {
			return err
		}
		_, dbits, _ := gprOf(dst.(x86asm.Reg))
		if inst.Op != x86asm.MOVZX {
			shift := 64 - 8*from
			v = uint64(int64(v<<shift) >> shift)
		} else {
			v &= 1<<(8*from) - 1
		}
		if dbits == 32 {
			v &= 0xffffffff
		}
		return m.write(dst, v, dbits/8, inst.Op)
	}
	return fmt.Errorf("simulator does not know %v", inst.Op)
}

func (m *machine) write(a x86asm.Arg, v uint64, width int, op x86asm.Op) error {
	switch a := a.(type) {
	case x86asm.Reg:
		if n, bits, ok := gprOf(a); ok {
			switch bits {
			case 64, 32: // a 32-bit write clears the upper half
				m.gpr[n] = v
			default:
				mask := uint64(1)<<bits - 1
				m.gpr[n] = m.gpr[n]&^mask | v&mask
			}
			return nil
		}
		if a >= x86asm.X0 && a <= x86asm.X15 {
			x := &m.xmm[a-x86asm.X0]
			if op == x86asm.MOVSS && width == 4 {
				*x = v & 0xffffffff
			} else {
				*x = v
			}
			return nil
		}
	case x86asm.Mem:
		buf, off, err := m.memory(a)
		if err != nil {
			return err
		}
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		copy(buf[off:off+width], b[:width])
		return nil
	}
	return fmt.Errorf("cannot write %v", a)
}

// Errno capture clears errno right before the call, reads it right after
// (before anything else can run C code on this thread), and builds the
// error in the two registers after the result; without a verified errno
// slot it refuses to compile.
func TestErrnoAMD64(t *testing.T) {
	p := planFor(t, abi.AMD64, "i32(ptr, i32)", nil)
	p = withErrno(t, p)
	rt := testRuntime(false)
	if _, err := Compile(p, rt); err == nil {
		t.Fatal("compiled errno capture without an errno slot")
	}
	rt.ErrnoOK, rt.ErrnoTLS, rt.ErrnoItab, rt.ErrnoTable = true, -56, 0x5000, 0x6000
	code, err := Compile(p, rt)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := listAMD64(code)
	lines := strings.Split(strings.TrimSpace(l), "\n")
	want := []string{
		"movl $0x0,%fs:0xffffffc8", "call *%r12", "mov %fs:0xffffffc8,%r13d", "movsxd %eax,%rax",
		"test %r13,%r13", "mov (%r15,%r13,8),%rcx", "mov $0x5000,%rbx", "xor %ebx,%ebx", "xor %ecx,%ecx",
		"mov $0x402040,%r13",
	}
	at := 0
	for i, line := range lines {
		if at < len(want) && line == want[at] {
			if (at == 1 || at == 2) && lines[i-1] != want[at-1] {
				t.Errorf("%q does not directly follow %q", want[at], want[at-1])
			}
			at++
		}
	}
	if at != len(want) {
		t.Errorf("%q missing or out of order:\n%s", want[at], l)
	}
}

// TestStructMovesAMD64 runs the simulator over generated signatures with
// structs by value: every fast plan's struct arguments must reach C with
// their fields at their C offsets (in registers or stack slots), and a
// struct result must reach the Go result registers field by field. The
// Go registers hold dirty upper bits throughout.
func TestStructMovesAMD64(t *testing.T) {
	seed := uint64(11)
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
		for range 1 + next(4) {
			f := sig.Type{Kind: scalars[next(len(scalars))]}
			if depth > 1 && next(4) == 0 {
				f = structType(depth - 1)
			}
			if next(8) == 0 {
				// Go passes a struct with a longer array on its stack.
				e := f
				f = sig.Type{Kind: sig.Array, Elem: &e, Len: 1 + next(2)*next(3)}
			}
			t.Fields = append(t.Fields, f)
		}
		return t
	}
	fast, results, memory, indirect, goStack := 0, 0, 0, 0, 0
	for iter := 0; iter < 3000; iter++ {
		s := &sig.Signature{Result: sig.Type{Kind: scalars[next(len(scalars))]}}
		if next(2) == 0 {
			s.Result = structType(3)
		}
		for range next(12) {
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
		p, err := abi.New(abi.AMD64, s, nil)
		if err != nil {
			t.Fatalf("%v: %v", s, err)
		}
		if CanLower(p) != nil {
			continue
		}
		fast++
		onGoStack := false
		if r := p.Result.Struct; r != nil {
			onGoStack = r.Go == nil
			results++
			if r.Pass == abi.Indirect {
				indirect++
			}
		}
		for _, a := range p.Args {
			if a.Struct != nil && a.Struct.Pass == abi.InMemory {
				memory++
				break
			}
		}
		for _, a := range p.Args {
			onGoStack = onGoStack || a.Struct != nil && a.Struct.Go == nil
		}
		if onGoStack {
			goStack++
		}
		code, err := Compile(p, testRuntime(false))
		if err != nil {
			t.Fatalf("%v", err)
		}
		if err := simulateMoves(p, code, rnd); err != nil {
			l, _ := listAMD64(code)
			t.Fatalf("%v\n%s\n%s", err, p, l)
		}
	}
	if fast < 500 || results < 200 || memory < 50 || indirect < 50 || goStack < 100 {
		t.Errorf("too few fast struct plans: %d (%d struct results, %d indirect, %d with struct arguments in memory, %d with a struct on the Go stack)", fast, results, indirect, memory, goStack)
	}
	t.Logf("%d fast struct plans: %d struct results, %d indirect, %d with struct arguments in memory, %d with a struct on the Go stack", fast, results, indirect, memory, goStack)
}
