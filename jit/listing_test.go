package jit

import (
	"fmt"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// listAMD64 decodes code into one GNU-syntax instruction per line.
func listAMD64(code []byte) (string, error) {
	var b strings.Builder
	for pc := 0; pc < len(code); {
		inst, err := x86asm.Decode(code[pc:], 64)
		if err != nil {
			return b.String(), fmt.Errorf("decode at %#x: %v", pc, err)
		}
		fmt.Fprintf(&b, "%s\n", x86asm.GNUSyntax(inst, uint64(pc), nil))
		pc += inst.Len
	}
	return b.String(), nil
}
