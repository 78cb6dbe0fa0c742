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
