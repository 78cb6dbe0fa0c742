//go:build !(linux && (amd64 || arm64))

package upcall

import "unsafe"

const Supported = false

func callGo(fn unsafe.Pointer, fr uintptr) { panic("upcall: callbacks are not supported here") }
func fastEntryAddr() uintptr               { return 0 }
func cgocallbackAddr() uintptr             { return 0 }
func getg() uintptr                        { return 0 }
