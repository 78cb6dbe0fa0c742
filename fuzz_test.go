package jitffi

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jitffi/jitffi/internal/abifuzz"
	"github.com/jitffi/jitffi/jit"
	"github.com/jitffi/jitffi/sig"
)

// Flags of TestABIFuzz.
var (
	abifuzzSeed  = flag.Uint64("abifuzz.seed", 0x5EED_0001, "TestABIFuzz: seed of the generated signatures")
	abifuzzN     = flag.Int("abifuzz.n", 600, "TestABIFuzz: number of generated signatures")
	abifuzzCalls = flag.Int("abifuzz.calls", 16, "TestABIFuzz: argument sets per signature")
	abifuzzCase  = flag.String("abifuzz.case", "", "TestABIFuzz: run only this case, f_<seed>_<index>; TestABIFuzzCallback: cb_<seed>_<index> (its seed overrides -abifuzz.seed)")
	abifuzzTrace = flag.Bool("abifuzz.trace", false, "TestABIFuzz: print every case to stderr before calling it (to locate crashes)")
)

// abifuzzReports caps the detailed failure reports of one run.
const abifuzzReports = 10

// TestABIFuzz is the differential ABI fuzzer. Random signatures (package
// abifuzz) are compiled into a C library at test time; each function folds
// its arguments into a checksum and returns it converted to its result
// type. Every function is bound three ways:
//
//   - fast: default options, the fast path whenever the process allows it;
//   - bail-out: a second fast binding whose every call takes the
//     trampoline's bail-out into the fallback closure (its record's target
//     is zeroed, as a preemption request would divert it);
//   - fallback: with Blocking.
//
// All three are called with the same arguments through reflect and must
// return exactly (bit for bit) the value the C code computes. A signature
// with structs by value that jit does not lower (none of the generator's
// today: the one struct plan it refuses needs errno capture) would take
// the slow path even by default (PathOf says why), so it would be bound
// two ways, by default and with Blocking, without a bail-out binding;
// the others are bound all three ways like any signature. After the
// library is closed every binding must panic with ErrClosed without
// running C. `make fuzz` runs it with random seeds and larger batches.
func TestABIFuzz(t *testing.T) {
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skipf("no call stub on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	if env.strict {
		t.Skip("JITFFI_STRICT=1 makes every Blocking bind fail; the fuzzer needs fallback bindings")
	}
	seed, n := *abifuzzSeed, *abifuzzN
	var cases []abifuzz.Case
	if strings.HasPrefix(*abifuzzCase, "cb_") {
		t.Skipf("-abifuzz.case=%s is a case of TestABIFuzzCallback", *abifuzzCase)
	}
	if *abifuzzCase != "" {
		s, i, err := abifuzzParseCase(*abifuzzCase)
		if err != nil {
			t.Fatal(err)
		}
		seed, n = s, i+1
		cases = []abifuzz.Case{abifuzz.GenerateCase(s, i)}
	} else {
		cases = abifuzz.Generate(seed, n)
	}

	start := time.Now()
	path, err := abifuzz.Build(t.TempDir(), "abifuzz", cases)
	if err != nil {
		t.Fatal(err)
	}
	built := time.Since(start)
	lib, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close() // closed explicitly below unless the test stops early
	// A second handle on the same library keeps it loaded after lib is
	// closed, for the accessors of fz_last.
	aux, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := aux.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	f := &abifuzzRun{t: t, seed: seed, n: n}
	if err := aux.Bind(&f.getLast, "fz_get_last", "u64()", Blocking()); err != nil {
		t.Fatal(err)
	}
	if err := aux.Bind(&f.setLast, "fz_set_last", "void(u64)", Blocking()); err != nil {
		t.Fatal(err)
	}

	f.wantFast = FastPathError() == nil && !env.noFast
	bound := make([]*abifuzzBound, len(cases))
	for i := range cases {
		bound[i] = f.run(lib, &cases[i])
	}
	if err := lib.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	for i := range cases {
		f.closed(&cases[i], bound[i])
	}
	elapsed := time.Since(start)

	t.Logf("seed %d: %d signatures (%d parameters, %d spilling to the C stack, %d with structs by value, %d of them planned fast), %d argument sets, %d calls (%d default binding, %d bail-out, %d fallback); build %v, total %v",
		seed, len(cases), f.params, f.spilled, f.structs, f.fastStructs, f.sets, f.calls[0]+f.calls[1]+f.calls[2], f.calls[0], f.calls[1], f.calls[2], built.Round(time.Millisecond), elapsed.Round(time.Millisecond))
	if !f.wantFast {
		why := "JITFFI_FAST=0"
		if err := FastPathError(); err != nil {
			why = err.Error()
		}
		t.Logf("no fast path (%s): every binding takes the fallback", why)
	}
	if f.failures > 0 {
		t.Errorf("%d failures in %d of %d signatures (seed %d); reproduce the batch with\n\tgo test -run TestABIFuzz -abifuzz.seed=%d -abifuzz.n=%d .",
			f.failures, len(f.failedCases), len(cases), seed, seed, n)
	}
}

