package jit

import (
	"fmt"
	"strings"

	"golang.org/x/arch/arm64/arm64asm"
	"golang.org/x/arch/x86/x86asm"

	"github.com/jitffi/jitffi/abi"
)

// Disassemble decodes code for arch into one instruction per line, each
// prefixed with its offset, in GNU syntax. It is for people (Describe, the
// dump command, bug reports); tests compare listings built from the same
// decoder.
func Disassemble(arch abi.Arch, code []byte) (string, error) {
	insts, err := decode(arch, code)
	var b strings.Builder
	for _, in := range insts {
		fmt.Fprintf(&b, "%#04x  %s\n", in.pc, in.text)
	}
	return b.String(), err
}

// decoded is one instruction of a listing.
type decoded struct {
	pc   int
	text string
}

// decode decodes all of code. A word that does not decode is an error,
// except the zero words (UDF #0) that pad arm64 code at its end; what was
// decoded before an error is returned with it.
func decode(arch abi.Arch, code []byte) ([]decoded, error) {
	var out []decoded
	switch arch {
	case abi.AMD64:
		for pc := 0; pc < len(code); {
			inst, err := x86asm.Decode(code[pc:], 64)
			if err != nil {
				return out, fmt.Errorf("jit: decode amd64 at %#x: %v", pc, err)
			}
			out = append(out, decoded{pc, x86asm.GNUSyntax(inst, uint64(pc), nil)})
			pc += inst.Len
		}
	case abi.ARM64:
		for pc := 0; pc+4 <= len(code); pc += 4 {
			inst, err := arm64asm.Decode(code[pc:])
			if err != nil {
				if allZero(code[pc:]) {
					break
				}
				return out, fmt.Errorf("jit: decode arm64 at %#x: %v", pc, err)
			}
			out = append(out, decoded{pc, arm64asm.GNUSyntax(inst)})
		}
	default:
		return nil, fmt.Errorf("jit: no disassembler for %s", arch)
	}
	return out, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
