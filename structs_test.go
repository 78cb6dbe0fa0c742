package jitffi

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"unsafe"

	"github.com/jitffi/jitffi/abi"
	"github.com/jitffi/jitffi/jit"
	"github.com/jitffi/jitffi/sig"
)

// Structs by value against the fixtures of structs.c (see the section
// "Structs by value" of jitffi_fixtures.h). Every function is bound twice,
// by default (the fast path where the process allows it) and with
// Blocking, and both must give what the header's formulas give in Go.

type (
	stII  struct{ Quot, Rem int32 }
	stFF  struct{ X, Y float32 }
	stDD  struct{ X, Y float64 }
	stBFF struct {
		Tag int8
		P   stFF
	}
	stF3   struct{ V [3]float32 }
	stDDD  struct{ X, Y, Z float64 }
	stFFFF struct{ A, B, C, D float32 }
	stLL   struct{ A, B int64 }
	stLLL  struct{ A, B, C int64 }
	stBHI  struct {
		A int8
		B int16
		C int32
	}
	stDI struct {
		D float64
		I int32
	}
	stIF struct {
		I int32
		F float32
	}
	stFI struct {
		F float32
		I int32
	}
	stPL struct {
		P unsafe.Pointer
		N int64
	}
	stPLu struct {
		P uintptr
		N int
	}
	stHB struct {
		A int16
		B uint8
	}
	stAOS struct{ E [3]stHB }
	stBUL struct {
		Ok  bool
		U   uint16
		Big uint64
	}
	stSmall struct {
		B   [2]uint8
		Mid struct {
			H  int16
			In struct{ F float32 }
		}
	}
	stDeep struct {
		Tag int16
		Mid struct {
			W  [2]float32
			In struct {
				B [3]uint8
				N int32
			}
		}
		D float64
	}
)

// stShapes are the fixture struct types: fx_s_<name>_hash and
// fx_s_<name>_next.
var stShapes = []struct {
	name, ctype string
	hashT       reflect.Type // the Go type the hash function is bound with
	nextT       reflect.Type // and the next function
}{
	{"ii", "{i32, i32}", reflect.TypeFor[stII](), nil},
	{"ff", "{f32, f32}", reflect.TypeFor[stFF](), nil},
	{"dd", "{f64, f64}", reflect.TypeFor[stDD](), nil},
	{"bff", "{i8, {f32, f32}}", reflect.TypeFor[stBFF](), nil},
	{"f3", "{f32[3]}", reflect.TypeFor[stF3](), nil},
	{"ddd", "{f64, f64, f64}", reflect.TypeFor[stDDD](), nil},
	{"ffff", "{f32, f32, f32, f32}", reflect.TypeFor[stFFFF](), nil},
	{"ll", "{i64, i64}", reflect.TypeFor[stLL](), nil},
	{"lll", "{i64, i64, i64}", reflect.TypeFor[stLLL](), nil},
	{"bhi", "{i8, i16, i32}", reflect.TypeFor[stBHI](), nil},
	{"di", "{f64, i32}", reflect.TypeFor[stDI](), nil},
	{"if", "{i32, f32}", reflect.TypeFor[stIF](), nil},
	{"fi", "{f32, i32}", reflect.TypeFor[stFI](), nil},
	{"pl", "{ptr, i64}", reflect.TypeFor[stPL](), reflect.TypeFor[stPLu]()},
	{"aos", "{{i16, u8}[3]}", reflect.TypeFor[stAOS](), nil},
	{"bul", "{bool, u16, u64}", reflect.TypeFor[stBUL](), nil},
	{"small", "{u8[2], {i16, {f32}}}", reflect.TypeFor[stSmall](), nil},
	{"deep", "{i16, {f32[2], {u8[3], i32}}, f64}", reflect.TypeFor[stDeep](), nil},
}

