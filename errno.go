package jitffi

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/ebitengine/purego"

	"github.com/jitffi/jitffi/internal/rtprobe"
)

var errorType = reflect.TypeFor[error]()

// errnoState is what errno capture needs, found once.
var errnoState struct {
	once     sync.Once
	location uintptr // __errno_location, for the slow path
	err      error   // why errno capture is unavailable altogether

	// The fast path reads errno at a fixed offset from the thread
	// pointer and builds the error from errnoTable, without allocating.
	tlsOK  bool
	tlsOff int32
}

func initErrno() {
	loc, err := purego.Dlsym(purego.RTLD_DEFAULT, "__errno_location")
	if err != nil {
		errnoState.err = fmt.Errorf("errno capture: %w", err)
		return
	}
	errnoState.location = loc
	// The offset is found, and confirmed on a second OS thread, next to
	// the other runtime layout checks.
	off, err := rtprobe.ErrnoOffset(func() uintptr {
		p, _, _ := purego.SyscallN(loc)
		return p
	})
	if err == nil {
		errnoState.tlsOK, errnoState.tlsOff = true, off
	}
}
