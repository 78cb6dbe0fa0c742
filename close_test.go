package jitffi

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jitffi/jitffi/fixtures"
)

// closeLibs opens the fixture library twice: lib is the one the test
// closes; the second handle keeps the library loaded (dlopen counts
// references), so fx_void_count, bound from it, still tells how often
// fx_void ran after lib is closed.
func closeLibs(t *testing.T) (lib *Library, count func() int64) {
	t.Helper()
	path := fixtures.Shared(t)
	lib, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	keep, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := lib.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := keep.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := keep.Bind(&count, "fx_void_count", "i64()"); err != nil {
		t.Fatal(err)
	}
	return lib, count
}

// callRecover calls f and returns what it panicked with, if anything.
func callRecover(f func()) (panicked bool, v any) {
	panicked = true
	defer func() {
		if panicked {
			v = recover()
		}
	}()
	f()
	panicked = false
	return panicked, nil
}

// closedPanic checks that v is an error wrapping ErrClosed.
func closedPanic(v any) error {
	err, ok := v.(error)
	switch {
	case !ok:
		return fmt.Errorf("panic value %#v (%T) is not an error", v, v)
	case !errors.Is(err, ErrClosed):
		return fmt.Errorf("panic value %q does not wrap ErrClosed", err)
	}
	return nil
}

// closeFuncs are the bindings the Close tests call: each with its
// expected result while the library is open.
type closeFunc struct {
	name string
	fn   any
	call func() any
	want any
}

