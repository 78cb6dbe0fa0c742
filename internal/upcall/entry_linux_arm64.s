#include "textflag.h"
#include "funcdata.h"

// fastEntry continues a fast-entry callback on the goroutine's stack. The
// native entry jumps here (it is never called) with SP = g.sched.sp, LR =
// g.sched.pc (systemstack_switch+8) and R29 = g.sched.bp, the state of a
// call made from where the goroutine left Go: this function's prologue
// then stores LR and R29 where the unwinder and the frame-pointer chain
// expect them, exactly like runtime.cgocallback's frame on the goroutine
// stack:
//
//	goroutine stack
//	+-------------------------------+
//	| the trampoline's frame        | <- g.sched.sp = fr+0(FP)-8
//	| (the trampoline's saved R29)  | top word of this frame
//	| locals: keep[16], frame       | 8(RSP) ..
//	| g.sched.pc                    | 0(RSP) "return address"
//	+-------------------------------+
//
// R0 is the callback frame on the C stack. The Go pointers the trampoline
// below passed to C are copied out of its system-stack frame into the
// arguments of dispatch4 or dispatch16, where the collector sees them (see
// RATIONALE.md, "Callbacks"). No safe point precedes the copy: this
// function is NOSPLIT assembly. After dispatch it branches back into the
// native entry with R0 = the frame and R1 = where g.sched.sp now is (the
// stack may have moved).
//
// func fastEntry(fr uintptr)
TEXT ·fastEntry(SB), NOSPLIT, $144-8
	NO_LOCAL_POINTERS
	MOVD	R0, 144(RSP)
	MOVD	R0, 8(RSP)
	// n = the count of stashed pointers; a foreign marker is fatal.
	MOVD	24(R0), R2	// marker
	LSR	$8, R2, R3
	MOVD	$0x4a490000000000, R4	// jit.KeepMagic >> 8
	CMP	R4, R3
	BNE	bad
	AND	$0xff, R2, R3
	CBZ	R3, none
	MOVD	16(R0), R5	// g0sp
	SUB	$24, R5, R5	// the pointers start 24 bytes below g0sp
	// keep0..keep15 at 16(RSP).., nil first.
	ADD	$16, RSP, R6
	MOVD	$16, R7
zero:
	MOVD	ZR, (R6)
	ADD	$8, R6, R6
	SUB	$1, R7, R7
	CBNZ	R7, zero
	ADD	$16, RSP, R6
	CMP	$16, R3
	BHI	bad
	MOVD	R3, R7
copy:
	MOVD	(R5), R8
	MOVD	R8, (R6)
	SUB	$8, R5, R5
	ADD	$8, R6, R6
	SUB	$1, R7, R7
	CBNZ	R7, copy
	CMP	$4, R3
	BHI	many
	// dispatch4's ABIInternal code, called as the Go compiler would: fr
	// and the pointers in R0-R4, their spill area at 8(RSP), g in R28
	// (the native entry set it).
	MOVD	8(RSP), R0
	MOVD	16(RSP), R1
	MOVD	24(RSP), R2
	MOVD	32(RSP), R3
	MOVD	40(RSP), R4
	MOVD	·dispatch4PC(SB), R5
	CALL	(R5)
	B	back
many:
	CALL	·dispatch16(SB)
	B	back
none:
	MOVD	·dispatch0PC(SB), R5
	CALL	(R5)
	B	back
bad:
	CALL	·badMarker(SB)	// does not return
back:
	MOVD	144(RSP), R0
	MOVD	$fr+0(FP), R1
	SUB	$8, R1, R1
	MOVD	8(R0), R2
	B	(R2)

