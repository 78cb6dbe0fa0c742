#include "textflag.h"

// callStub is called by runtime.cgocall on the system stack with the C
// convention: DI = *frame. It loads the C argument registers and stack
// words from the frame, calls frame.fn and stores RAX and XMM0 back.
//
// frame (see frame.go):
//	0    fn
//	8    ints[8]    (RDI RSI RDX RCX R8 R9 used)
//	72   floats[8]  (XMM0-XMM7)
//	136  nstack     number of 8-byte stack words
//	144  stack      address of the stack words
//	152  nfloat     AL for variadic calls
//	160  ret        RAX after the call
//	168  fret       XMM0 after the call
//	176  ret2       RDX after the call
//	184  fret2      XMM1 after the call
//	192  fret34     (arm64 only)
//	208  x8         (arm64 only)
//	216  errnoF     __errno_location, or 0: capture errno
//	224  errno      errno after the call
//
// With errno capture, errno is cleared before the arguments are loaded and
// read right after the call; R12 (callee-saved) holds its address.
TEXT callStub(SB), NOSPLIT|NOFRAME, $0
	PUSHQ	BP
	MOVQ	SP, BP
	PUSHQ	BX
	PUSHQ	R12
	MOVQ	DI, BX		// BX = frame (callee-saved in C)

	MOVQ	216(BX), AX
	TESTQ	AX, AX
	JZ	noerrno
	ANDQ	$~15, SP	// C call: SP 16-aligned
	CALL	AX
	MOVQ	AX, R12		// R12 = &errno
	MOVL	$0, (R12)
noerrno:

	// Stack words: reserve nstack*8 bytes, keep SP 16-aligned.
	MOVQ	136(BX), CX
	MOVQ	CX, AX
	SHLQ	$3, AX
	ADDQ	$15, AX
	ANDQ	$~15, AX
	SUBQ	AX, SP
	ANDQ	$~15, SP
	MOVQ	144(BX), SI
	XORQ	DX, DX
copy:
	CMPQ	DX, CX
	JGE	copied
	MOVQ	(SI)(DX*8), R8
	MOVQ	R8, (SP)(DX*8)
	INCQ	DX
	JMP	copy
copied:
	MOVSD	72(BX), X0
	MOVSD	80(BX), X1
	MOVSD	88(BX), X2
	MOVSD	96(BX), X3
	MOVSD	104(BX), X4
	MOVSD	112(BX), X5
	MOVSD	120(BX), X6
	MOVSD	128(BX), X7
	MOVQ	8(BX), DI
	MOVQ	16(BX), SI
	MOVQ	24(BX), DX
	MOVQ	32(BX), CX
	MOVQ	40(BX), R8
	MOVQ	48(BX), R9
	MOVQ	0(BX), R10
	MOVQ	152(BX), AX
	CALL	R10
	MOVQ	AX, 160(BX)
	MOVSD	X0, 168(BX)
	MOVQ	DX, 176(BX)
	MOVSD	X1, 184(BX)
	MOVQ	216(BX), CX
	TESTQ	CX, CX
	JZ	done
	MOVL	(R12), CX
	MOVQ	CX, 224(BX)
done:

	LEAQ	-16(BP), SP
	POPQ	R12
	POPQ	BX
	POPQ	BP
	RET

DATA ·callStubABI0(SB)/8, $callStub(SB)
GLOBL ·callStubABI0(SB), NOPTR|RODATA, $8
