package fallback

// callStubABI0 is the address of the assembly stub (see stub_amd64.s).
var callStubABI0 uintptr

const haveStub = true

// structStub: the stub stores RDX and XMM1, the second words of struct
// results; a hidden result pointer is an ordinary RDI argument.
const structStub = true
