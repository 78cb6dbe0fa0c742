package jit

import (
	"strings"
	"testing"

	"github.com/jitffi/jitffi/abi"
)

// TestSharedAMD64 pins the shared exit: the cgo call state ended
// (g.syscallsp = 0, m.ncgo-1, m.incgo = false) while g0 is the TLS g,
// TLS back before SP leaves the system stack, X15 zeroed, and a pending preemption request replaced
// (atomically, stackPreempt only) by the ordinary guard with YieldBit.
func TestSharedAMD64(t *testing.T) {
	rt := testRuntime(false)
	sh, err := CompileShared(abi.AMD64, rt)
	if err != nil {
		t.Fatal(err)
	}
	exit, _ := listAMD64(sh.Code[sh.Exit:])
	want := []string{
		"movq $0x0,0x68(%r14)", "mov 0x30(%r14),%r13", "movq $0x0,0x370(%r13)", "decl 0x148(%r13)", "movb $0x0,0x118(%r13)",
		"mov %r14,%fs:0xfffffff8", "mov %rbp,%rsp", "pop %rbp", "xorps %xmm15,%xmm15",
		"testb $0x2,0x10(%r14)", "jne ", "retq",
		"mov (%r14),%r13", "lea 0x3a2(%r13),%r13", "mov %rax,%r12", "mov $-0x522,%rax",
		"lock cmpxchg %r13,0x10(%r14)", "mov %r12,%rax", "retq",
	}
	lines := strings.Split(strings.TrimSpace(exit), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d instructions, want %d\n%s", len(lines), len(want), exit)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("instruction %d is %q, want %q\n%s", i, lines[i], w, exit)
		}
	}
}

// The exit of string results ends, on both of its ways out, in the jump
// to Runtime.StringResult instead of RET.
func TestSharedStringExitAMD64(t *testing.T) {
	rt := testRuntime(false)
	rt.StringResult = 0x7000
	sh, err := CompileShared(abi.AMD64, rt)
	if err != nil {
		t.Fatal(err)
	}
	if sh.ExitString == 0 {
		t.Fatal("no string exit")
	}
	l, _ := listAMD64(sh.Code[sh.ExitString:])
	if n := strings.Count(l, "mov $0x7000,%r13\njmp *%r13\n"); n != 2 || strings.Contains(l, "retq") {
		t.Errorf("%d jumps to StringResult:\n%s", n, l)
	}
}

// CompileShared refuses a layout whose guard could have YieldBit set, and
// Compile refuses to lower without the shared code placed.
func TestSharedRefusals(t *testing.T) {
	for _, arch := range []abi.Arch{abi.AMD64, abi.ARM64} {
		rt := testRuntime(false)
		rt.StackGuard = 930
		if _, err := CompileShared(arch, rt); err == nil {
			t.Errorf("%s: StackGuard 930 accepted", arch)
		}
		rt = testRuntime(false)
		rt.Exit = 0
		if _, err := Compile(planFor(t, arch, "void()", nil), rt); err == nil || !strings.Contains(err.Error(), "shared") {
			t.Errorf("%s: compiled without the shared code: %v", arch, err)
		}
	}
}

// TestSharedARM64 pins the arm64 shared exit: the cgo call state ended,
// TLS back, R19 from
// g.sched.sp, R29 and LR from the frame there, SP above it; then a
// pending preemption request replaced, by an exclusive pair that stores
// only over stackPreempt, with the ordinary guard and YieldBit.
func TestSharedARM64(t *testing.T) {
	rt := runtimeARM64(false)
	sh, err := CompileShared(abi.ARM64, rt)
	if err != nil {
		t.Fatal(err)
	}
	exit, err := listARM64(sh.Code[sh.Exit:])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"str xzr, [x28,#104]", "ldr x21, [x28,#48]", "str xzr, [x21,#880]", "ldr w22, [x21,#328]", "sub x22, x22, #0x1", "str w22, [x21,#328]", "strb wzr, [x21,#280]",
		"mrs x21, s3_3_c13_c0_2", "str x28, [x21,#16]", "ldr x19, [x28,#56]", "ldp x29, x30, [x19,#-8]", "add sp, x19, #0x10",
		"ldr x21, [x28,#16]", "tbnz w21, #1, ", "ret",
		"ldr x21, [x28]", "add x21, x21, #0x3a2", "add x19, x28, #0x10",
		"ldxr x22, [x19]", "cmn x22, #0x522", "b.ne ", "stxr w23, x21, [x19]", "cbnz x23, ",
		"clrex", "ret",
	}
	lines := strings.Split(strings.TrimSpace(exit), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d instructions, want %d\n%s", len(lines), len(want), exit)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("instruction %d is %q, want %q\n%s", i, lines[i], w, exit)
		}
	}
}

