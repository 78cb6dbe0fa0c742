package jitffi

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
	"weak"

	"github.com/ebitengine/purego"

	"github.com/jitffi/jitffi/fallback"
	"github.com/jitffi/jitffi/sig"
)

// Library is a loaded shared library. Its methods are safe for concurrent
// use. Only Open makes a usable Library: every method of the zero value (or
// of a nil *Library) returns an error wrapping ErrNotOpen and touches no
// library, not even the running process.
type Library struct {
	path   string
	handle uintptr
	gate   fallback.Gate // closes every binding's fallback and counts its calls

	mu     sync.Mutex
	closed bool
	// The fast bindings live in slabs of slabSize, handed out in turn
	// from slab. live holds every slab weakly: a slab all of whose funcs
	// the program dropped can be collected, and Close still reaches every
	// binding that can still be called. One weak pointer per slab costs
	// far less than one per binding (each is a runtime special, inserted
	// into a per-span list). The entries of collected slabs are dropped
	// when the list has doubled since it was last swept (see newFast).
	slab      *bindingSlab
	live      []weak.Pointer[bindingSlab]
	liveSwept int    // len(live) after the last sweep
	symBuf    []byte // the NUL-terminated name dlsym is called with

	decls atomic.Pointer[sig.Decls] // what CDef declared (cdef.go); nil before
}

// Open loads the shared library at path with dlopen(RTLD_NOW|RTLD_LOCAL).
// Open("") gives the symbols of the running process and the libraries it
// was linked with (libc among them).
func Open(path string) (*Library, error) {
	if strings.IndexByte(path, 0) >= 0 {
		// dlopen would stop at the NUL and load another file than named.
		return nil, fmt.Errorf("jitffi: open %q: the path contains a NUL byte", path)
	}
	// dlerror's text is per thread: keep dlopen and dlerror on one.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		if path == "" {
			path = "the running process"
		}
		return nil, fmt.Errorf("jitffi: open %s: %w", path, err)
	}
	return &Library{path: path, handle: h}, nil
}

// Symbol returns the address of the named symbol.
func (l *Library) Symbol(name string) (unsafe.Pointer, error) {
	addr, err := l.lookup(name)
	if err != nil {
		return nil, err
	}
	return addrPointer(addr), nil
}

func (l *Library) lookup(name string) (uintptr, error) {
	if l == nil || l.handle == 0 {
		return 0, fmt.Errorf("jitffi: symbol %s: %w", name, ErrNotOpen)
	}
	if strings.IndexByte(name, 0) >= 0 {
		// dlsym would stop at the NUL and find another symbol than named.
		return 0, fmt.Errorf("jitffi: symbol %q: the name contains a NUL byte", name)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, fmt.Errorf("jitffi: symbol %s: %w", name, ErrClosed)
	}
	runtime.LockOSThread() // dlsym and dlerror on one thread
	defer runtime.UnlockOSThread()
	if addr := l.dlsym(name); addr != 0 {
		return addr, nil
	}
	// Not found (or no direct call): purego's Dlsym looks again and
	// reads dlerror for the message.
	addr, err := purego.Dlsym(l.handle, name)
	if err != nil {
		return 0, fmt.Errorf("jitffi: symbol %s: %w: %w", name, ErrNoSymbol, err)
	}
	return addr, nil
}

// libcDlsym is the address of the C library's dlsym, found once; 0 if
// it cannot be.
var libcDlsym = sync.OnceValue(func() uintptr {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	addr, err := purego.Dlsym(purego.RTLD_DEFAULT, "dlsym")
	if err != nil {
		return 0
	}
	return addr
})

// dlsym calls the C library's dlsym directly through the slow path's
// call stub (runtime.cgocall, as purego's Dlsym does, without its
// reflection and allocations), with the name copied NUL-terminated into
// the library's buffer. It returns 0 when the symbol is not found or the
// direct call is not available. l.mu is held, for the buffer.
func (l *Library) dlsym(name string) uintptr {
	fn := libcDlsym()
	if fn == 0 {
		return 0
	}
	l.symBuf = append(append(l.symBuf[:0], name...), 0)
	addr, _ := fallback.Call2(fn, l.handle, unsafe.Pointer(&l.symBuf[0]))
	if cap(l.symBuf) > 1024 {
		l.symBuf = nil // do not keep a long name's buffer
	}
	return addr
}

