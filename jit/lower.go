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
	// Every struct argument and result is lowered on both architectures,
	// wherever Go and C put it: Go's registers or Go's stack; C's
	// registers, C's stack slots, a by-reference copy (AAPCS64) or the
	// memory of an indirect result (see amd64_struct.go, arm64_struct.go);
	// so is the error of errno capture after a struct result, in Go
	// registers or on the Go stack.
	return nil
}
