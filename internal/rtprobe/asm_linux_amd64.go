package rtprobe

// getg returns the current goroutine's g, read from the TLS slot the way
// the runtime's own assembly does.
func getg() uintptr

// systemstackSwitch returns the entry address of runtime.systemstack_switch.
func systemstackSwitch() uintptr
