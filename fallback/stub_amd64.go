package fallback

// callStubABI0 is the address of the assembly stub (see stub_amd64.s).
var callStubABI0 uintptr

const haveStub = true
