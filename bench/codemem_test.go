package bench

import (
	"bufio"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/jitffi/jitffi"
)

// newSigs is how many distinct signatures one op of
// BenchmarkNewSignatures1000 binds.
const newSigs = 1000

// sigSeq numbers the signatures so that every op binds new ones.
var sigSeq int

// newSignature returns a signature no earlier call returned, and a Go
// func type for it: i64 of one to nine parameters of six kinds.
func newSignature() (string, reflect.Type) {
	sigSeq++
	kinds := []string{"i32", "f64", "u8", "i64", "f32", "u16"}
	goTypes := []reflect.Type{reflect.TypeFor[int32](), reflect.TypeFor[float64](), reflect.TypeFor[uint8](),
		reflect.TypeFor[int64](), reflect.TypeFor[float32](), reflect.TypeFor[uint16]()}
	var params []string
	var in []reflect.Type
	for n := 100000 + sigSeq; n > 0; n /= len(kinds) {
		params = append(params, kinds[n%len(kinds)])
		in = append(in, goTypes[n%len(kinds)])
	}
	return "i64(" + strings.Join(params, ", ") + ")", reflect.FuncOf(in, []reflect.Type{reflect.TypeFor[int64]()}, false)
}

// execMapped is the total size of the process's executable mappings.
func execMapped(b *testing.B) int {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	total := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || len(fields[1]) != 4 || fields[1][2] != 'x' {
			continue
		}
		lo, hi, _ := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			b.Fatalf("bad maps line %q", sc.Text())
		}
		total += int(end - start)
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return total
}

// BenchmarkNewSignatures1000 binds newSigs signatures never seen before
// per op, so each Bind compiles and places a trampoline, and reports what
// they cost: exec-bytes/sig, the growth of the process's executable
// mappings (read from /proc/self/maps), and heap-bytes/sig, the growth of
// the live heap with the bound funcs still reachable (the binding and its
// record as well as the code cache's entry). The symbol is never called.
func BenchmarkNewSignatures1000(b *testing.B) {
	b.Run("fast", func(b *testing.B) {
		lib := openLib(b, libBind).jit
		addr, err := lib.Symbol(bindName(0))
		if err != nil {
			b.Fatal(err)
		}
		var f func(int32, int32) int32
		if err := lib.Bind(&f, bindName(0), "i32(i32, i32)"); err != nil {
			b.Fatal(err)
		}
		requireFast(b, f) // the fast path is set up before the first reading
		sigs := make([]string, b.N*newSigs)
		fvs := make([]any, b.N*newSigs)
		for i := range sigs {
			var ft reflect.Type
			sigs[i], ft = newSignature()
			fvs[i] = reflect.New(ft).Interface()
		}
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		x0 := execMapped(b)
		b.ResetTimer()
		for i := range sigs {
			if err := jitffi.BindAddr(fvs[i], addr, sigs[i]); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		requireFast(b, fvs[len(fvs)-1])
		x1 := execMapped(b)
		runtime.GC()
		runtime.ReadMemStats(&m1)
		runtime.KeepAlive(fvs)
		n := float64(len(sigs))
		b.ReportMetric(float64(x1-x0)/n, "exec-bytes/sig")
		b.ReportMetric(float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc))/n, "heap-bytes/sig")
	})
}
