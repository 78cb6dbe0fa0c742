package bench

import (
	"bytes"
	"errors"
	"hash/crc32"
	"math"
	"os"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/ebitengine/purego"

	"github.com/jitffi/jitffi"
)

// The paths of BenchmarkCall, in the order they run and are reported.
const (
	pathFloor    = "floor"
	pathFast     = "fast"
	pathFallback = "fallback(blocking)"
	pathCgo      = "cgo"
	pathSyscallN = "purego.SyscallN"
	pathRegister = "purego.RegisterLibFunc"
)

var paths = []string{pathFloor, pathFast, pathFallback, pathCgo, pathSyscallN, pathRegister}

// loopFunc makes n calls and returns their accumulated results, so that
// the calls cannot be optimised away and the result can be checked.
type loopFunc func(n int, buf []byte) float64

// callCase is one C function benchmarked along every path.
type callCase struct {
	name string // sub-benchmark name
	lib  string // library key (see openLib)
	sym  string // C symbol
	sig  string // jitffi signature
	buf  []byte // buffer argument, if any

	floor    loopFunc
	bind     func(b *testing.B, l *jitffi.Library, opts ...jitffi.Option) (loopFunc, any)
	register func(h uintptr) loopFunc
	// syscallN is nil when purego.SyscallN cannot express the call, and
	// noSyscallN says why.
	syscallN   func(n int, addr uintptr, buf []byte) float64
	noSyscallN string
}

// newCase builds a case from the loop shared by every path that calls a Go
// func of type F: the floor (read from *floor at run time, so that the
// compiler cannot devirtualise the call), jitffi's binds and
// purego.RegisterLibFunc.
func newCase[F any](name, lib, sym, sig string, buf []byte, floor *F, loop func(n int, f F, buf []byte) float64) callCase {
	return callCase{
		name: name, lib: lib, sym: sym, sig: sig, buf: buf,
		floor: func(n int, buf []byte) float64 { return loop(n, *floor, buf) },
		bind: func(b *testing.B, l *jitffi.Library, opts ...jitffi.Option) (loopFunc, any) {
			var f F
			if err := l.Bind(&f, sym, sig, opts...); err != nil {
				if errors.Is(err, jitffi.ErrNotFast) && os.Getenv("JITFFI_STRICT") == "1" {
					b.Skipf("JITFFI_STRICT=1 forbids this binding: %v", err)
				}
				b.Fatal(err)
			}
			return func(n int, buf []byte) float64 { return loop(n, f, buf) }, f
		},
		register: func(h uintptr) loopFunc {
			var f F
			purego.RegisterLibFunc(&f, h, sym)
			return func(n int, buf []byte) float64 { return loop(n, f, buf) }
		},
	}
}

const noFloatResult = "purego.SyscallN returns integer registers only, so it cannot return a float"

func callCases() []callCase {
	var (
		vd     = newCase("void()", libFixtures, "fx_void", "void()", nil, &floorVoid, loopVoid)
		add    = newCase("i32(i32,i32)", libFixtures, "fx_add_i32", "i32(i32, i32)", nil, &floorAddI32, loopAddI32)
		neg    = newCase("f64(f64)", libFixtures, "fx_neg_f64", "f64(f64)", nil, &floorNegF64, loopNegF64)
		sum4   = newCase("f64(f64,f64,f64,f64)", libBench, "bx_sum4_f64", "f64(f64, f64, f64, f64)", nil, &floorSum4F64, loopSum4F64)
		bytes_ = newCase("u64(ptr,u64)", libFixtures, "fx_sum_bytes", "u64(ptr, u64)", byteBuf, &floorSumBytes, loopSumBytes)
		mix8   = newCase("mix8", libBench, "bx_mix_8", "f64(i32, i64, f64, u32, i16, i64, u8, i32)", nil, &floorMix8, loopMix8)
		mix12  = newCase("mix12", libFixtures, "fx_mix_12", "f64(i32, f64, i64, i8, f32, u8, i16, f64, u32, f32, u16, f64)", nil, &floorMix12, loopMix12)
		cos    = newCase("libm.cos", libM, "cos", "f64(f64)", nil, &floorCos, loopCos)
		strlen = newCase("libc.strlen", libC, "strlen", "usize(ptr)", strBuf, &floorStrlen, loopStrlen)
		crc    = newCase("libz.crc32", libZ, "crc32", "u64(u64, ptr, u32)", byteBuf, &floorCRC32, loopCRC32)
	)
	vd.syscallN = func(n int, addr uintptr, _ []byte) float64 {
		for range n {
			purego.SyscallN(addr)
		}
		return 0
	}
	add.syscallN = func(n int, addr uintptr, _ []byte) float64 {
		var s int32
		for i := range n {
			r, _, _ := purego.SyscallN(addr, uintptr(i), 7)
			s += int32(r)
		}
		return float64(s)
	}
	bytes_.syscallN = func(n int, addr uintptr, buf []byte) float64 {
		var s uint64
		p := uintptr(unsafe.Pointer(&buf[0]))
		for range n {
			r, _, _ := purego.SyscallN(addr, p, uintptr(len(buf)))
			s += uint64(r)
		}
		return float64(s)
	}
	strlen.syscallN = func(n int, addr uintptr, buf []byte) float64 {
		var s uintptr
		p := uintptr(unsafe.Pointer(&buf[0]))
		for range n {
			r, _, _ := purego.SyscallN(addr, p)
			s += r
		}
		return float64(s)
	}
	crc.syscallN = func(n int, addr uintptr, buf []byte) float64 {
		var c uintptr
		p := uintptr(unsafe.Pointer(&buf[0]))
		for range n {
			c, _, _ = purego.SyscallN(addr, c, p, uintptr(len(buf)))
		}
		return float64(c)
	}
	for _, c := range []*callCase{&neg, &sum4, &mix8, &mix12, &cos} {
		c.noSyscallN = noFloatResult
	}
	return []callCase{vd, add, neg, sum4, bytes_, mix8, mix12, cos, strlen, crc}
}

