package jitffi

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"unsafe"

	"github.com/jitffi/jitffi/jit"
)

// Strings: Go strings as char * parameters (copied, NUL-terminated) and
// results (copied up to the NUL), on both paths, against fixtures that
// check the bytes they receive (strings.c), and the helpers.

func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// strBytes is n bytes of non-NUL text, different for each seed.
func strBytes(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(1 + r.IntN(255))
	}
	return string(b)
}

// pageEndStrings returns strings of the given lengths whose last byte is
// the last byte of a mapped page followed by a PROT_NONE page: a read past
// len(s) faults.
func pageEndStrings(t *testing.T, lens ...int) []string {
	t.Helper()
	ps := syscall.Getpagesize()
	m, err := syscall.Mmap(-1, 0, 2*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(m) })
	if err := syscall.Mprotect(m[ps:], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	for i := range ps {
		m[i] = byte('a' + i%26)
	}
	var out []string
	for _, n := range lens {
		if n > ps {
			t.Fatalf("length %d does not fit a page of %d", n, ps)
		}
		out = append(out, unsafe.String(&m[ps-n], n))
	}
	return out
}

func TestStringHelpers(t *testing.T) {
	if GoString(nil) != "" || GoStringN(nil, 5) != "" {
		t.Error("NULL does not give the empty string")
	}
	p := CString("")
	if p == nil || *p != 0 {
		t.Fatalf("CString(\"\") = %v, want a pointer to a NUL", p)
	}
	for _, s := range []string{"", "a", "jitffi", "h\u00e9llo, w\u00f6rld", strBytes(5000, 1)} {
		c := CString(s)
		if got := GoString(unsafe.Pointer(c)); got != s {
			t.Errorf("GoString(CString(%.20q)) = %.20q", s, got)
		}
		if got := GoStringN(unsafe.Pointer(c), len(s)+1); got != s+"\x00" {
			t.Errorf("GoStringN(CString(%.20q), %d) = %.20q", s, len(s)+1, got)
		}
	}
	// A NUL inside the Go string is copied: C sees the string end there,
	// GoStringN sees every byte.
	c := CString("ab\x00cd")
	if got, want := unsafe.Slice(c, 6), []byte("ab\x00cd\x00"); string(got) != string(want) {
		t.Errorf("CString(\"ab\\x00cd\") = %q, want %q", got, want)
	}
	if got := GoString(unsafe.Pointer(c)); got != "ab" {
		t.Errorf("GoString(CString(\"ab\\x00cd\")) = %q, want \"ab\"", got)
	}
	// GoString stops at the NUL even when it is the last byte of a page
	// that a PROT_NONE page follows: it reads nothing past it.
	for _, n := range []int{1, 2, 7, 8, 9, 64, 4095} {
		s := pageEndStrings(t, n)[0]
		b := unsafe.Slice(unsafe.StringData(s), n)
		b[n-1] = 0
		if got, want := GoString(unsafe.Pointer(&b[0])), s[:n-1]; got != want {
			t.Errorf("GoString at a page end (%d bytes): %.20q, want %.20q", n, got, want)
		}
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "negative length") {
				t.Errorf("GoStringN(p, -1) recovered %v, want a panic about the negative length", r)
			}
		}()
		GoStringN(unsafe.Pointer(c), -1)
	}()
}

// strFuncs are the string fixtures bound one way.
type strFuncs struct {
	check  func(s string, n int64, h uint64) int64
	cmp    func(a, b string) int32
	many   func(s0 string, x0 int64, s1 string, x1 int64, s2 string, x2 int64, s3 string, x3 int64, s4 string, x4 int64, s5 string) uint64
	va     func(n int32, a, b, c string) uint64
	static func(which int32) string
	echo   func(s string) string
	errno  func(which int32) (string, error)
}