func bindCloseFuncs(t *testing.T, lib *Library) []closeFunc {
	t.Helper()
	voidF, voidS := itBindBoth[func()](t, lib, "fx_void", "void()")
	addF, addS := itBindBoth[func(int32, int32) int32](t, lib, "fx_add_i32", "i32(i32, i32)")
	mixF, mixS := itBindBoth[func(int32, float64, int64, int8, float32, uint8, int16, float64, uint32, float32, uint16, float64) float64](t, lib,
		"fx_mix_12", "f64(i32, f64, i64, i8, f32, u8, i16, f64, u32, f32, u16, f64)")
	sumF, sumS := itBindBoth[func([]byte, uint64) uint64](t, lib, "fx_sum_bytes", "u64(ptr, u64)")
	var inferred func(int32, int32) int32
	if err := lib.Bind(&inferred, "fx_add_i32", ""); err != nil {
		t.Fatal(err)
	}
	buf := []byte{1, 2, 3, 4}
	mixWant := itWsum(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	return []closeFunc{
		{"fast fx_void", voidF, func() any { voidF(); return nil }, nil},
		{"fallback fx_void", voidS, func() any { voidS(); return nil }, nil},
		{"fast fx_add_i32", addF, func() any { return addF(40, 2) }, int32(42)},
		{"fallback fx_add_i32", addS, func() any { return addS(40, 2) }, int32(42)},
		{"inferred fx_add_i32", inferred, func() any { return inferred(-40, -2) }, int32(-42)},
		{"fast fx_mix_12", mixF, func() any { return mixF(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) }, mixWant},
		{"fallback fx_mix_12", mixS, func() any { return mixS(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) }, mixWant},
		{"fast fx_sum_bytes", sumF, func() any { return sumF(buf, 4) }, uint64(10)},
		{"fallback fx_sum_bytes", sumS, func() any { return sumS(buf, 4) }, uint64(10)},
	}
}

func TestCloseCallsPanic(t *testing.T) {
	lib, count := closeLibs(t)
	funcs := bindCloseFuncs(t, lib)
	c0 := count()
	for _, f := range funcs {
		if diff := cmp.Diff(f.want, f.call()); diff != "" {
			t.Errorf("%s before Close (-want +got):\n%s", f.name, diff)
		}
	}
	if got := count() - c0; got != 2 {
		t.Fatalf("fx_void ran %d times before Close, want 2", got)
	}
	c1 := count()
	if err := lib.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	check := func(when string) {
		t.Helper()
		for _, f := range funcs {
			panicked, v := callRecover(func() { f.call() })
			if !panicked {
				t.Errorf("%s %s: returned instead of panicking", f.name, when)
				continue
			}
			if err := closedPanic(v); err != nil {
				t.Errorf("%s %s: %v", f.name, when, err)
			} else if name := strings.Fields(f.name)[1]; !strings.Contains(v.(error).Error(), name) {
				t.Errorf("%s %s: panic %q does not name %s", f.name, when, v, name)
			}
		}
		if got := count() - c1; got != 0 {
			t.Errorf("fx_void ran %d times after Close (%s)", got, when)
		}
	}
	check("after Close")
	if err := lib.Close(); err != nil {
		t.Errorf("second Close: %v, want nil", err)
	}
	check("after the second Close")
}

func TestCloseIdempotent(t *testing.T) {
	for _, path := range []string{fixtures.Shared(t), ""} {
		lib, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var f func(int32) int32
		name := "fx_echo_i32"
		if path == "" {
			name = "abs"
		}
		if err := lib.Bind(&f, name, "i32(i32)"); err != nil {
			t.Fatal(err)
		}
		if got := f(7); got != 7 {
			t.Errorf("%s(7) = %d", name, got)
		}
		for i := range 3 {
			if err := lib.Close(); err != nil {
				t.Errorf("Open(%q): Close #%d = %v, want nil", path, i+1, err)
			}
		}
	}
}

func TestCloseReopen(t *testing.T) {
	path := fixtures.Shared(t)
	old, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	oldF, oldS := itBindBoth[func(int32, int32) int32](t, old, "fx_add_i32", "i32(i32, i32)")
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	lib := itOpen(t)
	newF, newS := itBindBoth[func(int32, int32) int32](t, lib, "fx_add_i32", "i32(i32, i32)")
	itBoth(t, "fx_add_i32(1, 2) from the reopened library", int32(3), newF(1, 2), newS(1, 2))
	for name, f := range map[string]func(int32, int32) int32{"fast": oldF, "fallback": oldS} {
		panicked, v := callRecover(func() { f(1, 2) })
		if !panicked {
			t.Errorf("%s func of the closed library returned after reopening", name)
		} else if err := closedPanic(v); err != nil {
			t.Errorf("%s func of the closed library: %v", name, err)
		}
	}
}

// TestCloseWhileCalling closes the library while goroutines call into it
// through both paths. Every call must either return the right result or
// panic with ErrClosed; every call that starts after Close has returned
// must panic; and the number of fx_void calls that returned must be the
// number of times fx_void ran, none of them after Close returned.
func TestCloseWhileCalling(t *testing.T) {
	for _, keepLoaded := range []bool{true, false} {
		t.Run(fmt.Sprintf("keepLoaded=%v", keepLoaded), func(t *testing.T) {
			var lib *Library
			count := func() int64 { return 0 }
			if keepLoaded {
				lib, count = closeLibs(t)
			} else {
				var err error
				if lib, err = Open(fixtures.Shared(t)); err != nil {
					t.Fatal(err)
				}
				defer lib.Close()
			}
			funcs := bindCloseFuncs(t, lib)
			c0 := count()

			const goroutines, afterClose = 8, 200
			var (
				wg         sync.WaitGroup
				closed     atomic.Bool // set once Close has returned
				voids      atomic.Int64
				progress   [goroutines]atomic.Int64
				mu         sync.Mutex
				problems   []string
				panicCount atomic.Int64
				stopped    atomic.Int64 // goroutines that have returned
			)
			report := func(format string, args ...any) {
				mu.Lock()
				defer mu.Unlock()
				if len(problems) < 20 {
					problems = append(problems, fmt.Sprintf(format, args...))
				}
			}
			for g := range goroutines {
				wg.Go(func() {
					defer stopped.Add(1)
					late := 0
					for i := 0; late < afterClose; i++ {
						f := funcs[(i+g)%len(funcs)]
						wasClosed := closed.Load()
						if wasClosed {
							late++
						}
						var got any
						panicked, v := callRecover(func() { got = f.call() })
						switch {
						case panicked:
							panicCount.Add(1)
							if err := closedPanic(v); err != nil {
								report("goroutine %d: %s: %v", g, f.name, err)
								return
							}
						case wasClosed:
							report("goroutine %d: %s started after Close returned and returned %v", g, f.name, got)
						case !cmp.Equal(f.want, got):
							report("goroutine %d: %s = %v, want %v", g, f.name, got, f.want)
						default:
							if strings.HasSuffix(f.name, "fx_void") {
								voids.Add(1)
							}
							progress[g].Add(1)
						}
					}
				})
			}
			// Let the goroutines run for a while, and until each has made
			// some successful calls on every binding (or has given up on a
			// failure, or a generous bound has passed: the checks below
			// hold however far the goroutines got).
			time.Sleep(150 * time.Millisecond)
			giveUp := time.Now().Add(10 * time.Second)
			for g := range progress {
				for progress[g].Load() < int64(5*len(funcs)) && stopped.Load() == 0 && time.Now().Before(giveUp) {
					time.Sleep(time.Millisecond)
				}
			}
			if err := lib.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			closed.Store(true)
			c1 := count()
			wg.Wait()
			c2 := count()
			for _, p := range problems {
				t.Error(p)
			}
			if n := panicCount.Load(); n < goroutines*afterClose {
				t.Errorf("%d calls panicked, want at least %d", n, goroutines*afterClose)
			}
			if keepLoaded {
				if c2 != c1 {
					t.Errorf("fx_void ran %d times after Close returned", c2-c1)
				}
				if ran, returned := c2-c0, voids.Load(); ran != returned {
					t.Errorf("fx_void ran %d times but %d calls returned", ran, returned)
				}
			}
		})
	}
}

// TestCloseManyGoroutines calls funcs of a closed library from many
// goroutines at once.
func TestCloseManyGoroutines(t *testing.T) {
	lib, count := closeLibs(t)
	funcs := bindCloseFuncs(t, lib)
	if err := lib.Close(); err != nil {
		t.Fatal(err)
	}
	c0 := count()
	const goroutines, calls = 32, 100
	var (
		wg       sync.WaitGroup
		panics   atomic.Int64
		mu       sync.Mutex
		problems []string
	)
	for g := range goroutines {
		wg.Go(func() {
			for i := range calls {
				f := funcs[(i+g)%len(funcs)]
				panicked, v := callRecover(func() { f.call() })
				var err error
				if !panicked {
					err = errors.New("returned instead of panicking")
				} else {
					err = closedPanic(v)
				}
				if err != nil {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("goroutine %d: %s: %v", g, f.name, err))
					mu.Unlock()
					return
				}
				panics.Add(1)
			}
		})
	}
	wg.Wait()
	for _, p := range problems {
		t.Error(p)
	}
	if got := panics.Load(); got != goroutines*calls {
		t.Errorf("%d calls panicked with ErrClosed, want %d", got, goroutines*calls)
	}
	if got := count() - c0; got != 0 {
		t.Errorf("fx_void ran %d times after Close", got)
	}
}
