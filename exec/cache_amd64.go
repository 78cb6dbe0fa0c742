package exec

const icacheSupported = true

// flushICache is a no-op on amd64: x86 keeps instruction fetch coherent
// with stores, and the mprotect system call that seals the pages is a
// serialising event for this thread, while other threads only learn the
// code's address after Place returns.
func flushICache(start, end uintptr) {}
