//go:build linux && (amd64 || arm64)

package rtprobe

import (
	"fmt"
	"runtime"
	"syscall"
)

// onTwoThreads runs here on the calling goroutine's OS thread, then there
// on a different OS thread, and fails unless the two thread IDs differ.
// The caller stays locked to its thread while there runs: a locked
// goroutine's thread runs nothing else, so the new goroutine, locked in
// turn, gets a thread of its own. (A parent that merely blocks lets the
// child run on the parent's thread, which then checks nothing new.)
func onTwoThreads(here, there func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := here(); err != nil {
		return err
	}
	tid := syscall.Gettid()
	type result struct {
		tid int
		err error
	}
	c := make(chan result)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := there()
		c <- result{syscall.Gettid(), err}
	}()
	r := <-c
	if r.err != nil {
		return fmt.Errorf("on a second thread: %w", r.err)
	}
	if r.tid == tid {
		return fmt.Errorf("the second thread has the first one's thread ID (%d)", tid)
	}
	return nil
}
