// Package exec owns executable memory for jitffi: it maps fresh pages,
// copies generated trampolines into them, performs any instruction-cache
// maintenance the CPU needs, and seals the pages read+execute.
//
// # W^X
//
// No page is ever writable and executable at the same time. A mapping is
// created PROT_READ|PROT_WRITE, filled, flushed, and then switched to
// PROT_READ|PROT_EXEC. Once sealed, a page is never made writable again:
// another goroutine may already be executing it, and reopening it would
// both race with that caller and break W^X. Consequently every call to
// [Arena.Place] uses fresh pages, and callers should batch the blocks
// they can place together.
//
// # Layout and traps
//
// Blocks are packed into one mapping per Place call, each starting at a
// 16-byte aligned offset. Every byte not covered by a block (padding
// between blocks and the tail of the last page) holds a trap: int3 (0xCC)
// on amd64, and the permanently undefined word 0x00000000 (UDF #0) on
// arm64, so a stray jump into padding faults instead of running garbage.
//
// # Instruction cache
//
// amd64 keeps its instruction cache coherent with data writes, so nothing
// is needed there. arm64 does not: before sealing, the written range is
// cleaned from the data cache to the point of unification and invalidated
// in the instruction cache (DC CVAU, DSB ISH, IC IVAU, DSB ISH, ISB).
//
// # Release policy
//
// Sealed pages are never unmapped. Unmapping memory that a caller on
// another thread might still be executing would turn a leak into a crash,
// and proving that no caller remains would need a quiescence protocol the
// library does not otherwise want. Callers cache generated code per call
// signature, so the total mapped is bounded by the number of distinct
// signatures a program uses, which is small in practice.
//
// # Dependencies
//
// This package sits at the bottom of the module: it must not import any
// other package of this module, only the standard library and
// golang.org/x/sys.
package exec
