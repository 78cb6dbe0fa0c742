//go:build !amd64 && !arm64

package cstr

// ResultEntry is 0 where no trampolines exist.
func ResultEntry() uintptr { return 0 }
