package jitffi

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
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
	off, err := errnoOffset(loc)
	if err == nil {
		// The same offset must hold on another thread.
		errc := make(chan error)
		go func() {
			o, err := errnoOffset(loc)
			if err == nil && o != off {
				err = fmt.Errorf("errno is at thread pointer%+d on one thread, %+d on another", off, o)
			}
			errc <- err
		}()
		err = <-errc
	}
	if err == nil {
		errnoState.tlsOK, errnoState.tlsOff = true, off
	}
}

// errnoOffset asks the C library where this thread's errno lives and
// returns its offset from the thread pointer.
func errnoOffset(location uintptr) (int32, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tp, err := rtprobe.ThreadPointer()
	if err != nil {
		return 0, err
	}
	p, _, _ := purego.SyscallN(location)
	d := int64(p) - int64(tp)
	if p == 0 || d < -1<<20 || d > 1<<20 {
		return 0, errors.New("errno is not in the static TLS block")
	}
	return int32(d), nil
}