func bindStrings(t testing.TB, lib *Library, opts ...Option) *strFuncs {
	t.Helper()
	f := &strFuncs{}
	for _, b := range []struct {
		fn        any
		name, sig string
		opts      []Option
	}{
		{&f.check, "fx_str_check", "int64_t fx_str_check(const char *s, int64_t n, uint64_t h)", nil},
		{&f.cmp, "fx_str_cmp", "i32(ptr, ptr)", nil},
		{&f.many, "fx_str_many", "u64(ptr, i64, ptr, i64, ptr, i64, ptr, i64, ptr, i64, ptr)", nil},
		{&f.va, "fx_va_strs", "u64(i32, ... ptr, ptr, ptr)", nil},
		{&f.static, "fx_str_static", "const char *fx_str_static(int)", nil},
		{&f.echo, "fx_str_echo", "", nil}, // inferred: ptr(ptr)
		{&f.errno, "fx_str_static", "ptr(i32)", []Option{Errno()}},
	} {
		if err := lib.Bind(b.fn, b.name, b.sig, append(b.opts, opts...)...); err != nil {
			t.Fatalf("Bind %s: %v", b.name, err)
		}
	}
	return f
}

// strBoth binds the fixtures on the default path (which must be the fast
// path when the process allows it) and with Blocking.
func strBoth(t *testing.T) (fast, slow *strFuncs) {
	lib := openFixtures(t)
	fast, slow = bindStrings(t, lib), bindStrings(t, lib, Blocking())
	for _, fn := range []any{fast.check, fast.cmp, fast.many, fast.va, fast.static, fast.echo, fast.errno} {
		itCheckPath(t, "string fixture", fn, false)
	}
	return fast, slow
}

func TestStringArgs(t *testing.T) {
	fast, slow := strBoth(t)
	lens := []int{0, 1, 15, 16, 17, 63, 64, jit.StringMax - 1, jit.StringMax, jit.StringMax + 1, 1 << 20}
	for _, p := range []struct {
		name string
		f    *strFuncs
	}{{"fast", fast}, {"fallback", slow}} {
		for i, n := range lens {
			s := strBytes(n, uint64(i))
			if got := p.f.check(s, int64(n), fnv1a(s)); got != int64(n) {
				t.Errorf("%s: check of %d bytes = %d, want %d", p.name, n, got, n)
			}
			if got := p.f.echo(s); got != s {
				t.Errorf("%s: echo of %d bytes gives %d bytes (%.16q...)", p.name, n, len(got), got)
			}
		}
		for _, s := range pageEndStrings(t, 0, 1, 7, 8, 15, 16, 17, 100, 4096) {
			if got := p.f.check(s, int64(len(s)), fnv1a(s)); got != int64(len(s)) {
				t.Errorf("%s: check of %d bytes at a page end = %d", p.name, len(s), got)
			}
		}
		for _, c := range []struct {
			a, b string
			want int32
		}{{"", "", 0}, {"a", "", 1}, {"", "a", -1}, {"h\u00e9llo", "h\u00e9llo", 0}, {"\u00e9", "e", 1}} {
			if got := p.f.cmp(c.a, c.b); got != c.want {
				t.Errorf("%s: cmp(%q, %q) = %d, want %d", p.name, c.a, c.b, got, c.want)
			}
		}
		// A NUL inside the Go string ends the C string there.
		if got := p.f.check("ab\x00cd", 2, fnv1a("ab")); got != 2 {
			t.Errorf("%s: check(\"ab\\x00cd\") = %d, want 2 (C sees \"ab\")", p.name, got)
		}
		// The empty string is an empty C string, never NULL (-3).
		if got := p.f.check("", 0, fnv1a("")); got != 0 {
			t.Errorf("%s: check(\"\") = %d, want 0", p.name, got)
		}
	}
}

