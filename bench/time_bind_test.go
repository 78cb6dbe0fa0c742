package bench

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ebitengine/purego"

	"github.com/jitffi/jitffi"
)

// bindN is the number of distinct symbols BenchmarkBind1000 binds.
const bindN = 1000

func bindName(i int) string { return fmt.Sprintf("bx_bind_%04d", i) }

// bindC returns the source of libjitffi_bind.so: bindN small functions
// with distinct names and the same signature, "i32(i32, i32)".
func bindC() string {
	var sb strings.Builder
	sb.WriteString("#include <stdint.h>\n")
	for i := range bindN {
		fmt.Fprintf(&sb, "__attribute__((visibility(\"default\"))) int32_t %s(int32_t a, int32_t b) { return a + b + %d; }\n", bindName(i), i)
	}
	return sb.String()
}

// BenchmarkBind1000 measures Bind: one op is one Bind, of the bindN
// symbols of libjitffi_bind.so in turn, each into a fresh func variable.
// Every bindN binds the library is closed and reopened (outside the
// timer), so that the bindings a Library keeps do not pile up. Besides
// ns/op (per Bind) it reports the median of the individually timed binds,
// median-ns/bind. The rows:
//
//   - fast: Bind of a known signature. jitffi caches what it works out for a
//     signature and Go type (the parsed signature, the plan, the placed
//     trampoline) for the life of the process, so this is the cost of
//     every Bind but the first of a signature.
//   - new-signature: every Bind has a signature the process has not seen,
//     so it parses, plans, compiles and places a trampoline.
//   - BindAll: one op is one symbol of BindAll of a struct of bindAllN
//     fields (the known signature in sig tags).
//   - fallback(blocking): Bind with the Blocking option.
//   - purego.RegisterLibFunc: purego's equivalent, the reference of the
//     table's "x purego" column.
//
// The size of each trampoline is reported by BenchmarkCall's fast rows
// (code-bytes).
func BenchmarkBind1000(b *testing.B) {
	names := make([]string, bindN)
	for i := range names {
		names[i] = bindName(i)
	}
	type binder func(b *testing.B, i int, f *func(int32, int32) int32)
	run := func(b *testing.B, open func(b *testing.B) (binder, func())) {
		fns := make([]func(int32, int32) int32, bindN)
		times := make([]time.Duration, 0, min(b.N, 1<<20))
		bind, closeLib := open(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			j := i % bindN
			if j == 0 && i > 0 {
				b.StopTimer()
				closeLib()
				clear(fns)
				bind, closeLib = open(b)
				b.StartTimer()
			}
			t0 := time.Now()
			bind(b, j, &fns[j])
			if len(times) < cap(times) {
				times = append(times, time.Since(t0))
			}
		}
		b.StopTimer()
		for j, f := range fns {
			if f != nil {
				if got := f(2, 40); got != int32(42+j) {
					b.Fatalf("%s(2, 40) = %d, want %d", names[j], got, 42+j)
				}
			}
		}
		closeLib()
		slices.Sort(times)
		b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns/bind")
	}

	jitOpen := func(opts ...jitffi.Option) func(b *testing.B) (binder, func()) {
		return func(b *testing.B) (binder, func()) {
			// The library stays loaded through the handle openLib keeps,
			// so reopening it is cheap.
			lib, err := jitffi.Open(openLibPath(b, libBind))
			if err != nil {
				b.Fatal(err)
			}
			bind := func(b *testing.B, i int, f *func(int32, int32) int32) {
				if err := lib.Bind(f, names[i], "i32(i32, i32)", opts...); err != nil {
					b.Fatal(err)
				}
			}
			return bind, func() { lib.Close() }
		}
	}
	b.Run("fast", func(b *testing.B) {
		var f func(int32, int32) int32
		bind, closeLib := jitOpen()(b)
		bind(b, 0, &f)
		requireFast(b, f)
		closeLib()
		run(b, jitOpen())
	})
	b.Run("new-signature", func(b *testing.B) { benchBindNew(b, names) })
	b.Run("BindAll", func(b *testing.B) { benchBindAll(b, names) })
	b.Run("fallback(blocking)", func(b *testing.B) {
		run(b, jitOpen(jitffi.Blocking()))
	})
	b.Run("purego.RegisterLibFunc", func(b *testing.B) {
		run(b, func(b *testing.B) (binder, func()) {
			h := openLib(b, libBind).h
			return func(b *testing.B, i int, f *func(int32, int32) int32) {
				purego.RegisterLibFunc(f, h, names[i])
			}, func() {}
		})
	})
}

// bindAllN is the number of fields of the structs the BindAll row binds.
const bindAllN = 50

// newSigSeq numbers the signatures of the new-signature row across runs,
// so that each is new to the process.
var newSigSeq int

