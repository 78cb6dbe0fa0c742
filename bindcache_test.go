package jitffi

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ebitengine/purego"
)

// echoSignature returns the i-th of many distinct signatures that
// fx_echo_i64 can be bound with: an i64 first parameter, which it
// returns, then a tail of parameters it ignores, different for every i.
// The Go func type matches.
func echoSignature(i int) (string, reflect.Type) {
	kinds := []string{"i32", "f64", "u8", "i64", "f32", "u16"}
	goTypes := []reflect.Type{reflect.TypeFor[int32](), reflect.TypeFor[float64](), reflect.TypeFor[uint8](),
		reflect.TypeFor[int64](), reflect.TypeFor[float32](), reflect.TypeFor[uint16]()}
	params := []string{"i64"}
	in := []reflect.Type{reflect.TypeFor[int64]()}
	for n := i + 1; n > 0; n /= len(kinds) {
		params = append(params, kinds[n%len(kinds)])
		in = append(in, goTypes[n%len(kinds)])
	}
	return "i64(" + strings.Join(params, ", ") + ")", reflect.FuncOf(in, []reflect.Type{reflect.TypeFor[int64]()}, false)
}

// echoBase hands out ranges of echoSignature indices no other test used,
// so that the signatures are new to the process.
var echoBase struct {
	mu   sync.Mutex
	next int
}

func newEchoSignatures(n int) int {
	echoBase.mu.Lock()
	defer echoBase.mu.Unlock()
	base := 7_000_000 + echoBase.next
	echoBase.next += n
	return base
}

// callEcho calls f, of an echoSignature type, with x first and zeros
// after it.
func callEcho(f reflect.Value, x int64) int64 {
	args := make([]reflect.Value, f.Type().NumIn())
	args[0] = reflect.ValueOf(x)
	for i := 1; i < len(args); i++ {
		args[i] = reflect.Zero(f.Type().In(i))
	}
	return f.Call(args)[0].Int()
}

// A Bind whose signature is known (cached) still makes every check of the
// inputs that differ: the Go type, the symbol's name, the options, the
// declarations of the library.
func TestBindCacheChecksAgain(t *testing.T) {
	libc := openLibc(t)
	var abs func(int32) int32
	if err := libc.Bind(&abs, "abs", "int abs(int)"); err != nil {
		t.Fatal(err)
	}
	if abs(-3) != 3 {
		t.Fatal("abs(-3)")
	}
	var other func(int32) int32
	err := libc.Bind(&other, "labs", "int abs(int)")
	if want := "jitffi: bind labs: the signature declares function abs, not labs"; err == nil || err.Error() != want {
		t.Errorf("a prototype naming another function: %v, want %q", err, want)
	}
	var wide func(int64) int64
	var te *TypeError
	if err := libc.Bind(&wide, "abs", "int abs(int)"); !errors.As(err, &te) {
		t.Errorf("a Go type that does not match: %v, want a *TypeError", err)
	}
	if err := libc.Bind(&other, "abs", "int abs(int)", Errno()); err == nil || !strings.Contains(err.Error(), "the Errno option needs a Go func whose last result is error") {
		t.Errorf("Errno without an error result: %v", err)
	}
	if err := libc.Bind(&other, "abs", "i32(i32)", Blocking()); err != nil {
		t.Fatal(err)
	}
	if err := libc.Bind(&other, "abs", "i32(i32)", Blocking(), Strict()); !errors.Is(err, ErrNotFast) {
		t.Errorf("Blocking and Strict: %v, want ErrNotFast", err)
	}
	if other(-2) != 2 {
		t.Error("abs bound blocking")
	}

	// A typedef means what the library's own declarations say.
	l32, l64, bare := openLibc(t), openLibc(t), openLibc(t)
	if err := l32.CDef("typedef int myint;"); err != nil {
		t.Fatal(err)
	}
	if err := l64.CDef("typedef long myint;"); err != nil {
		t.Fatal(err)
	}
	if err := l32.Bind(&other, "abs", "myint(myint)"); err != nil {
		t.Fatal(err)
	}
	if err := l64.Bind(&other, "abs", "myint(myint)"); !errors.As(err, &te) {
		t.Errorf("myint is long in this library: %v, want a *TypeError", err)
	}
	var se *SignatureError
	if err := bare.Bind(&other, "abs", "myint(myint)"); !errors.As(err, &se) {
		t.Errorf("myint is not declared in this library: %v, want a *SignatureError", err)
	}

	// An empty signature is the symbol's prototype, once CDef declared it.
	if err := bare.Bind(&wide, "labs", ""); err != nil { // inferred: i64(i64)
		t.Fatal(err)
	}
	if err := bare.CDef("int abs(int); int labs(int);"); err != nil { // labs declared wrong on purpose
		t.Fatal(err)
	}
	if err := bare.Bind(&wide, "labs", ""); !errors.As(err, &te) {
		t.Errorf("labs after CDef declared it i32(i32): %v, want a *TypeError", err)
	}
	if err := bare.Bind(&other, "abs", ""); err != nil {
		t.Fatal(err)
	}
	if err := bare.Bind(&other, "llabs", ""); err != nil { // not declared: inferred i32(i32)
		t.Fatal(err)
	}
}

