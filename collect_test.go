package jitffi

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// Funcs the program drops are collected even while their library stays
// open, and Close still reaches the ones it keeps.
func TestDroppedBindingsCollected(t *testing.T) {
	n := 100_000
	if runtime.GOARCH != "amd64" {
		n = 10_000 // under emulation Bind is slow
	}
	lib := itOpen(t)
	var keep func(int32, int32) int32
	if err := lib.Bind(&keep, "fx_add_i32", "i32(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	before := heapAfterGC()
	start := time.Now()
	for i := range n {
		var f func(int32, int32) int32
		if err := lib.Bind(&f, "fx_add_i32", "i32(i32, i32)"); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 0 && f(int32(i), 1) != int32(i)+1 {
			t.Fatalf("fx_add_i32(%d, 1) is wrong", i)
		}
	}
	elapsed := time.Since(start)
	held := heapAfterGC()
	// Cleanups run after the collection, on their own goroutine.
	// The kept func's slab stays, and so does the one being filled.
	maxLive := 2 * slabSize
	for range 100 {
		if lib.liveBindings() <= maxLive {
			break
		}
		time.Sleep(10 * time.Millisecond)
		runtime.GC()
	}
	after := heapAfterGC()
	perBind := (float64(after) - float64(before)) / float64(n)
	t.Logf("%d Binds in %v: heap %d KiB before, %d KiB after GC, %d KiB after cleanups (%.1f bytes per dropped Bind); %d live fast bindings",
		n, elapsed.Round(time.Millisecond), before>>10, held>>10, after>>10, perBind, lib.liveBindings())
	if perBind > 64 {
		t.Errorf("%.1f bytes per dropped Bind stay on the heap, want at most 64", perBind)
	}
	if PathOf(keep).Fast && lib.liveBindings() > maxLive {
		t.Errorf("%d live fast bindings after dropping all but one, want at most %d", lib.liveBindings(), maxLive)
	}
	if keep(2, 3) != 5 {
		t.Fatal("the kept func is wrong")
	}
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err, _ := recover().(error); !errors.Is(err, ErrClosed) {
			t.Errorf("the kept func after Close: panic %v, want ErrClosed", err)
		}
	}()
	keep(2, 3)
	t.Error("the kept func ran after Close")
}
