// Package bench is jitffi's benchmark harness. It measures the cost of one
// call from Go to a C function in a shared library, side by side in one
// run, along every path a Go program has:
//
//   - floor: a Go func value calling an equivalent non-inlined Go function
//     (the cost of an indirect Go call doing the same work);
//   - fast: a func bound by jitffi on its JIT-compiled fast path;
//   - fallback(blocking): a func bound with jitffi.Blocking, which always
//     takes the reflective slow path through runtime.cgocall;
//   - cgo: a cgo call of the same C function;
//   - purego.SyscallN and purego.RegisterLibFunc.
//
// BenchmarkCall covers void(), i32(i32,i32), f64(f64), f64(f64,f64,f64,f64),
// u64(ptr,u64) over a 64-byte buffer, an 8- and a 12-argument mix of
// integers and floats (with arguments on the C stack), libm cos, libc
// strlen and zlib crc32. The void() function increments a counter
// atomically, so that the call has an effect to check, and its floor
// does the same: that locked add, not the call, is most of the row's
// cost on every path. BenchmarkString passes Go strings of 8 and 64
// bytes, of jitffi.MaxStackString bytes and of one byte more to strlen
// (cgo with C.CString and C.free, purego with its string argument) and
// copies a C string result into a Go string. BenchmarkBind1000 measures the cost of Bind over
// 1000 distinct symbols. BenchmarkNewSignatures1000 binds 1000 signatures
// never seen before per op and reports the executable memory
// (exec-bytes/sig) and heap (heap-bytes/sig) each one costs. "make bench"
// runs them all and turns the output into a table and an SVG chart with
// the program in cmd/benchtable.
//
// The C functions the fixture library lacks are in csrc/bench.c; the
// benchmarks compile it into a shared library at run time. The C sources
// live in a subdirectory because the go command rejects .c files in a
// package directory when cgo is disabled.
//
// Every path calls the same machine code: the C functions come from the
// shared libraries loaded at run time, never from a second compilation.
// For the cgo rows this means the cgo shims in cgo.go call the function
// pointer that dlsym returns for the loaded library (a direct cgo link to
// a shared library calls through the PLT, an indirect jump, so the cost is
// the same). That also keeps the package free of any link-time dependency
// on zlib or the fixtures.
//
// The package's non-test code exists only to hold the cgo shims (a test
// file cannot use cgo); with CGO_ENABLED=0 it is empty and the cgo rows
// are skipped.
//
// Imports: the standard library, the root package
// github.com/jitffi/jitffi, github.com/ebitengine/purego and, in tests,
// github.com/jitffi/jitffi/fixtures. Nothing in the module imports this
// package.
package bench