// Close unloads the library. Every func bound from it panics with an error
// wrapping ErrClosed from then on, before any native code runs. Close waits
// for calls already inside the library to return; it must not be called
// from inside one. Calling Close again does nothing.
func (l *Library) Close() error {
	if l == nil || l.handle == 0 {
		return fmt.Errorf("jitffi: close: %w", ErrNotOpen)
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	live := l.live
	l.live, l.slab = nil, nil
	l.mu.Unlock()

	// New calls bail out of the fast path (target zero) into the
	// fallback, which sees the gate closed and panics. No slot is handed
	// out once closed is set, so each slab's n is final.
	l.gate.Close()
	for _, w := range live {
		if s := w.Value(); s != nil {
			for i := range s.n {
				atomic.StoreUintptr(&s.fb[i].record.target, 0)
			}
		}
	}
	// A fast-path call that loaded its target just before the store may
	// still be inside C. It is not at a safe point, so a stop-the-world
	// cannot complete until it has returned: ReadMemStats stops the world.
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// Calls on the cgocall path are in syscall state, which a
	// stop-the-world does not wait for; they are counted instead.
	for l.gate.InFlight() != 0 {
		time.Sleep(50 * time.Microsecond)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := purego.Dlclose(l.handle); err != nil {
		return fmt.Errorf("jitffi: close %s: %w", l.path, err)
	}
	return nil
}

// slabSize is the number of fast bindings in one slab. A slab is
// collected once all of its funcs are dropped, so a func the program keeps
// keeps at most slabSize-1 dropped ones (their binding and slow closure,
// about 400 bytes each) from being collected.
const slabSize = 32

// bindingSlab is a block of fast bindings of one library.
type bindingSlab struct {
	n  int // slots handed out; changed under the library's mu
	fb [slabSize]fastBinding
}

// newFast hands out the next fast binding of the library. Its record
// counts as live from now on: Close zeroes its target.
func (l *Library) newFast(name string) (*fastBinding, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, fmt.Errorf("jitffi: bind %s: %w", name, ErrClosed)
	}
	if l.slab == nil || l.slab.n == slabSize {
		if len(l.live) >= 2*l.liveSwept+16 {
			l.sweep()
		}
		l.slab = new(bindingSlab)
		l.live = append(l.live, weak.Make(l.slab))
	}
	fb := &l.slab.fb[l.slab.n]
	l.slab.n++
	return fb, nil
}

// add checks, once the binding is complete, that the library was not
// closed meanwhile: Close either saw the binding's record (handed out
// by newFast) or set closed before this check.
func (l *Library) add(b *binding) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("jitffi: bind %s: %w", b.name, ErrClosed)
	}
	return nil
}

// sweep drops the entries of collected slabs; l.mu is held. The list is
// reallocated when it would keep more than four times what it holds.
func (l *Library) sweep() {
	l.live = slices.DeleteFunc(l.live, func(w weak.Pointer[bindingSlab]) bool { return w.Value() == nil })
	if cap(l.live) > 4*len(l.live)+16 {
		l.live = append(make([]weak.Pointer[bindingSlab], 0, 2*len(l.live)), l.live...)
	}
	l.liveSwept = len(l.live)
}

// liveBindings is the number of fast bindings Close would reach now: the
// slots handed out in the slabs that were not collected.
func (l *Library) liveBindings() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep()
	n := 0
	for _, w := range l.live {
		if s := w.Value(); s != nil {
			n += s.n
		}
	}
	return n
}

// addrPointer turns a C address into an unsafe.Pointer by reinterpreting
// the word: the address is not a Go pointer, and converting a uintptr
// would trip vet and checkptr for no benefit.
func addrPointer(addr uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&addr))
}
