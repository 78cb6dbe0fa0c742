package exec

const icacheSupported = true

// flushICache makes instructions written to [start, end) visible to
// instruction fetch on every core: arm64 caches are not coherent between
// data writes and instruction fetch. Implemented in cache_arm64.s.
func flushICache(start, end uintptr)
