package jitffi

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/jitffi/jitffi/internal/asmcgo"
)

// TestCallbackClosedIsFatal: C calling a closed callback ends the process
// with a message that names it (in a child process, for both entries).
func TestCallbackClosedIsFatal(t *testing.T) {
	needCallbacks(t)
	for _, blocking := range []string{"0", "1"} {
		out, err := spawnTest(t, "TestCallbackClosedChild", "JITFFI_TEST_CLOSED_CHILD=1", "JITFFI_TEST_BLOCKING="+blocking)
		if err == nil {
			t.Fatalf("blocking=%s: the child survived calling a closed callback:\n%s", blocking, out)
		}
		if !strings.Contains(out, "C called callback i64(i64) (func(int64) int64) after it was closed") {
			t.Errorf("blocking=%s: the report does not name the closed callback:\n%s", blocking, out)
		}
		if strings.Contains(out, "CHILD RETURNED") {
			t.Errorf("blocking=%s: C got a result from a closed callback:\n%s", blocking, out)
		}
	}
}

func TestCallbackClosedChild(t *testing.T) {
	if os.Getenv("JITFFI_TEST_CLOSED_CHILD") != "1" {
		t.Skip("run by TestCallbackClosedIsFatal")
	}
	l := cbOpen(t, os.Getenv("JITFFI_TEST_BLOCKING") == "1")
	c, err := NewCallback(func(x int64) int64 { return x }, "")
	if err != nil {
		t.Fatal(err)
	}
	p := c.Ptr()
	c.Close()
	l.applyPtr(p, 1)
	println("CHILD RETURNED")
}

// TestCallbackForeignCallIsFatal: C calling back from a call that is
// neither a jitffi fast-path call nor cgo, here runtime.asmcgocall, which
// leaves the goroutine running the way a fast-path call does but leaves
// no jitffi marker below g0.sched.sp, is a fatal error that names the
// callback, not a jump onto the goroutine's stack.
func TestCallbackForeignCallIsFatal(t *testing.T) {
	needCallbacks(t)
	out, err := spawnTest(t, "TestCallbackForeignCallChild", "JITFFI_TEST_FOREIGN_CHILD=1")
	if err == nil {
		t.Fatalf("the child survived a callback from a foreign call:\n%s", out)
	}
	if !strings.Contains(out, "callback i64(i64) (func(int64) int64) entered from a C call that is neither a jitffi fast-path call nor cgo") {
		t.Errorf("the report does not name the callback and the cause:\n%s", out)
	}
	if strings.Contains(out, "CHILD RETURNED") || strings.Contains(out, "GO FUNC RAN") {
		t.Errorf("the callback ran or returned:\n%s", out)
	}
}

func TestCallbackForeignCallChild(t *testing.T) {
	if os.Getenv("JITFFI_TEST_FOREIGN_CHILD") != "1" {
		t.Skip("run by TestCallbackForeignCallIsFatal")
	}
	l := itOpen(t)
	fn, err := l.Symbol("cb_call_arg")
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCallback(func(x int64) int64 { println("GO FUNC RAN"); return x }, "")
	if err != nil {
		t.Fatal(err)
	}
	// C's struct cb_thread_arg: the callback, x and the result.
	arg := [3]uintptr{uintptr(c.Ptr()), 7, 0}
	asmcgo.Call(uintptr(fn), unsafe.Pointer(&arg))
	println("CHILD RETURNED")
}

// TestCallbackStress runs callbacks that allocate, grow their stacks and
// block, from fast and Blocking outer calls on several goroutines, while
// the collector runs all the time and CPU profiling sends signals.
func TestCallbackStress(t *testing.T) {
	fast, slow := cbOpen(t, false), cbOpen(t, true)
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	var sink atomic.Pointer[[]byte]
	ch := make(chan int64)
	go func() {
		for x := range ch {
			_ = x
		}
	}()
	defer close(ch)
	var rec func(n int) int
	rec = func(n int) int {
		var pad [32]byte
		pad[n%32] = byte(n)
		if n == 0 {
			return int(pad[0])
		}
		return rec(n-1) + int(pad[n%32]&1)
	}
	cb := newCB(t, func(x int64) int64 {
		b := make([]byte, 256+x%512)
		sink.Store(&b)
		if x%64 == 0 {
			ch <- x // block on a channel
		}
		if x%128 == 0 {
			rec(20000) // grow the stack past 1 MiB
		}
		return x + 1
	}, "")
	deadline := time.Now().Add(1500 * time.Millisecond)
	var wg sync.WaitGroup
	var calls atomic.Int64
	for g := 0; g < 4; g++ {
		l := fast
		if g%2 == 1 {
			l = slow
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); time.Now().Before(deadline); i++ {
				if got := l.apply(cb, i); got != i+1 {
					t.Errorf("apply(%d) = %d", i, got)
					return
				}
				calls.Add(1)
			}
		}()
	}
	gcs := startGCLoop(t, 0)
	wg.Wait()
	gcs.Stop()
	if calls.Load() < 100 {
		t.Errorf("only %d calls in 1.5 s", calls.Load())
	}
	t.Logf("%d calls", calls.Load())
}

