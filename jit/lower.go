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
// and if not, why. On amd64 it lowers a struct argument that Go passes
// entirely in registers, whatever System V does with it (registers or
// stack slots), and a struct result that Go returns entirely in registers,
// whether C returns it in registers or through a hidden buffer. A struct
// Go passes or returns on its stack (it holds an array of more than one
// element, or its fields do not fit in the registers left) stays on the
// slow path.
func fastStruct(p *abi.Plan) (bool, string) {
	if p.Arch != abi.AMD64 {
		return false, StructReason
	}
	for i, a := range p.Args {
		if a.Struct != nil && a.Struct.Go == nil {
			return false, fmt.Sprintf("struct by value: Go passes %v (parameter %d) on the stack", a.Struct.Type, i)
		}
	}
	if r := p.Result.Struct; r != nil && r.Go == nil {
		return false, fmt.Sprintf("struct by value: Go returns %v on the stack", r.Type)
	}
	return true, ""
}
