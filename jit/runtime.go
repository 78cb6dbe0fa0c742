package jit

import "fmt"

// Runtime is the part of the Go runtime's private layout a trampoline
// depends on, a plain value. jit holds no layout knowledge of its own: the
// runtime probe (internal/rtprobe) fills it from the layout it has checked
// against the live process; tests use fixed values.
type Runtime struct {
	GStackguard0 int32 // offset of g.stackguard0
	GM           int32 // offset of g.m
	GSched       int32 // offset of g.sched (a gobuf)
	GobufSP      int32 // offsets within gobuf
	GobufPC      int32
	GobufBP      int32
	GobufLR      int32 // arm64 only
	MG0          int32 // offset of m.g0

	// TLSG is the offset of the g slot from the thread pointer: FS base on
	// amd64 (negative), TPIDR_EL0 on arm64.
	TLSG int32

	// StackPreempt is the value the runtime stores in g.stackguard0 to
	// request preemption.
	StackPreempt int64

	// StackGuard is g.stackguard0 - g.stack.lo while no request is
	// pending (the runtime's stackGuard; larger under -race). The shared
	// exit code uses it to turn a pending preemption request into
	// YieldBit (see CompileShared).
	StackGuard int32

	// The cgo call state a fast call keeps, as runtime.cgocall does, so
	// that the profiler and crash reports find the Go caller: g.syscallsp
	// and g.syscallpc (set to g.sched.sp and g.sched.pc for the call's
	// length), m.ncgo (calls in progress, incremented) and m.incgo (true).
	// sigprof unwinds from g.syscallpc/sp when m.ncgo > 0; a fatal signal
	// on g0 with m.incgo set reports "signal arrived during cgo execution"
	// and the calling goroutine. Zero offsets leave the state alone.
	GSyscallSP, GSyscallPC int32
	MNcgo, MIncgo          int32
	// m.libcallpc, m.libcallsp and m.libcallg, the three adjacent words
	// (Linux never uses them) from which a fatal signal's traceback
	// unwinds when m.libcallsp is set: set to g.sched's pc and sp and g
	// for the call's length, they make the crash report of a fault in C
	// name the Go caller, as cgo's does from g.syscallsp (which the
	// runtime reads there only for a goroutine in _Gsyscall).
	MLibcall int32

	// Exit is the address of the per-process code every trampoline
	// jumps to as its last step (CompileShared, placed once per process).
	Exit uint64
	// ExitString is the shared exit of trampolines with a string result,
	// which ends in the jump to StringResult.
	ExitString uint64

	// SwitchPC is the address the runtime records in g.sched.pc while a
	// goroutine is on the system stack: runtime.systemstack_switch plus the
	// size of its prologue.
	SwitchPC uint64

	// Trace makes every trampoline count its calls in the record.
	Trace bool

	// Errno capture (plans with Errno set). ErrnoTLS is the offset of the
	// C library's errno from the thread pointer; ErrnoItab is the itab
	// word of an error interface holding a syscall.Errno, and ErrnoTable
	// the address of 4096 data words, one per errno value, so that the
	// trampoline can build the error without allocating.
	ErrnoOK    bool
	ErrnoTLS   int32
	ErrnoItab  uint64
	ErrnoTable uint64

	// StringResult is the code a trampoline whose ptr result is bound to
	// a Go string jumps to after step 6, back on the goroutine's stack
	// with its frame popped: the C address in the first Go integer result
	// register, any error of errno capture in the two after the string's.
	// It copies the C string into a Go string (internal/cstr's
	// stringResult). 0 if there is none: such plans are not compiled.
	StringResult uint64
}

// The binding record is the funcval a bound Go func value points to. When
// Go calls a closure it passes the funcval's address in the closure context
// register (DX on amd64, R26 on arm64); the trampoline reads everything else
// from there.
//
//	+0   code      trampoline entry (what Go's closure call jumps to)
//	+8   target    C function address; 0 once the library is closed
//	+16  fallback  *funcval of the binding's fallback closure
//	+24  count     fast-path calls (only maintained with Runtime.Trace)
const (
	RecordCode     = 0
	RecordTarget   = 8
	RecordFallback = 16
	RecordCount    = 24
)

func (rt *Runtime) String() string {
	return fmt.Sprintf("g.stackguard0=%d g.m=%d g.sched=%d gobuf.sp=%d gobuf.pc=%d gobuf.lr=%d gobuf.bp=%d m.g0=%d tls.g=%d",
		rt.GStackguard0, rt.GM, rt.GSched, rt.GobufSP, rt.GobufPC, rt.GobufLR, rt.GobufBP, rt.MG0, rt.TLSG)
}
