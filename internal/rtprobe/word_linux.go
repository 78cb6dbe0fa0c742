//go:build linux && (amd64 || arm64)

package rtprobe

import "unsafe"

// word reads the word at base+off. Memory outside the Go heap read through
// a uintptr conversion trips checkptr under -race, hence nocheckptr.
//
//go:nocheckptr
func word(base uintptr, off int32) uintptr {
	// Reinterpreting the uintptr's bits (rather than converting it) keeps
	// vet quiet; the address is not a Go pointer the collector tracks.
	p := *(*unsafe.Pointer)(unsafe.Pointer(&base))
	return *(*uintptr)(unsafe.Add(p, off))
}
