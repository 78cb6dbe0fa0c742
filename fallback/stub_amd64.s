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
TEXT callStub(SB), NOSPLIT|NOFRAME, $0
	PUSHQ	BP
	MOVQ	SP, BP
	PUSHQ	BX
	PUSHQ	R12
	MOVQ	DI, BX		// BX = frame (callee-saved in C)

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
	MOVQ	0(BX), R12
	MOVQ	152(BX), AX
	CALL	R12
	MOVQ	AX, 160(BX)
	MOVSD	X0, 168(BX)

	LEAQ	-16(BP), SP
	POPQ	R12
	POPQ	BX
	POPQ	BP
	RET

DATA ·callStubABI0(SB)/8, $callStub(SB)
GLOBL ·callStubABI0(SB), NOPTR|RODATA, $8
