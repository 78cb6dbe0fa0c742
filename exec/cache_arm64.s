#include "textflag.h"

// func flushICache(start, end uintptr)
//
// Cleans [start, end) to the point of unification and invalidates it in the
// instruction cache, then synchronises this core's fetch. Line sizes come
// from CTR_EL0 (readable from EL0 on Linux) rather than being assumed,
// because big.LITTLE systems may report lines smaller than 64 bytes.
// The system instructions are emitted as WORDs because the Go assembler
// does not accept all of them.
TEXT ·flushICache(SB), NOSPLIT|NOFRAME, $0-16
	MOVD start+0(FP), R0
	MOVD end+8(FP), R1

	WORD $0xd53b0022 // MRS CTR_EL0, R2

	// R3 = D-cache min line = 4 << CTR[19:16]
	LSR  $16, R2, R3
	AND  $15, R3, R3
	MOVD $4, R6
	LSL  R3, R6, R3

	// R4 = I-cache min line = 4 << CTR[3:0]
	AND $15, R2, R4
	LSL R4, R6, R4

	// Clean each D line from the aligned start.
	SUB $1, R3, R7
	BIC R7, R0, R5

dloop:
	WORD $0xd50b7b25 // DC CVAU, R5
	ADD  R3, R5, R5
	CMP  R1, R5
	BLO  dloop

	WORD $0xd5033b9f // DSB ISH

	// Invalidate each I line from the aligned start.
	SUB $1, R4, R7
	BIC R7, R0, R5

iloop:
	WORD $0xd50b7525 // IC IVAU, R5
	ADD  R4, R5, R5
	CMP  R1, R5
	BLO  iloop

	WORD $0xd5033b9f // DSB ISH
	WORD $0xd5033fdf // ISB
	RET
