#include "textflag.h"

// func callCode(addr uintptr) uint64
//
// The callee runs on this goroutine's stack; it must only need the few
// bytes the caller's stack-guard slack guarantees.
TEXT ·callCode(SB), $0-16
	MOVQ addr+0(FP), AX
	CALL AX
	MOVQ AX, ret+8(FP)
	RET
