package jitffi

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jitffi/jitffi/internal/abifuzz"
)

// Flags of TestABIFuzzCallback (which also takes -abifuzz.seed).
var (
	abifuzzCBN    = flag.Int("abifuzz.cbn", 300, "TestABIFuzzCallback: number of generated callback signatures")
	abifuzzCBSets = flag.Int("abifuzz.cbsets", 4, "TestABIFuzzCallback: argument sets per callback signature (1 to 64)")
)

// TestABIFuzzCallback is the differential ABI fuzzer for callbacks. For
// random signatures of scalars and structs by value, as parameters and
// results (package abifuzz, GenerateCallbacks), one C
// library is compiled at test time; its function cb_<seed>_<i> calls the
// callback it is given with constant argument sets (narrow integers and
// floats partly passed through wider C types, so that their upper bits
// are dirty; NaN payloads, -0, infinities, denormals, edges of every
// integer range; more arguments than registers on both sides) and checks
// bit for bit the value each call returns. The callback is a
// reflect.MakeFunc func of the matching Go type; it checks every argument
// it receives and returns the set's value.
//
// Each case is called through two bindings of its C function: a default
// one (on the fast path when the process allows it, so the callback takes
// the fast entry) and a Blocking one (the standard entry). Built with
// -tags jitffi_trace, Counts must show every call on the expected entry.
// Where NewCallback is not implemented (linux/arm64 for now) the test
// asserts the error it returns for every case.
func TestABIFuzzCallback(t *testing.T) {
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skipf("no call stub on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	if env.strict {
		t.Skip("JITFFI_STRICT=1 makes every Blocking bind fail; the fuzzer needs Blocking outer calls")
	}
	seed, n, sets := *abifuzzSeed, *abifuzzCBN, *abifuzzCBSets
	if sets < 1 || sets > abifuzz.MaxCallbackSets {
		t.Fatalf("-abifuzz.cbsets=%d: want 1 to %d", sets, abifuzz.MaxCallbackSets)
	}
	var cases []abifuzz.CallbackCase
	switch name := *abifuzzCase; {
	case strings.HasPrefix(name, "f_"):
		t.Skipf("-abifuzz.case=%s is a case of TestABIFuzz", name)
	case name != "":
		s, i, err := abifuzzParseCallbackCase(name)
		if err != nil {
			t.Fatal(err)
		}
		seed, n = s, i+1
		cases = []abifuzz.CallbackCase{abifuzz.GenerateCallback(s, i, sets)}
	default:
		cases = abifuzz.GenerateCallbacks(seed, n, sets)
	}

	start := time.Now()
	path, err := abifuzz.BuildCallbacks(t.TempDir(), "abifuzzcb", cases)
	if err != nil {
		t.Fatal(err)
	}
	built := time.Since(start)
	lib, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := lib.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	buf, err := lib.Symbol("fz_cbbuf")
	if err != nil {
		t.Fatal(err)
	}
	gotSym, err := lib.Symbol("fz_cb_got")
	if err != nil {
		t.Fatal(err)
	}
	f := &cbfuzzRun{
		t: t, seed: seed, n: n, sets: sets,
		buf: uintptr(buf), got: (*[abifuzz.MaxCallbackSets]uint64)(gotSym),
	}
	for i := range cases {
		f.run(lib, &cases[i])
		if f.unsupported != nil {
			break
		}
	}
	if f.unsupported != nil {
		// Only where callbacks are not implemented yet: every case must
		// be refused with that error.
		if runtime.GOARCH == "amd64" || !strings.Contains(f.unsupported.Error(), "not implemented") {
			t.Fatalf("NewCallback: %v", f.unsupported)
		}
		for i := range cases {
			c := &cases[i]
			cb, err := NewCallback(reflect.MakeFunc(c.FuncType(), nil).Interface(), c.Sig.String())
			if err == nil {
				cb.Close()
				t.Fatalf("%s %v: NewCallback succeeded after refusing %s", c.Name, c.Sig, cases[0].Name)
			}
			if want := "callbacks are not implemented on " + runtime.GOOS + "/" + runtime.GOARCH; !strings.Contains(err.Error(), want) {
				t.Fatalf("%s %v: NewCallback: %v; want an error saying %q", c.Name, c.Sig, err, want)
			}
		}
		t.Logf("callbacks not implemented on %s: NewCallback refused all %d signatures, the first with: %v", runtime.GOARCH, len(cases), f.unsupported)
		return
	}
	t.Logf("seed %d: %d callback signatures (%d parameters, %d of them structs, %d passed wider with dirty upper bits, %d spilling to the C stack, %d to the Go stack; %d struct results), %d argument sets, %d callback calls (%d fast entry, %d standard; counted: %v; %d default outer calls bailed out); build %v, total %v",
		seed, len(cases), f.params, f.structArgs, f.wide, f.spilled, f.goSpilled, f.structResults, len(cases)*sets, f.calls[0]+f.calls[1], f.calls[0], f.calls[1], traceEnabled, f.bailouts,
		built.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if f.failures > 0 {
		t.Errorf("%d failures in %d of %d callback signatures (seed %d); reproduce the batch with\n\tgo test -run TestABIFuzzCallback -abifuzz.seed=%d -abifuzz.cbn=%d -abifuzz.cbsets=%d .",
			f.failures, len(f.failedCases), len(cases), seed, seed, n, sets)
	}
}

// abifuzzParseCallbackCase splits a case name cb_<seed>_<index>.
func abifuzzParseCallbackCase(name string) (seed uint64, index int, err error) {
	parts := strings.Split(name, "_")
	if len(parts) == 3 && parts[0] == "cb" {
		s, err1 := strconv.ParseUint(parts[1], 10, 64)
		i, err2 := strconv.Atoi(parts[2])
		if err1 == nil && err2 == nil && i >= 0 {
			return s, i, nil
		}
	}
	return 0, 0, fmt.Errorf("-abifuzz.case=%q: want a case name cb_<seed>_<index> (or f_<seed>_<index> for TestABIFuzz)", name)
}

// cbfuzzRun is the state of one TestABIFuzzCallback run.
type cbfuzzRun struct {
	t           *testing.T
	seed        uint64
	n, sets     int
	buf         uintptr                          // address of fz_cbbuf
	got         *[abifuzz.MaxCallbackSets]uint64 // fz_cb_got
	unsupported error                            // NewCallback's error where callbacks are not implemented

	ran, params, wide, spilled int
	goSpilled                  int    // cases with Go stack-assigned arguments
	structArgs, structResults  int    // struct parameters, struct results
	calls                      [2]int // callback calls by the entry expected
	bailouts                   int    // default outer calls that bailed out to the slow path
	failures, reports          int
	failedCases                map[string]bool
}

// cbfuzzGoSpills reports whether Go's register ABI puts some argument of
// the callback on the goroutine stack (more integer or more floating-point
// arguments than its registers).
func cbfuzzGoSpills(c *abifuzz.CallbackCase) bool {
	ints, flts := 9, 15 // amd64
	if runtime.GOARCH == "arm64" {
		ints, flts = 16, 16
	}
	for _, p := range c.Params {
		if p.Kind.IsFloat() {
			flts--
		} else {
			ints--
		}
	}
	return ints < 0 || flts < 0
}

// cbfuzzCall is what the callback of one case saw during one outer call.
type cbfuzzCall struct {
	calls int
	bad   []string // descriptions of wrong arguments
}

// The two bindings of each case's C function.
var cbfuzzOuter = [2]string{"default", "Blocking"}

func (f *cbfuzzRun) run(lib *Library, c *abifuzz.CallbackCase) {
	if *abifuzzTrace {
		fmt.Fprintf(os.Stderr, "abifuzz: %s %s\n", c.Name, c.Sig)
	}
	f.ran++
	f.params += len(c.Params)
	for _, w := range c.Wide {
		if w {
			f.wide++
		}
	}
	if abifuzzSpills(c.Sig) {
		f.spilled++
	}
	if cbfuzzGoSpills(c) {
		f.goSpilled++
	}
	for _, st := range c.Structs {
		if st != nil {
			f.structArgs++
		}
	}
	if c.ResultStruct != nil {
		f.structResults++
	}
	var st cbfuzzCall
	fn := reflect.MakeFunc(c.FuncType(), func(in []reflect.Value) []reflect.Value {
		k := st.calls
		st.calls++
		if k >= len(c.Sets) {
			st.bad = append(st.bad, fmt.Sprintf("call %d: only %d argument sets", k, len(c.Sets)))
			k = 0
		}
		for i, v := range in {
			got, want := abifuzz.Bits(v.Interface()), c.Want(k, i, f.buf)
			if got != want && c.Structs[i] != nil {
				st.bad = append(st.bad, fmt.Sprintf("set %d, arg %d %v: got %s, want %s", k, i, c.Sig.Params[i], abifuzz.Format(v.Interface()), abifuzz.Format(c.Sets[k].StructArgs[i])))
				continue
			}
			if got != want {
				what := ""
				if c.Wide[i] {
					what = fmt.Sprintf(" (C passed %#x through a wider type)", c.Sets[k].Dirty[i])
				}
				st.bad = append(st.bad, fmt.Sprintf("set %d, arg %d %v/%v: got %#x, want %#x%s", k, i, c.Params[i].Kind, c.Params[i].Go, got, want, what))
			}
		}
		if c.Result == nil {
			return nil
		}
		return []reflect.Value{c.ResultValue(k)}
	})
	cb, err := NewCallback(fn.Interface(), c.Sig.String())
	if err != nil {
		if runtime.GOARCH != "amd64" && f.ran == 1 {
			f.unsupported = err
			return
		}
		f.fail(c, "NewCallback(%v, %q): %v", c.FuncType(), c.Sig, err)
		return
	}
	defer cb.Close()
	for j, blocking := range []bool{false, true} {
		var opts []Option
		if blocking {
			opts = append(opts, Blocking())
		}
		var outer func(*Callback) uint64
		if err := lib.Bind(&outer, c.Name, "u64(ptr)", opts...); err != nil {
			f.fail(c, "%s binding of %s: %v", cbfuzzOuter[j], c.Name, err)
			continue
		}
		if p, want := PathOf(outer), itWantPath(blocking); p.Fast != want.Fast {
			f.fail(c, "%s binding of %s: PathOf = %v, want %v", cbfuzzOuter[j], c.Name, p, want)
		}
		wantFast := wantFastEntry(blocking)
		st = cbfuzzCall{}
		for k := range c.Sets {
			f.got[k] = 0xBAD0BAD0BAD0BAD0
		}
		fast0, std0 := cb.Counts()
		_, fb0 := Counts(outer)
		mask := outer(cb)
		fast1, std1 := cb.Counts()
		_, fb1 := Counts(outer)
		if wantFast && fb1 != fb0 {
			// The outer fast-path call bailed out to the slow path on a
			// preemption request, and C called back from there.
			wantFast = false
			f.bailouts++
		}
		entry := map[bool]int{true: 0, false: 1}[wantFast]
		f.calls[entry] += st.calls
		if traceEnabled {
			fast, std := fast1-fast0, std1-std0
			if want := uint64(len(c.Sets)); wantFast && (fast != want || std != 0) || !wantFast && (std != want || fast != 0) {
				f.fail(c, "%s outer call of %s: %d calls through the fast entry, %d through the standard entry; want %d through the %s entry",
					cbfuzzOuter[j], c.Name, fast, std, want, map[bool]string{true: "fast", false: "standard"}[wantFast])
			}
		}
		if mask == 0 && len(st.bad) == 0 && st.calls == len(c.Sets) {
			continue
		}
		if !f.report(c) {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "abifuzz seed %d: callback case %s, %s outer call (%s entry)\n", f.seed, c.Name, cbfuzzOuter[j], map[bool]string{true: "fast", false: "standard"}[wantFast])
		fmt.Fprintf(&b, "  signature: %v\n  Go type:   %v\n", c.Sig, c.FuncType())
		if st.calls != len(c.Sets) {
			fmt.Fprintf(&b, "  the callback ran %d times, want %d\n", st.calls, len(c.Sets))
		}
		for _, s := range st.bad {
			fmt.Fprintf(&b, "  Go received: %s\n", s)
		}
		for k := range c.Sets {
			switch {
			case mask&(1<<k) == 0:
			case c.ResultStruct != nil:
				fmt.Fprintf(&b, "  C got back for set %d: leaf %d of the struct wrong, want %s\n", k, f.got[k]-1, abifuzz.Format(c.ResultValue(k).Interface()))
			default:
				fmt.Fprintf(&b, "  C got back for set %d: %#x, want %#x (%s)%s\n", k, f.got[k], c.Sets[k].Result,
					abifuzz.Format(c.ResultValue(k).Interface()), map[bool]string{true: " read as int32_t", false: ""}[c.WideResult])
			}
		}
		fmt.Fprintf(&b, "  reproduce: go test -run TestABIFuzzCallback -abifuzz.case=%s -abifuzz.cbsets=%d .", c.Name, f.sets)
		f.t.Error(b.String())
	}
	runtime.KeepAlive(fn)
}

// report counts a failure of c and says whether to describe it.
func (f *cbfuzzRun) report(c *abifuzz.CallbackCase) bool {
	f.failures++
	if f.failedCases == nil {
		f.failedCases = map[string]bool{}
	}
	f.failedCases[c.Name] = true
	f.reports++
	if f.reports == abifuzzReports+1 {
		f.t.Errorf("abifuzz seed %d: more callback failures; counting them only", f.seed)
	}
	return f.reports <= abifuzzReports
}

func (f *cbfuzzRun) fail(c *abifuzz.CallbackCase, format string, args ...any) {
	f.t.Helper()
	if f.report(c) {
		f.t.Errorf("abifuzz seed %d: %s\n  reproduce: go test -run TestABIFuzzCallback -abifuzz.case=%s -abifuzz.cbsets=%d .", f.seed, fmt.Sprintf(format, args...), c.Name, f.sets)
	}
}
