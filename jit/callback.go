package jit

import (
	"fmt"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/sig"
)

// Callbacks: C calling a Go func. The per-signature entry is the mirror of
// a trampoline: it receives C's arguments, stores them into a frame in Go's
// register-ABI layout, and enters Go through one of two doors (see
// internal/upcall and RATIONALE.md, "Callbacks"). Everything the entry needs
// to know about the slot it was called through comes in a register, so the
// code depends only on the plan and is shared by every callback of the
// signature.

// The callback frame, on the C stack. The entry fills it; the Go side
// (internal/upcall.Frame, checked against these offsets) reads the
// arguments and writes the results.
//
//	+0    slot     address of the slot the stub jumped through
//	+8    back     where the fast entry resumes the native code
//	+16   g0sp     g0.sched.sp before the fast entry moved it
//	+24   marker   the fast-path call's marker word (fast entry only)
//	+32   nstack   bytes of Go stack-assigned arguments at +stack and of
//	               the stack-assigned result after them, the numbers of
//	               Go argument registers, a struct-result flag (cbCounts)
//	+40   hidden   C's hidden result pointer (a struct result in memory)
//	+48   ints     Go integer argument/result registers, 16 words
//	+176  floats   Go float argument/result registers, 16 words
//	+304  stack    Go stack-assigned arguments, then the stack-assigned
//	               result, CallbackStackMax bytes in all
const (
	CBSlot     = 0
	CBBack     = 8
	CBG0SP     = 16
	CBMarker   = 24
	CBNStack   = 32
	CBHidden   = 40
	CBInts     = 48
	CBFloats   = CBInts + 16*8
	CBStack    = CBFloats + 16*8
	CBFrameLen = CBStack + CallbackStackMax

	// CallbackStackMax bounds the Go stack-assigned arguments and result
	// of a callback: the generic caller that calls the Go func has a
	// frame of fixed size.
	CallbackStackMax = 512
)

// Every fast-path trampoline leaves a marker word, the goroutine's stack
// pointer and the Go pointers it passes to C at the top of its
// system-stack frame, just below g0.sched.sp, so that a fast-entry
// callback can keep those pointers alive while Go code runs (see
// RATIONALE.md, "Callbacks"):
//
//	g0.sched.sp -8     KeepMagic | n
//	            -16    g.sched.sp: where the fast entry goes onto the
//	                   goroutine's stack (kept current when a callback
//	                   moves the stack)
//	            -24    pointer argument 0
//	            ...
//	            -16-8n pointer argument n-1
//
// The fast entry reads the goroutine's stack pointer here rather than from
// g.sched.sp: this is one dependent load fewer (TLS g0, g0.sched.sp, here;
// against TLS g0, g0.m, m.curg, curg.sched.sp) on the way to the stack
// switch, which every instruction after it waits for.
//
// A plan with more than KeepMax Go pointer arguments is not lowered.
const (
	KeepMagic = 0x4a49000000000000 // "JI", zeros and a count byte: one or two MOVs on arm64
	KeepMax   = 16
	KeepSP    = 16 // the goroutine's stack pointer, below g0.sched.sp
	KeepWords = 2  // the marker and the stack pointer, above the pointers
)

// Upcall is what a callback entry needs beyond Runtime: the runtime
// fields the fast entry touches, and the addresses of the two doors into
// Go. The root package fills it from values it has checked.
type Upcall struct {
	GStatus    int32 // g.atomicstatus (uint32)
	GLockedm   int32 // g.lockedm
	MCurg      int32 // m.curg
	MLockedg   int32 // m.lockedg
	MLockedExt int32 // m.lockedExt (uint32); m.lockedInt follows it
	MLockedInt int32

	FastEntry   uint64 // upcall.fastEntry: continues on the goroutine's stack
	StdFn       uint64 // ABIInternal code of upcall.std, for cgocallback
	Cgocallback uint64 // runtime.cgocallback (ABI0), the door crosscall2 opens
}

// Goroutine states the fast entry tells apart (runtime2.go).
const (
	gRunning = 2
	gScan    = 0x1000
)

// cbStdArgs is the room for runtime.cgocallback's ABI0 arguments below the
// callback frame (three words, and arm64's LR slot), keeping SP 16-aligned
// at the call.
const cbStdArgs = 32

