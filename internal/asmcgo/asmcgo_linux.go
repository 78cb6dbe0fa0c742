//go:build linux && (amd64 || arm64)

package asmcgo

import "unsafe"

// Call runs the C function fn(arg) on the system stack and returns its
// int result, as runtime.asmcgocall does.
func Call(fn uintptr, arg unsafe.Pointer) int32