// Bind of a known signature makes only the binding: on the fast path its
// allocations are the binding with its record, and the slow closure it
// bails out to.
func TestBindKnownSignatureAllocs(t *testing.T) {
	requireFastPath(t)
	lib := itOpen(t)
	addr, err := lib.Symbol("fx_add_i32")
	if err != nil {
		t.Fatal(err)
	}
	var f func(int32, int32) int32
	bind := func() {
		if err := BindAddr(&f, addr, "i32(i32, i32)"); err != nil {
			t.Fatal(err)
		}
	}
	bind()
	if !PathOf(f).Fast {
		t.Fatalf("not fast: %v", PathOf(f))
	}
	// The name (1), the binding and its record (1), the slow closure
	// (reflect.MakeFunc and the method value it wraps, 2) and its caller
	// (1). Before the cache a Bind made 26.
	if n := testing.AllocsPerRun(100, bind); n > 5 {
		t.Errorf("BindAddr of a known signature: %v allocations, want at most 5", n)
	}
	if f(2, 3) != 5 {
		t.Error("fx_add_i32(2, 3)")
	}
}

// BindAll compiles the new trampolines of its fields and places them in
// one batch, and one error still names every field that failed.
func TestBindAllOneBatch(t *testing.T) {
	requireFastPath(t)
	lib := itOpen(t)
	const n = 20
	base := newEchoSignatures(n)
	var fields []reflect.StructField
	for i := range n {
		s, ft := echoSignature(base + i)
		fields = append(fields, reflect.StructField{
			Name: fmt.Sprintf("F%02d", i), Type: ft,
			Tag: reflect.StructTag(fmt.Sprintf(`jitffi:"fx_echo_i64" sig:"%s"`, s)),
		})
	}
	// Two fields that fail, one in each pass: a bad tag option, and a
	// Go type that does not match its signature.
	fields = append(fields[:5], append([]reflect.StructField{{
		Name: "BadOption", Type: reflect.TypeFor[func(int64) int64](), Tag: `jitffi:"fx_echo_i64,fast" sig:"i64(i64)"`,
	}}, fields[5:]...)...)
	fields = append(fields, reflect.StructField{
		Name: "BadType", Type: reflect.TypeFor[func(int32) int64](), Tag: `jitffi:"fx_echo_i64" sig:"i64(i64)"`,
	})
	sp := reflect.New(reflect.StructOf(fields))
	before := fast.arena.Stats()
	err := lib.BindAll(sp.Interface())
	after := fast.arena.Stats()
	var be *BindAllError
	if !errors.As(err, &be) || len(be.Fields) != 2 || be.Fields[0].Field != "BadOption" || be.Fields[1].Field != "BadType" {
		t.Fatalf("BindAll = %v, want BadOption and BadType to fail, in that order", err)
	}
	if got := after.Blocks - before.Blocks; got != n {
		t.Errorf("%d trampolines placed for %d new signatures", got, n)
	}
	if got := after.Batches - before.Batches; got != 1 {
		t.Errorf("%d batches placed, want 1", got)
	}
	sv := sp.Elem()
	for i := range sv.NumField() {
		f := sv.Field(i)
		name := sv.Type().Field(i).Name
		if strings.HasPrefix(name, "Bad") {
			if !f.IsNil() {
				t.Errorf("%s was set", name)
			}
			continue
		}
		if !PathOf(f.Interface()).Fast {
			t.Errorf("%s: %v", name, PathOf(f.Interface()))
		}
		if got := callEcho(f, int64(i)<<40|7); got != int64(i)<<40|7 {
			t.Errorf("%s: fx_echo_i64 returned %#x, want %#x", name, got, int64(i)<<40|7)
		}
	}
}

