#include "textflag.h"

// func callCode(addr uintptr) uint64
//
// The frame is non-zero on purpose: a zero-sized arm64 frame is treated as
// a leaf and would not save LR across the CALL.
TEXT ·callCode(SB), $16-16
	MOVD addr+0(FP), R0
	CALL (R0)
	MOVD R0, ret+8(FP)
	RET
