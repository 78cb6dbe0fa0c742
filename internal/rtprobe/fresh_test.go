package rtprobe

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var procs = flag.Int("probe.procs", 40, "how many fresh processes TestProbeFreshProcesses runs the probe in")

// childEnv makes the test binary run Probe once and exit, as a fresh
// process does on its first Bind.
const childEnv = "JITFFI_PROBE_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if _, err := Probe(); err != nil {
			fmt.Fprintf(os.Stderr, "Probe: %v\n", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The probe's reads race with the scheduler of a process that has just
// started (its goroutines are parking, its stacks growing); every fresh
// process must pass it. Under make test-race this binary, and so every
// child, is race-built, the build in which the races showed.
func TestProbeFreshProcesses(t *testing.T) {
	if !fastPlatform() {
		t.Skip("no fast path here")
	}
	args := []string{os.Args[0]}
	if w := os.Getenv("JITFFI_TEST_EXEC"); w != "" {
		args = append(strings.Fields(w), args...)
	}
	var (
		mu     sync.Mutex
		failed []string
		wg     sync.WaitGroup
		next   = make(chan int)
	)
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				cmd := exec.Command(args[0], args[1:]...)
				cmd.Env = append(os.Environ(), childEnv+"=1")
				if out, err := cmd.CombinedOutput(); err != nil {
					mu.Lock()
					failed = append(failed, fmt.Sprintf("%v: %s", err, strings.TrimSpace(string(out))))
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < *procs; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, f := range failed {
		t.Error(f)
	}
	t.Logf("%d of %d fresh processes (race detector: %v) failed the probe", len(failed), *procs, raceEnabled)
}

// Within one process the probe passes every time, while the collector
// runs (it may shrink the parked goroutine's stack) and at stack depths
// that make the checks grow the stack they are reading.
func TestProbeRepeated(t *testing.T) {
	if !fastPlatform() {
		t.Skip("no fast path here")
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	for i := 0; i < 200; i++ {
		if err := atDepth(i%40*8, func() error { _, err := Probe(); return err }); err != nil {
			t.Fatalf("iteration %d: %v", i, err)
		}
	}
}

// atDepth calls f below n frames of about 100 bytes each.
//
//go:noinline
func atDepth(n int, f func() error) error {
	var pad [96]byte
	if n == 0 {
		return f()
	}
	pad[n%len(pad)] = byte(n)
	err := atDepth(n-1, f)
	_ = pad[0]
	return err
}
