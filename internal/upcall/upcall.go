package upcall

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"github.com/jitffi/jitffi/jit"
)

// Layout is the runtime description the Go side of the fast entry needs
// to undo what the native entry did when a panic or runtime.Goexit leaves
// the callback instead of a return. Set once by Init.
var layout struct {
	rt jit.Runtime
	up jit.Upcall
}

// Addresses returns the doors into Go that a native entry jumps to, and
// remembers the layout for unwinding.
func Init(rt jit.Runtime, up *jit.Upcall) error {
	if !Supported {
		return fmt.Errorf("callbacks are not supported on this platform")
	}
	up.FastEntry = uint64(fastEntryAddr())
	up.Cgocallback = uint64(cgocallbackAddr())
	up.StdFn = uint64(**(**uintptr)(unsafe.Pointer(&stdFunc)))
	layout.rt, layout.up = rt, *up
	return nil
}

var stdFunc = std

// A slot is what a stub jumps through: the entry of its callback's
// signature, its index and its record. Slots live in memory outside the
// Go heap, so that native code can read them without the collector's
// involvement; a slot's index and record never change. The record
// pointer is hidden from the collector, which is sound because records
// live in chunks that the table keeps forever.
type slot struct {
	entry uintptr
	index uintptr
	rec   uintptr // *Record
}

const (
	chunkSlots = 256
	slotSize   = unsafe.Sizeof(slot{})
)

// Record is the Go side of one slot.
type Record struct {
	fn    atomic.Pointer[byte] // the Go func's funcval; nil while the slot is closed
	Name  string               // for messages: the signature and the Go type
	Fast  atomic.Uint64        // calls through the fast entry (counted with Trace)
	Std   atomic.Uint64        // calls through the standard entry
	entry uintptr              // the signature's native entry while open
	slot  *slot
}

type chunk struct {
	slots *[chunkSlots]slot
	stubs uintptr // address of stub 0
	recs  [chunkSlots]Record
}

// Trace makes run count the calls through each entry.
var Trace bool

var table struct {
	mu     sync.Mutex
	chunks atomic.Pointer[[]*chunk]
	free   []uint32 // closed slots, oldest first
	n      uint32   // slots made
}

// Quarantine is how many closed slots wait before the oldest is reused:
// a C caller holding a stale pointer to a recently closed callback gets a
// fatal error that names it, not another callback's func. Callback.Close's
// doc and the README state the number.
const Quarantine = 1024

// Open finds a free slot for fn (a funcval pointer) with the native entry
// of its signature and returns the slot's stub address and its record.
// place places stub code (one StubSize stub per slot address) and returns
// its address.
func Open(fn unsafe.Pointer, entry uintptr, name string, place func(slots []uint64) (uintptr, error)) (stub uintptr, rec *Record, err error) {
	table.mu.Lock()
	defer table.mu.Unlock()
	var idx uint32
	if len(table.free) > Quarantine {
		idx = table.free[0]
		table.free = table.free[1:]
	} else {
		if table.n%chunkSlots == 0 {
			if err := grow(place); err != nil {
				return 0, nil, err
			}
		}
		idx = table.n
		table.n++
	}
	c := (*table.chunks.Load())[idx/chunkSlots]
	i := idx % chunkSlots
	rec = &c.recs[i]
	rec.Name = name
	rec.entry = entry
	rec.slot = &c.slots[i]
	rec.fn.Store((*byte)(fn))
	atomic.StoreUintptr(&c.slots[i].entry, entry)
	return c.stubs + uintptr(i)*jit.StubSize, rec, nil
}

// Close releases the record's Go func; the slot waits in quarantine.
func (r *Record) Close() {
	table.mu.Lock()
	defer table.mu.Unlock()
	if r.fn.Swap(nil) == nil {
		return
	}
	table.free = append(table.free, uint32(r.slot.index))
}

