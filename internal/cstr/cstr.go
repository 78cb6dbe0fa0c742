package cstr

import (
	"bytes"
	"unsafe"
)

// pageSize is the smallest page size of the supported platforms. A
// window that does not cross a multiple of it is mapped entirely when
// its first byte is, so Len may hand it to bytes.IndexByte, which reads
// whole words.
const pageSize = 4096

// Len is strlen: the number of bytes before the first NUL at p. It reads
// no byte past the page that holds the NUL. The windows it reads may run
// past the end of the Go allocation p points into (a CString's, say),
// which is harmless for a read inside a mapped page but is what -race's
// pointer checks forbid: hence nocheckptr.
//
//go:nocheckptr
func Len(p unsafe.Pointer) int {
	n := 0
	for {
		q := unsafe.Add(p, n)
		w := pageSize - int(uintptr(q)&(pageSize-1))
		if i := bytes.IndexByte(unsafe.Slice((*byte)(q), w), 0); i >= 0 {
			return n + i
		}
		n += w
	}
}

// GoString copies the C string at p into a Go string; NULL gives "".
func GoString(p unsafe.Pointer) string {
	if p == nil {
		return ""
	}
	return string(unsafe.Slice((*byte)(p), Len(p)))
}

// GoStringN copies n bytes at p, NUL bytes included, into a Go string;
// NULL or n == 0 gives "". n < 0 panics.
func GoStringN(p unsafe.Pointer, n int) string {
	if n < 0 {
		panic("jitffi: GoStringN: negative length")
	}
	if p == nil || n == 0 {
		return ""
	}
	return string(unsafe.Slice((*byte)(p), n))
}

// Append appends s and a NUL to b.
func Append(b []byte, s string) []byte {
	b = append(b, s...)
	return append(b, 0)
}

// fromAddr is GoString for an address held in an integer: the C result
// of a fast call bound to a Go string, called from stringResult
// (result_*.s).
//
//go:nocheckptr
func fromAddr(p uintptr) string {
	return GoString(*(*unsafe.Pointer)(unsafe.Pointer(&p)))
}

// FromAddr is GoString for an address held in an integer (a C result
// read from a register).
//
//go:nocheckptr
func FromAddr(p uintptr) string { return fromAddr(p) }
