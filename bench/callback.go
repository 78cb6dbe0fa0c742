package bench

// The cgo rows of the callback benchmarks (cgocb.go); nil without cgo.
var (
	cgoCallbackLoop func(n int32) int64
	cgoQsort        func(xs []int32)
)
