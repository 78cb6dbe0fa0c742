package abi

// AAPCS64 (the C convention on linux/arm64) for scalar types.
//
// Integer, pointer and bool arguments in X0-X7; float and double arguments
// in V0-V7; the rest on the stack in 8-byte slots (Linux rounds every
// stack argument up to 8 bytes), SP 16-aligned at the call. X8 is reserved
// for the address of an indirect result. Results come back in X0 or V0.
//
// On Linux the callee does not rely on narrow arguments being extended and
// the caller must not rely on narrow results being normalised; the plan
// extends arguments anyway (harmless, and what Apple's variant needs) and
// normalises results.
var aapcs64 = conv{
	name:        "aapcs64",
	ints:        8,
	flts:        8,
	intNames:    regNames("R", 8),
	fltNames:    regNames("F", 8),
	intResult:   "R0",
	fltResult:   "F0",
	cStackSlots: true,
}

var arm64Arch = arch{goConv: goARM64, cConv: aapcs64}
