package rtprobe

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/jitffi/jitffi/jit"
)

// The runtime fields a fast-entry callback touches (see jit.Upcall), by Go
// release: m's layout moved between 1.25 and 1.26. ProbeUpcall checks the
// values against the live process before anything uses them.
var upcallLayouts = map[string]jit.Upcall{
	"go1.25": {GStatus: gAtomicstatus, GLockedm: 208, MCurg: 184, MLockedg: 360, MLockedExt: 624, MLockedInt: 628},
	"go1.26": {GStatus: gAtomicstatus, GLockedm: 208, MCurg: 184, MLockedg: 384, MLockedExt: 648, MLockedInt: 652},
}

// gScan is the bit the collector ors into g.atomicstatus while it holds
// the g (the states are in probe.go).
const gScan = 0x1000

// ProbeUpcall returns the layout of the fields a fast-entry callback
// touches, checked on the live process: m.curg is the running goroutine,
// LockOSThread sets m.lockedg, g.lockedm and counts in m.lockedExt (and
// UnlockOSThread undoes it), m.lockedInt next to it holds a small count,
// and g.atomicstatus says running for the current goroutine and waiting
// for a parked one.
func ProbeUpcall(rt *jit.Runtime) (up jit.Upcall, err error) {
	v := runtime.Version()
	var ok bool
	for prefix, l := range upcallLayouts {
		if v == prefix || strings.HasPrefix(v, prefix+".") || strings.HasPrefix(v, prefix+"rc") {
			up, ok = l, true
		}
	}
	if !ok {
		return up, fmt.Errorf("no known layout of runtime.m for %s", v)
	}
	err = guarded(func() error { return checkUpcall(rt, &up) })
	return up, err
}

func checkUpcall(rt *jit.Runtime, up *jit.Upcall) error {
	errc := make(chan error)
	go func() { errc <- checkLocked(rt, up) }()
	if err := <-errc; err != nil {
		return err
	}
	return withParkedG(rt, func(p *parked) error {
		g := p.g
		if s := u32(g, up.GStatus) &^ gScan; s != gWaiting {
			return fmt.Errorf("a parked goroutine's g.atomicstatus is %d, want %d (waiting)", s, gWaiting)
		}
		if l := word(g, up.GLockedm); l != 0 {
			return fmt.Errorf("a parked, unlocked goroutine's g.lockedm is %#x, want 0", l)
		}
		return nil
	})
}

// checkLocked runs on a fresh goroutine, which nothing has locked.
func checkLocked(rt *jit.Runtime, up *jit.Upcall) error {
	g := getg()
	if s := u32(g, up.GStatus) &^ gScan; s != gRunning {
		return fmt.Errorf("the running goroutine's g.atomicstatus is %d, want %d (running)", s, gRunning)
	}
	if l := word(g, up.GLockedm); l != 0 {
		return fmt.Errorf("an unlocked goroutine's g.lockedm is %#x, want 0", l)
	}
	runtime.LockOSThread()
	m := word(g, rt.GM)
	if c := word(m, up.MCurg); c != g {
		runtime.UnlockOSThread()
		return fmt.Errorf("m.curg (%#x) is not the running goroutine (%#x)", c, g)
	}
	ext := u32(m, up.MLockedExt)
	lockedg, lockedm := word(m, up.MLockedg), word(g, up.GLockedm)
	runtime.LockOSThread()
	ext2 := u32(m, up.MLockedExt)
	runtime.UnlockOSThread()
	ext3 := u32(m, up.MLockedExt)
	runtime.UnlockOSThread()
	switch {
	case lockedg != g:
		return fmt.Errorf("after LockOSThread m.lockedg is %#x, want the goroutine %#x", lockedg, g)
	case lockedm != m:
		return fmt.Errorf("after LockOSThread g.lockedm is %#x, want its m %#x", lockedm, m)
	case ext != 1 || ext2 != 2 || ext3 != 1:
		return fmt.Errorf("m.lockedExt counted %d, %d, %d through LockOSThread, LockOSThread, UnlockOSThread; want 1, 2, 1", ext, ext2, ext3)
	case u32(m, up.MLockedInt) > 16:
		return fmt.Errorf("m.lockedInt holds %d, not a small count", u32(m, up.MLockedInt))
	}
	if l := word(g, up.GLockedm); l != 0 {
		return errors.New("after UnlockOSThread g.lockedm is still set")
	}
	return nil
}

func u32(base uintptr, off int32) uint32 {
	w := word(base, off&^7)
	return uint32(w >> (8 * uint(off&7)))
}
