package jitffi

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/jit"
	"github.com/jitffi/jitffi/sig"
)

// Callbacks with structs by value, against callbacks_struct.c: C passes
// structs (among scalars, some on the C stack) to Go funcs, which check
// every field, and checks every field of the structs they return.

type (
	cbsC1 struct{ X int8 }
	cbsF1 struct{ X float32 }
	cbsB3 struct{ A, B, C uint8 }
	cbsII struct{ Quot, Rem int32 }
	cbsDD struct{ X, Y float64 }
	cbsDI struct {
		D float64
		I int32
	}
	cbsIF struct {
		I int32
		F float32
	}
	cbsF3  struct{ V [3]float32 }
	cbsBHI struct {
		A int8
		B int16
		C int32
	}
	cbsFFFF struct{ A, B, C, D float32 }
	cbsPL   struct {
		P uintptr
		N int64
	}
	cbsBUL struct {
		Ok  bool
		U   uint16
		Big uint64
	}
	cbsNest struct {
		B   [2]uint8
		Mid struct {
			H  int16
			In struct{ F float32 }
		}
	}
	cbsDDDD struct{ A, B, C, D float64 }
	cbsBig  struct {
		A int64
		B uint64
		C int16
		D float64
		E [3]uint8
	}
	cbsH10 struct{ A, B, C, D, E, F, G, H, I, K int16 }
	cbsL8  struct{ A, B, C, D, E, F, G, H int64 }
	cbsD9  struct{ D [9]float64 }
)

// cbsMake is callbacks_struct.c's cbs_make(T, seed): leaf j of every
// scalar kind by its formula.
func cbsMake[T any](seed int32) T {
	var v T
	j := 0
	stLeaves(reflect.ValueOf(&v).Elem(), func(l reflect.Value) {
		u := uint64(int64(seed))*0x9E3779B97F4A7C15 + uint64(j+1)*0x0123456789ABCDEF
		switch l.Kind() {
		case reflect.Bool:
			l.SetBool((int(seed)+j)&1 == 1)
		case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			l.SetInt(int64(u))
		case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			l.SetUint(u)
		case reflect.Float32:
			l.SetFloat(float64(float32(seed) + float32(j+1)*0.25))
		case reflect.Float64:
			l.SetFloat(float64(seed)*1.5 + float64(j+1)*0.125)
		default:
			panic(fmt.Sprintf("cbsMake: %v", l.Type()))
		}
		j++
	})
	return v
}

func cbsNext[T any](v T) T { return stNext(reflect.ValueOf(v)).Interface().(T) }

// cbsCase is one struct type: its C name and signature type.
type cbsCase struct {
	name, ctype string
	run         func(t *testing.T, c cbsCase, l *cbsLib, blocking bool)
}

func cbsRet[T any](name, ctype string) cbsCase {
	return cbsCase{name, ctype, func(t *testing.T, c cbsCase, l *cbsLib, blocking bool) {
		bound := l.ret[c.name]
		calls := 0
		cb := newCB(t, func(v T, seed int32) T {
			calls++
			if want := cbsMake[T](seed); !reflect.DeepEqual(v, want) {
				t.Errorf("%s: Go received %+v, want %+v", c.name, v, want)
			}
			return cbsNext(v)
		}, fmt.Sprintf("%s(%s, i32)", c.ctype, c.ctype))
		checkEntry(t, cb, wantFastEntry(blocking), 3, bound, func() {
			for _, seed := range []int32{1, -7, 1 << 30} {
				if bad := bound(cb, seed); bad != 0 {
					t.Errorf("%s seed %d: C read leaf %d of the result wrong", c.name, seed, bad-1)
				}
			}
		})
		if calls != 3 {
			t.Errorf("%s: %d calls, want 3", c.name, calls)
		}
	}}
}

