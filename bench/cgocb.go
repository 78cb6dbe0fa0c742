//go:build cgo

package bench

// The cgo rows of the callback benchmarks: a C loop calling an exported Go
// function, and qsort with an exported Go comparator (see cgocb.c).

/*
#include <stdint.h>
#include <stddef.h>
int64_t bx_cgo_cb_loop(int32_t n);
void bx_cgo_qsort(int32_t *xs, size_t n);
*/
import "C"

import "unsafe"

//export bxCbAdd1
func bxCbAdd1(x C.int32_t) C.int32_t { return x + 1 }

//export bxCmp
func bxCmp(a, b unsafe.Pointer) C.int {
	x, y := *(*int32)(a), *(*int32)(b)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func init() {
	cgoCallbackLoop = func(n int32) int64 { return int64(C.bx_cgo_cb_loop(C.int32_t(n))) }
	cgoQsort = func(xs []int32) { C.bx_cgo_qsort((*C.int32_t)(unsafe.Pointer(&xs[0])), C.size_t(len(xs))) }
}
