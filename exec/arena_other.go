//go:build !linux

package exec

import (
	"fmt"
	"runtime"
	"unsafe"
)

func mapSealed(size int, write func(mem []byte)) (uintptr, error) {
	return 0, fmt.Errorf("exec: executable memory is not supported on %s", runtime.GOOS)
}

func mapDual(size int) (rw, rx []byte, err error) {
	return nil, nil, fmt.Errorf("exec: executable memory is not supported on %s", runtime.GOOS)
}

func dualMapAvailable() error {
	_, _, err := mapDual(0)
	return err
}

func unmapView(rw []byte) {}

func syncCores() {}

func sliceAddr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
