package jitffi

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/jitffi/jitffi/fixtures"
)

// distinctSignature returns the i-th of many different signatures (and a
// matching Go func type), so every Bind compiles and places new code.
func distinctSignature(i int) (string, reflect.Type) {
	kinds := []string{"i32", "f64", "u8", "i64", "f32", "u16"}
	goTypes := []reflect.Type{reflect.TypeOf(int32(0)), reflect.TypeOf(float64(0)), reflect.TypeOf(uint8(0)),
		reflect.TypeOf(int64(0)), reflect.TypeOf(float32(0)), reflect.TypeOf(uint16(0))}
	var params []string
	var in []reflect.Type
	for n := i + 1; n > 0; n /= len(kinds) {
		params = append(params, kinds[n%len(kinds)])
		in = append(in, goTypes[n%len(kinds)])
	}
	return "i64(" + strings.Join(params, ", ") + ")", reflect.FuncOf(in, []reflect.Type{reflect.TypeOf(int64(0))}, false)
}

var sigCounter int

// BenchmarkBind measures Bind of a signature seen for the first time
// (parse, plan, JIT, placement in executable memory) and of a known one (the
// code is cached by plan).
func BenchmarkBind(b *testing.B) {
	lib := openFixturesB(b)
	addr, err := lib.Symbol("fx_echo_i64")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("new-signature", func(b *testing.B) {
		// The signatures and Go func types are made before the clock
		// starts: reflect.FuncOf is not part of Bind.
		sigs := make([]string, b.N)
		fvs := make([]any, b.N)
		for i := range sigs {
			sigCounter++
			var ft reflect.Type
			sigs[i], ft = distinctSignature(100000 + sigCounter)
			fvs[i] = reflect.New(ft).Interface()
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := BindAddr(fvs[i], addr, sigs[i]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached-signature", func(b *testing.B) {
		b.ReportAllocs()
		var f func(int64) int64
		for i := 0; i < b.N; i++ {
			if err := BindAddr(&f, addr, "i64(i64)"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkBindAllNew measures what placing the new trampolines of one
// BindAll in one batch saves: one op binds 50 signatures the process has
// not seen, with BindAll of a 50-field struct, or with 50 Binds (one
// placement each).
func BenchmarkBindAllNew(b *testing.B) {
	const n = 50
	lib := openFixturesB(b)
	// structsFor returns, for each op, a fresh struct of n func fields with new
	// signatures, all bound to fx_echo_i64 (made before the clock starts).
	structsFor := func(ops int) []reflect.Value {
		out := make([]reflect.Value, ops)
		for i := range out {
			base := newEchoSignatures(n)
			fields := make([]reflect.StructField, n)
			for j := range fields {
				s, ft := echoSignature(base + j)
				fields[j] = reflect.StructField{Name: "F" + strconv.Itoa(j), Type: ft,
					Tag: reflect.StructTag(`jitffi:"fx_echo_i64" sig:"` + s + `"`)}
			}
			out[i] = reflect.New(reflect.StructOf(fields))
		}
		return out
	}
	check := func(b *testing.B, sp reflect.Value) {
		f := sp.Elem().Field(n - 1)
		if got := callEcho(f, 1<<40|3); got != 1<<40|3 {
			b.Fatalf("fx_echo_i64 returned %#x", got)
		}
	}
	b.Run("BindAll", func(b *testing.B) {
		structs := structsFor(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if err := lib.BindAll(structs[i].Interface()); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		check(b, structs[b.N-1])
	})
	b.Run("Bind-each", func(b *testing.B) {
		structs := structsFor(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			sv := structs[i].Elem()
			st := sv.Type()
			for j := range n {
				f := st.Field(j)
				if err := lib.Bind(sv.Field(j).Addr().Interface(), "fx_echo_i64", f.Tag.Get("sig")); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.StopTimer()
		check(b, structs[b.N-1])
	})
}

func openFixturesB(b *testing.B) *Library {
	b.Helper()
	lib, err := Open(fixtures.Shared(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lib.Close() })
	return lib
}
