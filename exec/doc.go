// Package exec owns executable memory for jitffi: it places generated
// trampolines and stubs in memory that runs but is never writable through
// the addresses it hands out, performs any instruction-cache maintenance
// the CPU needs, and never rewrites or releases placed code.
//
// # Dual mapping and W^X
//
// Code is packed densely into chunks (64 KiB, or one page where pages are
// larger). A chunk is a shared-memory file (memfd_create) mapped twice:
// read-write, at an address known only to the arena, and read-execute, at
// the addresses [Arena.Place] returns. No single mapping is ever writable
// and executable. Place writes only bytes that no block has used yet,
// flushes the instruction cache over their executable addresses, asks the
// kernel to resynchronise every thread's instruction stream
// (membarrier), and only then returns the addresses; once handed out a
// byte is never written again. A chunk's writable view is unmapped as soon
// as the chunk is full, and the file descriptor is closed as soon as both
// views exist.
//
// Where dual mapping is unavailable (no memfd_create, or executable shared
// memory refused by policy), [New] falls back to [SealedPages]: each Place
// call maps fresh anonymous pages read-write, fills them, and seals them
// read-execute with mprotect, and a sealed page is never reopened. That
// costs at least a page per call; [Arena.Stats] and
// [Arena.FallbackReason] report which mode is in use and why.
//
// # Layout and traps
//
// The blocks of one Place call are laid out contiguously, each starting at
// a 16-byte aligned offset ([Layout]). Every byte not covered by a block
// (padding, the unused rest of a chunk or page) holds a trap: int3 (0xCC)
// on amd64, and the permanently undefined word 0x00000000 (UDF #0) on
// arm64, so a stray jump into padding faults instead of running garbage.
//
// # Instruction cache
//
// amd64 keeps its instruction cache coherent with data writes. arm64 does
// not: after writing, the range is cleaned from the data cache to the
// point of unification and invalidated in the instruction cache (DC CVAU,
// DSB ISH, IC IVAU, DSB ISH, ISB), by its executable addresses.
//
// # Release policy
//
// Placed code is never unmapped. Unmapping memory that a caller on
// another thread might still be executing would turn a leak into a crash,
// and proving that no caller remains would need a quiescence protocol the
// library does not otherwise want. Callers cache generated code per call
// signature and reuse stubs, so the total is bounded by what a program
// uses, at about the size of the code itself.
//
// # Stability
//
// Arena, New, Place, Contains, Stats, FallbackReason, Layout and
// DenseBytes are used by the rest of the module and its tests; they may
// change with it.
//
// # Dependencies
//
// This package sits at the bottom of the module: it must not import any
// other package of this module, only the standard library.
package exec
