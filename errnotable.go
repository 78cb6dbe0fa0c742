package jitffi

import (
	"sync"
	"syscall"
	"unsafe"
)

// errnoTable holds the error values the fast path hands out for errno
// capture: the trampoline builds the interface from the itab word of a
// syscall.Errno and the data word of boxes[errno], so it never allocates.
// The table (4096 values, about 96 KiB with the boxes) is built on the
// first fast-path binding with the Errno option, not before.
var errnoTable struct {
	once  sync.Once
	boxes *[4096]error   // keeps the data words alive
	table *[4096]uintptr // data word of boxes[i]
}

// useErrnoTable builds the table once and gives its address to the
// runtime description the trampolines are compiled with. It runs before
// the first errno plan is compiled; fast.mu orders the write before every
// compile that reads it.
func useErrnoTable() {
	errnoTable.once.Do(func() {
		boxes, table := new([4096]error), new([4096]uintptr)
		var itab uintptr
		for i := range boxes {
			boxes[i] = syscall.Errno(i)
			w := (*[2]uintptr)(unsafe.Pointer(&boxes[i]))
			table[i] = w[1]
			itab = w[0]
		}
		errnoTable.boxes, errnoTable.table = boxes, table
		fast.mu.Lock()
		fast.rt.ErrnoItab = uint64(itab)
		fast.rt.ErrnoTable = uint64(uintptr(unsafe.Pointer(&table[0])))
		fast.mu.Unlock()
	})
}
