package fallback

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/internal/cstr"
	"github.com/jitffi/jitffi/sig"
)

//go:linkname runtime_cgocall runtime.cgocall
func runtime_cgocall(fn uintptr, arg unsafe.Pointer) int32

// frame is what the assembly stub reads and writes; its layout is drawn in
// stub_amd64.s. Only integers live in the part the stub sees, so the
// collector never needs to look at it.
type frame struct {
	fn     uintptr
	ints   [8]uint64
	floats [8]uint64
	nstack uintptr
	stack  uintptr
	nfloat uintptr
	ret    uint64
	fret   uint64
	ret2   uint64    // RDX / X1: second word of a two-register result
	fret2  uint64    // XMM1 / D1
	fret34 [2]uint64 // D2, D3 (arm64: 3- and 4-member float aggregates)
	x8     uint64    // arm64: address of an indirect result
	errnoF uintptr   // __errno_location, or 0 for no capture
	errno  uint64    // errno after the call

	// words backs the stack words; stack holds its address.
	words []uint64
	// scratch holds the copies of struct arguments and a struct result
	// (see struct.go).
	scratch []uint64
	// strs holds the NUL-terminated copies of Go string arguments, one
	// after the other (see putStrings).
	strs []byte
}

// Gate is shared by every binding of one library: Close closes it and
// then waits for InFlight to drain before unloading the library. The zero
// value is an open gate.
type Gate struct {
	closed   atomic.Bool
	inFlight atomic.Int64
}

// Close makes every later call through the gate panic with its Target's
// closed error, before any C code runs.
func (g *Gate) Close() { g.closed.Store(true) }

// Closed reports whether Close was called.
func (g *Gate) Closed() bool { return g.closed.Load() }

// InFlight is the number of calls through the gate that are running now.
func (g *Gate) InFlight() int64 { return g.inFlight.Load() }

// Target is what a fallback closure calls; Shape.Make makes one with it.
type Target struct {
	addr uintptr
	gate *Gate // nil for addresses that never close

	// errClosed is the panic value once the gate is closed.
	errClosed error

	// calls counts the calls that entered this closure: every call of a
	// slow binding, and the bail-outs of a fast one. One atomic add is
	// noise at this path's cost, so it is always maintained.
	calls atomic.Uint64

	// owner is kept alive for as long as the closure is.
	owner any
}

// Calls is the number of calls that entered the closure: every call of a
// slow binding, and the bail-outs of a fast one.
func (t *Target) Calls() uint64 { return t.calls.Load() }

// Gate is the gate given to Shape.Make.
func (t *Target) Gate() *Gate { return t.gate }

// Shape is what the fallback closures of one plan and Go func type share.
// NewShape checks them once; the call frames are pooled per Shape.
type Shape struct {
	plan          *abi.Plan
	fnType        reflect.Type
	out           reflect.Type // the Go result type; nil for void
	nstack        int
	errnoLocation uintptr
	pool          sync.Pool // of *frame; empty until the first call

	structs *structLayout // nil without structs by value
	strings bool          // some argument is a Go string
}

// NewShape prepares closures of type fnType that call through the plan.
// fnType must already have been checked against the plan's signature.
// errnoLocation is the C library's __errno_location, needed by plans with
// Errno.
func NewShape(p *abi.Plan, fnType reflect.Type, errnoLocation uintptr) (*Shape, error) {
	if !haveStub {
		return nil, fmt.Errorf("fallback: no call stub for %s", runtime.GOARCH)
	}
	if p.Arch != abi.Arch(runtime.GOARCH) {
		return nil, fmt.Errorf("fallback: plan is for %s, the process runs on %s", p.Arch, runtime.GOARCH)
	}
	if fnType.Kind() != reflect.Func || fnType.NumIn() != len(p.Args) {
		return nil, errors.New("fallback: BUG: Go type does not match the plan")
	}
	if p.Errno && errnoLocation == 0 {
		return nil, errors.New("fallback: errno capture needs the C library's __errno_location")
	}
	if p.Sig.HasStruct() && !structStub {
		return nil, fmt.Errorf("fallback: structs by value are not implemented on %s yet", runtime.GOARCH)
	}
	s := &Shape{plan: p, fnType: fnType, nstack: p.CStack / 8, errnoLocation: errnoLocation, structs: newStructLayout(p)}
	for _, a := range p.Args {
		s.strings = s.strings || a.GoAs == abi.GoString
	}
	if p.Result.Kind != sig.Void {
		s.out = fnType.Out(0)
	}
	return s, nil
}