// abifuzzParseCase splits a case name f_<seed>_<index>.
func abifuzzParseCase(name string) (seed uint64, index int, err error) {
	parts := strings.Split(name, "_")
	if len(parts) == 3 && parts[0] == "f" {
		s, err1 := strconv.ParseUint(parts[1], 10, 64)
		i, err2 := strconv.Atoi(parts[2])
		if err1 == nil && err2 == nil && i >= 0 {
			return s, i, nil
		}
	}
	return 0, 0, fmt.Errorf("-abifuzz.case=%q: want a case name f_<seed>_<index>", name)
}

// abifuzzRun is the state of one TestABIFuzz run.
type abifuzzRun struct {
	t        *testing.T
	seed     uint64
	n        int
	wantFast bool
	getLast  func() uint64
	setLast  func(uint64)

	params, spilled, sets int
	structs               int    // signatures with structs by value
	fastStructs           int    // of which abi plans fast
	calls                 [3]int // by abifuzzPaths
	failures, reports     int
	failedCases           map[string]bool
}

// The ways each case is bound, in the order of abifuzzBound.fns.
var abifuzzPaths = [3]string{"fast", "bail-out", "fallback"}

// abifuzzBound holds the bindings of one case (nil if binding failed).
// A binding that does not exist for the case (the bail-out of a struct
// signature) is the zero Value.
type abifuzzBound struct {
	fns  [3]reflect.Value
	args []any // the last argument set, for the calls after Close
}

// bind binds c three ways.
func (f *abifuzzRun) bind(lib *Library, c *abifuzz.Case) *abifuzzBound {
	ft := c.FuncType()
	b := &abifuzzBound{}
	structs := c.Sig.HasStruct()
	// slow: a struct signature abi keeps on the slow path, known once the
	// default binding (bound first) has its plan.
	slow, reason := false, ""
	for i, path := range abifuzzPaths {
		if slow && path == "bail-out" {
			continue
		}
		var opts []Option
		if path == "fallback" {
			opts = append(opts, Blocking())
		}
		v := reflect.New(ft)
		if err := lib.Bind(v.Interface(), c.Name, c.Sig.String(), opts...); err != nil {
			f.fail(c, "%s binding of %s as %v to %v: %v", path, c.Name, c.Sig, ft, err)
			return nil
		}
		b.fns[i] = v.Elem()
		p := PathOf(b.fns[i].Interface())
		if structs && i == 0 {
			plan := lookupBinding(b.fns[i].Interface()).plan
			lerr := jit.CanLower(plan)
			slow, reason = lerr != nil, fmt.Sprint(lerr)
			if lerr == nil {
				f.fastStructs++
			}
		}
		switch {
		case path == "fallback" && p.Fast:
			f.fail(c, "%s %v: PathOf with Blocking = %v, want the fallback", c.Name, c.Sig, p)
		case slow && path == "fast" && (p.Fast || !strings.HasPrefix(reason, "struct by value: ") ||
			!env.noFast && p.Reason != reason):
			f.fail(c, "%s %v: PathOf = %v, plan reason %q, want the fallback with a struct reason", c.Name, c.Sig, p, reason)
		case slow:
		case path != "fallback" && p.Fast != f.wantFast:
			f.fail(c, "%s %v: PathOf = %v, want fast = %v", c.Name, c.Sig, p, f.wantFast)
		case path == "bail-out" && p.Fast:
			bb := lookupBinding(b.fns[i].Interface())
			atomic.StoreUintptr(&bb.rec.target, 0)
		}
	}
	return b
}

