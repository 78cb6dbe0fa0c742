package jitffi

import "os"

// Option changes how Bind binds a function.
type Option func(*config)

type config struct {
	blocking bool
	strict   bool
	errno    bool
}

// Blocking makes the binding always take the slow path, which tells the
// scheduler the goroutine is leaving Go for the duration of the call (as cgo
// does). Use it for C functions that may block: I/O, locks, sleeps. On the
// fast path a long call holds its P and delays stop-the-world phases of the
// garbage collector until it returns, and signals the runtime sends to the
// thread interrupt sleeps and waits with EINTR.
func Blocking() Option { return func(c *config) { c.blocking = true } }

// Strict makes Bind fail with an error wrapping ErrNotFast instead of
// silently binding the slow path. JITFFI_STRICT=1 in the environment turns
// it on for every Bind.
func Strict() Option { return func(c *config) { c.strict = true } }

// Errno makes the bound func capture C's errno right after the call, on
// the same thread, and return it as a trailing error result: nil when
// errno is 0, else a syscall.Errno. errno is cleared before the call, so a
// call that succeeds reports nil.
//
//	var open func(path *byte, flags int32) (int32, error)
//	err := libc.Bind(&open, "open", "i32(ptr, i32)", jitffi.Errno())
func Errno() Option { return func(c *config) { c.errno = true } }

// env is the environment variables jitffi reads, once, at start-up.
var env = struct {
	noFast, strict bool // JITFFI_FAST=0, JITFFI_STRICT=1
}{
	noFast: os.Getenv("JITFFI_FAST") == "0",
	strict: os.Getenv("JITFFI_STRICT") == "1",
}

func configOf(opts []Option) config {
	if len(opts) == 0 {
		// Without this early return cfg, which the options' funcs are
		// handed, would be allocated by every Bind.
		return config{strict: env.strict}
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	cfg.strict = cfg.strict || env.strict
	return cfg
}
