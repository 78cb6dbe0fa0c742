//go:build !(linux && (amd64 || arm64))

package asmcgo

import "unsafe"

// Call panics: callbacks exist only on linux/amd64 and linux/arm64.
func Call(fn uintptr, arg unsafe.Pointer) int32 { panic("asmcgo: not supported on this platform") }