var cbsCases = []cbsCase{
	cbsRet[cbsC1]("c1", "{i8}"),
	cbsRet[cbsF1]("f1", "{f32}"),
	cbsRet[cbsB3]("b3", "{u8, u8, u8}"),
	cbsRet[cbsII]("ii", "{i32, i32}"),
	cbsRet[cbsDD]("dd", "{f64, f64}"),
	cbsRet[cbsDI]("di", "{f64, i32}"),
	cbsRet[cbsIF]("if_", "{i32, f32}"),
	cbsRet[cbsF3]("f3", "{f32[3]}"),
	cbsRet[cbsBHI]("bhi", "{i8, i16, i32}"),
	cbsRet[cbsFFFF]("ffff", "{f32, f32, f32, f32}"),
	cbsRet[cbsPL]("pl", "{ptr, i64}"),
	cbsRet[cbsBUL]("bul", "{bool, u16, u64}"),
	cbsRet[cbsNest]("nest", "{u8[2], {i16, {f32}}}"),
	cbsRet[cbsDDDD]("dddd", "{f64, f64, f64, f64}"),
	cbsRet[cbsBig]("big", "{i64, u64, i16, f64, u8[3]}"),
	cbsRet[cbsH10]("h10", "{i16, i16, i16, i16, i16, i16, i16, i16, i16, i16}"),
	cbsRet[cbsL8]("l8", "{i64, i64, i64, i64, i64, i64, i64, i64}"),
	cbsRet[cbsD9]("d9", "{f64[9]}"),
}

type cbsLib struct {
	ret   map[string]func(cb *Callback, seed int32) int32
	args  func(cb *Callback) int32
	args2 func(cb *Callback) int32
}

func cbsOpen(t *testing.T, blocking bool) *cbsLib {
	t.Helper()
	needCallbacks(t)
	lib := itOpen(t)
	var opts []Option
	if blocking {
		opts = append(opts, Blocking())
	}
	l := &cbsLib{ret: map[string]func(*Callback, int32) int32{}}
	for _, c := range cbsCases {
		var f func(*Callback, int32) int32
		name := "cbs_ret_" + c.name
		if err := lib.Bind(&f, name, "i32(ptr, i32)", opts...); err != nil {
			t.Fatal(err)
		}
		itCheckPath(t, name, f, blocking)
		l.ret[c.name] = f
	}
	for name, f := range map[string]*func(*Callback) int32{"cbs_args": &l.args, "cbs_args2": &l.args2} {
		if err := lib.Bind(f, name, "i32(ptr)", opts...); err != nil {
			t.Fatal(err)
		}
		itCheckPath(t, name, *f, blocking)
	}
	return l
}

// TestCallbackStructResults: for each struct type, C passes a struct to
// Go, which checks it and returns the next one, which C checks.
func TestCallbackStructResults(t *testing.T) {
	forBoth(t, func(t *testing.T, blocking bool) {
		l := cbsOpen(t, blocking)
		for _, c := range cbsCases {
			t.Run(c.name, func(t *testing.T) { c.run(t, c, l, blocking) })
		}
	})
}

// The parameters of cbs_args: structs among scalars, more than fit in
// registers on either side.
const cbsArgsParams = "(i8, {i32, i32}, {f64, f64}, {f64, i32}, {u8, u8, u8}, {i64, u64, i16, f64, u8[3]}, {f32[3]}, f64, " +
	"{i8, i16, i32}, {f32, f32, f32, f32}, {i32, i32}, i64, {f64, i32}, {i16, i16, i16, i16, i16, i16, i16, i16, i16, i16}, f32, " +
	"{ptr, i64}, u16, {u8[2], {i16, {f32}}})"

type cbsArgsFn[R any] func(a0 int8, s1 cbsII, s2 cbsDD, s3 cbsDI, s4 cbsB3, s5 cbsBig, s6 cbsF3, a7 float64,
	s8 cbsBHI, s9 cbsFFFF, s10 cbsII, a11 int64, s12 cbsDI, s13 cbsH10, a14 float32,
	s15 cbsPL, a16 uint16, s17 cbsNest) R

