#include "textflag.h"
#include "funcdata.h"

// stringResult: R0 = the C string (or 0); R2, R3 = the error of errno
// capture, if any, kept in the frame across the copy (static data, see
// result_amd64.s). LR is the return address into the trampoline's caller.
TEXT ·stringResult(SB), NOSPLIT, $40-0
	NO_LOCAL_POINTERS
	MOVD	R2, 32(RSP)
	MOVD	R3, 40(RSP)
	MOVD	R0, 8(RSP)
	CALL	·fromAddr(SB)
	MOVD	16(RSP), R0
	MOVD	24(RSP), R1
	MOVD	32(RSP), R2
	MOVD	40(RSP), R3
	RET

TEXT ·stringResultAddr(SB), NOSPLIT, $0-8
	MOVD	$·stringResult(SB), R0
	MOVD	R0, ret+0(FP)
	RET
