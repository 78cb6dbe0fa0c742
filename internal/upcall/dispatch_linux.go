//go:build linux && (amd64 || arm64)

package upcall

import "unsafe"

// The ABIInternal code of dispatch0 and dispatch4, which fastEntry calls
// directly rather than through their ABI0 wrappers (a frame and a call
// less per callback).
var (
	dispatch0Func, dispatch4Func = dispatch0, dispatch4
	//lint:ignore U1000 read by fastEntry (assembly)
	dispatch0PC = **(**uintptr)(unsafe.Pointer(&dispatch0Func))
	//lint:ignore U1000 read by fastEntry (assembly)
	dispatch4PC = **(**uintptr)(unsafe.Pointer(&dispatch4Func))
)
