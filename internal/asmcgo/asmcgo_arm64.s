#include "textflag.h"

// func Call(fn uintptr, arg unsafe.Pointer) int32
TEXT ·Call(SB), 0, $32-20
	MOVD	fn+0(FP), R0
	MOVD	R0, 8(RSP)
	MOVD	arg+8(FP), R0
	MOVD	R0, 16(RSP)
	CALL	runtime·asmcgocall(SB)
	MOVW	24(RSP), R0
	MOVW	R0, ret+16(FP)
	RET