// stWantPath is the path of a binding of signature in this process: the
// fast path where abi plans it fast and the fast path is available, else
// the fallback with the plan's reason.
func stWantPath(t *testing.T, signature string, blocking bool) Path {
	t.Helper()
	switch {
	case env.noFast:
		return Path{Cause: CauseEnv, Reason: "JITFFI_FAST=0"}
	case blocking:
		return Path{Cause: CauseBlocking, Reason: "Blocking option"}
	}
	s, err := sig.Parse(signature)
	if err != nil {
		t.Fatal(err)
	}
	p, err := abi.New(abi.Arch(runtime.GOARCH), s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := jit.CanLower(p); err != nil {
		return Path{Cause: CauseUnsupported, Reason: err.Error()}
	}
	if err := FastPathError(); err != nil {
		return Path{Cause: CauseRuntime, Reason: err.Error()}
	}
	return Path{Fast: true}
}

// stCheckLowered checks that jit lowers signature on both architectures.
func stCheckLowered(t *testing.T, signature string) {
	t.Helper()
	s, err := sig.Parse(signature)
	if err != nil {
		t.Fatal(err)
	}
	for _, arch := range []abi.Arch{abi.AMD64, abi.ARM64} {
		p, err := abi.New(arch, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := jit.CanLower(p); err != nil {
			t.Errorf("%s %s: not lowered: %v", arch, signature, err)
		}
	}
}

// stSkip skips where the slow path cannot call structs by value.
func stSkip(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skipf("no call stub on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	if env.strict {
		t.Skip("JITFFI_STRICT=1 refuses the Blocking bindings these tests compare against")
	}
}

// stBind binds name with signature to a func of type ft, by default and
// with Blocking, and checks the paths.
func stBind(t *testing.T, lib *Library, name, signature string, ft reflect.Type) [2]reflect.Value {
	t.Helper()
	var fns [2]reflect.Value
	for i, opts := range [][]Option{nil, {Blocking()}} {
		v := reflect.New(ft)
		if err := lib.Bind(v.Interface(), name, signature, opts...); err != nil {
			t.Fatalf("Bind(%s, %q) as %v: %v", name, signature, ft, err)
		}
		fns[i] = v.Elem()
		if got, want := PathOf(fns[i].Interface()), stWantPath(t, signature, i == 1); got != want {
			t.Errorf("PathOf(%s) (blocking %v) = %v, want %v", name, i == 1, got, want)
		}
	}
	return fns
}

// stLeaves calls fn for every scalar leaf of the addressable value v, in
// declaration order.
func stLeaves(v reflect.Value, fn func(reflect.Value)) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			stLeaves(v.Field(i), fn)
		}
	case reflect.Array:
		for i := range v.Len() {
			stLeaves(v.Index(i), fn)
		}
	default:
		fn(v)
	}
}

// stWord is the LSUM word of one scalar: signed integers sign-extended,
// floats their bits (read without a conversion, which would quiet a
// signalling NaN), pointers their address.
func stWord(v reflect.Value) uint64 {
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return 1
		}
		return 0
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return uint64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint()
	case reflect.Float32:
		return uint64(math.Float32bits(*(*float32)(v.Addr().UnsafePointer())))
	case reflect.Float64:
		return math.Float64bits(*(*float64)(v.Addr().UnsafePointer()))
	case reflect.Pointer, reflect.UnsafePointer:
		return uint64(v.Pointer())
	}
	panic(fmt.Sprintf("stWord: %v", v.Type()))
}

// stWords lists the words of the leaves of v.
func stWords(v reflect.Value) []uint64 {
	a := reflect.New(v.Type()).Elem()
	a.Set(v)
	var ws []uint64
	stLeaves(a, func(l reflect.Value) { ws = append(ws, stWord(l)) })
	return ws
}

// stLsum is the LSUM of the leaves of vals.
func stLsum(vals []reflect.Value) uint64 {
	h := uint64(0xCBF29CE484222325)
	for _, v := range vals {
		for _, w := range stWords(v) {
			h = (h ^ w) * 0x100000001B3
		}
	}
	return h
}

// stNext is v with leaf j advanced by j + 1, as the next functions do.
func stNext(v reflect.Value) reflect.Value {
	a := reflect.New(v.Type()).Elem()
	a.Set(v)
	j := 0
	stLeaves(a, func(l reflect.Value) {
		d := j + 1
		switch l.Kind() {
		case reflect.Bool:
			l.SetBool(!l.Bool())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			l.SetInt(l.Int() + int64(d)) // SetInt truncates to the width
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			l.SetUint(l.Uint() + uint64(d))
		case reflect.Float32:
			p := (*float32)(l.Addr().UnsafePointer())
			*p += float32(d)
		case reflect.Float64:
			p := (*float64)(l.Addr().UnsafePointer())
			*p += float64(d)
		default:
			panic(fmt.Sprintf("stNext: %v", l.Type()))
		}
		j++
	})
	return a
}

