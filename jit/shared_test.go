package jit

import (
	"strings"
	"testing"

	"github.com/jitffi/jitffi/abi"
)

// TestSharedAMD64 pins the shared exit: TLS back before SP leaves the
// system stack, X15 zeroed, and a pending preemption request replaced
// (atomically, stackPreempt only) by the ordinary guard with YieldBit.
func TestSharedAMD64(t *testing.T) {
	rt := testRuntime(false)
	sh, err := CompileShared(abi.AMD64, rt)
	if err != nil {
		t.Fatal(err)
	}
	exit, _ := listAMD64(sh.Code[sh.Exit:])
	want := []string{
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

// TestSharedARM64 pins the arm64 shared exit: TLS back, R19 from
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
