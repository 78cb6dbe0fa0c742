package jitffi

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/exec"
	"github.com/jitffi/jitffi/sig"
)

// execMemSigs is how many distinct signatures the memory tests bind; the
// goal is stated amortised over 1000.
const execMemSigs = 1000

// execMemRun makes each run (-count) of these tests use signatures no
// earlier run compiled.
var execMemRun int

func freshSignature(i int) (string, reflect.Type) {
	return distinctSignature(300000 + execMemRun*execMemSigs + i)
}

// TestExecMemoryPerSignature binds execMemSigs signatures no other test
// uses and checks that their trampolines cost at most 256 bytes of
// executable mapping each, as the arena counts it.
func TestExecMemoryPerSignature(t *testing.T) {
	requireFastPath(t)
	if s := fast.arena.Stats(); s.Mode != exec.DualMapped {
		t.Skipf("executable memory is %s here (%s): a page per signature", s.Mode, fast.arena.FallbackReason())
	}
	lib := openFixtures(t)
	addr, err := lib.Symbol("fx_echo_i64")
	if err != nil {
		t.Fatal(err)
	}
	fvs := make([]reflect.Value, execMemSigs)
	sigs := make([]string, execMemSigs)
	for i := range fvs {
		var ft reflect.Type
		sigs[i], ft = freshSignature(i)
		fvs[i] = reflect.New(ft)
	}
	execMemRun++
	before := fast.arena.Stats()
	for i, fv := range fvs {
		if err := BindAddr(fv.Interface(), addr, sigs[i]); err != nil {
			t.Fatal(err)
		}
		if p := PathOf(fv.Interface()); !p.Fast {
			t.Fatalf("%s: %v", sigs[i], p)
		}
	}
	after := fast.arena.Stats()
	if got := after.Blocks - before.Blocks; got != execMemSigs {
		t.Fatalf("%d trampolines placed for %d distinct signatures", got, execMemSigs)
	}
	// The first trampolines may have gone into the spare end of the chunk
	// mapped before: count that end as theirs, so the figure is an upper
	// bound on the mapping they take.
	code, mapped := after.CodeBytes-before.CodeBytes, after.Bytes-before.Bytes+before.Spare-after.Spare
	t.Logf("%d signatures: %d bytes of code, at most %d bytes of executable mapping (%d per signature), %d new mappings",
		execMemSigs, code, mapped, mapped/execMemSigs, after.Mappings-before.Mappings)
	if mapped > 256*execMemSigs {
		t.Errorf("%d bytes of executable mapping for %d signatures, want at most 256 each", mapped, execMemSigs)
	}
}

// cacheHeapSigs is how many signatures the heap measurement compiles.
const cacheHeapSigs = 4 * execMemSigs

const cacheHeapEnv = "JITFFI_TEST_CACHE_HEAP"

// TestCodeCacheHeapPerSignature measures the heap the code cache keeps
// per distinct signature, in a child process so that nothing else
// allocates or frees meanwhile: the map grows in bursts of tens of
// kilobytes, and from an empty cache the bursts it takes for
// cacheHeapSigs entries are always the same.
func TestCodeCacheHeapPerSignature(t *testing.T) {
	requireFastPath(t)
	out, err := spawnTest(t, "TestHelperCodeCacheHeap", cacheHeapEnv+"=1")
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	var per int64
	i := strings.Index(out, "heap per signature: ")
	if i < 0 {
		t.Fatalf("helper printed no measurement:\n%s", out)
	}
	if _, err := fmt.Sscanf(out[i:], "heap per signature: %d", &per); err != nil {
		t.Fatalf("cannot parse the helper's measurement: %v\n%s", err, out)
	}
	t.Logf("code cache: %d bytes of heap per signature over %d signatures", per, cacheHeapSigs)
	// About 140 bytes: the key and the map's slot and headroom, and the
	// entry in the set of entries lookupBinding reads. A copy of each
	// trampoline (110 to 160 bytes) on top would not fit.
	if per > 160 {
		t.Errorf("code cache keeps %d bytes of heap per signature, want at most 160", per)
	}
}

// TestHelperCodeCacheHeap is not a test on its own: see
// TestCodeCacheHeapPerSignature. The plans are made first, so that the
// heap growth, read after collections on both sides, is what trampoline
// keeps.
func TestHelperCodeCacheHeap(t *testing.T) {
	if os.Getenv(cacheHeapEnv) != "1" {
		t.Skip("helper process only")
	}
	requireFastPath(t)
	plans := make([]*abi.Plan, cacheHeapSigs)
	for i := range plans {
		src, _ := distinctSignature(300000 + i)
		s, err := sig.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		p, err := abi.New(abi.Arch(runtime.GOARCH), s, nil)
		if err != nil {
			t.Fatal(err)
		}
		plans[i] = p
	}
	before := fast.arena.Stats()
	var m0, m1 runtime.MemStats
	settle()
	runtime.ReadMemStats(&m0)
	for _, p := range plans {
		if _, _, err := trampoline(p); err != nil {
			t.Fatal(err)
		}
	}
	settle()
	runtime.ReadMemStats(&m1)
	runtime.KeepAlive(plans)
	if got := fast.arena.Stats().Blocks - before.Blocks; got != cacheHeapSigs {
		t.Fatalf("%d trampolines placed for %d distinct signatures", got, cacheHeapSigs)
	}
	fmt.Printf("heap per signature: %d\n", (int64(m1.HeapAlloc)-int64(m0.HeapAlloc))/cacheHeapSigs)
}

// settle collects until objects held only by finalizers are gone too.
func settle() {
	for range 3 {
		runtime.GC()
		time.Sleep(20 * time.Millisecond) // finalizers and cleanups run after the collection
	}
}

func requireFastPath(t *testing.T) {
	t.Helper()
	if env.noFast {
		t.Skip("JITFFI_FAST=0: no code is placed")
	}
	if err := FastPathError(); err != nil {
		t.Fatalf("fast path unavailable: %v", err)
	}
}
