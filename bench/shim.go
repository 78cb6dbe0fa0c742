package bench

import "unsafe"

// cgoCall is the cgo path of one benchmarked C function: set stores the
// function's address (from the loaded library) in the shim's function
// pointer, and run makes n calls with the same arguments as the other
// paths' loops and returns their accumulated results.
type cgoCall struct {
	set func(addr unsafe.Pointer)
	run func(n int, buf []byte) float64
}

// cgoCalls maps C symbol names to their cgo paths. It stays nil when cgo
// is disabled.
var cgoCalls map[string]cgoCall

// cgoStringCalls are the cgo rows of BenchmarkString (cgostr.go).
type cgoStringCalls struct {
	set    func(strlen, static unsafe.Pointer)
	strlen func(n int, s string) uintptr
	static func(n int) int
}

// cgoString stays nil when cgo is disabled.
var cgoString *cgoStringCalls