// Buffers passed to C: 64 bytes each (strBuf holds 63 non-zero bytes and
// the terminating NUL).
var byteBuf, strBuf = func() ([]byte, []byte) {
	b := make([]byte, 64)
	s := make([]byte, 64)
	for i := range b {
		b[i] = byte(i*7 + 1)
		s[i] = 'a' + byte(i%26)
	}
	s[63] = 0
	return b, s
}()

// The loops, one per signature; every path's loop passes the same
// arguments (cgo.go has the cgo copies).

func loopVoid(n int, f func(), _ []byte) float64 {
	for range n {
		f()
	}
	return 0
}

func loopAddI32(n int, f func(int32, int32) int32, _ []byte) float64 {
	var s int32
	for i := range n {
		s += f(int32(i), 7)
	}
	return float64(s)
}

func loopNegF64(n int, f func(float64) float64, _ []byte) float64 {
	x := 1.5
	for range n {
		x = f(x)
	}
	return x
}

func loopSum4F64(n int, f func(float64, float64, float64, float64) float64, _ []byte) float64 {
	var s float64
	for range n {
		s += f(1, 2, 3, 4)
	}
	return s
}

func loopSumBytes(n int, f func([]byte, uint64) uint64, buf []byte) float64 {
	var s uint64
	for range n {
		s += f(buf, uint64(len(buf)))
	}
	return float64(s)
}

type mix8Func = func(int32, int64, float64, uint32, int16, int64, uint8, int32) float64

func loopMix8(n int, f mix8Func, _ []byte) float64 {
	var s float64
	for range n {
		s += f(1, 2, 3.5, 4, 5, 6, 7, 8)
	}
	return s
}

type mix12Func = func(int32, float64, int64, int8, float32, uint8, int16, float64, uint32, float32, uint16, float64) float64

func loopMix12(n int, f mix12Func, _ []byte) float64 {
	var s float64
	for range n {
		s += f(1, 2.5, 3, 4, 5.5, 6, 7, 8.5, 9, 10.5, 11, 12.5)
	}
	return s
}

func loopCos(n int, f func(float64) float64, _ []byte) float64 {
	var s float64
	for range n {
		s += f(0.5)
	}
	return s
}

func loopStrlen(n int, f func([]byte) uintptr, buf []byte) float64 {
	var s uintptr
	for range n {
		s += f(buf)
	}
	return float64(s)
}

func loopCRC32(n int, f func(uint64, []byte, uint32) uint64, buf []byte) float64 {
	var c uint64
	for range n {
		c = f(c, buf, uint32(len(buf)))
	}
	return float64(c)
}

// The floor: Go functions doing what the C functions do, kept out of line
// and called through package-level func variables.
var (
	floorVoid               = voidGo
	floorAddI32             = addI32Go
	floorNegF64             = negF64Go
	floorSum4F64            = sum4F64Go
	floorSumBytes           = sumBytesGo
	floorMix8     mix8Func  = mix8Go
	floorMix12    mix12Func = mix12Go
	floorCos                = cosGo
	floorStrlen             = strlenGo
	floorCRC32              = crc32Go
)

var voidCount atomic.Int64

//go:noinline
func voidGo() { voidCount.Add(1) }

//go:noinline
func addI32Go(a, b int32) int32 { return a + b }

//go:noinline
func negF64Go(x float64) float64 { return -x }

//go:noinline
func sum4F64Go(a, b, c, d float64) float64 {
	var s float64
	s += float64(1 * a)
	s += float64(2 * b)
	s += float64(3 * c)
	s += float64(4 * d)
	return s
}

//go:noinline
func sumBytesGo(p []byte, n uint64) uint64 {
	var s uint64
	for _, c := range p[:n] {
		s += uint64(c)
	}
	return s
}

// wsum is the fixtures' weighted sum: sum (i+1) * v[i], left to right,
// every product rounded before it is added.
func wsum(v ...float64) float64 {
	var s float64
	for i, x := range v {
		s += float64(float64(i+1) * x)
	}
	return s
}