// Make returns a func value of the shape's type that calls the C function
// at addr, and the Target that describes it: gate (nil for an address
// that never closes) is checked on every call, errClosed is the panic
// value once it is closed, and owner is kept alive as long as the closure
// is.
func (s *Shape) Make(addr uintptr, gate *Gate, errClosed error, owner any) (reflect.Value, *Target) {
	// One allocation holds the caller and its Target: Bind makes one of
	// each per binding, fast or slow (a fast binding bails out to it).
	c := &caller{Shape: s, target: Target{addr: addr, gate: gate, errClosed: errClosed, owner: owner}}
	return reflect.MakeFunc(s.fnType, c.call), &c.target
}

// newFrame makes a frame for the shape's plan; the pool's frames are
// reused.
func (s *Shape) newFrame() *frame {
	f := &frame{words: make([]uint64, s.nstack)}
	if s.structs != nil {
		f.scratch = make([]uint64, s.structs.words)
	}
	return f
}

// caller is one closure: its shape and its target.
type caller struct {
	*Shape
	target Target
}

func (c *caller) call(args []reflect.Value) []reflect.Value {
	t := &c.target
	if g := t.gate; g != nil {
		// Count in before checking Closed: Close sets Closed and then
		// waits for InFlight to reach zero, so a call either sees Closed
		// or is waited for.
		g.inFlight.Add(1)
		defer g.inFlight.Add(-1)
		if g.closed.Load() {
			panic(t.errClosed)
		}
	}
	t.calls.Add(1)
	f, _ := c.pool.Get().(*frame)
	if f == nil {
		f = c.newFrame()
	}
	f.fn = t.addr
	for i, a := range c.plan.Args {
		if a.Struct != nil {
			c.putStruct(f, i, a.Struct, args[i])
			continue
		}
		if a.GoAs == abi.GoString {
			continue // see putStrings
		}
		f.put(a.C, argWord(a, args[i]))
	}
	if c.strings {
		c.putStrings(f, args)
	}
	f.errnoF = 0
	if c.plan.Errno {
		f.errnoF = c.errnoLocation
	}
	f.nfloat = uintptr(c.plan.VecRegs) // AL: read by variadic callees on amd64
	f.nstack = uintptr(c.nstack)
	if c.nstack > 0 {
		f.stack = uintptr(unsafe.Pointer(&f.words[0]))
	}
	c.prepareResult(f)
	runtime_cgocall(callStubABI0, unsafe.Pointer(f))
	// The arguments (and the Go memory their pointers reach) stay alive
	// until C has returned.
	runtime.KeepAlive(args)
	ret, fret, errno := f.ret, f.fret, f.errno
	var sret reflect.Value
	if c.plan.Result.Struct != nil {
		sret = c.structResult(f)
	}
	if cap(f.strs) > maxPooledStrings {
		f.strs = nil // do not keep a large copy alive in the pool
	}
	c.pool.Put(f)
	var out []reflect.Value
	switch {
	case sret.IsValid():
		out = append(out, sret)
	case c.out != nil:
		out = append(out, resultValue(c.plan.Result, c.out, ret, fret))
	}
	if c.plan.Errno {
		out = append(out, errnoValue(errno))
	}
	return out
}

var errorType = reflect.TypeFor[error]()

// maxPooledStrings is the largest string buffer a pooled frame keeps for
// the next call.
const maxPooledStrings = 64 << 10

// putStrings copies every Go string argument, NUL-terminated, into the
// frame's buffer, which stays alive (it is Go memory the frame holds) and
// in place (the collector does not move heap objects) until the frame is
// reused after the call, and passes C the address of each copy. A string
// of any length is copied here; NUL bytes inside it are copied as they
// are, so C sees the string end at the first one.
func (c *caller) putStrings(f *frame, args []reflect.Value) {
	n := 0
	for i, a := range c.plan.Args {
		if a.GoAs == abi.GoString {
			n += args[i].Len() + 1
		}
	}
	if cap(f.strs) < n {
		f.strs = make([]byte, 0, n)
	}
	f.strs = f.strs[:0]
	for i, a := range c.plan.Args {
		if a.GoAs != abi.GoString {
			continue
		}
		off := len(f.strs)
		f.strs = cstr.Append(f.strs, args[i].String())
		f.put(a.C, uint64(uintptr(unsafe.Pointer(&f.strs[off]))))
	}
}

