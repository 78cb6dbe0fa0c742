//go:build !amd64

package fallback

var callStubABI0 uintptr

const haveStub = false