// TestCallbackGCLatency: a callback blocked on a channel inside a fast
// call does not hold up the collector (the goroutine is parked, not
// running C code).
func TestCallbackGCLatency(t *testing.T) {
	l := cbOpen(t, false)
	release := make(chan struct{})
	entered := make(chan struct{})
	cb := newCB(t, func(x int64) int64 {
		close(entered)
		<-release
		return x
	}, "")
	done := make(chan int64)
	go func() { done <- l.apply(cb, 7) }()
	<-entered
	start := time.Now()
	runtime.GC()
	runtime.GC()
	elapsed := time.Since(start)
	close(release)
	if got := <-done; got != 7 {
		t.Errorf("apply = %d", got)
	}
	// Two collections with nothing to wait for; the bound is generous for
	// a loaded machine.
	if elapsed > 5*time.Second {
		t.Errorf("two collections took %v while a callback was blocked", elapsed)
	}
}

var cbCycles = flag.Int("callback.cycles", 1_000_000, "NewCallback/Close cycles of TestCallbackRSSFlat")

// rss is the resident set of the process after the collector has returned
// what it can to the system.
func rss(t *testing.T) int64 {
	t.Helper()
	debug.FreeOSMemory()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	var size, res int64
	if _, err := fmt.Sscan(string(b), &size, &res); err != nil {
		t.Fatalf("/proc/self/statm %q: %v", b, err)
	}
	return res * int64(os.Getpagesize())
}

// TestCallbackRSSFlat: a million NewCallback/Close cycles (fewer under
// emulation, -race or -short) keep the resident set flat and the slots bounded.
func TestCallbackRSSFlat(t *testing.T) {
	l := cbOpen(t, false)
	n := *cbCycles
	if testing.Short() || raceBuild || runtime.GOARCH != "amd64" {
		n = min(n, 50_000) // under emulation or -race NewCallback is slow
	}
	cycle := func(i int) {
		c, err := NewCallback(func(x int64) int64 { return x + int64(i) }, "")
		if err != nil {
			t.Fatal(err)
		}
		if i%1000 == 0 {
			if got := l.apply(c, 1); got != 1+int64(i) {
				t.Fatalf("cycle %d: apply = %d", i, got)
			}
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	warm := n / 10
	for i := range warm {
		cycle(i)
	}
	heapBefore, before := heapAfterGC(), rss(t)
	_, madeBefore := upcallLive()
	for i := warm; i < n; i++ {
		cycle(i)
	}
	heapAfter, after := heapAfterGC(), rss(t)
	open, made := upcallLive()
	t.Logf("%d cycles: RSS %d KiB after %d, %d KiB after %d; live heap %d KiB, %d KiB; %d slots made (%d open)",
		n, before>>10, warm, after>>10, n, heapBefore>>10, heapAfter>>10, made, open)
	// The race detector's own memory grows with the addresses the
	// program touches, so there only the Go heap says what we keep.
	if grow := after - before; grow > 4<<20 && !raceBuild {
		t.Errorf("RSS grew by %d KiB over %d NewCallback/Close cycles", grow>>10, n-warm)
	}
	if grow := int64(heapAfter) - int64(heapBefore); grow > 1<<20 {
		t.Errorf("the live heap grew by %d KiB over %d NewCallback/Close cycles", grow>>10, n-warm)
	}
	if made != madeBefore {
		t.Errorf("slots made went from %d to %d: closed slots are not reused", madeBefore, made)
	}
}
