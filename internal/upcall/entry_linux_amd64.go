package upcall

import "unsafe"

const Supported = true

// fastEntry is entered by a jump from a native callback entry, never
// called (see entry_linux_amd64.s).
//
//lint:ignore U1000 entered from native code, by the address fastEntryAddr takes in assembly
func fastEntry(fr uintptr)

// callGo calls the funcval fn with the arguments in the frame at fr.
func callGo(fn unsafe.Pointer, fr uintptr)

func fastEntryAddr() uintptr
func cgocallbackAddr() uintptr
func getg() uintptr

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