//go:noinline
func mix8Go(a0 int32, a1 int64, a2 float64, a3 uint32, a4 int16, a5 int64, a6 uint8, a7 int32) float64 {
	return wsum(float64(a0), float64(a1), a2, float64(a3), float64(a4), float64(a5), float64(a6), float64(a7))
}

//go:noinline
func mix12Go(a0 int32, a1 float64, a2 int64, a3 int8, a4 float32, a5 uint8, a6 int16, a7 float64, a8 uint32, a9 float32, a10 uint16, a11 float64) float64 {
	return wsum(float64(a0), a1, float64(a2), float64(a3), float64(a4), float64(a5),
		float64(a6), a7, float64(a8), float64(a9), float64(a10), a11)
}

//go:noinline
func cosGo(x float64) float64 { return math.Cos(x) }

//go:noinline
func strlenGo(s []byte) uintptr { return uintptr(bytes.IndexByte(s, 0)) }

//go:noinline
func crc32Go(crc uint64, p []byte, n uint32) uint64 {
	return uint64(crc32.Update(uint32(crc), crc32.IEEETable, p[:n]))
}

var sink float64

// BenchmarkCall measures one call per op along every path; see the
// package documentation for the paths and the signatures. mix8 is
// f64(i32,i64,f64,u32,i16,i64,u8,i32) (seven integers: one on the C
// stack), mix12 is f64(i32,f64,i64,i8,f32,u8,i16,f64,u32,f32,u16,f64).
func BenchmarkCall(b *testing.B) {
	for _, c := range callCases() {
		b.Run(c.name, func(b *testing.B) {
			for _, p := range paths {
				b.Run(p, func(b *testing.B) { c.run(b, p) })
			}
		})
	}
}

func (c *callCase) run(b *testing.B, path string) {
	var loop loopFunc
	var fastFunc any
	switch path {
	case pathFloor:
		loop = c.floor
	case pathFast:
		loop, fastFunc = c.bind(b, openLib(b, c.lib).jit)
		requireFast(b, fastFunc)
	case pathFallback:
		var f any
		loop, f = c.bind(b, openLib(b, c.lib).jit, jitffi.Blocking())
		if p := jitffi.PathOf(f); p.Fast {
			b.Fatalf("bound with Blocking but the path is %v", p)
		}
	case pathCgo:
		cc, ok := cgoCalls[c.sym]
		if !ok {
			b.Skip("cgo is disabled (CGO_ENABLED=0)")
		}
		cc.set(c.symbol(b))
		loop = cc.run
	case pathSyscallN:
		if c.syscallN == nil {
			b.Skip(c.noSyscallN)
		}
		addr := uintptr(c.symbol(b))
		loop = func(n int, buf []byte) float64 { return c.syscallN(n, addr, buf) }
	case pathRegister:
		loop = c.register(openLib(b, c.lib).h)
	default:
		b.Fatalf("unknown path %q", path)
	}
	if path != pathFloor {
		// The same three calls on the floor and on this path must agree
		// (to rounding: libm's cos is not Go's math.Cos).
		if got, want := loop(3, c.buf), c.floor(3, c.buf); !near(got, want) {
			b.Fatalf("%s: three calls give %v, the Go floor gives %v", path, got, want)
		}
	}
	code := 0
	if path == pathFast {
		code = codeBytes(b, fastFunc)
	}
	b.ReportAllocs()
	b.ResetTimer()
	sink = loop(b.N, c.buf)
	if code > 0 {
		// After the loop: ResetTimer drops metrics reported before it.
		b.ReportMetric(float64(code), "code-bytes")
	}
}

// codeBytes is the size of f's trampoline, read from Describe.
func codeBytes(b *testing.B, f any) int {
	d, err := jitffi.Describe(f)
	if err != nil {
		b.Fatal(err)
	}
	m := regexp.MustCompile(`trampoline at 0x[0-9a-f]+, (\d+) bytes`).FindStringSubmatch(d)
	if m == nil {
		b.Fatalf("Describe names no trampoline size:\n%s", d)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// symbol returns the address of the case's C function in its library.
func (c *callCase) symbol(b *testing.B) unsafe.Pointer {
	addr, err := openLib(b, c.lib).jit.Symbol(c.sym)
	if err != nil {
		b.Fatal(err)
	}
	return addr
}

// requireFast fails the benchmark unless f is on the fast path; it skips
// it instead when the fast path is unavailable in this process or turned
// off by the environment.
func requireFast(b *testing.B, f any) {
	b.Helper()
	p := jitffi.PathOf(f)
	if p.Fast {
		return
	}
	if err := jitffi.FastPathError(); err != nil {
		b.Skipf("the fast path is unavailable: %v", err)
	}
	if os.Getenv("JITFFI_FAST") == "0" {
		b.Skip("the fast path is turned off by JITFFI_FAST=0")
	}
	b.Fatalf("bound on the slow path: %v", p)
}

func near(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}
