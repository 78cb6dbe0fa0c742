package bench

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/ebitengine/purego"

	"github.com/jitffi/jitffi"
)

// BenchmarkString: a Go string passed to libc's strlen as a const char *
// (lengths 8, 64 and jitffi.MaxStackString, the longest the fast path
// copies onto the system stack, and one byte more, which bails out to the
// slow path), along jitffi's fast path, jitffi's fallback (Blocking),
// cgo's C.CString + call + C.free, and purego's string argument; and a
// string result (the fixture's fx_str_static(2), 16 bytes copied into a
// Go string) along the same paths, cgo with C.GoString.
func BenchmarkString(b *testing.B) {
	libc, fx := openLib(b, libC), openLib(b, libFixtures)
	strlenAddr, err := purego.Dlsym(libc.h, "strlen")
	if err != nil {
		b.Fatal(err)
	}
	staticAddr, err := purego.Dlsym(fx.h, "fx_str_static")
	if err != nil {
		b.Fatal(err)
	}
	if cgoString != nil {
		cgoString.set(*(*unsafe.Pointer)(unsafe.Pointer(&strlenAddr)), *(*unsafe.Pointer)(unsafe.Pointer(&staticAddr)))
	}
	run := func(b *testing.B, want uintptr, loop func(n int) uintptr) {
		b.ReportAllocs()
		if got := loop(1); got != want {
			b.Fatalf("one call gives %d, want %d", got, want)
		}
		b.ResetTimer()
		loop(b.N)
	}
	for _, n := range []int{8, 64, jitffi.MaxStackString, jitffi.MaxStackString + 1} {
		s := strings.Repeat("s", n)
		size := map[int]string{8: "8B", 64: "64B", jitffi.MaxStackString: "bound", jitffi.MaxStackString + 1: "bound+1"}[n]
		jit := func(b *testing.B, opts ...jitffi.Option) {
			var strlen func(string) uintptr
			if err := libc.jit.Bind(&strlen, "strlen", "size_t strlen(const char *)", opts...); err != nil {
				b.Fatal(err)
			}
			run(b, uintptr(n), func(k int) uintptr {
				var t uintptr
				for range k {
					t += strlen(s)
				}
				return t / uintptr(k)
			})
		}
		b.Run("strlen/"+size+"/"+pathFast, func(b *testing.B) { jit(b) })
		b.Run("strlen/"+size+"/"+pathFallback, func(b *testing.B) { jit(b, jitffi.Blocking()) })
		b.Run("strlen/"+size+"/"+pathCgo, func(b *testing.B) {
			if cgoString == nil {
				b.Skip("built without cgo")
			}
			run(b, uintptr(n), func(k int) uintptr { return cgoString.strlen(k, s) / uintptr(k) })
		})
		b.Run("strlen/"+size+"/"+pathRegister, func(b *testing.B) {
			var strlen func(string) uintptr
			purego.RegisterFunc(&strlen, strlenAddr)
			run(b, uintptr(n), func(k int) uintptr {
				var t uintptr
				for range k {
					t += strlen(s)
				}
				return t / uintptr(k)
			})
		})
	}
	const want = uintptr(len("h\u00e9llo, w\u00f6rld"))
	result := func(b *testing.B, static func(int32) string) {
		run(b, want, func(k int) uintptr {
			t := 0
			for range k {
				t += len(static(2))
			}
			return uintptr(t / k)
		})
	}
	jit := func(b *testing.B, opts ...jitffi.Option) {
		var static func(int32) string
		if err := fx.jit.Bind(&static, "fx_str_static", "const char *(int)", opts...); err != nil {
			b.Fatal(err)
		}
		result(b, static)
	}
	b.Run("result/"+pathFast, func(b *testing.B) { jit(b) })
	b.Run("result/"+pathFallback, func(b *testing.B) { jit(b, jitffi.Blocking()) })
	b.Run("result/"+pathCgo, func(b *testing.B) {
		if cgoString == nil {
			b.Skip("built without cgo")
		}
		run(b, want, func(k int) uintptr { return uintptr(cgoString.static(k) / k) })
	})
	b.Run("result/"+pathRegister, func(b *testing.B) {
		var static func(int32) string
		purego.RegisterFunc(&static, staticAddr)
		result(b, static)
	})
}