// callGo calls the Go func fn (a funcval) with Go's register ABI, taking
// its arguments from the callback frame and storing its result back: R0
// and F0, and for a struct result (byte 6 of the frame's nstack word,
// jit.cbCounts) every result register and the stack-assigned result
// bytes. The Go stack-assigned arguments are copied to 8(RSP): the
// callee's argument area, which the collector scans with the callee's own
// argument map (as with reflectcall's callN). Unlike amd64 it loads all 16 integer and 16
// float argument registers, eight LDPs each way: the unused ones hold
// whatever the frame holds, which the callee never reads.
//
// func callGo(fn unsafe.Pointer, fr uintptr)
TEXT ·callGo(SB), 0, $1024-16
	NO_LOCAL_POINTERS
	MOVD	fr+8(FP), R20
	MOVHU	32(R20), R3	// bytes of stack arguments, a multiple of 8 (jit.cbCounts)
	LSR	$3, R3, R3
	ADD	$304, R20, R4
	ADD	$8, RSP, R5
	CBZ	R3, regs
stack:
	MOVD	(R4), R6
	MOVD	R6, (R5)
	ADD	$8, R4, R4
	ADD	$8, R5, R5
	SUB	$1, R3, R3
	CBNZ	R3, stack
regs:
	LDP	48(R20), (R0, R1)
	LDP	64(R20), (R2, R3)
	LDP	80(R20), (R4, R5)
	LDP	96(R20), (R6, R7)
	LDP	112(R20), (R8, R9)
	LDP	128(R20), (R10, R11)
	LDP	144(R20), (R12, R13)
	LDP	160(R20), (R14, R15)
	FLDPD	176(R20), (F0, F1)
	FLDPD	192(R20), (F2, F3)
	FLDPD	208(R20), (F4, F5)
	FLDPD	224(R20), (F6, F7)
	FLDPD	240(R20), (F8, F9)
	FLDPD	256(R20), (F10, F11)
	FLDPD	272(R20), (F12, F13)
	FLDPD	288(R20), (F14, F15)
	MOVD	fn+0(FP), R26
	MOVD	(R26), R20
	PCDATA	$PCDATA_StackMapIndex, $0
	CALL	(R20)
	MOVD	fr+8(FP), R20
	MOVD	R0, 48(R20)
	FMOVD	F0, 176(R20)
	MOVBU	38(R20), R16	// a struct result
	CBNZ	R16, structres
	RET
structres:
	// Every result register, and the stack-assigned result, which follows
	// the arguments at 8(RSP).
	STP	(R0, R1), 48(R20)
	STP	(R2, R3), 64(R20)
	STP	(R4, R5), 80(R20)
	STP	(R6, R7), 96(R20)
	STP	(R8, R9), 112(R20)
	STP	(R10, R11), 128(R20)
	STP	(R12, R13), 144(R20)
	STP	(R14, R15), 160(R20)
	FSTPD	(F0, F1), 176(R20)
	FSTPD	(F2, F3), 192(R20)
	FSTPD	(F4, F5), 208(R20)
	FSTPD	(F6, F7), 224(R20)
	FSTPD	(F8, F9), 240(R20)
	FSTPD	(F10, F11), 256(R20)
	FSTPD	(F12, F13), 272(R20)
	FSTPD	(F14, F15), 288(R20)
	MOVHU	34(R20), R3	// bytes of stack results
	LSR	$3, R3, R3
	CBZ	R3, done
	MOVHU	32(R20), R4	// bytes of stack arguments
	ADD	$8, RSP, R5
	ADD	R4, R5, R5
	ADD	$304, R20, R6
	ADD	R4, R6, R6
results:
	MOVD	(R5), R7
	MOVD	R7, (R6)
	ADD	$8, R5, R5
	ADD	$8, R6, R6
	SUB	$1, R3, R3
	CBNZ	R3, results
done:
	RET

// func fastEntryAddr() uintptr
TEXT ·fastEntryAddr(SB), NOSPLIT, $0-8
	MOVD	$·fastEntry(SB), R0
	MOVD	R0, ret+0(FP)
	RET

// func getg() uintptr
TEXT ·getg(SB), NOSPLIT, $0-8
	MOVD	g, R0
	MOVD	R0, ret+0(FP)
	RET

// func cgocallbackAddr() uintptr
TEXT ·cgocallbackAddr(SB), NOSPLIT, $0-8
	MOVD	$runtime·cgocallback(SB), R0
	MOVD	R0, ret+0(FP)
	RET
