package abi

// System V x86-64 (the C convention on linux/amd64) for scalar types.
//
// Integer, pointer and bool arguments in RDI, RSI, RDX, RCX, R8, R9;
// float and double arguments in XMM0-XMM7; the rest on the stack, each in
// its own 8-byte slot, in order, with SP 16-aligned at the call:
//
//	      ...
//	+16  | 3rd stack argument |
//	 +8  | 2nd stack argument |
//	  0  | 1st stack argument | <- SP at the CALL (16-aligned)
//
// Results come back in RAX or XMM0. Bits above a narrow argument or result
// are not defined by the ABI text, but clang relies on callers extending
// narrow arguments to 32 bits, so the plan always extends them; narrow
// results are normalised by the caller.
var sysvAMD64 = conv{
	name:        "sysv",
	ints:        6,
	flts:        8,
	intNames:    []string{"DI", "SI", "DX", "CX", "R8", "R9"},
	fltNames:    regNames("X", 8),
	intResult:   "AX",
	fltResult:   "X0",
	cStackSlots: true,
}

var amd64Arch = arch{goConv: goAMD64, cConv: sysvAMD64}
