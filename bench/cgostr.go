//go:build cgo

package bench

// The cgo rows of BenchmarkString: C.CString, the call through the
// address of libc's strlen (or the fixture's fx_str_static), C.free; and
// C.GoString of a C string result. The shims are marked nocallback and
// noescape, as in cgo.go.

/*
#cgo CFLAGS: -O2
#cgo nocallback bxs_strlen
#cgo noescape bxs_strlen
#cgo nocallback bxs_static
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static size_t (*bxs_strlen_fn)(const char *);
static const char *(*bxs_static_fn)(int32_t);

static void bxs_set(uintptr_t strlen_fn, uintptr_t static_fn)
{
	bxs_strlen_fn = (size_t (*)(const char *))strlen_fn;
	bxs_static_fn = (const char *(*)(int32_t))static_fn;
}

static size_t bxs_strlen(const char *s) { return bxs_strlen_fn(s); }
static const char *bxs_static(int32_t which) { return bxs_static_fn(which); }
*/
import "C"

import "unsafe"

func init() {
	cgoString = &cgoStringCalls{
		set: func(strlen, static unsafe.Pointer) {
			C.bxs_set(C.uintptr_t(uintptr(strlen)), C.uintptr_t(uintptr(static)))
		},
		strlen: func(n int, str string) uintptr {
			var s uintptr
			for range n {
				p := C.CString(str)
				s += uintptr(C.bxs_strlen(p))
				C.free(unsafe.Pointer(p))
			}
			return s
		},
		static: func(n int) int {
			s := 0
			for range n {
				s += len(C.GoString(C.bxs_static(2)))
			}
			return s
		},
	}
}
