package jitffi

import (
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jitffi/jitffi/fixtures"
)

var stressFor = flag.Duration("stress", 3*time.Second, "how long TestStress runs")

// TestStress calls fast-path functions from many goroutines while the
// collector runs in a loop, with asynchronous preemption and CPU profiling
// on, and a callee that uses 1 MiB of system stack mixed in. Every result
// is checked. make stress runs it for longer.
func TestStress(t *testing.T) {
	if err := FastPathError(); err != nil {
		t.Skipf("fast path unavailable: %v", err)
	}
	lib, err := Open(fixtures.Shared(t))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	var (
		add   func(int32, int32) int32
		mix   func(int32, float64, int64, int8, float32, uint8, int16, float64, uint32, float32, uint16, float64) float64
		big   func(int64) int64
		sum   func([]byte, uint64) uint64
		echoP func(*int64) *int64
	)
	for _, b := range []struct {
		fn        any
		name, sig string
	}{
		{&add, "fx_add_i32", "i32(i32, i32)"},
		{&mix, "fx_mix_12", ""},
		{&big, "fx_big_stack", "i64(i64)"},
		{&sum, "fx_sum_bytes", "u64(ptr, u64)"},
		{&echoP, "fx_echo_ptr", "ptr(ptr)"},
	} {
		if err := lib.Bind(b.fn, b.name, b.sig, Strict()); err != nil {
			t.Fatal(err)
		}
	}
	wantMix := mix(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	if wantMix != 650 {
		t.Fatalf("fx_mix_12(1..12) = %v, want 650", wantMix)
	}
	bigWant := big(12345)
	if bigWant != -6170724403023171527 {
		t.Fatalf("fx_big_stack(12345) = %d", bigWant)
	}

	// Collect often: besides the explicit loop, every few kilobytes of
	// garbage start a cycle.
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		t.Fatal(err)
	}
	defer pprof.StopCPUProfile()

	gcs := startGCLoop(t, time.Millisecond)

	var wg sync.WaitGroup
	var calls atomic.Int64
	errc := make(chan string, 16)
	deadline := time.Now().Add(*stressFor)
	for w := 0; w < 2*runtime.GOMAXPROCS(0)+2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			buf := make([]byte, 256)
			for i := range buf {
				buf[i] = byte(i)
			}
			for n := 0; stressOn(deadline, &gcs.n); n++ {
				a := int32(n*7 + w)
				if got := add(a, -3); got != a-3 {
					errc <- "add"
					return
				}
				if got := mix(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12); math.Float64bits(got) != math.Float64bits(wantMix) {
					errc <- "mix"
					return
				}
				// Fresh garbage and Go pointers handed to C while the
				// collector runs.
				p := new(int64)
				*p = int64(n)
				if q := echoP(p); q != p || *q != int64(n) {
					errc <- "echo_ptr"
					return
				}
				if got := sum(buf, uint64(len(buf))); got != 255*256/2 {
					errc <- "sum_bytes"
					return
				}
				if n%64 == 0 {
					if got := big(12345); got != bigWant {
						errc <- "big_stack"
						return
					}
				}
				calls.Add(4)
			}
		}(w)
	}
	wg.Wait()
	gcs.Stop()
	select {
	case name := <-errc:
		t.Fatalf("%s returned a wrong result under stress", name)
	default:
	}
	if gcs.n.Load() == 0 {
		t.Fatal("no garbage collection ran during the stress")
	}
	t.Logf("%d calls, %d collections in %v", calls.Load(), gcs.n.Load(), *stressFor)
}

// gcLatencyProcs are the GOMAXPROCS values TestGCLatency runs at.
var gcLatencyProcs = flag.String("gclatency.procs", "1,2,4", "comma-separated GOMAXPROCS values for TestGCLatency")