// grow adds a chunk of slots and their stubs. Called with table.mu held.
func grow(place func(slots []uint64) (uintptr, error)) error {
	mem, err := syscall.Mmap(-1, 0, int(chunkSlots*slotSize), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return fmt.Errorf("mapping callback slots: %w", err)
	}
	c := &chunk{slots: (*[chunkSlots]slot)(unsafe.Pointer(&mem[0]))}
	base := table.n
	addrs := make([]uint64, chunkSlots)
	for i := range c.slots {
		c.slots[i].index = uintptr(base) + uintptr(i)
		c.slots[i].rec = uintptr(unsafe.Pointer(&c.recs[i]))
		addrs[i] = uint64(uintptr(unsafe.Pointer(&c.slots[i])))
	}
	if c.stubs, err = place(addrs); err != nil {
		syscall.Munmap(mem)
		return err
	}
	var chunks []*chunk
	if old := table.chunks.Load(); old != nil {
		chunks = append(chunks, *old...)
	}
	chunks = append(chunks, c)
	table.chunks.Store(&chunks)
	return nil
}

// Live reports how many slots hold an open callback, and how many exist.
func Live() (open, made int) {
	table.mu.Lock()
	defer table.mu.Unlock()
	for _, c := range *table.chunks.Load() {
		for i := range c.recs {
			if c.recs[i].fn.Load() != nil {
				open++
			}
		}
	}
	return open, int(table.n)
}

//go:nocheckptr
func frameAt(fr uintptr) *Frame {
	return (*Frame)(*(*unsafe.Pointer)(unsafe.Pointer(&fr)))
}

// record finds the record of the slot the frame came through.
//
//go:nocheckptr
func record(f *Frame) *Record {
	return (*Record)(*(*unsafe.Pointer)(unsafe.Add(*(*unsafe.Pointer)(unsafe.Pointer(&f.Slot)), unsafe.Offsetof(slot{}.rec))))
}

// dispatch0, dispatch4 and dispatch16 run a fast-entry callback. Their
// pointer arguments are the Go pointers the fast-path call below passed to
// C (the rest nil): live arguments, so that the collector keeps what C may
// be using while Go code runs. fastEntry calls the smallest that fits.
// Each does the whole call itself (the funcval, then callGo), with the
// deferred unwinding in its own frame: dispatch4 calling dispatch0 made
// the fast-entry qsort of BenchmarkQsort 4% slower (best of 8 interleaved
// runs), more than the repetition costs.
//
//lint:ignore U1000 called from fastEntry (assembly)
func dispatch0(fr uintptr) {
	f := frameAt(fr)
	fn := record(f).fn.Load()
	if fn == nil || Trace {
		fn = enterSlow(f, true)
	}
	done := false
	defer func() {
		if !done {
			unwindFast(f)
		}
	}()
	callFn(fn, f, fr)
	done = true
}

//lint:ignore U1000 called from fastEntry (assembly)
func dispatch4(fr uintptr, k0, k1, k2, k3 unsafe.Pointer) {
	f := frameAt(fr)
	fn := record(f).fn.Load()
	if fn == nil || Trace {
		fn = enterSlow(f, true)
	}
	done := false
	defer func() {
		if !done {
			unwindFast(f)
		}
	}()
	callFn(fn, f, fr)
	done = true
	runtime.KeepAlive(k0)
	runtime.KeepAlive(k1)
	runtime.KeepAlive(k2)
	runtime.KeepAlive(k3)
}

//lint:ignore U1000 called from fastEntry (assembly)
func dispatch16(fr uintptr, keep [jit.KeepMax]unsafe.Pointer) {
	f := frameAt(fr)
	fn := record(f).fn.Load()
	if fn == nil || Trace {
		fn = enterSlow(f, true)
	}
	done := false
	defer func() {
		if !done {
			unwindFast(f)
		}
	}()
	callFn(fn, f, fr)
	done = true
	keepAlive(&keep)
}

//go:noinline
func keepAlive(*[jit.KeepMax]unsafe.Pointer) {}