var stF32Edges = []uint32{0, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7FA00001, 0x00000001, 0x7F7FFFFF, 0x3F800000}
var stF64Edges = []uint64{0, 1 << 63, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000, 0x7FF4000000000001, 1, 0x7FEFFFFFFFFFFFFF, 0x3FF0000000000000}

// stRand draws a value of type t: integers over their whole range, floats
// ordinary or special (NaN payloads, infinities, -0, denormals),
// unsafe.Pointers into live Go memory (kept by keep).
func stRand(r *rand.Rand, t reflect.Type, keep *[]any) reflect.Value {
	v := reflect.New(t).Elem()
	stLeaves(v, func(l reflect.Value) {
		switch l.Kind() {
		case reflect.Bool:
			l.SetBool(r.IntN(2) == 1)
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			l.SetInt(int64(r.Uint64()) >> r.IntN(64))
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			l.SetUint(r.Uint64() >> r.IntN(64))
		case reflect.Float32:
			b := math.Float32bits(float32(r.NormFloat64() * 1000))
			if r.IntN(4) == 0 {
				b = stF32Edges[r.IntN(len(stF32Edges))] | uint32(r.IntN(2))<<31
			}
			*(*uint32)(l.Addr().UnsafePointer()) = b
		case reflect.Float64:
			b := math.Float64bits(r.NormFloat64() * 1000)
			if r.IntN(4) == 0 {
				b = stF64Edges[r.IntN(len(stF64Edges))] | uint64(r.IntN(2))<<63
			}
			*(*uint64)(l.Addr().UnsafePointer()) = b
		case reflect.UnsafePointer:
			if r.IntN(4) > 0 {
				buf := make([]byte, 1+r.IntN(32))
				*keep = append(*keep, buf)
				l.SetPointer(unsafe.Pointer(&buf[r.IntN(len(buf))]))
			}
		default:
			panic(fmt.Sprintf("stRand: %v", l.Type()))
		}
	})
	return v
}

func stFormat(v reflect.Value) string {
	return fmt.Sprintf("%+v %#x", v.Interface(), stWords(v))
}

func TestStructsHashNext(t *testing.T) {
	stSkip(t)
	lib := itOpen(t)
	u64 := reflect.TypeFor[uint64]()
	for _, sh := range stShapes {
		t.Run(sh.name, func(t *testing.T) {
			nextT := sh.nextT
			if nextT == nil {
				nextT = sh.hashT
			}
			stCheckLowered(t, "u64("+sh.ctype+")")
			stCheckLowered(t, sh.ctype+"("+sh.ctype+")")
			hash := stBind(t, lib, "fx_s_"+sh.name+"_hash", "u64("+sh.ctype+")",
				reflect.FuncOf([]reflect.Type{sh.hashT}, []reflect.Type{u64}, false))
			next := stBind(t, lib, "fx_s_"+sh.name+"_next", sh.ctype+"("+sh.ctype+")",
				reflect.FuncOf([]reflect.Type{nextT}, []reflect.Type{nextT}, false))
			r := rand.New(rand.NewPCG(uint64(len(sh.name)), 0x5EED))
			for k := range 64 {
				var keep []any
				v := stRand(r, sh.hashT, &keep)
				want := stLsum([]reflect.Value{v})
				for i, fn := range hash {
					if got := fn.Call([]reflect.Value{v})[0].Uint(); got != want {
						t.Fatalf("set %d, binding %d: hash(%s) = %#x, want %#x", k, i, stFormat(v), got, want)
					}
				}
				n := stRand(r, nextT, &keep)
				wantN := stWords(stNext(n))
				for i, fn := range next {
					got := fn.Call([]reflect.Value{n})[0]
					if gw := stWords(got); !slicesEqual(gw, wantN) {
						t.Fatalf("set %d, binding %d: next(%s) = %s, want %#x", k, i, stFormat(n), stFormat(got), wantN)
					}
				}
				runtime.KeepAlive(keep)
			}
		})
	}
}

