//go:build !amd64 && !arm64

package exec

// icacheSupported is false where no cache maintenance has been written;
// mapSealed refuses to produce code there rather than risk stale fetches.
const icacheSupported = false

func flushICache(start, end uintptr) {}
