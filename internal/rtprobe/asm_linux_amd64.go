package rtprobe

// getg returns the current goroutine's g, read from the TLS slot the way
// the runtime's own assembly does.
func getg() uintptr

// systemstackSwitch returns the entry address of runtime.systemstack_switch.
func systemstackSwitch() uintptr

// stackNow returns the current SP, g.stack.lo, g.stack.hi and the word at
// offset sgOff of the current g, all read without a call in between.
func stackNow(sgOff uintptr) (sp, lo, hi, sg uintptr)
