//go:build !(linux && (amd64 || arm64))

package rtprobe

import (
	"errors"

	"github.com/jitffi/jitffi/jit"
)

const supported = false

func arch() (jit.Runtime, error) { panic("rtprobe: BUG: arch called on an unsupported platform") }

func getg() uintptr { panic("rtprobe: BUG: getg called on an unsupported platform") }

func word(base uintptr, off int32) uintptr {
	panic("rtprobe: BUG: word called on an unsupported platform")
}

func threadPointer() (uintptr, error) {
	return 0, errors.New("no thread pointer access on this platform")
}

func onTwoThreads(here, there func() error) error {
	panic("rtprobe: BUG: onTwoThreads called on an unsupported platform")
}

func findTLSG() (int32, error) { panic("rtprobe: BUG: findTLSG called on an unsupported platform") }

func checkTLSG(int32) error { panic("rtprobe: BUG: checkTLSG called on an unsupported platform") }

func stackNow(uintptr) (sp, lo, hi, sg uintptr) {
	panic("rtprobe: BUG: stackNow called on an unsupported platform")
}
