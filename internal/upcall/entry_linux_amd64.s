#include "textflag.h"
#include "funcdata.h"

// fastEntry continues a fast-entry callback on the goroutine's stack. The
// native entry jumps here (it is never called) after "pushing" the
// goroutine's g.sched.pc as the return address, so that for the unwinder
// this frame was called from where the goroutine left Go, exactly like
// runtime.cgocallback's frame:
//
//	goroutine stack
//	+-------------------------------+
//	| the trampoline's frame        | fr+0(FP) = g.sched.sp (the saved BP)
//	| g.sched.pc                    | "return address" (systemstack_switch+8)
//	| BP (= g.sched.sp)             |
//	| locals: frame, keep[16], fr   | 0(SP) ..
//	+-------------------------------+
//
// DX is the callback frame on the C stack. The Go pointers the trampoline
// below passed to C are copied out of its system-stack frame into keep,
// the arguments of dispatch, where the collector sees them (see
// RATIONALE.md, "Callbacks"). No safe point precedes the copy: this
// function is NOSPLIT assembly. After dispatch it jumps back into the
// native entry with DX = the frame and DI = where g.sched.sp now is (the
// stack may have moved).
//
// func fastEntry(fr uintptr)
TEXT ·fastEntry(SB), NOSPLIT, $144-8
	NO_LOCAL_POINTERS
	MOVQ	DX, 136(SP)
	MOVQ	DX, 0(SP)
	// n = the count of stashed pointers; a foreign marker is fatal.
	MOVQ	24(DX), AX	// marker
	MOVQ	AX, BX
	SHRQ	$8, BX
	MOVQ	$0x4a490000000000, SI	// jit.KeepMagic >> 8
	CMPQ	BX, SI
	JNE	bad
	MOVQ	AX, CX
	ANDQ	$0xff, CX
	JZ	none
	MOVQ	16(DX), SI	// g0sp: the pointers start 24 bytes below it
	SUBQ	$24, SI
	CMPQ	CX, $4
	JA	many
	// 1 to 4 pointers: keep0..keep3 at 8(SP).., the rest nil.
	XORL	AX, AX
	MOVQ	AX, 8(SP)
	MOVQ	AX, 16(SP)
	MOVQ	AX, 24(SP)
	MOVQ	AX, 32(SP)
	LEAQ	8(SP), DI
	CALL	copykeep<>(SB)
	// dispatch4's ABIInternal code, called as the Go compiler would:
	// fr and the pointers in AX, BX, CX, DI, SI, their spill area at
	// 0(SP), g in R14 (the native entry set it), X15 zero.
	MOVQ	136(SP), AX
	MOVQ	8(SP), BX
	MOVQ	16(SP), CX
	MOVQ	24(SP), DI
	MOVQ	32(SP), SI
	MOVQ	·dispatch4PC(SB), R12
	XORPS	X15, X15
	CALL	R12
	JMP	back
many:
	CMPQ	CX, $16
	JA	bad
	XORL	AX, AX
	LEAQ	8(SP), DI
	MOVQ	$16, BX
zero:
	MOVQ	AX, (DI)
	ADDQ	$8, DI
	DECQ	BX
	JNZ	zero
	LEAQ	8(SP), DI
	CALL	copykeep<>(SB)
	CALL	·dispatch16(SB)
	JMP	back
none:
	MOVQ	DX, AX
	MOVQ	·dispatch0PC(SB), R12
	XORPS	X15, X15
	CALL	R12
	JMP	back
bad:
	CALL	·badMarker(SB)	// does not return
back:
	MOVQ	136(SP), DX
	LEAQ	fr+0(FP), DI
	MOVQ	8(DX), AX
	JMP	AX

// copykeep copies CX words from SI downwards to DI upwards.
TEXT copykeep<>(SB), NOSPLIT|NOFRAME, $0
loop:
	MOVQ	(SI), AX
	MOVQ	AX, (DI)
	SUBQ	$8, SI
	ADDQ	$8, DI
	DECQ	CX
	JNZ	loop
	RET

// callGo calls the Go func fn (a funcval) with Go's register ABI, taking
// its arguments from the callback frame and storing its result back: AX
// and X0, and for a struct result every result register and the
// stack-assigned result bytes. The Go stack-assigned
// arguments are copied to 0(SP): the callee's argument area, which the
// collector scans with the callee's own argument map (as with
// reflectcall's callN). The frame's nstack word packs the bytes of stack
// arguments (bits 0-15) and results (16-31), the struct-result flag
// (byte 6) and the numbers of integer (32-39) and float
// (40-47) argument registers, so that only those are loaded.
//
// func callGo(fn unsafe.Pointer, fr uintptr)
TEXT ·callGo(SB), 0, $1024-16
	NO_LOCAL_POINTERS
	MOVQ	fr+8(FP), R12
	MOVQ	32(R12), R13	// packed counts
	MOVWQZX	R13, CX
	SHRQ	$3, CX
	LEAQ	304(R12), SI
	MOVQ	SP, DI
	TESTQ	CX, CX
	JZ	ints
