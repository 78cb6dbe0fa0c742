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