func cbsArgs[R any](t *testing.T, ret R) cbsArgsFn[R] {
	return func(a0 int8, s1 cbsII, s2 cbsDD, s3 cbsDI, s4 cbsB3, s5 cbsBig, s6 cbsF3, a7 float64,
		s8 cbsBHI, s9 cbsFFFF, s10 cbsII, a11 int64, s12 cbsDI, s13 cbsH10, a14 float32,
		s15 cbsPL, a16 uint16, s17 cbsNest) R {
		got := []any{a0, s1, s2, s3, s4, s5, s6, a7, s8, s9, s10, a11, s12, s13, a14, s15, a16, s17}
		want := []any{int8(-3), cbsMake[cbsII](1), cbsMake[cbsDD](2), cbsMake[cbsDI](3), cbsMake[cbsB3](4),
			cbsMake[cbsBig](5), cbsMake[cbsF3](6), 7.25, cbsMake[cbsBHI](8), cbsMake[cbsFFFF](9),
			cbsMake[cbsII](10), int64(-11), cbsMake[cbsDI](12), cbsMake[cbsH10](13), float32(14.5),
			cbsMake[cbsPL](15), uint16(0xfff0), cbsMake[cbsNest](17)}
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("parameter %d: Go received %+v, want %+v", i, got[i], want[i])
			}
		}
		return ret
	}
}

// TestCallbackStructArgs: cbs_args and cbs_args2 pass structs and scalars
// in registers and on the C stack; the Go func checks each, and C checks
// the struct result (in memory, and in registers).
func TestCallbackStructArgs(t *testing.T) {
	forBoth(t, func(t *testing.T, blocking bool) {
		l := cbsOpen(t, blocking)
		cb := newCB(t, cbsArgs(t, cbsMake[cbsBig](99)), "{i64, u64, i16, f64, u8[3]}"+cbsArgsParams)
		cb2 := newCB(t, cbsArgs(t, cbsMake[cbsDI](98)), "{f64, i32}"+cbsArgsParams)
		checkEntry(t, cb, wantFastEntry(blocking), 1, l.args, func() {
			if bad := l.args(cb); bad != 0 {
				t.Errorf("cbs_args: C read leaf %d of the result wrong", bad-1)
			}
		})
		checkEntry(t, cb2, wantFastEntry(blocking), 1, l.args2, func() {
			if bad := l.args2(cb2); bad != 0 {
				t.Errorf("cbs_args2: C read leaf %d of the result wrong", bad-1)
			}
		})
	})
}