func TestStringArgsMany(t *testing.T) {
	fast, slow := strBoth(t)
	want := func(s []string, x []int64) uint64 {
		var b []byte
		for i := range s {
			b = append(append(b, s[i]...), 0)
			if i < len(x) {
				b = append(b, unsafe.Slice((*byte)(unsafe.Pointer(&x[i])), 8)...)
			}
		}
		return fnv1a(string(b))
	}
	for iter := range 40 {
		r := rand.New(rand.NewPCG(uint64(iter), 7))
		s := make([]string, 6)
		for i := range s {
			n := []int{0, 1, 16, 100, jit.StringMax, jit.StringMax + 1, 3000}[r.IntN(7)]
			s[i] = strBytes(n, uint64(iter*10+i))
		}
		x := []int64{r.Int64(), -1, r.Int64(), 0, int64(iter)}
		w := want(s, x)
		for _, p := range []struct {
			name string
			f    *strFuncs
		}{{"fast", fast}, {"fallback", slow}} {
			if got := p.f.many(s[0], x[0], s[1], x[1], s[2], x[2], s[3], x[3], s[4], x[4], s[5]); got != w {
				t.Fatalf("%s: many(lengths %d %d %d %d %d %d) = %#x, want %#x", p.name, len(s[0]), len(s[1]), len(s[2]), len(s[3]), len(s[4]), len(s[5]), got, w)
			}
		}
		// Variadic strings follow the same rules.
		wv := fnv1a(s[0] + "\x00" + s[1] + "\x00" + s[2] + "\x00")
		if got, got2 := fast.va(3, s[0], s[1], s[2]), slow.va(3, s[0], s[1], s[2]); got != wv || got2 != wv {
			t.Fatalf("va_strs: fast %#x, fallback %#x, want %#x", got, got2, wv)
		}
	}
}

func TestStringResults(t *testing.T) {
	fast, slow := strBoth(t)
	long := make([]byte, 5000)
	for i := range long {
		long[i] = byte('a' + i%26)
	}
	for which, want := range []string{"", "", "h\u00e9llo, w\u00f6rld", string(long), ""} {
		for _, p := range []struct {
			name string
			f    *strFuncs
		}{{"fast", fast}, {"fallback", slow}} {
			if got := p.f.static(int32(which)); got != want {
				t.Errorf("%s: static(%d) = %.20q (%d bytes), want %.20q (%d bytes)", p.name, which, got, len(got), want, len(want))
			}
			got, err := p.f.errno(int32(which))
			if got != want || err != nil {
				t.Errorf("%s: static(%d) with Errno = %.20q, %v; want %.20q, nil", p.name, which, got, err, want)
			}
		}
	}
}