func slicesEqual(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestStructsPlacement calls the functions that put structs where the
// registers run out, between scalars, and the indirect result with
// arguments after the hidden pointer.
func TestStructsPlacement(t *testing.T) {
	stSkip(t)
	lib := itOpen(t)
	i64, f64 := reflect.TypeFor[int64](), reflect.TypeFor[float64]()
	rep := func(t reflect.Type, n int) []reflect.Type {
		ts := make([]reflect.Type, n)
		for i := range ts {
			ts[i] = t
		}
		return ts
	}
	cat := func(lists ...[]reflect.Type) []reflect.Type {
		var out []reflect.Type
		for _, l := range lists {
			out = append(out, l...)
		}
		return out
	}
	one := func(ts ...reflect.Type) []reflect.Type { return ts }
	ii, ll, dd, ddd := reflect.TypeFor[stII](), reflect.TypeFor[stLL](), reflect.TypeFor[stDD](), reflect.TypeFor[stDDD]()
	for _, c := range []struct {
		name, sig string
		params    []reflect.Type
	}{
		// Go runs out of integer registers at the struct: on its stack.
		{"fx_s_after8", "u64(i64, i64, i64, i64, i64, i64, i64, i64, {i32, i32})", cat(rep(i64, 8), one(ii))},
		// C runs out of registers: the struct goes to C stack slots.
		{"fx_s_nofit5", "u64(i64, i64, i64, i64, i64, {i64, i64}, i64)", cat(rep(i64, 5), one(ll, i64))},
		{"fx_s_nofit7", "u64(i64, i64, i64, i64, i64, i64, i64, {i64, i64}, i64)", cat(rep(i64, 7), one(ll, i64))},
		{"fx_s_nofitf", "u64(f64, f64, f64, f64, f64, f64, f64, {f64, f64}, f64)", cat(rep(f64, 7), one(dd, f64))},
		{"fx_s_nofitf3", "u64(f64, f64, f64, f64, f64, f64, {f64, f64, f64}, f64)", cat(rep(f64, 6), one(ddd, f64))},
		{"fx_s_many", "u64({f64, f64}, {f64, f64}, {f64, f64}, {f64, f64}, {f64, f64}, {i32, i32}, {i32, i32}, {i32, i32}, {i32, i32}, {i32, i32}, {i32, i32}, {i32, i32})",
			cat(rep(dd, 5), rep(ii, 7))},
		{"fx_s_mix", "u64(i8, {i32, f32}, f64, {i8, {f32, f32}}, u16, {i16, {f32[2], {u8[3], i32}}, f64}, {f32[3]}, {i64, i64, i64}, {u8[2], {i16, {f32}}}, ptr)",
			one(reflect.TypeFor[int8](), reflect.TypeFor[stIF](), f64, reflect.TypeFor[stBFF](), reflect.TypeFor[uint16](),
				reflect.TypeFor[stDeep](), reflect.TypeFor[stF3](), reflect.TypeFor[stLLL](), reflect.TypeFor[stSmall](), reflect.TypeFor[unsafe.Pointer]())},
	} {
		t.Run(c.name, func(t *testing.T) {
			stCheckLowered(t, c.sig)
			fns := stBind(t, lib, c.name, c.sig, reflect.FuncOf(c.params, []reflect.Type{reflect.TypeFor[uint64]()}, false))
			r := rand.New(rand.NewPCG(uint64(len(c.name)), 0xF00D))
			for k := range 64 {
				var keep []any
				args := make([]reflect.Value, len(c.params))
				for i, pt := range c.params {
					args[i] = stRand(r, pt, &keep)
				}
				want := stLsum(args)
				for i, fn := range fns {
					if got := fn.Call(args)[0].Uint(); got != want {
						var b strings.Builder
						for _, a := range args {
							fmt.Fprintf(&b, "\n  %v %s", a.Type(), stFormat(a))
						}
						t.Fatalf("set %d, binding %d: %#x, want %#x; arguments:%s", k, i, got, want, b.String())
					}
				}
				runtime.KeepAlive(keep)
			}
		})
	}

	t.Run("fx_s_lll_make", func(t *testing.T) {
		var fast, slow func(a0, a1, a2, a3, a4, a5 int64) stLLL
		stCheckLowered(t, "{i64, i64, i64}(i64, i64, i64, i64, i64, i64)")
		fns := stBind(t, lib, "fx_s_lll_make", "{i64, i64, i64}(i64, i64, i64, i64, i64, i64)", reflect.TypeOf(fast))
		fast, slow = fns[0].Interface().(func(a0, a1, a2, a3, a4, a5 int64) stLLL), fns[1].Interface().(func(a0, a1, a2, a3, a4, a5 int64) stLLL)
		r := rand.New(rand.NewPCG(1, 2))
		for range 64 {
			var a [6]int64
			for i := range a {
				a[i] = int64(r.Uint64())
			}
			want := stLLL{a[0] + a[1], a[2] + a[3], a[4] + a[5]}
			for _, f := range []func(a0, a1, a2, a3, a4, a5 int64) stLLL{fast, slow} {
				if got := f(a[0], a[1], a[2], a[3], a[4], a[5]); got != want {
					t.Fatalf("fx_s_lll_make%v = %+v, want %+v", a, got, want)
				}
			}
		}
	})
}

// TestStructsDiv: the example of the issue, a fixture and the C library's
// div and ldiv.
func TestStructsDiv(t *testing.T) {
	stSkip(t)
	lib := itOpen(t)
	libc, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer libc.Close()

	var divmod, div func(int32, int32) struct{ Quot, Rem int32 }
	if err := lib.Bind(&divmod, "fx_s_divmod", "{i32, i32}(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	if err := libc.Bind(&div, "div", "{i32, i32}(i32, i32)"); err != nil {
		t.Fatal(err)
	}
	var ldiv func(int64, int64) struct{ Quot, Rem int64 }
	if err := libc.Bind(&ldiv, "ldiv", "{long, long}(long, long)"); err != nil {
		t.Fatal(err)
	}
	// Unexported fields and an inferred signature work too.
	var quiet func(int32, int32) struct{ q, r int32 }
	if err := lib.Bind(&quiet, "fx_s_divmod", ""); err != nil {
		t.Fatal(err)
	}
	if got := quiet(-9, 4); got != (struct{ q, r int32 }{-2, -1}) {
		t.Errorf("fx_s_divmod(-9, 4) = %+v", got)
	}
	if p := PathOf(div); p != stWantPath(t, "{i32, i32}(i32, i32)", false) {
		t.Errorf("PathOf(div) = %v", p)
	}
	for _, c := range [][2]int64{{7, 2}, {-7, 2}, {7, -2}, {-7, -2}, {0, 5}, {math.MaxInt32, 3}, {math.MinInt32, 7}, {1 << 40, 3}, {-(1 << 62), 12345}} {
		a, b := int32(c[0]), int32(c[1])
		want := struct{ Quot, Rem int32 }{a / b, a % b}
		if got := div(a, b); got != want {
			t.Errorf("div(%d, %d) = %+v, want %+v", a, b, got, want)
		}
		if got := divmod(a, b); got != want {
			t.Errorf("fx_s_divmod(%d, %d) = %+v, want %+v", a, b, got, want)
		}
		wantL := struct{ Quot, Rem int64 }{c[0] / c[1], c[0] % c[1]}
		if got := ldiv(c[0], c[1]); got != wantL {
			t.Errorf("ldiv(%d, %d) = %+v, want %+v", c[0], c[1], got, wantL)
		}
	}
}

// TestStructsConcurrent calls struct bindings from several goroutines at
// once (the frames and their scratch words are pooled) while the
// collector runs.
func TestStructsConcurrent(t *testing.T) {
	stSkip(t)
	lib := itOpen(t)
	var next func(stDeep) stDeep
	var hash func(stPL) uint64
	if err := lib.Bind(&next, "fx_s_deep_next", ""); err != nil {
		t.Fatal(err)
	}
	if err := lib.Bind(&hash, "fx_s_pl_hash", ""); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 9))
			for k := range 2000 {
				var keep []any
				v := stRand(r, reflect.TypeFor[stDeep](), &keep).Interface().(stDeep)
				want := stWords(stNext(reflect.ValueOf(v)))
				if got := stWords(reflect.ValueOf(next(v))); !slicesEqual(got, want) {
					errs <- fmt.Errorf("goroutine %d, call %d: next(%+v) = %#x, want %#x", g, k, v, got, want)
					return
				}
				buf := make([]byte, 16)
				p := stPL{unsafe.Pointer(&buf[3]), int64(k)}
				if got, want := hash(p), stLsum([]reflect.Value{reflect.ValueOf(p)}); got != want {
					errs <- fmt.Errorf("goroutine %d, call %d: hash = %#x, want %#x", g, k, got, want)
					return
				}
				if k%500 == 0 {
					runtime.GC()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestStructsInfer binds structs with an empty signature, inferred from
// the Go types.
func TestStructsInfer(t *testing.T) {
	stSkip(t)
	lib := itOpen(t)
	var next func(stDeep) stDeep
	if err := lib.Bind(&next, "fx_s_deep_next", ""); err != nil {
		t.Fatal(err)
	}
	if got, want := lookupBinding(next).plan.Sig.String(), "{i16, {f32[2], {u8[3], i32}}, f64}({i16, {f32[2], {u8[3], i32}}, f64})"; got != want {
		t.Errorf("inferred %s, want %s", got, want)
	}
	var v stDeep
	v.Tag, v.Mid.W, v.Mid.In.B, v.Mid.In.N, v.D = -1, [2]float32{0.5, -2}, [3]uint8{255, 0, 7}, math.MaxInt32, 1.25
	want := stDeep{Tag: 0, D: 9.25}
	want.Mid.W, want.Mid.In.B, want.Mid.In.N = [2]float32{2.5, 1}, [3]uint8{3, 5, 13}, math.MinInt32+6
	if got := next(v); got != want {
		t.Errorf("next(%+v) = %+v, want %+v", v, got, want)
	}
	var aos func(stAOS) uint64
	if err := lib.Bind(&aos, "fx_s_aos_hash", ""); err != nil {
		t.Fatal(err)
	}
	if got := lookupBinding(aos).plan.Sig.String(); got != "u64({{i16, u8}[3]})" {
		t.Errorf("inferred %s", got)
	}
	for _, bad := range []any{
		new(func(struct{}) int32),
		new(func(struct{ S []byte }) int32),
		new(func(struct{ A [0]int32 }) int32),
		new(func() struct{ S string }),
	} {
		err := lib.Bind(bad, "fx_s_ii_hash", "")
		if err == nil || !strings.Contains(err.Error(), "cannot infer") {
			t.Errorf("%T: error %v, want cannot infer", bad, err)
		}
	}
}

// TestStructsTypeErrors: Go types that do not match the C struct are
// errors that name the parameter and the first mismatching field.
func TestStructsTypeErrors(t *testing.T) {
	lib := itOpen(t)
	for _, c := range []struct {
		fn   any
		sig  string
		want []string
	}{
		{new(func(int32, int32) struct{ Quot, Rem int64 }), "{i32, i32}(i32, i32)",
			[]string{"result: field 0 (Quot): Go type int64 does not match C type i32"}},
		{new(func(int32, int32) struct {
			Quot int32
			Rem  int64
		}), "{i32, i32}(i32, i32)",
			[]string{"result: field 1 (Rem): Go type int64 does not match C type i32"}},
		{new(func(struct{ A, B, C int32 }) uint64), "u64({i32, i32})",
			[]string{"parameter 0", "has 3 fields", "{i32, i32} has 2"}},
		{new(func(int32) uint64), "u64({i32, i32})",
			[]string{"parameter 0: Go type int32 does not match C type {i32, i32}", "struct{ int32; int32 }"}},
		{new(func(stBFF) uint64), "u64({i8, f32, f32})",
			[]string{"parameter 0: field 1 (P): Go type jitffi.stFF does not match C type f32"}},
		{new(func(struct {
			Tag int8
			X   float32
			Y   float32
		}) uint64), "u64({i8, {f32, f32}})",
			[]string{"parameter 0: field 1 (X): Go type float32 does not match C type {f32, f32}"}},
		{new(func(struct{ V [2]float32 }) uint64), "u64({f32[3]})",
			[]string{"field 0 (V): Go type [2]float32 has 2 elements, C type f32[3] has 3"}},
		{new(func(struct{ V [3]float64 }) uint64), "u64({f32[3]})",
			[]string{"field 0 (V): element: Go type float64 does not match C type f32"}},
		{new(func(struct{ V float32 }) uint64), "u64({f32[3]})",
			[]string{"field 0 (V): Go type float32 does not match C type f32[3] (want a Go array [3]float32)"}},
		{new(func(stDeep) uint64), "u64({i16, {f32[2], {u8[3], i64}}, f64})",
			[]string{"field 1 (Mid): field 1 (In): field 1 (N): Go type int32 does not match C type i64"}},
		{new(func(struct{ P []byte }) uint64), "u64({ptr})",
			[]string{"field 0 (P): Go type []uint8 does not match C type ptr"}},
		{new(func(int32, int32) (struct{ Quot, Rem int32 }, int32)), "{i32, i32}(i32, i32)",
			[]string{"exactly one result"}},
		{new(func(int32, int32)), "{i32, i32}(i32, i32)",
			[]string{"exactly one result"}},
	} {
		err := lib.Bind(c.fn, "fx_s_ii_hash", c.sig)
		if err == nil {
			t.Errorf("%T as %s: bound", c.fn, c.sig)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%T as %s: error %q does not contain %q", c.fn, c.sig, err, w)
			}
		}
	}
}

// TestStructsStrict: a struct Go passes on its stack is on the fast path
// where the process allows it, so Strict binds it; elsewhere Strict
// refuses it with the reason PathOf would give.
func TestStructsStrict(t *testing.T) {
	lib := itOpen(t)
	var f func(stAOS) uint64
	const signature = "u64({{i16, u8}[3]})"
	err := lib.Bind(&f, "fx_s_aos_hash", signature, Strict())
	want := stWantPath(t, signature, false)
	if want.Fast {
		if err != nil {
			t.Fatalf("Strict bind of %s: %v", signature, err)
		}
		v := stAOS{E: [3]stHB{{1, 2}, {-3, 4}, {5, 255}}}
		if got, w := f(v), stLsum([]reflect.Value{reflect.ValueOf(v)}); got != w {
			t.Errorf("%s: %#x, want %#x", signature, got, w)
		}
		return
	}
	if !errors.Is(err, ErrNotFast) || !strings.Contains(err.Error(), want.Reason) {
		t.Errorf("Strict bind: %v, want an error wrapping ErrNotFast (%s)", err, want.Reason)
	}
}

// TestStructsErrno: a struct result with errno capture, by default (the
// fast path where the process allows it) and with Blocking.
func TestStructsErrno(t *testing.T) {
	stSkip(t)
	lib := itOpen(t)
	for _, opts := range [][]Option{{Errno()}, {Errno(), Blocking()}} {
		var f func(int32, int32) (stII, error)
		if err := lib.Bind(&f, "fx_s_divmod", "{i32, i32}(i32, i32)", opts...); err != nil {
			t.Fatal(err)
		}
		if got, want := PathOf(f), stWantPath(t, "{i32, i32}(i32, i32)", len(opts) == 2); got != want {
			t.Errorf("PathOf (blocking %v) = %v, want %v", len(opts) == 2, got, want)
		}
		if got, err := f(17, 5); got != (stII{3, 2}) || err != nil {
			t.Errorf("f(17, 5) = %+v, %v", got, err)
		}
	}
}

// TestStructsErrnoStack: errno capture after a struct of eight integers,
// whose error result Go returns on its stack on amd64 (in registers on
// arm64), on both paths; errno set and not set.
func TestStructsErrnoStack(t *testing.T) {
	stSkip(t)
	lib := itOpen(t)
	type l8 struct{ A, B, C, D, E, F, G, H int64 }
	const signature = "{i64, i64, i64, i64, i64, i64, i64, i64}(i64, i32)"
	stCheckLowered(t, signature)
	for _, opts := range [][]Option{{Errno()}, {Errno(), Blocking()}} {
		var f func(int64, int32) (l8, error)
		if err := lib.Bind(&f, "fx_s_l8_errno", signature, opts...); err != nil {
			t.Fatal(err)
		}
		if got, want := PathOf(f), stWantPath(t, signature, len(opts) == 2); got != want {
			t.Errorf("PathOf (blocking %v) = %v, want %v", len(opts) == 2, got, want)
		}
		for _, c := range []struct {
			a   int64
			e   int32
			err error
		}{{-3, 0, nil}, {1 << 40, int32(syscall.EINVAL), syscall.EINVAL}, {7, int32(syscall.ERANGE), syscall.ERANGE}, {9, 0, nil}} {
			a := c.a
			want := l8{a, a + 1, a + 2, a + 3, a + 4, a + 5, a + 6, a + 7}
			if got, err := f(c.a, c.e); got != want || err != c.err {
				t.Errorf("blocking %v: f(%d, %d) = %+v, %v; want %+v, %v", len(opts) == 2, c.a, c.e, got, err, want, c.err)
			}
		}
	}
}