// callFn calls the Go func fn with the arguments in the frame f (at fr)
// and stores its result there. When the arguments all travel in at most
// the first four integer registers and the result is a scalar or
// nothing, it calls fn as a regs4: Go's register ABI assigns registers by
// class and order alone (cmd/compile/abi-internal.md), so the Go func
// receives the same registers whatever its parameter types, the frame
// holds each value extended to its register's width, a result comes back
// in the first integer or float register, and a caller owes a callee
// only the spill space of its register arguments, which regs4's covers.
// Everything else goes through callGo. Skipping callGo's frame and count
// decoding took an i32(i32) callback from 13.8 to 12.7 ns
// (BenchmarkCallback/fast-entry, best of 12 interleaved runs).
func callFn(fn *byte, f *Frame, fr uintptr) {
	if c := f.NStack; uint32(c) != 0 || c>>32 > 4 {
		// Stack arguments or results, floats, a struct result or
		// more than four integers.
		callGo(unsafe.Pointer(fn), fr)
		return
	}
	f.Ints[0], f.Floats[0] = (*(*regs4)(unsafe.Pointer(&fn)))(f.Ints[0], f.Ints[1], f.Ints[2], f.Ints[3])
}

// regs4 is the type callFn calls a Go func as: its arguments take the
// first four integer registers, its results the first integer and the
// first float register.
type regs4 func(a, b, c, d uint64) (uint64, float64)

// std runs a standard-entry callback, called by the runtime's cgocallback
// (which handles panics and Goexit itself, as for cgo).
func std(fr unsafe.Pointer) {
	f := frameAt(uintptr(fr))
	fn := record(f).fn.Load()
	if fn == nil || Trace {
		fn = enterSlow(f, false)
	}
	callFn(fn, f, uintptr(fr))
}

// enterSlow is the way in for a closed callback (a fatal error) or a
// counted call; the dispatch functions check for either inline.
func enterSlow(f *Frame, fast bool) *byte {
	r := record(f)
	fn := r.fn.Load()
	if fn == nil {
		fatal(fmt.Sprintf("jitffi: fatal error: C called callback %s after it was closed", r.Name))
	}
	count(r, fast)
	return fn
}

// badMarker is where fastEntry goes when the word below g0.sched.sp is
// not a jitffi marker: the C call below is not ours.
//
//lint:ignore U1000 called from fastEntry (assembly)
func badMarker(fr uintptr) {
	f := frameAt(fr)
	fatal(fmt.Sprintf("jitffi: fatal error: callback %s entered from a C call that is neither a jitffi fast-path call nor cgo (marker %#x)", record(f).Name, f.Marker))
}

func count(r *Record, fast bool) {
	if fast {
		r.Fast.Add(1)
	} else {
		r.Std.Add(1)
	}
}

// unwindFast undoes the fast entry when a panic or Goexit leaves the
// callback: the C frames below are abandoned (as cgo does), so g0's saved
// SP goes back above them, the fast call's cgo call state ends (m.ncgo,
// m.incgo; g.syscallsp and m.libcallsp are already zero while the
// callback runs) and the
// goroutine is unpinned. The TLS g is already the goroutine's.
//
//go:nocheckptr
func unwindFast(f *Frame) {
	rt, up := &layout.rt, &layout.up
	g := getg()
	m := word(g, rt.GM)
	g0 := word(m, rt.MG0)
	*(*uintptr)(at(g0, rt.GSched+rt.GobufSP)) = f.G0SP
	if rt.MNcgo != 0 {
		// The fast call below never returns to end its cgo call state
		// (the runtime's unwindm does the same for cgocall).
		*(*int32)(at(m, rt.MNcgo))--
		*(*bool)(at(m, rt.MIncgo)) = false
	}
	locked := (*uint32)(at(m, up.MLockedInt))
	*locked--
	if *locked == 0 && *(*uint32)(at(m, up.MLockedExt)) == 0 {
		*(*uintptr)(at(m, up.MLockedg)) = 0
		*(*uintptr)(at(g, up.GLockedm)) = 0
	}
}

//go:nocheckptr
func at(base uintptr, off int32) unsafe.Pointer {
	return unsafe.Add(*(*unsafe.Pointer)(unsafe.Pointer(&base)), off)
}

//go:nocheckptr
func word(base uintptr, off int32) uintptr { return *(*uintptr)(at(base, off)) }

// fatal ends the process with msg and the traceback of a fresh goroutine;
// the calling goroutine, which C is waiting for, never returns to C.
func fatal(msg string) {
	os.Stderr.WriteString(msg + "\n")
	go panic(msg)
	select {}
}
