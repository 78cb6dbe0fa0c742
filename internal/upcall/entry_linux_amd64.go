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
