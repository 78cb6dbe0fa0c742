#include "textflag.h"

// callStub is called by runtime.cgocall on the system stack with the C
// convention (AAPCS64): R0 = *frame. It loads the C argument registers and
// stack words from the frame, calls frame.fn and stores the result
// registers back. R19 and R20 (callee-saved in C) hold the frame and the
// errno address across the call; the stub saves them, with R29 and R30, in
// a frame record of its own.
//
// frame (see fallback.go):
//	0    fn
//	8    ints[8]    (X0-X7)
//	72   floats[8]  (D0-D7; an f32 is the low half)
//	136  nstack     number of 8-byte stack words
//	144  stack      address of the stack words
//	152  nfloat     (unused on arm64)
//	160  ret        X0 after the call
//	168  fret       D0 after the call
//	176  ret2       X1 after the call
//	184  fret2      D1 after the call
//	192  fret34     D2, D3 after the call
//	208  x8         loaded into X8 (address of an indirect result)
//	216  errnoF     __errno_location, or 0: capture errno
//	224  errno      errno after the call
//
// With errno capture, errno is cleared before the arguments are loaded and
// read right after the call.
//
// Stack while calling fn:
//
//	+-----------------------+
//	| saved R19, R20        | 16(R29)
//	| saved R29, R30        | 0(R29) <- R29
//	+-----------------------+
//	| stack words, 8 each   | 0(RSP), 16-aligned
//	+-----------------------+
TEXT callStub(SB), NOSPLIT|NOFRAME, $0
	STP.W	(R29, R30), -32(RSP)
	MOVD	RSP, R29
	STP	(R19, R20), 16(RSP)
	MOVD	R0, R19		// R19 = frame

	MOVD	216(R19), R9
	CBZ	R9, noerrno
	CALL	(R9)
	MOVD	R0, R20		// R20 = &errno
	MOVW	ZR, (R20)
noerrno:

	// Stack words: reserve nstack*8 bytes, keep SP 16-aligned.
	MOVD	136(R19), R1
	LSL	$3, R1, R2
	ADD	$15, R2, R2
	AND	$~15, R2, R2
	MOVD	RSP, R3
	SUB	R2, R3, R3
	MOVD	R3, RSP
	MOVD	144(R19), R4
	MOVD	$0, R5
copy:
	CMP	R1, R5
	BGE	copied
	MOVD	(R4)(R5<<3), R6
	MOVD	R6, (R3)(R5<<3)
	ADD	$1, R5, R5
	B	copy
copied:
	FMOVD	72(R19), F0
	FMOVD	80(R19), F1
	FMOVD	88(R19), F2
	FMOVD	96(R19), F3
	FMOVD	104(R19), F4
	FMOVD	112(R19), F5
	FMOVD	120(R19), F6
	FMOVD	128(R19), F7
	MOVD	8(R19), R0
	MOVD	16(R19), R1
	MOVD	24(R19), R2
	MOVD	32(R19), R3
	MOVD	40(R19), R4
	MOVD	48(R19), R5
	MOVD	56(R19), R6
	MOVD	64(R19), R7
	MOVD	208(R19), R8
	MOVD	0(R19), R9
	CALL	(R9)
	MOVD	R0, 160(R19)
	FMOVD	F0, 168(R19)
	MOVD	R1, 176(R19)
	FMOVD	F1, 184(R19)
	FMOVD	F2, 192(R19)
	FMOVD	F3, 200(R19)
	MOVD	216(R19), R9
	CBZ	R9, done
	MOVWU	(R20), R9
	MOVD	R9, 224(R19)
done:

	MOVD	R29, RSP
	LDP	16(RSP), (R19, R20)
	LDP.P	32(RSP), (R29, R30)
	RET

DATA ·callStubABI0(SB)/8, $callStub(SB)
GLOBL ·callStubABI0(SB), NOPTR|RODATA, $8
