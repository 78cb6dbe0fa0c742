package rtprobe

import (
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	"github.com/jitffi/jitffi/jit"
)

const supported = true

const archGetFS = 0x1003 // arch_prctl(ARCH_GET_FS, &addr)

// fsBase returns the thread pointer of the calling OS thread. The caller
// must be locked to its thread.
func fsBase() (uintptr, error) {
	var addr uintptr
	if _, _, e := syscall.RawSyscall(syscall.SYS_ARCH_PRCTL, archGetFS, uintptr(unsafe.Pointer(&addr)), 0); e != 0 {
		return 0, fmt.Errorf("arch_prctl(ARCH_GET_FS): %v", e)
	}
	return addr, nil
}

// findTLSG looks for the current g below the thread pointer, within the
// page that holds the word just below it (static TLS sits right below the
// thread pointer on x86-64, and that page is certainly mapped).
func findTLSG() (int32, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	fs, err := fsBase()
	if err != nil {
		return 0, err
	}
	g := getg()
	lowest := (fs - 8) &^ 4095
	for off := int32(-8); fs-uintptr(-off) >= lowest && off >= -4096; off -= 8 {
		if word(fs, off) == g {
			return off, nil
		}
	}
	return 0, fmt.Errorf("the current g (%#x) is not in the TLS block below %%fs (%#x)", g, fs)
}

// checkTLSG confirms the slot on the calling thread.
func checkTLSG(off int32) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	fs, err := fsBase()
	if err != nil {
		return err
	}
	if got, g := word(fs, off), getg(); got != g {
		return fmt.Errorf("TLS slot %%fs:%d holds %#x, want the current g %#x", off, got, g)
	}
	return nil
}

func arch() (jit.Runtime, error) {
	rt := go126
	off, err := tlsSlot()
	if err != nil {
		return rt, err
	}
	rt.TLSG = off
	// The trampoline's frame mirrors systemstack_switch's (PUSHQ BP; MOVQ
	// SP, BP): the unwinder then finds the return PC at sched.sp+8.
	entry := systemstackSwitch()
	if rt.SwitchPC, err = switchPC(entry); err != nil {
		return rt, err
	}
	if code := uint32(word(entry, 0)); code != 0xe5894855 {
		return rt, fmt.Errorf("runtime.systemstack_switch does not start with PUSHQ BP; MOVQ SP, BP (%#08x)", code)
	}
	return rt, nil
}

// threadPointer returns the calling OS thread's thread pointer (the FS
// base on amd64). The caller must be locked to its thread.
func threadPointer() (uintptr, error) { return fsBase() }