// errnoValue is the trailing error result of errno capture: nil for 0.
func errnoValue(errno uint64) reflect.Value {
	if errno == 0 {
		return reflect.Zero(errorType)
	}
	v := reflect.New(errorType).Elem()
	v.Set(reflect.ValueOf(syscall.Errno(errno)))
	return v
}

// argWord is the 64-bit register or stack image of one argument, with the
// plan's extension applied.
func argWord(a abi.Arg, v reflect.Value) uint64 {
	var w uint64
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			w = 1
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w = uint64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		w = v.Uint()
	case reflect.Float32:
		w = uint64(float32Bits(v))
		if a.Promote {
			// A variadic f32 is passed as a double (CVTSS2SD, FCVT).
			w = math.Float64bits(float64(math.Float32frombits(uint32(w))))
		}
	case reflect.Float64:
		w = math.Float64bits(v.Float())
	case reflect.Pointer, reflect.UnsafePointer:
		w = uint64(v.Pointer())
		if a.GoAs == abi.GoDeref && w != 0 {
			w = uint64(atomic.LoadUintptr((*uintptr)(v.UnsafePointer())))
		}
	case reflect.Slice:
		// nil and empty slices are NULL.
		if v.Len() > 0 {
			w = uint64(v.Pointer())
		}
	default:
		panic(fmt.Sprintf("fallback: BUG: argument of kind %v", v.Kind()))
	}
	return extend(a.Ext, w)
}

// float32Bits reads a float32 argument's bits without a detour through
// float64, which would quiet a signalling NaN.
func float32Bits(v reflect.Value) uint32 {
	if v.CanInterface() {
		if f, ok := v.Interface().(float32); ok {
			return math.Float32bits(f)
		}
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return *(*uint32)(p.UnsafePointer())
}

func extend(e abi.Ext, w uint64) uint64 {
	switch e {
	case abi.Sext8:
		return uint64(int64(int8(w)))
	case abi.Zext8:
		return uint64(uint8(w))
	case abi.Sext16:
		return uint64(int64(int16(w)))
	case abi.Zext16:
		return uint64(uint16(w))
	case abi.Sext32:
		return uint64(int64(int32(w)))
	case abi.Zext32:
		return uint64(uint32(w))
	}
	return w
}

// resultValue builds the Go result from the C result registers.
func resultValue(r abi.Result, t reflect.Type, ret, fret uint64) reflect.Value {
	v := reflect.New(t).Elem()
	switch r.Kind {
	case sig.F32:
		*(*uint32)(v.Addr().UnsafePointer()) = uint32(fret)
	case sig.F64:
		*(*uint64)(v.Addr().UnsafePointer()) = fret
	default:
		w := extend(r.Norm, ret)
		switch t.Kind() {
		case reflect.String:
			v.SetString(cstr.FromAddr(uintptr(w)))
		case reflect.Bool:
			v.SetBool(w&1 != 0)
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			v.SetInt(int64(w))
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			v.SetUint(w)
		case reflect.Pointer, reflect.UnsafePointer:
			// A C address in a pointer-typed Go variable: reinterpret the
			// word rather than convert it (it is not a Go pointer).
			*(*uintptr)(v.Addr().UnsafePointer()) = uintptr(w)
		default:
			panic(fmt.Sprintf("fallback: BUG: result of kind %v", t.Kind()))
		}
	}
	return v
}

// rawFrames pools the frames of Call2.
var rawFrames = sync.Pool{New: func() any { return new(frame) }}

// Call2 calls the C function at fn with two integer arguments, the second
// the address of Go memory (kept alive until C returns), through
// runtime.cgocall as every slow call is, and returns its integer result:
// the root package's own calls (dlsym), which reflection would make
// several times dearer. It allocates nothing. ok is false where there is
// no call stub.
func Call2(fn, a0 uintptr, a1 unsafe.Pointer) (r uintptr, ok bool) {
	if !haveStub {
		return 0, false
	}
	f := rawFrames.Get().(*frame)
	*f = frame{fn: fn}
	f.ints[0], f.ints[1] = uint64(a0), uint64(uintptr(a1))
	runtime_cgocall(callStubABI0, unsafe.Pointer(f))
	runtime.KeepAlive(a1)
	r = uintptr(f.ret)
	rawFrames.Put(f)
	return r, true
}
