package exec

// callCode calls the code at addr with no arguments and returns RAX.
// It exists so the tests can execute placed code without the rest of the
// library; nothing outside tests uses it.
func callCode(addr uintptr) uint64
