#include "textflag.h"

// func Call(fn uintptr, arg unsafe.Pointer) int32
TEXT ·Call(SB), 0, $24-20
	MOVQ	fn+0(FP), AX
	MOVQ	AX, 0(SP)
	MOVQ	arg+8(FP), AX
	MOVQ	AX, 8(SP)
	CALL	runtime·asmcgocall(SB)
	MOVL	16(SP), AX
	MOVL	AX, ret+16(FP)
	RET
