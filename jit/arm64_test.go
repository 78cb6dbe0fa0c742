package jit

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/arch/arm64/arm64asm"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

// These tests decode what the arm64 lowering emits with x/arch's arm64asm,
// so they run on every host: qemu runs the code, but only these catch an
// encoding the emulator happens to tolerate.

// runtimeARM64 is a fixed arm64 runtime description so listings are stable:
// the TLS g slot at TPIDR_EL0+16 and systemstack_switch+8 at 0x9b908.
// exitARM64Listing is the branch to the shared exit at runtimeARM64's Exit.
var exitARM64Listing = []string{"mov x21, #0xc040", "movk x21, #0x9, lsl #16", "br x21"}

func runtimeARM64(trace bool) *Runtime {
	rt := testLayout
	rt.TLSG = 16
	rt.SwitchPC = 0x9b908
	rt.Exit = 0x9c040
	rt.Trace = trace
	return &rt
}

func planARM64(t testing.TB, src string, shapes []abi.GoParam) *abi.Plan {
	t.Helper()
	s, err := sig.Parse(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	p, err := abi.New(abi.ARM64, s, shapes)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return p
}

func compileSigARM64(t testing.TB, src string, shapes []abi.GoParam, trace bool) []byte {
	t.Helper()
	code, err := Compile(planARM64(t, src, shapes), runtimeARM64(trace))
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	if len(code)%4 != 0 {
		t.Fatalf("%s: %d bytes of code is not whole instructions", src, len(code))
	}
	return code
}

func listSigARM64(t testing.TB, src string, shapes []abi.GoParam, trace bool) []string {
	t.Helper()
	l, err := listARM64(compileSigARM64(t, src, shapes, trace))
	if err != nil {
		t.Fatalf("%s: %v\n%s", src, err, l)
	}
	return strings.Split(strings.TrimSuffix(l, "\n"), "\n")
}

// The whole trampoline of the simplest signature, instruction by
// instruction. (arm64asm prints MRS TPIDR_EL0 by its encoding,
// s3_3_c13_c0_2.)
func TestListingARM64(t *testing.T) {
	want := `ldr x20, [x26,#8]
cbz x20, .+0x98
ldr x21, [x28,#16]
tbnz w21, #1, .+0x90
str x30, [sp,#-16]!
stur x29, [sp,#-8]
sub x29, sp, #0x8
mov x21, #0xb908
movk x21, #0x9, lsl #16
str x21, [x28,#64]
mov x19, sp
str x19, [x28,#56]
str x29, [x28,#96]
str xzr, [x28,#88]
stp x19, x21, [x28,#104]
mov x23, x21
ldr x21, [x28,#48]
add x22, x21, #0x368
stp x23, x19, [x22]
str x28, [x22,#16]
ldr w22, [x21,#328]
add x22, x22, #0x1
str w22, [x21,#328]
orr x23, xzr, #0x1
strb w23, [x21,#280]
ldr x21, [x21]
mrs x22, s3_3_c13_c0_2
str x21, [x22,#16]
ldr x22, [x21,#56]
mov x23, #0x4a49000000000000
str x23, [x22,#-8]!
str x19, [x22,#-8]!
and x22, x22, #0xfffffffffffffff0
mov sp, x22
blr x20
sxtw x0, w0
mov x21, #0xc040
movk x21, #0x9, lsl #16
br x21
ldr x26, [x26,#16]
ldr x21, [x26]
br x21`
	got := strings.Join(listSigARM64(t, "i32(i32, i32)", nil, false), "\n")
	if got != want {
		t.Errorf("i32(i32, i32) on arm64:\n%s\n\nwant:\n%s", got, want)
	}
}

// listingSigsARM64 are the representative shapes every contract test runs
// over: the plain case, a float, narrow arguments and result, more than 8
// integer and more than 8 float arguments (C stack slots and Go stack
// arguments), a mix, slices in registers and on the Go stack, and structs
// by value.
var listingSigsARM64 = []struct {
	src    string
	shapes []abi.GoParam
}{
	{"void()", nil},
	{"i32(i32, i32)", nil},
	{"f64(f64)", nil},
	{"u8(i8, u16, bool, i16)", nil},
	{"i64(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i8, i16, u8)", nil},
	{"f64(f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f32, f64)", nil},
	{"f64(i32, f64, i64, i8, f32, u8, i16, f64, u32, f32, u16, f64)", nil},
	{"i32(ptr, ptr, ptr, ptr, ptr, ptr)", []abi.GoParam{abi.GoSlice, abi.GoSlice, abi.GoSlice, abi.GoSlice, abi.GoSlice, abi.GoSlice}},
	// Structs: HFAs in V registers, a small struct packed into X
	// registers, one by reference; a result through X8 and structs from
	// the Go stack; structs in C stack slots and a result to the Go stack.
	{"{f32, f32, f32}({f64, f64}, {i32, i8}, {i64, i64, i64})", nil},
	{"{i64, i64, i64}(i8, {f32[3]}, {{i16, u8}[3]})", nil},
	{"{u8[3]}(i64, i64, i64, i64, i64, i64, i64, {i64, i64}, {i32, f32})", nil},
}

// The entry contract, on the decoded listing of every representative
// signature: the bail-out check comes first and writes no argument
// register; g.sched is saved after the frame is built; the TLS g slot is
// set to g0 before SP moves to the system stack; after the call the
// trampoline branches to the shared exit (TestSharedARM64 pins what that
// does); the bail-out jumps through the fallback funcval with LR
// untouched.
func TestEntryContractARM64(t *testing.T) {
	for _, tc := range listingSigsARM64 {
		lines := listSigARM64(t, tc.src, tc.shapes, false)
		l := strings.Join(lines, "\n")
		wantPrefix := []string{
			"ldr x20, [x26,#8]",
			"cbz x20, ",
			"ldr x21, [x28,#16]",
			"tbnz w21, #1, ",
			"str x30, [sp,#-16]!",
			"stur x29, [sp,#-8]",
			"sub x29, sp, #0x8",
		}
		for i, w := range wantPrefix {
			if !strings.HasPrefix(lines[i], w) {
				t.Fatalf("%s: line %d is %q, want %q\n%s", tc.src, i, lines[i], w, l)
			}
		}
		order := []string{
			"str x21, [x28,#64]", // sched.pc
			"mov x19, sp",
			"str x19, [x28,#56]", // sched.sp
			"str x29, [x28,#96]", // sched.bp
			"str xzr, [x28,#88]", // sched.lr
			"ldr x21, [x28,#48]", // g.m
			"ldr x21, [x21]",     // m.g0
			"mrs x22, s3_3_c13_c0_2",
			"str x21, [x22,#16]",  // TLS g = g0
			"ldr x22, [x21,#56]",  // g0.sched.sp
			"str x23, [x22,#-8]!", // the marker
			"and x22, x22, #0xfffffffffffffff0",
			"mov sp, x22",
			"blr x20",
			exitARM64Listing[0], exitARM64Listing[1], exitARM64Listing[2], // to the shared exit
			"ldr x26, [x26,#16]",
			"ldr x21, [x26]",
			"br x21",
		}
		at := 0
		for _, line := range lines {
			if at < len(order) && line == order[at] {
				at++
			}
		}
		if at != len(order) {
			t.Errorf("%s: %q missing or out of order\n%s", tc.src, order[at], l)
		}
		// Where R19 takes g.sched.sp again after the call (the stack may
		// have moved; the shared exit always does), nothing uses it before.
		if call, re := indexOf(lines, "blr x20"), indexOf(lines, "ldr x19, [x28,#56]"); re >= 0 {
			if re < call || strings.Count(l, "ldr x19, [x28,#56]") != 1 {
				t.Errorf("%s: R19 is not reloaded from g.sched.sp once after the call\n%s", tc.src, l)
			}
			for _, line := range lines[call+1 : re] {
				if strings.Contains(line, "x19") {
					t.Errorf("%s: %q uses R19 before its reload\n%s", tc.src, line, l)
				}
			}
		} else {
			for _, line := range lines[call+1:] {
				if strings.Contains(line, "x19") {
					t.Errorf("%s: %q uses R19 after the call, which the shared exit reloads\n%s", tc.src, line, l)
				}
			}
		}
		if lines[len(lines)-1] != "br x21" || lines[len(lines)-3] != "ldr x26, [x26,#16]" {
			t.Errorf("%s: the bail-out block is not the last three instructions\n%s", tc.src, l)
		}
		// Nothing in the bail-out path writes a Go argument register, a
		// float register or LR; only R20, R21 and R26.
		for _, line := range append(lines[:4:4], lines[len(lines)-3:]...) {
			if d := destARM64(line); d != "" && d != "x20" && d != "x21" && d != "x26" {
				t.Errorf("%s: bail-out path writes %s: %q", tc.src, d, line)
			}
		}
	}
}

// destARM64 is the register an instruction of the bail-out path writes, or
// "" for stores, compares and branches.
func destARM64(line string) string {
	op, args, _ := strings.Cut(line, " ")
	switch op {
	case "ldr", "ldur", "mov", "add", "sub", "mrs":
		d, _, _ := strings.Cut(args, ",")
		return d
	}
	return ""
}

// The MRS the listings print as s3_3_c13_c0_2 really reads TPIDR_EL0:
// check the words against Go's own encoding (MRS TPIDR_EL0, R0 is
// 0xd53bd040; Rt in the low five bits).
func TestTPIDRARM64(t *testing.T) {
	code := compileSigARM64(t, "i32(i32, i32)", nil, false)
	var mrs []uint32
	for pc := 0; pc+4 <= len(code); pc += 4 {
		if w := binary.LittleEndian.Uint32(code[pc:]); w&^31 == 0xd53bd040 {
			mrs = append(mrs, w)
		}
	}
	if len(mrs) != 1 || mrs[0] != 0xd53bd040|22 {
		t.Errorf("MRS TPIDR_EL0 words %#x, want 0xd53bd056 (the restore is the shared exit's)", mrs)
	}
}

// Narrow arguments are extended to 32 bits in their C registers, and a
// narrow result is normalised to the full register.
func TestNarrowARM64(t *testing.T) {
	lines := listSigARM64(t, "u8(i8, u16, bool, i16)", nil, false)
	l := strings.Join(lines, "\n")
	for _, w := range []string{"sxtb w0, w0", "uxth w1, w1", "uxtb w2, w2", "sxth w3, w3", "blr x20", "uxtb w0, w0", exitARM64Listing[2]} {
		i := indexOf(lines, w)
		if i < 0 {
			t.Fatalf("missing %q\n%s", w, l)
		}
		lines = lines[i+1:]
	}
	for src, norm := range map[string]string{
		"i8()": "sxtb x0, w0", "u8()": "uxtb w0, w0", "bool()": "uxtb w0, w0",
		"i16()": "sxth x0, w0", "u16()": "uxth w0, w0", "i32()": "sxtw x0, w0",
		"u32()": "mov w0, w0",
	} {
		lines := listSigARM64(t, src, nil, false)
		call := indexOf(lines, "blr x20")
		if call < 0 || lines[call+1] != norm {
			t.Errorf("%s: want %q right after the call\n%s", src, norm, strings.Join(lines, "\n"))
		}
	}
	for _, src := range []string{"i64()", "ptr()", "f32()", "f64()", "void()"} {
		lines := listSigARM64(t, src, nil, false)
		call := indexOf(lines, "blr x20")
		if call < 0 || lines[call+1] != exitARM64Listing[0] {
			t.Errorf("%s: something between the call and the restore\n%s", src, strings.Join(lines, "\n"))
		}
	}
}

func indexOf(lines []string, s string) int {
	for i, l := range lines {
		if l == s {
			return i
		}
	}
	return -1
}

// More than 8 integer or float arguments: the C stack area is reserved
// below g0.sched.sp and the extra arguments are stored into 8-byte slots
// from SP up; arguments beyond Go's 16 registers are read from the Go
// caller's frame above ours (R19+24).
func TestStackArgsARM64(t *testing.T) {
	ints := "i64(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i8, i16, u8)"
	lines := listSigARM64(t, ints, nil, false)
	l := strings.Join(lines, "\n")
	for _, w := range []string{
		"sub x22, x22, #0x60", // 12 C stack slots
		"and x22, x22, #0xfffffffffffffff0",
		"mov sp, x22",
		"str x8, [sp]", "str x9, [sp,#8]", "str x15, [sp,#56]",
		"ldr x21, [x19,#24]", "str x21, [sp,#64]", // Go stack arg 0 (i64)
		"ldrsb x21, [x19,#32]", "str x21, [sp,#72]", // i8, sign-extended
		"ldrsh x21, [x19,#34]", "str x21, [sp,#80]", // i16
		"ldrb w21, [x19,#36]", "str x21, [sp,#88]", // u8, zero-extended
		"blr x20",
	} {
		i := indexOf(lines, w)
		if i < 0 {
			t.Fatalf("%s: missing or out of order %q\n%s", ints, w, l)
		}
		lines = lines[i+1:]
	}

	floats := "f64(f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f32, f64)"
	lines = listSigARM64(t, floats, nil, false)
	l = strings.Join(lines, "\n")
	for _, w := range []string{
		"sub x22, x22, #0x50", // 10 C stack slots
		"mov sp, x22",
		"str d8, [sp]", "str d15, [sp,#56]",
		"ldr w21, [x19,#24]", "str x21, [sp,#64]", // Go stack f32
		"ldr x21, [x19,#32]", "str x21, [sp,#72]", // Go stack f64
		"blr x20",
	} {
		i := indexOf(lines, w)
		if i < 0 {
			t.Fatalf("%s: missing or out of order %q\n%s", floats, w, l)
		}
		lines = lines[i+1:]
	}
}

// Without Trace no counter code is emitted; with it, one LL/SC increment
// of the record's count word, before the frame is built.
func TestTraceCounterARM64(t *testing.T) {
	for _, trace := range []bool{false, true} {
		lines := listSigARM64(t, "i32(i32, i32)", nil, trace)
		l := strings.Join(lines, "\n")
		n := strings.Count(l, "ldxr ")
		if want := map[bool]int{false: 0, true: 1}[trace]; n != want || strings.Count(l, "stxr ") != want {
			t.Errorf("trace=%v: %d counter increments\n%s", trace, n, l)
		}
		if !trace {
			continue
		}
		add, frame := indexOf(lines, "add x21, x26, #0x18"), indexOf(lines, "str x30, [sp,#-16]!")
		if add < 4 || frame < add {
			t.Errorf("the counter is not incremented between the bail-out check and the frame\n%s", l)
		}
	}
}

// TestArgumentMovesARM64 executes the argument moves of many generated
// plans on a small simulator of the instructions the lowering emits, with
// every Go argument register holding a value with dirty upper bits, and
// checks that every C location ends up with the right, extended value.
func TestArgumentMovesARM64(t *testing.T) {
	kinds := []sig.Kind{sig.Bool, sig.I8, sig.U8, sig.I16, sig.U16, sig.I32, sig.U32, sig.I64, sig.U64, sig.Isize, sig.Usize, sig.F32, sig.F64, sig.Ptr}
	seed := uint64(11)
	rnd := func() uint64 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
	for iter := 0; iter < 1500; iter++ {
		s := &sig.Signature{Result: sig.Type{Kind: kinds[rnd()%uint64(len(kinds))]}}
		n := int(rnd() % 40)
		shapes := make([]abi.GoParam, n)
		for i := 0; i < n; i++ {
			k := kinds[rnd()%uint64(len(kinds))]
			s.Params = append(s.Params, sig.Type{Kind: k})
			if k == sig.Ptr && rnd()%3 == 0 {
				shapes[i] = abi.GoSlice
			}
		}
		if n > 0 && rnd()%4 == 0 {
			s.Variadic, s.Fixed = true, int(rnd()%uint64(n))
		}
		p, err := abi.New(abi.ARM64, s, shapes)
		if err != nil {
			t.Fatal(err)
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
}

// machineARM64 is the state the simulator tracks.
type machineARM64 struct {
	x       [32]uint64 // x31 is never used
	v       [32]uint64 // the low 64 bits of each vector register
	goStack []byte     // bytes at R19+24...
	cStack  []byte     // bytes at SP...
}

func simulateMovesARM64(p *abi.Plan, code []byte, rnd func() uint64) error {
	m := &machineARM64{goStack: make([]byte, p.GoStack+goResultBytes(p)+64), cStack: make([]byte, p.CStack+4096)}
	for i := range m.x {
		m.x[i] = rnd()
	}
	for i := range m.v {
		m.v[i] = rnd()
	}
	for i := range m.goStack {
		m.goStack[i] = byte(rnd())
	}
	// Expected value of each argument, taken from where the Go caller put
	// it; some slices are empty, and C must see NULL for them.
	want := make([]uint64, len(p.Args))
	for i, a := range p.Args {
		if a.Struct != nil {
			continue
		}
		switch a.Go.Class {
		case abi.Int:
			want[i] = m.x[a.Go.Reg]
			if a.GoAs == abi.GoSlice && rnd()%2 == 0 {
				m.x[a.Go.Reg+1] = 0
			}
			if a.GoAs == abi.GoSlice && m.x[a.Go.Reg+1] == 0 {
				want[i] = 0
			}
		case abi.Float:
			want[i] = m.v[a.Go.Reg]
		case abi.Stack:
			want[i] = binary.LittleEndian.Uint64(m.goStack[a.Go.Off:])
			if a.GoAs == abi.GoSlice && rnd()%2 == 0 {
				binary.LittleEndian.PutUint64(m.goStack[a.Go.Off+8:], 0)
			}
			if a.GoAs == abi.GoSlice && binary.LittleEndian.Uint64(m.goStack[a.Go.Off+8:]) == 0 {
				want[i] = 0
			}
		}
		if a.Promote {
			want[i] = math.Float64bits(float64(math.Float32frombits(uint32(want[i]))))
		}
	}
	wantStruct := make([][]byte, len(p.Args))
	covered := make([][]bool, len(p.Args))
	for i, a := range p.Args {
		if a.Struct != nil {
			wantStruct[i], covered[i] = structBytesARM64(a, m)
		}
	}
	goStack := append([]byte(nil), m.goStack...)
	// Run from the instruction after "mov sp, x22" to the call.
	running := false
	pc := 0
	for pc+4 <= len(code) {
		inst, err := arm64asm.Decode(code[pc:])
		if err != nil {
			return fmt.Errorf("decode at %#x: %v", pc, err)
		}
		text := arm64asm.GNUSyntax(inst)
		pc += 4
		if !running {
			running = text == "mov sp, x22"
			continue
		}
		if inst.Op == arm64asm.BLR {
			break
		}
		next, err := m.exec(inst, pc-4)
		if err != nil {
			return fmt.Errorf("%s: %v", text, err)
		}
		if next >= 0 {
			pc = next
		}
	}
	if !bytes.Equal(goStack, m.goStack) {
		return fmt.Errorf("the argument moves write the Go caller's frame")
	}
	for i, a := range p.Args {
		if a.Struct != nil {
			if err := checkStructArgARM64(p, m, a.Struct, wantStruct[i], covered[i]); err != nil {
				return fmt.Errorf("arg %d (%v): %v", i, a.Struct.Type, err)
			}
			continue
		}
		var got uint64
		switch a.C.Class {
		case abi.Int:
			got = m.x[a.C.Reg]
		case abi.Float:
			got = m.v[a.C.Reg]
		case abi.Stack:
			got = binary.LittleEndian.Uint64(m.cStack[a.C.Off:])
		}
		if mask, w := cViewARM64(a, want[i]); got&mask != w {
			return fmt.Errorf("arg %d (%v): C sees %#x (mask %#x), want %#x", i, a.Kind, got&mask, mask, w)
		}
	}
	if p.Result.Struct != nil {
		return simulateStructResultARM64(p, m, code, pc, rnd)
	}
	return nil
}

// cViewARM64 is the part of a 64-bit location C reads for an argument, and
// the value it must hold there: narrow integers extended to 32 bits.
func cViewARM64(a abi.Arg, v uint64) (mask, want uint64) {
	switch {
	case a.Promote:
		return ^uint64(0), v
	case a.Kind == sig.I8:
		return 0xffffffff, uint64(uint32(int32(int8(v))))
	case a.Kind == sig.U8 || a.Kind == sig.Bool:
		return 0xffffffff, uint64(uint8(v))
	case a.Kind == sig.I16:
		return 0xffffffff, uint64(uint32(int32(int16(v))))
	case a.Kind == sig.U16:
		return 0xffffffff, uint64(uint16(v))
	case a.Kind == sig.I32 || a.Kind == sig.U32 || a.Kind == sig.F32:
		return 0xffffffff, v & 0xffffffff
	}
	return ^uint64(0), v
}

// regARM64 maps a decoded register to its file ('x' or 'v'), number and
// width in bits.
func regARM64(a arm64asm.Arg) (file byte, n int, bits int, ok bool) {
	r, isReg := a.(arm64asm.Reg)
	if !isReg {
		return 0, 0, 0, false
	}
	switch {
	case r >= arm64asm.W0 && r <= arm64asm.W30:
		return 'x', int(r - arm64asm.W0), 32, true
	case r >= arm64asm.X0 && r <= arm64asm.X30:
		return 'x', int(r - arm64asm.X0), 64, true
	case r == arm64asm.WZR:
		return 'z', 31, 32, true
	case r == arm64asm.XZR:
		return 'z', 31, 64, true
	case r >= arm64asm.S0 && r <= arm64asm.S31:
		return 'v', int(r - arm64asm.S0), 32, true
	case r >= arm64asm.D0 && r <= arm64asm.D31:
		return 'v', int(r - arm64asm.D0), 64, true
	}
	return 0, 0, 0, false
}

func (m *machineARM64) get(a arm64asm.Arg) (uint64, int, error) {
	if r, isSP := a.(arm64asm.RegSP); isSP {
		if arm64asm.Reg(r) == arm64asm.SP {
			return simSPARM64, 64, nil
		}
		a = arm64asm.Reg(r)
	}
	file, n, bits, ok := regARM64(a)
	if !ok {
		return 0, 0, fmt.Errorf("not a register: %v", a)
	}
	var v uint64
	switch file {
	case 'x':
		v = m.x[n]
	case 'v':
		v = m.v[n]
	}
	if bits == 32 {
		v &= 0xffffffff
	}
	return v, bits, nil
}

// set writes a register; a 32-bit (W or S) write clears the upper half.
func (m *machineARM64) set(a arm64asm.Arg, v uint64) error {
	if r, isSP := a.(arm64asm.RegSP); isSP && arm64asm.Reg(r) != arm64asm.SP {
		a = arm64asm.Reg(r)
	}
	file, n, bits, ok := regARM64(a)
	if !ok {
		return fmt.Errorf("not a register: %v", a)
	}
	if bits == 32 {
		v &= 0xffffffff
	}
	switch file {
	case 'x':
		m.x[n] = v
	case 'v':
		m.v[n] = v
	default:
		return fmt.Errorf("write to %v", a)
	}
	return nil
}

// memARM64 resolves a memory operand: R19+24+off is the Go stack, SP+off
// the C stack. Only plain offsets occur between the switch and the call.
func (m *machineARM64) memARM64(a arm64asm.Arg) ([]byte, int, error) {
	mi, ok := a.(arm64asm.MemImmediate)
	if !ok || mi.Mode != arm64asm.AddrOffset {
		return nil, 0, fmt.Errorf("unexpected memory operand %v", a)
	}
	off := 0
	if s := mi.String(); strings.Contains(s, ",#") {
		n, err := strconv.Atoi(strings.TrimSuffix(s[strings.Index(s, ",#")+2:], "]"))
		if err != nil {
			return nil, 0, fmt.Errorf("memory operand %v: %v", a, err)
		}
		off = n
	}
	switch base := mi.Base.String(); {
	case base == "X19" && off >= goStackARM64:
		return m.goStack, off - goStackARM64, nil
	case base == "SP" && off >= 0:
		return m.cStack, off, nil
	}
	return nil, 0, fmt.Errorf("unexpected memory operand %v", a)
}

func signExtend(v uint64, bits int) uint64 {
	return uint64(int64(v<<(64-bits)) >> (64 - bits))
}

// exec runs one instruction at pc; it returns the next pc for a taken
// branch, or -1.
func (m *machineARM64) exec(inst arm64asm.Inst, pc int) (int, error) {
	args := inst.Args
	switch inst.Op {
	case arm64asm.MOV:
		switch src := args[1].(type) {
		case arm64asm.Imm64:
			return -1, m.set(args[0], src.Imm)
		case arm64asm.Imm:
			return -1, m.set(args[0], uint64(src.Imm))
		}
		v, _, err := m.get(args[1])
		if err != nil {
			return -1, err
		}
		return -1, m.set(args[0], v)
	case arm64asm.FMOV:
		v, _, err := m.get(args[1])
		if err != nil {
			return -1, err
		}
		return -1, m.set(args[0], v)
	case arm64asm.FCVT:
		v, bits, err := m.get(args[1])
		if err != nil || bits != 32 {
			return -1, fmt.Errorf("unexpected conversion source (%v)", err)
		}
		return -1, m.set(args[0], math.Float64bits(float64(math.Float32frombits(uint32(v)))))
	case arm64asm.SXTB, arm64asm.UXTB, arm64asm.SXTH, arm64asm.UXTH, arm64asm.SXTW:
		v, _, err := m.get(args[1])
		if err != nil {
			return -1, err
		}
		switch inst.Op {
		case arm64asm.SXTB:
			v = signExtend(v, 8)
		case arm64asm.UXTB:
			v &= 0xff
		case arm64asm.SXTH:
			v = signExtend(v, 16)
		case arm64asm.UXTH:
			v &= 0xffff
		case arm64asm.SXTW:
			v = signExtend(v, 32)
		}
		return -1, m.set(args[0], v)
	case arm64asm.ADD:
		x, _, err := m.get(args[1])
		if err != nil {
			return -1, err
		}
		var y uint64
		if is, ok := args[2].(arm64asm.ImmShift); ok {
			if y, err = immShiftARM64(is); err != nil {
				return -1, err
			}
		} else if y, _, err = m.get(args[2]); err != nil {
			return -1, err
		}
		return -1, m.set(args[0], x+y)
	case arm64asm.LDR, arm64asm.LDUR, arm64asm.LDRB, arm64asm.LDURB, arm64asm.LDRSB, arm64asm.LDURSB,
		arm64asm.LDRH, arm64asm.LDURH, arm64asm.LDRSH, arm64asm.LDURSH, arm64asm.LDRSW, arm64asm.LDURSW:
		buf, off, err := m.memARM64(args[1])
		if err != nil {
			return -1, err
		}
		_, _, bits, _ := regARM64(args[0])
		size := map[arm64asm.Op]int{arm64asm.LDRB: 1, arm64asm.LDURB: 1, arm64asm.LDRSB: 1, arm64asm.LDURSB: 1,
			arm64asm.LDRH: 2, arm64asm.LDURH: 2, arm64asm.LDRSH: 2, arm64asm.LDURSH: 2, arm64asm.LDRSW: 4, arm64asm.LDURSW: 4}[inst.Op]
		if size == 0 {
			size = bits / 8
		}
		var b [8]byte
		copy(b[:size], buf[off:off+size])
		v := binary.LittleEndian.Uint64(b[:])
		switch inst.Op {
		case arm64asm.LDRSB, arm64asm.LDURSB, arm64asm.LDRSH, arm64asm.LDURSH, arm64asm.LDRSW, arm64asm.LDURSW:
			v = signExtend(v, size*8)
		}
		return -1, m.set(args[0], v)
	case arm64asm.STR, arm64asm.STUR, arm64asm.STRB, arm64asm.STURB, arm64asm.STRH, arm64asm.STURH:
		buf, off, err := m.memARM64(args[1])
		if err != nil {
			return -1, err
		}
		v, bits, err := m.get(args[0])
		if err != nil {
			return -1, err
		}
		size := map[arm64asm.Op]int{arm64asm.STRB: 1, arm64asm.STURB: 1, arm64asm.STRH: 2, arm64asm.STURH: 2}[inst.Op]
		if size == 0 {
			size = bits / 8
		}
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		copy(buf[off:off+size], b[:size])
		return -1, nil
	case arm64asm.CBNZ, arm64asm.CBZ:
		v, _, err := m.get(args[0])
		if err != nil {
			return -1, err
		}
		if (v != 0) == (inst.Op == arm64asm.CBNZ) {
			return pc + int(args[1].(arm64asm.PCRel)), nil
		}
		return -1, nil
	}
	return -1, fmt.Errorf("simulator does not know %v", inst.Op)
}

// A variadic f32 gets C's default promotion to double (AAPCS64 on Linux
// passes variadic arguments like fixed ones otherwise): converted in place
// in its Go register, or through F16 on its way from the Go stack to a C
// stack slot, and stored as 8 bytes.
func TestVariadicPromoteListingARM64(t *testing.T) {
	lines := listSigARM64(t, "i32(ptr, ... f32)", nil, false)
	l := strings.Join(lines, "\n")
	if i, j := indexOf(lines, "fcvt d0, s0"), indexOf(lines, "blr x20"); i < 0 || j < i {
		t.Errorf("i32(ptr, ... f32): no fcvt d0, s0 before the call\n%s", l)
	}
	src := "i32(ptr, ... f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)"
	lines = listSigARM64(t, src, nil, false)
	l = strings.Join(lines, "\n")
	for _, w := range []string{
		"mov sp, x22", "fcvt d8, s8", "str d8, [sp]", // F8 goes to the first C stack slot
		"ldr s16, [x19,#24]", "fcvt d16, s16", "str d16, [sp,#64]", // the 17th f32 is on the Go stack
		"blr x20",
	} {
		i := indexOf(lines, w)
		if i < 0 {
			t.Fatalf("%s: missing or out of order %q\n%s", src, w, l)
		}
		lines = lines[i+1:]
	}
	if strings.Contains(l, "str s") {
		t.Errorf("%s: a promoted f32 stored as 4 bytes\n%s", src, l)
	}
}

// Errno capture on arm64, as TestErrnoAMD64: errno's address
// (TPIDR_EL0 + ErrnoTLS) goes into R22, which C preserves, after the
// argument moves; errno is cleared by the instruction right before the
// BLR and loaded by the one right after; then the result is normalised,
// the error is built in the two Go registers after the result (x1, x2
// here) and the TLS g slot is restored. Without a verified errno slot the
// plan is refused.
func TestErrnoARM64(t *testing.T) {
	p := planARM64(t, "i32(ptr, i32)", nil)
	p = withErrno(t, p)
	rt := runtimeARM64(false)
	if _, err := Compile(p, rt); err == nil {
		t.Fatal("compiled errno capture without an errno slot")
	}
	rt.ErrnoOK, rt.ErrnoTLS, rt.ErrnoItab, rt.ErrnoTable = true, 48, 0x5000, 0x6000
	code, err := Compile(p, rt)
	if err != nil {
		t.Fatal(err)
	}
	l, err := listARM64(code)
	if err != nil {
		t.Fatalf("%v\n%s", err, l)
	}
	lines := strings.Split(strings.TrimSpace(l), "\n")
	// Each group is contiguous; the groups are in this order.
	want := [][]string{
		{"mov sp, x22"},
		{"mrs x22, s3_3_c13_c0_2", "add x22, x22, #0x30", "str wzr, [x22]", "blr x20", "ldr w22, [x22]", "sxtw x0, w0"},
		{"cbz x22, .+0x20", "orr x23, xzr, #0xfff", "cmp x22, x23", "csel x22, x23, x22, hi",
			"orr x23, xzr, #0x6000", "ldr x2, [x23,x22,lsl #3]", "mov x1, #0x5000", "b .+0xc",
			"mov x1, #0x0", "mov x2, #0x0"},
		exitARM64Listing,
	}
	at := 0
	for _, g := range want {
		i := at
		for i < len(lines) && lines[i] != g[0] {
			i++
		}
		if i+len(g) > len(lines) || strings.Join(lines[i:i+len(g)], "\n") != strings.Join(g, "\n") {
			t.Fatalf("want in sequence, after line %d:\n%s\n\ngot:\n%s", at, strings.Join(g, "\n"), l)
		}
		at = i + len(g)
	}
	if n := strings.Count(l, "blr "); n != 1 {
		t.Errorf("%d calls\n%s", n, l)
	}
}

// Errno capture after every kind of result and with arguments on both
// stacks: the clear, call and load stay adjacent after all argument moves
// (which use R21 and R22), a large or negative TLS offset is added through
// R23 (never through the assembler's R27), and between the call and the
// TLS g restore nothing writes a register other than the result's own
// normalisation, R22, R23 and the two error registers, which follow the
// result: x1, x2 after an integer result, x0, x1 after a float or none.
func TestErrnoRegistersARM64(t *testing.T) {
	slices := make([]abi.GoParam, 10)
	for i := range slices {
		slices[i] = abi.GoSlice
	}
	for _, tc := range []struct {
		src    string
		shapes []abi.GoParam
		lo, hi string
	}{
		{"i32(ptr, i32)", nil, "x1", "x2"},
		{"u8(i8)", nil, "x1", "x2"},
		{"ptr()", nil, "x1", "x2"},
		{"f64(ptr, ptr)", nil, "x0", "x1"},
		{"f32(f32)", nil, "x0", "x1"},
		{"void(i32)", nil, "x0", "x1"},
		{"i32(ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr)", slices, "x1", "x2"},
		{"i64(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i8, i16, u8)", nil, "x1", "x2"},
		{"i32(ptr, ... f32, f64)", nil, "x1", "x2"},
	} {
		for _, off := range []int32{16, -56, 0, 0x1388, -70000} {
			p := planARM64(t, tc.src, tc.shapes)
			p = withErrno(t, p)
			rt := runtimeARM64(false)
			rt.ErrnoOK, rt.ErrnoTLS, rt.ErrnoItab, rt.ErrnoTable = true, off, 0x4a_5000, 0xffff_1234_5678
			code, err := Compile(p, rt)
			if err != nil {
				t.Fatalf("%s: %v", tc.src, err)
			}
			l, err := listARM64(code)
			if err != nil {
				t.Fatalf("%s: %v\n%s", tc.src, err, l)
			}
			lines := strings.Split(strings.TrimSpace(l), "\n")
			call := indexOf(lines, "blr x20")
			mrs := -1
			for i := call - 1; i >= 0; i-- {
				if lines[i] == "mrs x22, s3_3_c13_c0_2" {
					mrs = i
					break
				}
			}
			if call < 0 || mrs < 0 || lines[call-1] != "str wzr, [x22]" || lines[call+1] != "ldr w22, [x22]" {
				t.Fatalf("%s: errno clear, call and load not in sequence\n%s", tc.src, l)
			}
			for _, line := range lines[mrs+1 : call-1] {
				if d := writesARM64(line); d != "x22" && d != "x23" {
					t.Errorf("%s, offset %d: %q between the errno address and the call\n%s", tc.src, off, line, l)
				}
			}
			if strings.Contains(l, "x27") {
				t.Errorf("%s, offset %d: uses R27\n%s", tc.src, off, l)
			}
			restore := indexOf(lines, exitARM64Listing[0])
			if restore < call {
				t.Fatalf("%s: no branch to the shared exit after the call\n%s", tc.src, l)
			}
			allowed := map[string]bool{"x22": true, "x23": true, tc.lo: true, tc.hi: true, "": true}
			if p.Result.Norm != abi.NoExt {
				allowed["x0"] = true
			}
			wrote := map[string]bool{}
			for _, line := range lines[call+1 : restore] {
				d := writesARM64(line)
				if !allowed[d] {
					t.Errorf("%s: %q writes %s after the call\n%s", tc.src, line, d, l)
				}
				wrote[d] = true
			}
			if !wrote[tc.lo] || !wrote[tc.hi] {
				t.Errorf("%s: the error is not built in %s, %s\n%s", tc.src, tc.lo, tc.hi, l)
			}
		}
	}
}

// writesARM64 is the register (as xN, or vN for floating point) a decoded
// instruction writes, or "" for stores, compares and branches.
func writesARM64(line string) string {
	op, args, _ := strings.Cut(line, " ")
	switch op {
	case "str", "stur", "cmp", "cmn", "cbz", "cbnz", "b", "ret", "blr", "br":
		return ""
	}
	if strings.HasPrefix(op, "b.") {
		return ""
	}
	d, _, _ := strings.Cut(args, ",")
	switch d[0] {
	case 'w':
		return "x" + d[1:]
	case 's', 'd', 'v', 'q':
		return "v" + d[1:]
	}
	return d
}

// TestListingsARM64 pins the decoded trampolines of the representative
// arm64 signatures, and of the variadic and errno shapes, in
// testdata/arm64.listing, as testdata/amd64.listing does for amd64.
func TestListingsARM64(t *testing.T) {
	var b strings.Builder
	rt := runtimeARM64(false)
	rt.ErrnoOK, rt.ErrnoTLS, rt.ErrnoItab, rt.ErrnoTable = true, 48, 0x5000, 0x6000 // as in TestErrnoARM64
	write := func(title string, p *abi.Plan) {
		code, err := Compile(p, rt)
		if err != nil {
			t.Fatalf("%s: %v", title, err)
		}
		l, err := listARM64(code)
		if err != nil {
			t.Fatalf("%s: %v\n%s", title, err, l)
		}
		fmt.Fprintf(&b, "# %s (%d bytes)\n%s\n", title, len(code), l)
	}
	for _, tc := range listingSigsARM64 {
		title := tc.src
		if tc.shapes != nil {
			title += " (ptr parameters as Go slices)"
		}
		write(title, planARM64(t, tc.src, tc.shapes))
	}
	for _, src := range []string{"i32(ptr, usize, ptr, ... i32, f64)", "i32(ptr, ...)"} {
		write(src, planARM64(t, src, nil))
	}
	write("i32(ptr, i32) with errno", withErrno(t, planARM64(t, "i32(ptr, i32)", nil)))
	got := b.String()
	path := filepath.Join("testdata", "arm64.listing")
	if *update {
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
