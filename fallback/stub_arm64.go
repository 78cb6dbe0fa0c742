package fallback

// callStubABI0 is the address of the assembly stub (see stub_arm64.s).
var callStubABI0 uintptr

const haveStub = true

// structStub: the stub loads X8 (the address of an indirect result) and
// stores X1 and D1-D3 (the rest of struct results).
const structStub = true