// run binds one case and compares the paths with the expected value over
// several argument sets.
func (f *abifuzzRun) run(lib *Library, c *abifuzz.Case) *abifuzzBound {
	if *abifuzzTrace {
		fmt.Fprintf(os.Stderr, "abifuzz: %s %s\n", c.Name, c.Sig)
	}
	f.params += len(c.Params)
	if abifuzzSpills(c.Sig) {
		f.spilled++
	}
	if c.Sig.HasStruct() {
		f.structs++
	}
	b := f.bind(lib, c)
	if b == nil {
		return nil
	}
	// Argument values depend only on the seed, the case and the set
	// (addresses of Go memory aside), so a case reproduces on its own.
	r := rand.New(rand.NewPCG(c.Seed, uint64(c.Index)<<16|0xF2))
	for k := range *abifuzzCalls {
		args := c.Args(r)
		in := make([]reflect.Value, len(args))
		for i, a := range args {
			in[i] = reflect.ValueOf(a)
		}
		want := abifuzz.Expect(c, args)
		var got, panics [3]any
		bad := false
		for i, fn := range b.fns {
			if !fn.IsValid() {
				continue
			}
			got[i], panics[i] = f.call(c, fn, in, ^want)
			bad = bad || panics[i] != nil || abifuzzBits(got[i]) != want
			f.calls[i]++
		}
		f.sets++
		if bad {
			f.mismatch(c, k, args, got, panics, abifuzz.ExpectValue(c, args), b.fns)
		}
		b.args = args
	}
	if !f.wantFast || !b.fns[1].IsValid() {
		return b
	}
	if _, fb := Counts(b.fns[1].Interface()); fb != uint64(*abifuzzCalls) {
		f.fail(c, "%s %v: %d calls of the bail-out binding entered the fallback closure, want %d", c.Name, c.Sig, fb, *abifuzzCalls)
	}
	return b
}

// closed checks that after Close every binding of c panics with ErrClosed
// and does not reach C.
func (f *abifuzzRun) closed(c *abifuzz.Case, b *abifuzzBound) {
	if b == nil {
		return
	}
	in := make([]reflect.Value, len(b.args))
	for i, a := range b.args {
		in[i] = reflect.ValueOf(a)
	}
	const untouched = 0xC105ED
	for i, fn := range b.fns {
		if !fn.IsValid() {
			continue
		}
		f.setLast(untouched)
		_, p := f.call(c, fn, in, untouched)
		err, _ := p.(error)
		switch {
		case p == nil:
			f.fail(c, "%s %v: %s binding called after Close did not panic", c.Name, c.Sig, abifuzzPaths[i])
		case !errors.Is(err, ErrClosed):
			f.fail(c, "%s %v: %s binding called after Close panicked with %v, want an error wrapping ErrClosed", c.Name, c.Sig, abifuzzPaths[i], p)
		case c.Result == nil && f.getLast() != untouched:
			f.fail(c, "%s %v: %s binding called after Close ran the C function", c.Name, c.Sig, abifuzzPaths[i])
		}
	}
	runtime.KeepAlive(b.args)
}

// abifuzzBits is abifuzz.Bits, tolerating a missing result (after a panic).
func abifuzzBits(v any) uint64 {
	if v == nil {
		return 0
	}
	return abifuzz.Bits(v)
}

