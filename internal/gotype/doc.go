// Package gotype matches Go func types against C signatures: Check says
// whether a Go func type can hold a binding of a signature (and how the Go
// side passes each parameter), Infer derives a signature from a Go func
// type. It needs no C and no runtime knowledge, so it is tested on its own.
//
// It imports sig and abi (for abi.GoParam) and nothing else of jitffi.
//
// Stability: internal; the root package re-exports TypeError.
package gotype
