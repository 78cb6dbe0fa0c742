package jit

// testLayout is a fixed runtime layout (that of Go 1.25 and 1.26, which
// internal/rtprobe checks in a live process) so listings are stable.
var testLayout = Runtime{
	GStackguard0: 16,
	GM:           48,
	GSched:       56,
	GobufSP:      0,
	GobufPC:      8,
	GobufLR:      32,
	GobufBP:      40,
	MG0:          0,
	StackPreempt: -1314,
	StackGuard:   928,
	GSyscallSP:   104,
	GSyscallPC:   112,
	MNcgo:        328,
	MIncgo:       280,
	MLibcall:     872,
}