// Binds and BindAlls of the same new signatures race each other, and
// Close races some of them: every func that was bound works (or, once
// closed, panics with ErrClosed), and every error is ErrClosed.
func TestBindCacheConcurrent(t *testing.T) {
	const sigs, workers = 16, 8
	base := newEchoSignatures(sigs)
	type sigType struct {
		s string
		t reflect.Type
	}
	var st []sigType
	for i := range sigs {
		s, ft := echoSignature(base + i)
		st = append(st, sigType{s, ft})
	}
	keep := itOpen(t)
	doomed := itOpen(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4*workers*sigs)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lib := keep
			if w%2 == 1 {
				lib = doomed
			}
			for k := range sigs {
				j := (k + w) % sigs
				fp := reflect.New(st[j].t)
				if err := lib.Bind(fp.Interface(), "fx_echo_i64", st[j].s); err != nil {
					if !errors.Is(err, ErrClosed) || lib != doomed {
						errs <- err
					}
					continue
				}
				if lib == keep {
					if got := callEcho(fp.Elem(), int64(j)+1); got != int64(j)+1 {
						errs <- fmt.Errorf("%s: got %d, want %d", st[j].s, got, j+1)
					}
				}
			}
		}()
	}
	go func() {
		doomed.Close()
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Symbol's direct dlsym finds what purego's Dlsym finds, in a library
// and in the running process, including names longer than the buffer
// keeps; a missing name still reports dlerror's words.
func TestSymbolDirectDlsym(t *testing.T) {
	if libcDlsym() == 0 {
		t.Fatal("the C library's dlsym was not found: every lookup takes purego's path")
	}
	for _, lib := range []*Library{itOpen(t), openLibc(t)} {
		for _, name := range []string{"fx_add_i32", "fx_echo_i64", "abs", "strlen", "qsort", strings.Repeat("x", 2000)} {
			got, err := lib.Symbol(name)
			runtime.LockOSThread()
			want, werr := purego.Dlsym(lib.handle, name)
			runtime.UnlockOSThread()
			if (err == nil) != (werr == nil) || uintptr(got) != want {
				t.Errorf("%s in %s: %#x, %v; purego: %#x, %v", name[:min(len(name), 20)], lib.path, got, err, want, werr)
			}
		}
	}
	_, err := itOpen(t).Symbol("fx_no_such_function")
	if !errors.Is(err, ErrNoSymbol) || !strings.Contains(err.Error(), "undefined symbol: fx_no_such_function") {
		t.Errorf("missing symbol: %v, want ErrNoSymbol with dlerror's text", err)
	}
}

// Library.Bind of a known signature allocates only the binding: the
// symbol lookup allocates nothing.
func TestLibraryBindKnownSignatureAllocs(t *testing.T) {
	requireFastPath(t)
	lib := itOpen(t)
	var f func(int32, int32) int32
	bind := func() {
		if err := lib.Bind(&f, "fx_add_i32", "i32(i32, i32)"); err != nil {
			t.Fatal(err)
		}
	}
	bind()
	// The slow closure (reflect.MakeFunc and the method value it wraps)
	// and its caller; the binding and its record come from the library's
	// slabs, one allocation every slabSize binds.
	n := testing.AllocsPerRun(200, bind)
	t.Logf("Library.Bind of a known signature: %v allocations", n)
	if n > 3.5 {
		t.Errorf("Library.Bind of a known signature: %v allocations, want at most 3.5", n)
	}
	if f(2, 3) != 5 {
		t.Error("fx_add_i32(2, 3)")
	}
}
