package abi

// Go's internal register ABI (ABIInternal), as the compiler uses it when it
// calls a func value; see cmd/compile/abi-internal.md in the Go source.
//
// amd64: integer arguments and results in AX, BX, CX, DI, SI, R8, R9, R10,
// R11; floating-point ones in X0-X14. arm64: R0-R15 and F0-F15.
//
// A scalar that does not fit in the remaining registers of its class goes
// to the caller's stack-assigned argument area at its natural alignment;
// later scalars may still take registers. That area starts just above the
// return address, at 8(SP) on entry to the callee on amd64:
//
//	      ...
//	+24  | 3rd stack-assigned argument |
//	+16  | 2nd (aligned to its size)   |
//	 +8  | 1st stack-assigned argument |
//	  0  | return address              | <- SP on entry
var goAMD64 = conv{
	name:      "go",
	ints:      9,
	flts:      15,
	intNames:  []string{"AX", "BX", "CX", "DI", "SI", "R8", "R9", "R10", "R11"},
	fltNames:  regNames("X", 15),
	intResult: "AX",
	fltResult: "X0",
}

var goARM64 = conv{
	name:      "go",
	ints:      16,
	flts:      16,
	intNames:  regNames("R", 16),
	fltNames:  regNames("F", 16),
	intResult: "R0",
	fltResult: "F0",
}

func regNames(prefix string, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = prefix + itoa(i)
	}
	return names
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
