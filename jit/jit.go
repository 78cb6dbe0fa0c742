package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
)

// Compile lowers a plan that CanLower accepts to machine code for p.Arch. The code
// is position-independent: it can be placed anywhere.
func Compile(p *abi.Plan, rt *Runtime) ([]byte, error) {
	if err := CanLower(p); err != nil {
		return nil, fmt.Errorf("jit: cannot lower %v: %w", p.Sig, err)
	}
	switch p.Arch {
	case abi.AMD64:
		return compileAMD64(p, rt)
	case abi.ARM64:
		return compileARM64(p, rt)
	}
	return nil, fmt.Errorf("jit: no lowering for %s", p.Arch)
}
