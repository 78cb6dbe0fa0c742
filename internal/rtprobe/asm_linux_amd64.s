#include "textflag.h"

// func getg() uintptr
TEXT ·getg(SB), NOSPLIT, $0-8
	MOVQ	(TLS), AX
	MOVQ	AX, ret+0(FP)
	RET

// func systemstackSwitch() uintptr
TEXT ·systemstackSwitch(SB), NOSPLIT, $0-8
	MOVQ	$runtime·systemstack_switch(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func stackNow(sgOff uintptr) (sp, lo, hi, sg uintptr)
// One reading of the current SP, g.stack and the word at g+sgOff, with no
// call in between at which the stack could move.
TEXT ·stackNow(SB), NOSPLIT, $0-40
	MOVQ	(TLS), AX
	MOVQ	SP, BX
	MOVQ	BX, sp+8(FP)
	MOVQ	0(AX), BX
	MOVQ	BX, lo+16(FP)
	MOVQ	8(AX), BX
	MOVQ	BX, hi+24(FP)
	MOVQ	sgOff+0(FP), CX
	MOVQ	(AX)(CX*1), BX
	MOVQ	BX, sg+32(FP)
	RET
