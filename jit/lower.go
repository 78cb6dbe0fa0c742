package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
)

// CanLower reports whether Compile can lower p, and if not, why: the
// error's text is a reason a user can act on, without a package prefix
// (it is what PathOf reports). It depends on the plan only, not on the
// runtime: whether the process allows the fast path at all is the root
// package's to check.
func CanLower(p *abi.Plan) error {
	switch p.Arch {
	case abi.AMD64, abi.ARM64:
	default:
		return fmt.Errorf("no lowering for %s", p.Arch)
	}
	if n := len(goPointers(p)); n > KeepMax {
		return fmt.Errorf("%d Go pointer arguments, more than the %d a fast call keeps alive across callbacks", n, KeepMax)
	}
	if n := stringArgs(p); n > 0 {
		if f := fastFrame(p); f > abi.MaxFrame {
			return fmt.Errorf("%d Go string arguments of up to %d bytes each would need %d bytes of system stack, more than the limit of %d", n, StringMax, f, abi.MaxFrame)
		}
	}
	// Every struct argument and result is lowered on both architectures,
	// wherever Go and C put it: Go's registers or Go's stack; C's
	// registers, C's stack slots, a by-reference copy (AAPCS64) or the
	// memory of an indirect result (see amd64_struct.go, arm64_struct.go);
	// so is the error of errno capture after a struct result, in Go
	// registers or on the Go stack.
	return nil
}

// StringMax is the longest Go string argument, in bytes, that a fast call
// copies onto the system stack (with its NUL, rounded up to 16 bytes); a
// call with a longer one bails out to the slow path, which copies it into
// Go memory.
const StringMax = 4096

// stringArgs counts the Go string arguments of p.
func stringArgs(p *abi.Plan) int {
	n := 0
	for _, a := range p.Args {
		if a.GoAs == abi.GoString {
			n++
		}
	}
	return n
}

// fastFrame bounds the system stack a fast call of p takes: the keep area
// (marker, stack pointer and Go pointers), a copy of every string argument at its
// longest, the C frame, and 16 bytes of alignment.
func fastFrame(p *abi.Plan) int {
	return 8*(len(goPointers(p))+KeepWords) + stringArgs(p)*(StringMax+16) + p.Frame() + 16
}
