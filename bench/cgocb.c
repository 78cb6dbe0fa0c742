//go:build cgo

#include <stdint.h>
#include <stdlib.h>
#include "_cgo_export.h"

// The same loop as the fixtures' cb_loop, calling the exported Go function.
int64_t bx_cgo_cb_loop(int32_t n) {
	int64_t s = 0;
	for (int32_t i = 0; i < n; i++) {
		s += bxCbAdd1(i);
	}
	return s;
}

static int bx_cmp(const void *a, const void *b) { return bxCmp((void *)a, (void *)b); }

void bx_cgo_qsort(int32_t *xs, size_t n) { qsort(xs, n, sizeof *xs, bx_cmp); }
