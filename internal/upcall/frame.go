package upcall

import (
	"unsafe"

	"github.com/jitffi/jitffi/jit"
)

// Frame is the callback frame the per-signature entry builds on the C
// stack (jit.CB* is its layout). It is never a Go object: Go code sees it
// only through a pointer into C's stack.
type Frame struct {
	Slot   uintptr
	Back   uintptr
	G0SP   uintptr
	Marker uintptr
	NStack uintptr
	Hidden uintptr
	Ints   [16]uint64
	Floats [16]float64 // the bits of each float register
	Stack  [jit.CallbackStackMax]byte
}

func init() {
	var f Frame
	if unsafe.Offsetof(f.Slot) != jit.CBSlot || unsafe.Offsetof(f.Back) != jit.CBBack ||
		unsafe.Offsetof(f.G0SP) != jit.CBG0SP || unsafe.Offsetof(f.Marker) != jit.CBMarker ||
		unsafe.Offsetof(f.NStack) != jit.CBNStack || unsafe.Offsetof(f.Hidden) != jit.CBHidden ||
		unsafe.Offsetof(f.Ints) != jit.CBInts || unsafe.Offsetof(f.Floats) != jit.CBFloats ||
		unsafe.Offsetof(f.Stack) != jit.CBStack || unsafe.Sizeof(f) != jit.CBFrameLen {
		panic("upcall: BUG: Frame does not match jit.CB*")
	}
}