func TestStringConcurrent(t *testing.T) {
	fast, slow := strBoth(t)
	var wg sync.WaitGroup
	// Collections while the calls run: stack scans see the frames of
	// string results being copied.
	startGCLoop(t, 0)
	long := fast.static(3)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := fast
			if g%4 == 3 {
				f = slow
			}
			for i := range 300 {
				n := (g*131 + i*17) % (jit.StringMax + 200)
				s := strBytes(n, uint64(g*1000+i))
				if got := f.check(s, int64(n), fnv1a(s)); got != int64(n) {
					t.Errorf("goroutine %d call %d: check of %d bytes = %d", g, i, n, got)
					return
				}
				if got := f.static(3); got != long {
					t.Errorf("goroutine %d call %d: static(3) gives %d bytes, want %d", g, i, len(got), len(long))
					return
				}
				if i%7 == 0 && grow(500) < 0 {
					return
				}
				if i%50 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	wg.Wait()
}

// grow recurses deep enough to make the goroutine's stack grow (and so
// move) several times.
//
//go:noinline
func grow(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return grow(n-1) + int(pad[n%256]&1)
}

func TestStringCallback(t *testing.T) {
	needCallbacks(t)
	lib := openFixtures(t)
	var fast, slow func(s string, cb *Callback, x int64) int64
	if err := lib.Bind(&fast, "fx_str_cb", "i64(ptr, ptr, i64)"); err != nil {
		t.Fatal(err)
	}
	if err := lib.Bind(&slow, "fx_str_cb", "i64(ptr, ptr, i64)", Blocking()); err != nil {
		t.Fatal(err)
	}
	itCheckPath(t, "fx_str_cb", fast, false)
	cb, err := NewCallback(func(x int64) int64 {
		// Move the goroutine's stack while C holds the string, and let
		// the collector run.
		r := grow(2000)
		runtime.GC()
		return x + int64(r)
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	want := int64(grow(2000))
	for _, n := range []int{0, 5, 64, jit.StringMax, jit.StringMax + 1} {
		s := strBytes(n, uint64(n))
		for name, f := range map[string]func(string, *Callback, int64) int64{"fast": fast, "fallback": slow} {
			if got := f(s, cb, 10); got != 10+want+int64(n) {
				t.Errorf("%s: %d bytes: got %d, want %d", name, n, got, 10+want+int64(n))
			}
		}
	}
}

func TestStringBailout(t *testing.T) {
	fast, _ := strBoth(t)
	if !PathOf(fast.check).Fast {
		t.Skipf("no fast path here: %v", PathOf(fast.check))
	}
	short, long := strBytes(jit.StringMax, 1), strBytes(jit.StringMax+1, 2)
	_, slow0 := Counts(fast.check)
	fast.check(short, int64(len(short)), fnv1a(short))
	_, slow1 := Counts(fast.check)
	fast.check(long, int64(len(long)), fnv1a(long))
	_, slow2 := Counts(fast.check)
	if slow1 != slow0 || slow2 != slow1+1 {
		t.Errorf("slow-path calls: %d after a string of %d bytes, %d after one of %d; want %d and %d",
			slow1-slow0, len(short), slow2-slow1, len(long), 0, 1)
	}
	// The same for each string of fx_str_many, those Go passes on its
	// stack (s3 to s5 on amd64, s5 on arm64) included.
	for i := range 6 {
		for _, n := range []int{jit.StringMax, jit.StringMax + 1} {
			args := []string{"a", "b", "c", "d", "e", "f"}
			args[i] = strBytes(n, uint64(i))
			_, slow0 := Counts(fast.many)
			fast.many(args[0], 0, args[1], 1, args[2], 2, args[3], 3, args[4], 4, args[5])
			_, slow1 := Counts(fast.many)
			if want := uint64(n - jit.StringMax); slow1-slow0 != want {
				t.Errorf("string %d of %d bytes: %d slow-path calls, want %d", i, n, slow1-slow0, want)
			}
		}
	}
}

func TestStringAllocs(t *testing.T) {
	fast, _ := strBoth(t)
	if !PathOf(fast.check).Fast {
		t.Skipf("no fast path here: %v", PathOf(fast.check))
	}
	s := "a short string of about 64 bytes, copied onto the system stack"
	h := fnv1a(s)
	if n := testing.AllocsPerRun(1000, func() {
		if fast.check(s, int64(len(s)), h) != int64(len(s)) {
			panic("check failed")
		}
	}); n != 0 {
		t.Errorf("a fast call with a string argument allocates %v times, want 0", n)
	}
}

func TestStringBadInput(t *testing.T) {
	lib := openFixtures(t)
	var f1 func(string) int32
	if err := lib.Bind(&f1, "fx_add_i32", "i32(i32)"); err == nil || !strings.Contains(err.Error(), "Go type string does not match C type i32") {
		t.Errorf("a string for an i32: %v", err)
	}
	var f2 func(int32) string
	if err := lib.Bind(&f2, "fx_add_i32", "i32(i32)"); err == nil || !strings.Contains(err.Error(), "Go type string does not match C type i32") {
		t.Errorf("a string result for an i32: %v", err)
	}
	var f3 func(struct{ S string })
	if err := lib.Bind(&f3, "fx_add_i32", "void({ptr})"); err == nil || !strings.Contains(err.Error(), "Go type string does not match C type ptr") {
		t.Errorf("a string struct field: %v", err)
	}
	if _, err := NewCallback(func(s string) {}, "void(ptr)"); err == nil || !strings.Contains(err.Error(), "cannot take a Go string") {
		t.Errorf("a callback with a string parameter: %v", err)
	}
	if _, err := NewCallback(func() string { return "" }, "ptr()"); err == nil || !strings.Contains(err.Error(), "cannot return a Go string") {
		t.Errorf("a callback with a string result: %v", err)
	}
}
