package jit

import (
	"strings"
	"testing"

	"github.com/jitffi/jitffi/abi"
)

// Struct parameters and results in callback entries, on both
// architectures: the frame's nstack word says how callGo moves the
// result, C's result buffer is kept and used, register pieces go through
// the staging area, and each leaf lands in its Go slot.
func TestCallbackStructEntry(t *testing.T) {
	for _, c := range []struct {
		arch abi.Arch
		src  string
		want []string // in order
	}{
		// {f64, i32} in XMM0 and RSI (RDI is the hidden pointer), staged
		// and split into F0 and I0; {u8 x3} in RDX, into I1..I3. The
		// 40-byte result comes back on Go's stack (the array) and is
		// copied through the hidden pointer, which is returned in RAX.
		{abi.AMD64, "{i64, u64, i16, f64, u8[3]}({f64, i32}, {u8, u8, u8})", []string{
			"mov $0x1010400280000,%rax", "mov %rdi,0x28(%rsp)",
			"movsd %xmm0,0x330(%rsp)", "mov %rsi,0x338(%rsp)",
			"mov 0x330(%rsp),%rax", "mov %rax,0xb0(%rsp)", "movsxd 0x338(%rsp),%rax", "mov %rax,0x30(%rsp)",
			"mov %rdx,0x330(%rsp)", "movzbl 0x332(%rsp),%eax", "mov %rax,0x48(%rsp)",
			"call *%rax",
			"mov 0x28(%rsp),%r12", "mov 0x130(%rsp),%r13", "mov %r13,(%r12,%riz)",
			"mov 0x150(%rsp),%r13", "mov %r13,0x20(%r12,%riz)", "mov %r12,%rax", "retq",
		}},
		// A 32-byte struct in memory on the C stack into F0..F3; the
		// four f32 results are staged into two SSE eightbytes.
		{abi.AMD64, "{f32, f32, f32, f32}({f64, f64, f64, f64})", []string{
			"mov $0x1040000000000,%rax",
			"mov 0x10(%rbp),%rax", "mov %rax,0xb0(%rsp)", "mov 0x28(%rbp),%rax", "mov %rax,0xc8(%rsp)",
			"call *%rax",
			"mov 0xb0(%rsp),%rax", "mov %eax,0x330(%rsp)", "mov 0xc8(%rsp),%rax", "mov %eax,0x33c(%rsp)",
			"movsd 0x330(%rsp),%xmm0", "movsd 0x338(%rsp),%xmm1", "retq",
		}},
		// X8 kept; {f64, i32} packed in X0, X1; the result is copied
		// through X8's buffer.
		{abi.ARM64, "{i64, u64, i16, f64, u8[3]}({f64, i32}, {u8, u8, u8})", []string{
			"str x8, [sp,#40]", "str x0, [sp,#816]", "str x1, [sp,#824]",
			"ldr x9, [sp,#816]", "str x9, [sp,#176]", "ldrsw x9, [sp,#824]", "str x9, [sp,#48]",
			"str x2, [sp,#816]", "ldrb w9, [sp,#818]", "str x9, [sp,#72]",
			"blr x9",
			"ldr x10, [sp,#40]", "ldr x21, [sp,#304]", "str x21, [x10]", "ldr x21, [sp,#336]", "str x21, [x10,#32]",
			"ret",
		}},
		// HFAs: four D registers staged and split, four S results.
		{abi.ARM64, "{f32, f32, f32, f32}({f64, f64, f64, f64})", []string{
			"str d0, [sp,#816]", "str d3, [sp,#840]", "ldr x9, [sp,#840]", "str x9, [sp,#200]",
			"blr x9",
			"ldr x9, [sp,#176]", "str w9, [sp,#816]", "ldr x9, [sp,#200]", "str w9, [sp,#828]",
			"ldr s0, [sp,#816]", "ldr s3, [sp,#828]", "ret",
		}},
	} {
		p := planFor(t, c.arch, c.src, nil)
		rt := testRuntime(false)
		if c.arch == abi.ARM64 {
			rt = runtimeARM64(false)
		}
		code, err := CompileCallback(p, rt, upcallARM64())
		if err != nil {
			t.Fatalf("%s %s: %v", c.arch, c.src, err)
		}
		l, err := listing(c.arch, code)
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", c.arch, c.src, err, l)
		}
		lines := strings.Split(l, "\n")
		at := 0
		for _, line := range lines {
			if at < len(c.want) && strings.TrimSpace(line) == c.want[at] {
				at++
			}
		}
		if at != len(c.want) {
			t.Errorf("%s %s: %q missing or out of order\n%s", c.arch, c.src, c.want[at], l)
		}
	}
}

// What a callback frame cannot hold is refused, naming the reason.
func TestCallbackStructLimits(t *testing.T) {
	for _, arch := range []abi.Arch{abi.AMD64, abi.ARM64} {
		// 520 bytes of result on Go's stack.
		p := planFor(t, arch, "{u8[520]}(i32)", nil)
		if err := CanCallback(p); err == nil || !strings.Contains(err.Error(), "more than the 512 a callback supports") {
			t.Errorf("%s: CanCallback = %v", arch, err)
		}
		p = planFor(t, arch, "{u8[504]}({u8[16]})", nil)
		if err := CanCallback(p); err == nil || !strings.Contains(err.Error(), "need 520 bytes of stack") {
			t.Errorf("%s: CanCallback = %v", arch, err)
		}
		p = planFor(t, arch, "{u8[496]}({u8[16]})", nil)
		if err := CanCallback(p); err != nil {
			t.Errorf("%s: CanCallback = %v", arch, err)
		}
	}
}