stack:
	MOVQ	(SI), AX
	MOVQ	AX, (DI)
	ADDQ	$8, SI
	ADDQ	$8, DI
	DECQ	CX
	JNZ	stack
ints:
	MOVQ	R13, R15
	SHRQ	$32, R15
	ANDQ	$0xff, R15
	CMPQ	R15, $1
	JLT	floats
	MOVQ	48(R12), AX
	CMPQ	R15, $2
	JLT	floats
	MOVQ	56(R12), BX
	CMPQ	R15, $3
	JLT	floats
	MOVQ	64(R12), CX
	CMPQ	R15, $4
	JLT	floats
	MOVQ	72(R12), DI
	CMPQ	R15, $5
	JLT	floats
	MOVQ	80(R12), SI
	CMPQ	R15, $6
	JLT	floats
	MOVQ	88(R12), R8
	CMPQ	R15, $7
	JLT	floats
	MOVQ	96(R12), R9
	CMPQ	R15, $8
	JLT	floats
	MOVQ	104(R12), R10
	CMPQ	R15, $9
	JLT	floats
	MOVQ	112(R12), R11
floats:
	SHRQ	$40, R13
	ANDQ	$0xff, R13
	JZ	call
	MOVSD	176(R12), X0
	CMPQ	R13, $2
	JLT	call
	MOVSD	184(R12), X1
	CMPQ	R13, $3
	JLT	call
	MOVSD	192(R12), X2
	CMPQ	R13, $4
	JLT	call
	MOVSD	200(R12), X3
	CMPQ	R13, $5
	JLT	call
	MOVSD	208(R12), X4
	CMPQ	R13, $6
	JLT	call
	MOVSD	216(R12), X5
	CMPQ	R13, $7
	JLT	call
	MOVSD	224(R12), X6
	CMPQ	R13, $8
	JLT	call
	MOVSD	232(R12), X7
	CMPQ	R13, $9
	JLT	call
	MOVSD	240(R12), X8
	CMPQ	R13, $10
	JLT	call
	MOVSD	248(R12), X9
	CMPQ	R13, $11
	JLT	call
	MOVSD	256(R12), X10
	CMPQ	R13, $12
	JLT	call
	MOVSD	264(R12), X11
	CMPQ	R13, $13
	JLT	call
	MOVSD	272(R12), X12
	CMPQ	R13, $14
	JLT	call
	MOVSD	280(R12), X13
	CMPQ	R13, $15
	JLT	call
	MOVSD	288(R12), X14
call:
	MOVQ	fn+0(FP), DX
	MOVQ	(TLS), R14
	XORPS	X15, X15
	MOVQ	(DX), R12
	PCDATA	$PCDATA_StackMapIndex, $0
	CALL	R12
	MOVQ	fr+8(FP), R12
	MOVQ	AX, 48(R12)
	MOVSD	X0, 176(R12)
	CMPB	38(R12), $0	// a struct result
	JNE	structres
	RET
structres:
	// Every result register, and the stack-assigned result, which follows
	// the arguments at 0(SP).
	MOVQ	BX, 56(R12)
	MOVQ	CX, 64(R12)
	MOVQ	DI, 72(R12)
	MOVQ	SI, 80(R12)
	MOVQ	R8, 88(R12)
	MOVQ	R9, 96(R12)
	MOVQ	R10, 104(R12)
	MOVQ	R11, 112(R12)
	MOVSD	X1, 184(R12)
	MOVSD	X2, 192(R12)
	MOVSD	X3, 200(R12)
	MOVSD	X4, 208(R12)
	MOVSD	X5, 216(R12)
	MOVSD	X6, 224(R12)
	MOVSD	X7, 232(R12)
	MOVSD	X8, 240(R12)
	MOVSD	X9, 248(R12)
	MOVSD	X10, 256(R12)
	MOVSD	X11, 264(R12)
	MOVSD	X12, 272(R12)
	MOVSD	X13, 280(R12)
	MOVSD	X14, 288(R12)
	MOVWQZX	34(R12), CX	// bytes of stack results
	SHRQ	$3, CX
	JZ	done
	MOVWQZX	32(R12), AX	// bytes of stack arguments
	LEAQ	(SP)(AX*1), SI
	LEAQ	304(R12)(AX*1), DI
results:
	MOVQ	(SI), AX
	MOVQ	AX, (DI)
	ADDQ	$8, SI
	ADDQ	$8, DI
	DECQ	CX
	JNZ	results
done:
	RET

// func fastEntryAddr() uintptr
TEXT ·fastEntryAddr(SB), NOSPLIT, $0-8
	MOVQ	$·fastEntry(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func getg() uintptr
TEXT ·getg(SB), NOSPLIT, $0-8
	MOVQ	(TLS), AX
	MOVQ	AX, ret+0(FP)
	RET

// func cgocallbackAddr() uintptr
TEXT ·cgocallbackAddr(SB), NOSPLIT, $0-8
	MOVQ	$runtime·cgocallback(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