// call calls fn once and recovers a panic. A void function's result is
// the checksum it left in fz_last, which is first set to sentinel.
func (f *abifuzzRun) call(c *abifuzz.Case, fn reflect.Value, in []reflect.Value, sentinel uint64) (res any, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			res, panicked = nil, p
		}
	}()
	if c.Result == nil {
		f.setLast(sentinel)
		fn.Call(in)
		return f.getLast(), nil
	}
	return fn.Call(in)[0].Interface(), nil
}

// abifuzzSpills reports whether the signature passes some argument on the
// C stack (more integer or more floating-point arguments than registers).
func abifuzzSpills(s *sig.Signature) bool {
	ints, flts := 6, 8 // System V x86-64
	if runtime.GOARCH == "arm64" {
		ints = 8
	}
	for _, p := range s.Params {
		if p.Kind.IsFloat() {
			flts--
		} else {
			ints--
		}
	}
	return ints < 0 || flts < 0
}

func (f *abifuzzRun) reproduce(c *abifuzz.Case) string {
	return fmt.Sprintf("reproduce: go test -run TestABIFuzz -abifuzz.case=%s .\n  the whole batch: go test -run TestABIFuzz -abifuzz.seed=%d -abifuzz.n=%d .", c.Name, f.seed, f.n)
}

// report counts a failure of c and says whether to describe it: only the
// first abifuzzReports failures of a run are.
func (f *abifuzzRun) report(c *abifuzz.Case) bool {
	f.failures++
	if f.failedCases == nil {
		f.failedCases = map[string]bool{}
	}
	f.failedCases[c.Name] = true
	f.reports++
	if f.reports == abifuzzReports+1 {
		f.t.Errorf("abifuzz seed %d: more failures; counting them only", f.seed)
	}
	return f.reports <= abifuzzReports
}

// fail reports a failure that is not a mismatch of results.
func (f *abifuzzRun) fail(c *abifuzz.Case, format string, args ...any) {
	f.t.Helper()
	if f.report(c) {
		f.t.Errorf("abifuzz seed %d: %s\n  %s", f.seed, fmt.Sprintf(format, args...), f.reproduce(c))
	}
}

// mismatch reports a call whose results disagree.
func (f *abifuzzRun) mismatch(c *abifuzz.Case, set int, args []any, got, panics [3]any, want any, fns [3]reflect.Value) {
	fast := fns[0]
	f.t.Helper()
	if !f.report(c) {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "abifuzz seed %d: case %s, argument set %d: results differ\n", f.seed, c.Name, set)
	fmt.Fprintf(&b, "  signature: %v\n  Go type:   %v\n", c.Sig, c.FuncType())
	for i, a := range args {
		fmt.Fprintf(&b, "  arg %2d %-5v %s -> C %#x\n", i, c.Params[i].Sig(), abifuzz.Format(a), abifuzz.Bits(a))
	}
	w := abifuzzBits(want)
	for i, path := range abifuzzPaths {
		switch v := got[i]; {
		case !fns[i].IsValid():
			fmt.Fprintf(&b, "  %-9s (none: this struct signature has no fast path)\n", path+":")
		case panics[i] != nil:
			fmt.Fprintf(&b, "  %-9s panic: %v\n", path+":", panics[i])
		case abifuzzBits(v) != w:
			fmt.Fprintf(&b, "  %-9s %s = %#x  MISMATCH\n", path+":", abifuzz.Format(v), abifuzzBits(v))
		default:
			fmt.Fprintf(&b, "  %-9s %s = %#x\n", path+":", abifuzz.Format(v), abifuzzBits(v))
		}
	}
	fmt.Fprintf(&b, "  expected: %s = %#x\n", abifuzz.Format(want), w)
	if c.Result == nil {
		b.WriteString("  (void function: the values are the checksum it stored in fz_last)\n")
	}
	fmt.Fprintf(&b, "  fast binding: %v\n", PathOf(fast.Interface()))
	if d, err := Describe(fast.Interface()); err == nil && f.reports == 1 {
		fmt.Fprintf(&b, "  %s\n", strings.ReplaceAll(strings.TrimSpace(d), "\n", "\n  "))
	}
	b.WriteString("  " + f.reproduce(c))
	f.t.Error(b.String())
}
