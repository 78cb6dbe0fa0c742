//go:build amd64 || arm64

package cstr

// stringResult finishes a fast call whose ptr result is bound to a Go
// string: the trampoline, back on the goroutine's stack with its frame
// popped, jumps here (it is never called) with the C result in the first
// integer result register (AX, R0), and with errno capture the error's
// two words already in the Go result registers after the string's. To
// the unwinder this frame was called by the trampoline's caller, whose
// call site it returns to; it is NOSPLIT assembly with a frame of its own
// and no arguments, so nothing is spilled into the caller's frame (see
// result_amd64.s).
//
//lint:ignore U1000 entered from native code, by the address ResultEntry takes in assembly
func stringResult()

func stringResultAddr() uintptr

// ResultEntry is the address trampolines jump to with a C string result
// (jit.Runtime.StringResult).
func ResultEntry() uintptr { return stringResultAddr() }
