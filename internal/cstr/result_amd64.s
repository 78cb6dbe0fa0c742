#include "textflag.h"
#include "funcdata.h"

// stringResult: AX = the C string (or 0); CX, DI = the error of errno
// capture, if any, which are kept in the frame across the copy and put
// back. The error's words point to static data (an itab, the errno
// table), so the collector need not see them: no local pointers.
//
//	| return PC into the trampoline's caller |
//	| DI, CX saved                           | 32(SP), 24(SP)
//	| fromAddr's result (data, len)          | 16(SP), 8(SP)
//	| fromAddr's argument                    | 0(SP)
TEXT ·stringResult(SB), NOSPLIT, $40-0
	NO_LOCAL_POINTERS
	MOVQ	CX, 24(SP)
	MOVQ	DI, 32(SP)
	MOVQ	AX, 0(SP)
	CALL	·fromAddr(SB)
	MOVQ	8(SP), AX
	MOVQ	16(SP), BX
	MOVQ	24(SP), CX
	MOVQ	32(SP), DI
	RET

TEXT ·stringResultAddr(SB), NOSPLIT, $0-8
	MOVQ	$·stringResult(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
