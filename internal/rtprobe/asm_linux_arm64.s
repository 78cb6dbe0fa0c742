#include "textflag.h"

// func getg() uintptr
TEXT ·getg(SB), NOSPLIT, $0-8
	MOVD	g, R0
	MOVD	R0, ret+0(FP)
	RET

// func tpidr() uintptr
TEXT ·tpidr(SB), NOSPLIT, $0-8
	WORD	$0xd53bd040 // MRS TPIDR_EL0, R0
	MOVD	R0, ret+0(FP)
	RET

// func systemstackSwitch() uintptr
TEXT ·systemstackSwitch(SB), NOSPLIT, $0-8
	MOVD	$runtime·systemstack_switch(SB), R0
	MOVD	R0, ret+0(FP)
	RET

// func stackNow(sgOff uintptr) (sp, lo, hi, sg uintptr)
// One reading of the current SP, g.stack and the word at g+sgOff, with no
// call in between at which the stack could move.
TEXT ·stackNow(SB), NOSPLIT, $0-40
	MOVD	RSP, R1
	MOVD	R1, sp+8(FP)
	MOVD	0(g), R1
	MOVD	R1, lo+16(FP)
	MOVD	8(g), R1
	MOVD	R1, hi+24(FP)
	MOVD	sgOff+0(FP), R2
	MOVD	(g)(R2), R1
	MOVD	R1, sg+32(FP)
	RET
