// Package fallback is the generic slow path: it calls a C function of any
// signature package sig can express, through runtime.cgocall.
//
// NewShape checks a plan and a Go func type once; Shape.Make builds each
// Go func of that shape with reflect.MakeFunc. Each call
// writes the arguments into a frame laid out from the same abi.Plan the JIT
// consumes (integer registers, vector registers, stack words), and runs one
// static assembly stub per architecture on the system stack through
// runtime.cgocall: the stub loads the registers from the frame, copies the
// stack words, calls the target and stores the result registers back.
// Because the goroutine enters a syscall state (entersyscall/exitsyscall),
// the scheduler and the garbage collector carry on while C runs; that is
// what makes this path right for C functions that block.
//
// The fallback closure is also where the fast path bails out to: a closed
// library or a pending preemption request makes the trampoline jump here
// with its argument registers untouched.
//
// fallback imports abi, sig, internal/cstr and the standard library. It owns the
// //go:linkname to runtime.cgocall, so no package that references
// runtime symbols from assembly may live here.
//
// Stability: Shape, Target and Gate are what the root package
// needs and are public API for that use only; the frame layout the stubs
// read is private (and checked against unsafe.Offsetof in a test).
package fallback
