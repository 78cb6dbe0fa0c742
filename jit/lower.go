package jit

import (
	"errors"
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
	if p.Sig.HasStruct() {
		if ok, reason := fastStruct(p); !ok {
			return errors.New(reason)
		}
		if p.Errno && p.ErrGo.Class == abi.Stack {
			return fmt.Errorf("struct by value: the error result after %v goes on the Go stack", p.Result.Struct.Type)
		}
	}
	return nil
}

// StructReason is CanLower's reason for a plan with a struct by value on an
// architecture whose fast path does not lower structs (arm64).
const StructReason = "struct by value: slow path only"

// fastStruct decides whether the JIT lowers a plan with structs by value,
// and if not, why. On amd64 it lowers every struct argument and result,
// wherever Go and System V put it: Go's registers or Go's stack, C's
// registers, C's stack slots or the hidden result buffer.
func fastStruct(p *abi.Plan) (bool, string) {
	if p.Arch != abi.AMD64 {
		return false, StructReason
	}
	return true, ""
}
