//go:build !amd64 && !arm64

package fallback

var callStubABI0 uintptr

const haveStub = false

const structStub = false
