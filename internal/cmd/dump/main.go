// Command dump prints the plan and the trampoline jitffi generates for a
// signature on either architecture, without binding anything:
//
//	go run ./internal/cmd/dump -arch arm64 'f64(i32, f64)'
//
// (make dump SIG='f64(i32, f64)' ARCH=arm64). The runtime values that are
// specific to a process (the TLS slot, the address of
// runtime.systemstack_switch) are placeholders here; a live binding's
// Describe shows the real ones.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/internal/rtprobe"
	"github.com/jitffi/jitffi/jit"
	"github.com/jitffi/jitffi/sig"
)

func main() {
	arch := flag.String("arch", runtime.GOARCH, "target architecture: amd64 or arm64")
	trace := flag.Bool("trace", false, "include the call counter (as under -tags jitffi_trace)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: dump [-arch amd64|arm64] [-trace] 'signature'\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := dump(abi.Arch(*arch), flag.Arg(0), *trace); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func dump(arch abi.Arch, src string, trace bool) error {
	s, err := sig.Parse(src)
	if err != nil {
		return err
	}
	p, err := abi.New(arch, s, nil)
	if err != nil {
		return err
	}
	fmt.Print(p)
	if err := jit.CanLower(p); err != nil {
		fmt.Printf("fallback: %v\n", err)
		return nil
	}
	fmt.Print("fast\n")
	rt := rtprobe.Layout()
	rt.Trace = trace
	rt.SwitchPC = 0x401008 // placeholders
	rt.Exit = 0x402040
	rt.TLSG = -8
	if arch == abi.ARM64 {
		rt.TLSG = 16
	}
	code, err := jit.Compile(p, &rt)
	if err != nil {
		return err
	}
	l, err := jit.Disassemble(arch, code)
	if err != nil {
		return err
	}
	fmt.Printf("trampoline, %d bytes (TLS slot and systemstack_switch address are placeholders):\n%s", len(code), l)
	return nil
}
