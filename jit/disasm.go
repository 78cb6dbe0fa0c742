package jit

import (
	"encoding/binary"
	"fmt"
	"strings"

	"golang.org/x/arch/arm64/arm64asm"
	"golang.org/x/arch/x86/x86asm"

	"github.com/jitffi/jitffi/abi"
)

// Disassemble decodes code for arch into one instruction per line, each
// prefixed with its offset, in GNU syntax. It is for people (Describe, the
// dump command, bug reports); tests compare listings built from it.
func Disassemble(arch abi.Arch, code []byte) (string, error) {
	var b strings.Builder
	switch arch {
	case abi.AMD64:
		for pc := 0; pc < len(code); {
			inst, err := x86asm.Decode(code[pc:], 64)
			if err != nil {
				return b.String(), fmt.Errorf("jit: decode amd64 at %#x: %v", pc, err)
			}
			fmt.Fprintf(&b, "%#04x  %s\n", pc, x86asm.GNUSyntax(inst, uint64(pc), nil))
			pc += inst.Len
		}
	case abi.ARM64:
		for pc := 0; pc+4 <= len(code); pc += 4 {
			inst, err := arm64asm.Decode(code[pc:])
			if err != nil {
				fmt.Fprintf(&b, "%#04x  .word %#08x\n", pc, binary.LittleEndian.Uint32(code[pc:]))
				continue
			}
			fmt.Fprintf(&b, "%#04x  %s\n", pc, arm64asm.GNUSyntax(inst))
		}
	default:
		return "", fmt.Errorf("jit: no disassembler for %s", arch)
	}
	return b.String(), nil
}
