package jit

import (
	"strings"

	"github.com/jitffi/jitffi/abi"
)

// listing decodes code into one GNU-syntax instruction per line, without
// offsets, for golden listings and order checks.
func listing(arch abi.Arch, code []byte) (string, error) {
	insts, err := decode(arch, code)
	var b strings.Builder
	for _, in := range insts {
		b.WriteString(in.text)
		b.WriteByte('\n')
	}
	return b.String(), err
}

func listAMD64(code []byte) (string, error) { return listing(abi.AMD64, code) }

func listARM64(code []byte) (string, error) { return listing(abi.ARM64, code) }
