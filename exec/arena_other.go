//go:build !linux

package exec

import (
	"fmt"
	"runtime"
)

func mapSealed(size int, write func(mem []byte)) (uintptr, error) {
	return 0, fmt.Errorf("exec: executable memory is not supported on %s", runtime.GOOS)
}
