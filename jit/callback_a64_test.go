package jit

import (
	"strings"
	"testing"

	"github.com/jitffi/jitffi/abi"
)

func upcallARM64() *Upcall {
	return &Upcall{GStatus: 144, GLockedm: 208, MCurg: 184, MLockedg: 384, MLockedExt: 648, MLockedInt: 652,
		FastEntry: 0x1234560, StdFn: 0x1234570, Cgocallback: 0x1234580}
}

// The arm64 callback entry saves every register AAPCS64 makes
// callee-saved (Go code clobbers them) and restores them, reaches the
// chooser by BL (so that LR is the fast entry's way back), and leaves
// through RET; arguments land in their Go slots of the frame.
func TestCallbackEntryARM64(t *testing.T) {
	for _, src := range []string{
		"i32(i32)", "void()", "f32(f32, f64)",
		"u8(i8, u16, bool, i16, u32, i64, ptr, f32, f64)",
		"i64(i64, i64, i64, i64, i64, i64, i64, i64, i8, u16, f64, f64, f64, f64, f64, f64, f64, f64, f32)",
	} {
		p := planARM64(t, src, nil)
		code, err := CompileCallback(p, runtimeARM64(false), upcallARM64())
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		l, err := listARM64(code)
		if err != nil {
			t.Fatalf("%s: %v\n%s", src, err, l)
		}
		for _, w := range []string{
			"sub sp, sp, #0x3f0",
			"str x19, [sp,#848]", "str x28, [sp,#920]", "str d8, [sp,#928]", "str d15, [sp,#984]",
			"str x29, [sp,#992]", "str x30, [sp,#1000]", "add x29, sp, #0x3e0",
			"str x17, [sp]",
			"adr x9, .+0xc\nstr x9, [sp,#8]\nb ", // back, three instructions on
			"mov sp, x0",                         // back: onto the C stack again
			"ldr x29, [sp,#992]",                 // epilogue
			"add sp, sp, #0x3f0", "ret",
		} {
			if !strings.Contains(l, w+"\n") && !strings.HasSuffix(w, " ") || !strings.Contains(l, w) {
				t.Errorf("%s: no %q in\n%s", src, w, l)
			}
		}
		if n := strings.Count(l, "\nbl "); n != 0 {
			t.Errorf("%s: %d BL (the way back is an ADR)\n%s", src, n, l)
		}
		if n := strings.Count(l, "blr "); n != 1 {
			t.Errorf("%s: %d calls of crosscall2\n%s", src, n, l)
		}
	}
}

// Stubs: stub i loads its slot (a literal inside it) into R17 and branches
// to the shared tail, which jumps through the slot.
func TestCallbackStubsARM64(t *testing.T) {
	slots := []uint64{0x1122334455667788, 0x0000aaaabbbbcccc, 0x10}
	code, err := CallbackStubs(abi.ARM64, slots)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != StubSize*len(slots)+8 {
		t.Fatalf("%d bytes", len(code))
	}
	for i, s := range slots {
		st := code[StubSize*i:]
		l, _ := listARM64(st[:8])
		want := "ldr x17, .+0x8\nb .+0x" + strings.TrimLeft(strings.ToLower(hex32(uint32(StubSize*(len(slots)-i)-4))), "0") + "\n"
		if l != want {
			t.Errorf("stub %d:\n%s\nwant\n%s", i, l, want)
		}
		var lit uint64
		for k := 0; k < 8; k++ {
			lit |= uint64(st[8+k]) << (8 * k)
		}
		if lit != s {
			t.Errorf("stub %d literal %#x, want %#x", i, lit, s)
		}
	}
	l, _ := listARM64(code[StubSize*len(slots):])
	if l != "ldr x16, [x17]\nbr x16\n" {
		t.Errorf("tail:\n%s", l)
	}
}

func hex32(v uint32) string {
	const d = "0123456789abcdef"
	var b [8]byte
	for i := range b {
		b[7-i] = d[v>>(4*i)&15]
	}
	return string(b[:])
}

// The arm64 trampoline leaves the marker (with the count) and each Go
// pointer argument just below g0.sched.sp, from registers and from the Go
// stack, before any argument moves; a *Callback argument (GoDeref) is
// replaced by the word it points to, 0 for nil.
func TestKeepARM64(t *testing.T) {
	// 17 integer parameters: the 17th is on the Go stack.
	src := "void(ptr, i64, ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, ptr)"
	shapes := make([]abi.GoParam, 17)
	shapes[0], shapes[1], shapes[2], shapes[16] = abi.GoPointer, abi.GoScalar, abi.GoDeref, abi.GoPointer
	lines := listSigARM64(t, src, shapes, false)
	l := strings.Join(lines, "\n")
	order := []string{
		"ldr x22, [x21,#56]",                          // g0.sched.sp
		"mov x23, #0x2", "movk x23, #0x4a49, lsl #48", // marker, count 2
		"str x23, [x22,#-8]!", // marker
		"str x0, [x22,#-8]!",  // pointer in R0
		"ldr x23, [x19,#24]",  // pointer on the Go stack
		"str x23, [x22,#-8]!",
		"mov sp, x22",
		"cbz x2, .+0x8", "ldr x2, [x2]", // the *Callback's C function pointer
		"blr x20",
	}
	at := 0
	for _, line := range lines {
		if at < len(order) && line == order[at] {
			at++
		}
	}
	if at != len(order) {
		t.Fatalf("%q missing or out of order\n%s", order[at], l)
	}
}