// freshSignature returns the n-th of endlessly many distinct signatures
// that an i32(i32, i32) function can be bound with (the C callee ignores
// the arguments after its own), and the matching Go func type.
func freshSignature(n int) (string, reflect.Type) {
	kinds := []string{"i32", "f64", "u8", "i64", "f32", "u16"}
	goTypes := []reflect.Type{reflect.TypeFor[int32](), reflect.TypeFor[float64](), reflect.TypeFor[uint8](),
		reflect.TypeFor[int64](), reflect.TypeFor[float32](), reflect.TypeFor[uint16]()}
	params := []string{"i32", "i32"}
	in := []reflect.Type{reflect.TypeFor[int32](), reflect.TypeFor[int32]()}
	for n++; n > 0; n /= len(kinds) {
		params = append(params, kinds[n%len(kinds)])
		in = append(in, goTypes[n%len(kinds)])
	}
	return "i32(" + strings.Join(params, ", ") + ")", reflect.FuncOf(in, []reflect.Type{reflect.TypeFor[int32]()}, false)
}

// callNew calls f, of a freshSignature type, with (2, 40) and zeros after.
func callNew(f reflect.Value) int32 {
	args := make([]reflect.Value, f.Type().NumIn())
	args[0], args[1] = reflect.ValueOf(int32(2)), reflect.ValueOf(int32(40))
	for i := 2; i < len(args); i++ {
		args[i] = reflect.Zero(f.Type().In(i))
	}
	return int32(f.Call(args)[0].Int())
}

// benchBindNew is the new-signature row. The signatures and their Go
// func types are made before the clock starts: reflect.FuncOf is not part
// of Bind.
func benchBindNew(b *testing.B, names []string) {
	sigs := make([]string, b.N)
	fps := make([]reflect.Value, b.N)
	for i := range sigs {
		var ft reflect.Type
		sigs[i], ft = freshSignature(newSigSeq)
		newSigSeq++
		fps[i] = reflect.New(ft)
	}
	lib, err := jitffi.Open(openLibPath(b, libBind))
	if err != nil {
		b.Fatal(err)
	}
	defer lib.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := lib.Bind(fps[i].Interface(), names[i%bindN], sigs[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	for _, i := range []int{0, b.N / 2, b.N - 1} {
		if got, want := callNew(fps[i].Elem()), int32(42+i%bindN); got != want {
			b.Fatalf("%s as %s: got %d, want %d", names[i%bindN], sigs[i], got, want)
		}
	}
}

// benchBindAll is the BindAll row: b.N symbols, bound bindAllN at a time
// (the last struct takes the rest), each struct's fields bound to the next
// symbols of libjitffi_bind.so. The struct types and values are made
// before the clock starts.
func benchBindAll(b *testing.B, names []string) {
	fn := reflect.TypeFor[func(int32, int32) int32]()
	structOf := func(first, n int) reflect.Type {
		fields := make([]reflect.StructField, n)
		for j := range fields {
			fields[j] = reflect.StructField{
				Name: fmt.Sprintf("F%d", j), Type: fn,
				Tag: reflect.StructTag(fmt.Sprintf(`jitffi:"%s" sig:"i32(i32, i32)"`, names[(first+j)%bindN])),
			}
		}
		return reflect.StructOf(fields)
	}
	// One struct value per (first symbol, fields), reused every bindN
	// symbols: as the other rows reuse their func variables, the funcs of
	// the previous library are dropped when it is closed, so the live heap
	// does not grow with b.N.
	vals := map[[2]int]reflect.Value{}
	var structs []reflect.Value
	var firsts []int
	for done := 0; done < b.N; {
		n := min(bindAllN, b.N-done)
		k := [2]int{done % bindN, n}
		if !vals[k].IsValid() {
			vals[k] = reflect.New(structOf(k[0], n))
		}
		structs = append(structs, vals[k])
		firsts = append(firsts, k[0])
		done += n
	}
	open := func() *jitffi.Library {
		lib, err := jitffi.Open(openLibPath(b, libBind))
		if err != nil {
			b.Fatal(err)
		}
		return lib
	}
	// check calls the last func of each struct bound since the library
	// was opened, before it is closed.
	var since []int
	check := func() {
		for _, i := range since {
			sv := structs[i].Elem()
			f := sv.Field(sv.NumField() - 1).Interface().(func(int32, int32) int32)
			j := (firsts[i] + sv.NumField() - 1) % bindN
			if got := f(2, 40); got != int32(42+j) {
				b.Fatalf("%s(2, 40) = %d, want %d", names[j], got, 42+j)
			}
		}
		since = since[:0]
	}
	lib := open()
	bound := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i, sp := range structs {
		if bound >= bindN {
			// As the other rows, a fresh library every bindN symbols.
			b.StopTimer()
			check()
			lib.Close()
			lib = open()
			bound = 0
			b.StartTimer()
		}
		if err := lib.BindAll(sp.Interface()); err != nil {
			b.Fatal(err)
		}
		bound += sp.Elem().NumField()
		since = append(since, i)
	}
	b.StopTimer()
	check()
	lib.Close()
}
