package jitffi

import (
	"math"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// wsum is the fixtures' WSUM: left to right, each weighted term rounded to
// double before it is added.
func wsum(v []float64) float64 {
	s := 0.0
	for i, x := range v {
		s += float64(float64(i+1) * x)
	}
	return s
}

// TestSixtyFourArguments binds a 64-argument C function (most arguments on
// the stack on both sides) on both paths and checks the checksum.
func TestSixtyFourArguments(t *testing.T) {
	lib := openFixtures(t)
	kinds := []reflect.Type{reflect.TypeOf(int64(0)), reflect.TypeOf(float64(0)), reflect.TypeOf(int32(0)), reflect.TypeOf(float32(0))}
	names := []string{"i64", "f64", "i32", "f32"}
	var in []reflect.Type
	var sigParams []string
	args := make([]reflect.Value, 64)
	want := make([]float64, 64)
	for i := 0; i < 64; i++ {
		in = append(in, kinds[i%4])
		sigParams = append(sigParams, names[i%4])
		x := float64(i*i) - 500.25
		if i%2 == 0 { // integers
			x = math.Trunc(x)
			if i%4 == 0 {
				x = -x * 1e9
			}
		}
		if i%4 == 3 {
			x = float64(float32(x))
		}
		want[i] = x
		args[i] = reflect.ValueOf(x).Convert(kinds[i%4])
	}
	ft := reflect.FuncOf(in, []reflect.Type{reflect.TypeOf(float64(0))}, false)
	signature := "f64(" + strings.Join(sigParams, ", ") + ")"
	for _, opts := range [][]Option{nil, {Blocking()}} {
		fv := reflect.New(ft)
		if err := lib.Bind(fv.Interface(), "fx_mix_64", signature, opts...); err != nil {
			t.Fatal(err)
		}
		got := fv.Elem().Call(args)[0].Float()
		if math.Float64bits(got) != math.Float64bits(wsum(want)) {
			t.Errorf("%v: fx_mix_64 = %v, want %v", PathOf(fv.Interface()), got, wsum(want))
		}
	}
}

// TestBlockingLetsOthersRun: while one goroutine sits 2 s inside a C call
// bound with Blocking, the collector and other goroutines carry on, even
// with a single P.
func TestBlockingLetsOthersRun(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 2 s per GOMAXPROCS setting")
	}
	lib := openFixtures(t)
	var sleep func(int32)
	if err := lib.Bind(&sleep, "fx_sleep_ms", "void(i32)", Blocking()); err != nil {
		t.Fatal(err)
	}
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		var inC atomic.Bool
		done := make(chan struct{})
		go func() {
			inC.Store(true)
			sleep(2000)
			close(done)
		}()
		for !inC.Load() {
			runtime.Gosched()
		}
		time.Sleep(50 * time.Millisecond) // let it enter C
		start := time.Now()
		runtime.GC()
		gcTook := time.Since(start)
		// Another goroutine runs to completion meanwhile.
		ran := make(chan int)
		go func() {
			n := 0
			for i := 0; i < 1e6; i++ {
				n += i & 3
			}
			ran <- n
		}()
		<-ran
		otherTook := time.Since(start)
		select {
		case <-done:
			t.Fatalf("GOMAXPROCS=%d: the 2 s C call had already returned; nothing was measured", procs)
		default:
		}
		<-done
		runtime.GOMAXPROCS(old)
		t.Logf("GOMAXPROCS=%d: GC took %v, other goroutine done after %v, while C slept 2 s", procs, gcTook, otherTook)
		if otherTook > time.Second {
			t.Errorf("GOMAXPROCS=%d: GC and another goroutine needed %v while a Blocking call slept: they waited for it", procs, otherTook)
		}
	}
}