// CanCallback reports whether a callback entry can be compiled for p.
func CanCallback(p *abi.Plan) error {
	if p.Variadic {
		return fmt.Errorf("a callback cannot be variadic")
	}
	if p.Errno {
		return fmt.Errorf("errno capture does not apply to callbacks")
	}
	for i, a := range p.Args {
		if a.GoAs == abi.GoSlice {
			return fmt.Errorf("parameter %d: a Go slice cannot receive a C pointer (use unsafe.Pointer or *T)", i)
		}
	}
	if p.Result.Kind != sig.Void && p.Result.Struct == nil && p.Result.Go.Class == abi.Stack {
		return fmt.Errorf("jit: BUG: a scalar result on Go's stack")
	}
	if n := p.GoStack + cbResultStack(p); n > CallbackStackMax {
		return fmt.Errorf("the Go arguments and result need %d bytes of stack, more than the %d a callback supports", n, CallbackStackMax)
	}
	return nil
}

// CompileCallback lowers the entry of callbacks of plan p.
func CompileCallback(p *abi.Plan, rt *Runtime, up *Upcall) ([]byte, error) {
	if err := CanCallback(p); err != nil {
		return nil, err
	}
	switch p.Arch {
	case abi.AMD64:
		return callbackAMD64(p, rt, up)
	case abi.ARM64:
		return callbackARM64(p, rt, up)
	}
	return nil, fmt.Errorf("jit: callbacks are not implemented on %s", p.Arch)
}

// CallbackStubs returns the code of one stub per slot address: each loads
// its slot's address into a scratch register (R11 on amd64, R17 on arm64)
// and jumps through the slot's first word (the entry of the slot's
// signature). Every stub is 16 bytes, so stub i is at offset 16*i (arm64
// appends a tail the stubs share).
func CallbackStubs(arch abi.Arch, slots []uint64) ([]byte, error) {
	if arch == abi.ARM64 {
		return callbackStubsARM64(slots), nil
	}
	if arch != abi.AMD64 {
		return nil, fmt.Errorf("jit: callbacks are not implemented on %s", arch)
	}
	code := make([]byte, 0, 16*len(slots))
	for _, s := range slots {
		// movabs $slot, %r11; jmp *(%r11); int3 x3
		code = append(code, 0x49, 0xbb)
		for i := 0; i < 8; i++ {
			code = append(code, byte(s>>(8*i)))
		}
		code = append(code, 0x41, 0xff, 0x23, 0xcc, 0xcc, 0xcc)
	}
	return code, nil
}

// StubSize is the size of one callback stub (CallbackStubs).
const StubSize = 16

// cbCounts packs the frame's nstack word: the bytes of Go stack-assigned
// arguments (bits 0-15) and results (16-31), the numbers of Go integer
// (32-39) and float (40-47) argument registers the call uses, and, in
// bits 48-55, 1 when the result is a struct, whose registers (all of
// them) and stack bytes callGo stores back into the frame.
func cbCounts(p *abi.Plan) int64 {
	var ints, floats int
	use := func(l abi.Loc) {
		switch l.Class {
		case abi.Int:
			ints = max(ints, l.Reg+1)
		case abi.Float:
			floats = max(floats, l.Reg+1)
		}
	}
	for _, a := range p.Args {
		if a.Struct != nil {
			for _, l := range a.Struct.Go {
				use(l.Loc)
			}
			continue
		}
		use(a.Go)
	}
	var structRes int64
	if p.Result.Struct != nil {
		structRes = 1
	}
	return int64(p.GoStack) | int64(cbResultStack(p))<<16 | int64(ints)<<32 | int64(floats)<<40 | structRes<<48
}

// cbResultStack is the size of the Go result on the stack: a struct
// result Go returns in memory, after the arguments (Result.Go.Off is
// p.GoStack), rounded up to words, which callGo copies.
func cbResultStack(p *abi.Plan) int {
	if s := p.Result.Struct; s != nil && s.Go == nil {
		return p.Result.Go.Off - p.GoStack + alignUp(s.Size, 8)
	}
	return 0
}

// The staging area of struct pieces, in the entry's own frame just above
// the callback frame (the Go side never sees it): C's register pieces of
// one struct argument, or the pieces of a struct result built from Go's
// registers, in C's layout. 32 bytes: an arm64 HFA of four doubles.
const (
	cbStage    = CBFrameLen
	cbStageLen = 32
)

// goPointers lists the Go locations of the arguments that are Go pointers
// the collector must see: pointers, and the data pointers of slices.
func goPointers(p *abi.Plan) []abi.Loc {
	var locs []abi.Loc
	for _, a := range p.Args {
		if a.GoAs == abi.GoSlice || a.GoAs == abi.GoPointer {
			locs = append(locs, a.Go)
		}
	}
	return locs
}