// The cgo call state (Runtime.MNcgo): a trampoline sets g.syscallpc and
// g.syscallsp after g.sched and m.ncgo, m.incgo before g0 becomes the TLS
// g; a callback's fast door clears g.syscallsp and m.incgo before Go code
// runs and its way back sets all three again.
func TestCgoStateOrder(t *testing.T) {
	for _, c := range []struct {
		arch              abi.Arch
		rt                *Runtime
		list              func([]byte) (string, error)
		entry             []string
		leave, resume     []string
		leaveAt, resumeAt string // the instruction each must precede
	}{
		{
			abi.AMD64, testRuntime(false), listAMD64,
			[]string{"mov %rbp,0x60(%r14)", "mov %r13,0x70(%r14)", "mov %rsp,0x68(%r14)", "mov 0x30(%r14),%r15",
				"mov %r13,0x368(%r15)", "mov %rsp,0x370(%r15)", "mov %r14,0x378(%r15)",
				"incl 0x148(%r15)", "movb $0x1,0x118(%r15)", "mov (%r15),%r13", "mov %r13,%fs:0xfffffff8"},
			[]string{"movq $0x0,0x68(%r12,%riz)", "movb $0x0,0x118(%r13)"},
			[]string{"mov %rax,0x70(%r12,%riz)", "mov %rdi,0x68(%r12,%riz)", "movb $0x1,0x118(%r13)"},
			"mov %r12,%fs:0xfffffff8", "mov %r14,%fs:0xfffffff8",
		},
		{
			abi.ARM64, runtimeARM64(false), listARM64,
			[]string{"str xzr, [x28,#88]", "stp x19, x21, [x28,#104]", "ldr x21, [x28,#48]",
				"ldr w22, [x21,#328]", "add x22, x22, #0x1", "str w22, [x21,#328]", "strb w23, [x21,#280]", "str x21, [x22,#16]"},
			[]string{"str xzr, [x", "strb wzr, [x"},
			[]string{",#112]", ",#104]", "strb w"},
			"", "",
		},
	} {
		code, err := Compile(planFor(t, c.arch, "i32(i32, i32)", nil), c.rt)
		if err != nil {
			t.Fatal(err)
		}
		l, _ := c.list(code)
		lines := strings.Split(strings.TrimSpace(l), "\n")
		at := 0
		for _, line := range lines {
			if at < len(c.entry) && line == c.entry[at] {
				at++
			}
		}
		if at != len(c.entry) {
			t.Errorf("%s: %q missing or out of order in the entry\n%s", c.arch, c.entry[at], l)
		}
		cb, err := CompileCallback(planFor(t, c.arch, "i64(i64)", nil), c.rt, upcallARM64())
		if err != nil {
			t.Fatal(err)
		}
		cl, _ := c.list(cb)
		for _, w := range append(append([]string(nil), c.leave...), c.resume...) {
			if !strings.Contains(cl, w) {
				t.Errorf("%s: the callback entry lacks %q\n%s", c.arch, w, cl)
			}
		}
		if c.leaveAt != "" {
			// The fast door clears before the goroutine becomes the TLS g;
			// the way back sets again before g0 does.
			if i, j := strings.Index(cl, c.leave[0]), strings.Index(cl, c.leaveAt); i < 0 || j < i {
				t.Errorf("%s: %q does not precede %q\n%s", c.arch, c.leave[0], c.leaveAt, cl)
			}
			if i, j := strings.Index(cl, c.resume[1]), strings.Index(cl, c.resumeAt); i < 0 || j < i {
				t.Errorf("%s: %q does not precede %q\n%s", c.arch, c.resume[1], c.resumeAt, cl)
			}
		}
	}
}
