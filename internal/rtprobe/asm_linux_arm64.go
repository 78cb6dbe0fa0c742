package rtprobe

// getg returns the current goroutine's g, from R28, where Go code on arm64
// keeps it.
func getg() uintptr

// tpidr returns the calling thread's thread pointer (TPIDR_EL0).
func tpidr() uintptr

// systemstackSwitch returns the entry address of runtime.systemstack_switch.
func systemstackSwitch() uintptr

// stackNow returns the current SP, g.stack.lo, g.stack.hi and the word at
// offset sgOff of the current g, all read without a call in between.
func stackNow(sgOff uintptr) (sp, lo, hi, sg uintptr)