// TestGCLatency: while a goroutine calls a 50 ms C sleep in a tight loop
// through the fast path, runtime.GC() still finishes in a few call
// lengths. Without the bail-out on a pending preemption request the
// collector could not stop that goroutine at all (it never reaches a safe
// point) and GC took tens of seconds in a prototype. Each phase that needs
// every P at a safe point (sweep termination, the flushes of mark
// completion, mark termination) waits for at most the call in flight, and
// the runtime's repeated preemption signals stretch that call (its sleep
// is interrupted with EINTR and resumed). The bounds are loose on purpose:
// this catches starvation, not slowness.
func TestGCLatency(t *testing.T) {
	if err := FastPathError(); err != nil {
		t.Skipf("fast path unavailable: %v", err)
	}
	lib, err := Open(fixtures.Shared(t))
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	var sleep func(int32)
	if err := lib.Bind(&sleep, "fx_sleep_ms", "void(i32)", Strict()); err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Split(*gcLatencyProcs, ",") {
		procs, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || procs < 1 {
			t.Fatalf("-gclatency.procs: bad value %q", f)
		}
		t.Run(fmt.Sprintf("GOMAXPROCS=%d", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			gcLatency(t, sleep)
		})
	}
}

// gcLatencyCall is the length of the C call TestGCLatency loops over.
var gcLatencyCall = flag.Duration("gclatency.call", 50*time.Millisecond, "length of the C call TestGCLatency loops over")

func gcLatency(t *testing.T, sleep func(int32)) {
	call := gcLatencyCall.Round(time.Millisecond)
	if call <= 0 {
		t.Fatalf("-gclatency.call %v: want at least 1ms", *gcLatencyCall)
	}
	// Thousands of small spans for runtime.GC() to sweep: with one P it
	// sweeps one per Gosched, and without jit.YieldBit each Gosched cost
	// a whole C call (14.7 s per collection for a 50 ms call, against
	// 250 ms with two Ps).
	keep := make([][]byte, 200000)
	for i := range keep {
		keep[i] = make([]byte, 64+i%7*16)
	}
	defer runtime.KeepAlive(keep)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				sleep(int32(call / time.Millisecond))
			}
		}
	}()
	time.Sleep(2 * call)
	// Starvation would make runtime.GC() wait forever; give it a deadline,
	// and on expiry stop the caller so the test can report instead of hang.
	var took []time.Duration
	for i := 0; i < 7; i++ {
		gcDone := make(chan time.Duration)
		start := time.Now()
		go func() {
			runtime.GC()
			gcDone <- time.Since(start)
		}()
		select {
		case d := <-gcDone:
			took = append(took, d)
		case <-time.After(100 * call):
			close(stop)
			<-done
			t.Fatalf("runtime.GC() did not finish within %v while a goroutine looped over a %v C call: the collector is starved", 100*call, call)
		}
	}
	close(stop)
	<-done
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	t.Logf("GOMAXPROCS=%d: runtime.GC() while C sleeps %v per call: min %v median %v max %v", runtime.GOMAXPROCS(0), call, took[0], took[len(took)/2], took[len(took)-1])
	// About one call length per phase that needs every P at a safe point;
	// generous, because the machine running the tests may be busy.
	if med := took[len(took)/2]; med > 20*call {
		t.Errorf("median runtime.GC() took %v, more than 20 call lengths (%v)", med, 20*call)
	}
}

// gcLoop runs runtime.GC in a loop on its own goroutine, sleeping pause
// after each collection, so that tests call C, run callbacks or copy
// strings while the collector scans and moves stacks. Stop ends it; the
// test's cleanup stops it too.
type gcLoop struct {
	n    atomic.Int64 // collections completed
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func startGCLoop(t testing.TB, pause time.Duration) *gcLoop {
	g := &gcLoop{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(g.done)
		for {
			select {
			case <-g.stop:
				return
			default:
				runtime.GC()
				g.n.Add(1)
				time.Sleep(pause)
			}
		}
	}()
	t.Cleanup(g.Stop)
	return g
}

// Stop ends the loop and waits for its last collection; it may be called
// more than once.
func (g *gcLoop) Stop() {
	g.once.Do(func() { close(g.stop) })
	<-g.done
}

// stressOn reports whether a stress worker goes on: until deadline, and
// after it until the collector loop has completed a cycle (under
// emulation one cycle can outlast a short deadline), for at most a
// minute more; the test then fails if none completed.
func stressOn(deadline time.Time, gcs *atomic.Int64) bool {
	now := time.Now()
	return now.Before(deadline) || gcs.Load() == 0 && now.Before(deadline.Add(time.Minute))
}