// TestCallbackStructPlans checks that the cases above cover the ways a
// struct crosses: on each architecture, struct parameters and results in
// C registers, in C memory (and by reference), Go registers and Go's
// stack, and C stack arguments.
func TestCallbackStructPlans(t *testing.T) {
	for _, arch := range []abi.Arch{abi.AMD64, abi.ARM64} {
		seen := map[string]bool{}
		plan := func(s string) *abi.Plan {
			ps, err := sig.Parse(s)
			if err != nil {
				t.Fatal(err)
			}
			p, err := abi.New(arch, ps, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := jit.CanCallback(p); err != nil {
				t.Errorf("%s %s: %v", arch, s, err)
			}
			return p
		}
		note := func(side string, s *abi.Struct, goStack bool) {
			seen[side+" c "+s.Pass.String()] = true
			seen[side+map[bool]string{true: " go stack", false: " go regs"}[goStack]] = true
		}
		for _, c := range cbsCases {
			p := plan(fmt.Sprintf("%s(%s, i32)", c.ctype, c.ctype))
			note("arg", p.Args[0].Struct, p.Args[0].Struct.Go == nil)
			note("ret", p.Result.Struct, p.Result.Struct.Go == nil)
		}
		p := plan("{i64, u64, i16, f64, u8[3]}" + cbsArgsParams)
		for _, a := range p.Args {
			if a.Struct != nil {
				note("arg", a.Struct, a.Struct.Go == nil)
				if a.Struct.Pass == abi.InMemory || a.Struct.Ref.Class == abi.Stack {
					seen["arg c stack"] = true
				}
			} else if a.C.Class == abi.Stack {
				seen["scalar c stack"] = true
			}
		}
		want := []string{"arg c regs", "arg c memory", "arg c stack", "scalar c stack", "arg go regs", "arg go stack",
			"ret c regs", "ret c indirect", "ret go regs", "ret go stack"}
		if arch == abi.ARM64 {
			want = append(want, "arg c ref")
		}
		var missing []string
		for _, w := range want {
			if !seen[w] {
				missing = append(missing, w)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: no case with %s", arch, strings.Join(missing, ", "))
		}
	}
}

// cbsRetMoving is cbsRet with a callback that grows its stack past 1 MiB
// (moving the goroutine stack while C frames are live) and collects
// before it returns: struct arguments and results live in the C-stack
// frame and in callGo's frame, which moves with the stack.
func cbsRetMoving[T any](t *testing.T, l *cbsLib, name, ctype string, blocking bool) {
	bound := l.ret[name]
	cb := newCB(t, func(v T, seed int32) T {
		if got := deep(20000); got != 20001 {
			t.Errorf("deep = %d", got)
		}
		runtime.GC()
		if want := cbsMake[T](seed); !reflect.DeepEqual(v, want) {
			t.Errorf("%s: Go received %+v, want %+v", name, v, want)
		}
		return cbsNext(v)
	}, fmt.Sprintf("%s(%s, i32)", ctype, ctype))
	checkEntry(t, cb, wantFastEntry(blocking), 2, bound, func() {
		for _, seed := range []int32{3, -5} {
			if bad := bound(cb, seed); bad != 0 {
				t.Errorf("%s seed %d: C read leaf %d of the result wrong", name, seed, bad-1)
			}
		}
	})
}

// TestCallbackStructStackMove: struct results in registers (several
// classes), on Go's stack and through C's result buffer survive a moving
// goroutine stack and a collection inside the callback.
func TestCallbackStructStackMove(t *testing.T) {
	forBoth(t, func(t *testing.T, blocking bool) {
		l := cbsOpen(t, blocking)
		cbsRetMoving[cbsDI](t, l, "di", "{f64, i32}", blocking)
		cbsRetMoving[cbsF3](t, l, "f3", "{f32[3]}", blocking)
		cbsRetMoving[cbsL8](t, l, "l8", "{i64, i64, i64, i64, i64, i64, i64, i64}", blocking)
		cbsRetMoving[cbsD9](t, l, "d9", "{f64[9]}", blocking)
		cbsRetMoving[cbsBig](t, l, "big", "{i64, u64, i16, f64, u8[3]}", blocking)
	})
}

// TestCallbackStructStress: struct callbacks from several goroutines,
// through fast and Blocking outer calls, while collections run and the
// callbacks allocate.
func TestCallbackStructStress(t *testing.T) {
	libs := [2]*cbsLib{cbsOpen(t, false), cbsOpen(t, true)}
	var sink atomic.Pointer[[]byte]
	cb := newCB(t, func(v cbsBig, seed int32) cbsBig {
		b := make([]byte, 64+int(seed&255))
		sink.Store(&b)
		if want := cbsMake[cbsBig](seed); v != want {
			t.Errorf("Go received %+v, want %+v", v, want)
		}
		return cbsNext(v)
	}, "{i64, u64, i16, f64, u8[3]}({i64, u64, i16, f64, u8[3]}, i32)")
	args := newCB(t, cbsArgs(t, cbsMake[cbsDI](98)), "{f64, i32}"+cbsArgsParams)
	gcs := startGCLoop(t, time.Millisecond)
	start := time.Now()
	deadline := start.Add(500 * time.Millisecond)
	var wg sync.WaitGroup
	var calls atomic.Int64
	for g := range 4 {
		l := libs[g%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := int32(g); stressOn(deadline, &gcs.n); seed += 4 {
				if bad := l.ret["big"](cb, seed); bad != 0 {
					t.Errorf("seed %d: C read leaf %d of the result wrong", seed, bad-1)
					return
				}
				if bad := l.args2(args); bad != 0 {
					t.Errorf("cbs_args2: C read leaf %d of the result wrong", bad-1)
					return
				}
				calls.Add(2)
			}
		}()
	}
	wg.Wait()
	gcs.Stop()
	if gcs.n.Load() == 0 {
		t.Fatal("no collection ran")
	}
	t.Logf("%d callbacks, %d collections in %v", calls.Load(), gcs.n.Load(), time.Since(start))
}
