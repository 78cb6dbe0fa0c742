package sig_test

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jitffi/jitffi/sig"
)

type corpusEntry struct {
	name, compact, proto string
	line                 int
}

// readCorpus reads testdata/prototypes.txt and the typedefs of
// testdata/corpus.h.
func readCorpus(tb testing.TB) (*sig.Decls, []corpusEntry) {
	tb.Helper()
	h, err := os.ReadFile("testdata/corpus.h")
	if err != nil {
		tb.Fatal(err)
	}
	d, err := (*sig.Decls)(nil).Define(string(h))
	if err != nil {
		tb.Fatalf("corpus.h: %v", err)
	}
	f, err := os.Open("testdata/prototypes.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var entries []corpusEntry
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		parts := strings.SplitN(line, " | ", 3)
		if len(parts) != 3 {
			tb.Fatalf("prototypes.txt:%d: want name | compact | prototype", n)
		}
		entries = append(entries, corpusEntry{parts[0], parts[1], parts[2], n})
	}
	if len(entries) < 100 {
		tb.Fatalf("only %d prototypes in the corpus", len(entries))
	}
	return d, entries
}

// TestCorpus parses real prototypes and checks that each gives the IR of
// its compact spelling, one by one and as one CDef.
func TestCorpus(t *testing.T) {
	d, entries := readCorpus(t)
	var all strings.Builder
	for _, e := range entries {
		got, err := d.Parse(e.proto)
		if err != nil {
			t.Errorf("prototypes.txt:%d: %v", e.line, err)
			continue
		}
		want, err := sig.Parse(e.compact)
		if err != nil {
			t.Errorf("prototypes.txt:%d: compact form: %v", e.line, err)
			continue
		}
		want.Name = e.name
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("prototypes.txt:%d: %s mismatch (-want +got):\n%s", e.line, e.name, diff)
		}
		all.WriteString(e.proto)
		if !strings.HasSuffix(e.proto, ";") {
			all.WriteString(";")
		}
		all.WriteString("\n")
	}
	// Without the typedefs, a prototype using them is an error, never
	// an opaque guess (unless the name only appears behind a pointer).
	if _, err := sig.Parse("uLong crc32(uLong crc, const Bytef *buf, uInt len);"); err == nil || !strings.Contains(err.Error(), `unknown type "uLong"`) {
		t.Errorf("crc32 without typedefs: %v", err)
	}
	d2, err := d.Define(all.String())
	if err != nil {
		t.Fatalf("Define of the whole corpus: %v", err)
	}
	for _, e := range entries {
		got, ok := d2.Func(e.name)
		want, _ := d.Parse(e.proto)
		if !ok || want == nil || got.String() != want.String() || got.Name != e.name {
			t.Errorf("Func(%q) = %v, %v; want %v", e.name, got, ok, want)
		}
	}
	// Define leaves its receiver unchanged.
	if _, ok := d.Func("crc32"); ok {
		t.Error("Define changed its receiver")
	}
}

func TestDefine(t *testing.T) {
	d, err := (*sig.Decls)(nil).Define(`
		// Scalars, pointers and function pointers.
		typedef unsigned long long u64_t, *u64p;
		typedef int (*cmp_fn)(const void *, const void *);
		typedef char name_t[16];
		struct point { int x, y; double w[2]; };
		typedef struct point point_t;
		typedef struct { float re, im; } cpx;
		struct outer { char tag; struct point p; struct { short a; } in; cpx c[2]; };
		struct opaque;
		typedef struct opaque opaque_t;
		enum level { LOW, MID = 5, HIGH, TOP = 1 << 4 | MID, NEG = -(2 * 3), HEX = 0x10u, OCT = 010 };
		typedef enum { WIDE = 0x80000000 } wide_t;
		enum { BUF = 4 };
		struct buf { char data[BUF]; };
		int cmp(const point_t *a, const point_t *b);
		point_t mid(point_t a, struct point b, cpx c);
		u64_t sum(u64p v, name_t n, cmp_fn f, enum level l, wide_t w);
		opaque_t *make(void);
	`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ in, want string }{
		{"u64_t(u64p, cmp_fn, name_t)", "u64(ptr, ptr, ptr)"},
		{"point_t(struct point, cpx)", "{i32, i32, f64[2]}({i32, i32, f64[2]}, {f32, f32})"},
		{"void(struct outer)", "void({i8, {i32, i32, f64[2]}, {i16}, {f32, f32}[2]})"},
		{"void(struct buf, enum level, wide_t)", "void({i8[4]}, i32, u32)"},
		{"opaque_t *(opaque_t *, struct opaque *)", "ptr(ptr, ptr)"},
		{"void({name_t n, i8})", "void({i8[16], i8})"},
	} {
		s, err := d.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if s.String() != tt.want {
			t.Errorf("Parse(%q) = %v, want %s", tt.in, s, tt.want)
		}
	}
	for name, want := range map[string]string{
		"cmp": "i32(ptr, ptr)", "mid": "{i32, i32, f64[2]}({i32, i32, f64[2]}, {i32, i32, f64[2]}, {f32, f32})",
		"sum": "u64(ptr, ptr, ptr, i32, u32)", "make": "ptr()",
	} {
		if s, ok := d.Func(name); !ok || s.String() != want || s.Name != name {
			t.Errorf("Func(%q) = %v, %v; want %s", name, s, ok, want)
		}
	}
	for name, want := range map[string]int64{"LOW": 0, "MID": 5, "HIGH": 6, "TOP": 21, "NEG": -6, "HEX": 16, "OCT": 8, "WIDE": 0x80000000, "BUF": 4} {
		if v, ok := d.Const(name); !ok || v != want {
			t.Errorf("Const(%q) = %d, %v; want %d", name, v, ok, want)
		}
	}
	if _, ok := d.Const("nope"); ok {
		t.Error(`Const("nope") found`)
	}
	for name, want := range map[string]struct {
		name, typ string
		fields    []string
	}{
		"point":   {"struct point", "{i32, i32, f64[2]}", []string{"x", "y", "w"}},
		"point_t": {"struct point", "{i32, i32, f64[2]}", []string{"x", "y", "w"}},
		"cpx":     {"cpx", "{f32, f32}", []string{"re", "im"}},
		"outer":   {"struct outer", "{i8, {i32, i32, f64[2]}, {i16}, {f32, f32}[2]}", []string{"tag", "p", "in", "c"}},
	} {
		sd, ok := d.Struct(name)
		if !ok {
			t.Errorf("Struct(%q) not found", name)
			continue
		}
		got := struct {
			name, typ string
			fields    []string
		}{sd.Name, sd.Type.String(), sd.Fields}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(got)); diff != "" {
			t.Errorf("Struct(%q) mismatch (-want +got):\n%s", name, diff)
		}
	}
	if _, ok := d.Struct("opaque"); ok {
		t.Error("Struct(opaque) found")
	}
	// StructOf finds a declared struct by its type.
	pt, _ := d.Struct("point")
	if sd, ok := d.StructOf(pt.Type); !ok || sd.Name != "struct point" {
		t.Errorf("StructOf(%v) = %v, %v", pt.Type, sd, ok)
	}
	if sd, ok := d.StructOf(sig.Type{Kind: sig.Struct, Fields: []sig.Type{{Kind: sig.F32}, {Kind: sig.F32}}}); !ok || sd.Name != "cpx" {
		t.Errorf("StructOf({f32, f32}) = %v, %v", sd, ok)
	}
	if _, ok := d.StructOf(sig.Type{Kind: sig.Struct, Fields: []sig.Type{{Kind: sig.I8}}}); ok {
		t.Error("StructOf({i8}) found")
	}
	// A struct defined later completes an earlier opaque typedef.
	d2, err := d.Define("struct opaque { long v; };")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := d2.Parse("void(opaque_t)"); err != nil || s.String() != "void({i64})" {
		t.Errorf("opaque_t after its definition: %v, %v", s, err)
	}
	if _, err := d.Parse("void(opaque_t)"); err == nil || !strings.Contains(err.Error(), "struct opaque by value") {
		t.Errorf("opaque_t by value: %v", err)
	}
}

func TestDefineInvalid(t *testing.T) {
	base := "typedef int myint; struct s { int a; }; enum e { A };\n"
	for _, tt := range []struct {
		in  string
		off int // from the start of in
		msg string
	}{
		{"#include <zlib.h>", 0, "preprocessor lines are not supported"},
		{"int f(void);\n  #define X 1", 15, "preprocessor lines are not supported"},
		{"int x;", 4, "x is not a function"},
		{"typedef int;", 8, "needs a name"},
		{"typedef unsinged int u;", 8, `unknown type "unsinged"`},
		{"unsinged int f(void);", 0, `unknown type "unsinged"`},
		{"typedef long myint;", 13, "typedef myint redefined"},
		{"struct s { long a; };", 7, "struct s redefined"},
		{"enum e2 { A = 1 };", 10, "enum constant A redefined"},
		{"int f(void); long f(void);", 18, "function f redeclared"},
		{"typedef int size_t;", 12, "built-in type name"},
		{"struct b { int a : 3; };", 17, "bit-fields are not supported"},
		{"struct f { int n; int data[]; };", 27, "flexible array members"},
		{"struct u { struct { int a; }; };", 11, "anonymous struct"},
		{"struct e { };", 9, "empty struct"},
		{"enum { };", 7, "empty enum"},
		{"enum { X = Y };", 11, `unknown constant "Y"`},
		{"enum { X = 1 / 0 };", 13, "division by zero"},
		{"enum { X = 1 << 64 };", 13, "shift count 64"},
		{"enum { X = 08 };", 11, `invalid integer constant "08"`},
		{"struct big { char a[65536]; char b; };", 11, "struct larger than 65536 bytes"},
		{"int f(struct nope);", 6, "struct nope by value"},
		{"int f(void)", 11, `expected ";" or ","`},
		{"int f(void) int g(void);", 12, `expected ";" or ","`},
		{"/* unterminated", 0, "unterminated comment"},
		{"struct s2 { int a; } x;", 21, "x is not a function"},
		{"int;", 0, "declaration declares nothing"},
	} {
		src := base + tt.in
		_, err := (*sig.Decls)(nil).Define(src)
		var e *sig.Error
		if !errors.As(err, &e) {
			t.Errorf("Define(%q) = %v, want *sig.Error", tt.in, err)
			continue
		}
		if e.Offset != len(base)+tt.off || !strings.Contains(e.Msg, tt.msg) || e.Input != src {
			t.Errorf("Define(%q): %q at %d, want %q at %d", tt.in, e.Msg, e.Offset-len(base), tt.msg, tt.off)
		}
	}
}

// TestErrorWindow checks that errors in huge inputs quote only a window
// around the offset, and say the line.
func TestErrorWindow(t *testing.T) {
	in := "i32(" + strings.Repeat(" ", 60000) + "i32, unsinged x)"
	if len(in) < 60000 {
		t.Fatal("input too short")
	}
	_, err := sig.Parse(in)
	var e *sig.Error
	if !errors.As(err, &e) || e.Offset != strings.Index(in, "unsinged") {
		t.Fatalf("Parse: %v", err)
	}
	msg := err.Error()
	if len(msg) > 200 || !strings.Contains(msg, `unsinged x)"`) || !strings.Contains(msg, `..."    `) {
		t.Errorf("error of %d bytes: %s", len(msg), msg)
	}
	_, err = (*sig.Decls)(nil).Define("int f(void);\nint g(void);\nint h(unsinged x);\n" + strings.Repeat("int f(void);\n", 10000))
	if err == nil || len(err.Error()) > 200 || !strings.Contains(err.Error(), "(line 3)") {
		t.Errorf("Define error: %v", err)
	}
	// Short inputs are quoted whole, as before.
	_, err = sig.Parse("i32(i32")
	if want := `sig: expected ")" or ",", found end of input at offset 7 in "i32(i32"`; err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %s", err, want)
	}
}

// FuzzDefine checks that Define never panics, reports offsets inside its
// input, and that every prototype it records parses back to itself.
func FuzzDefine(f *testing.F) {
	h, err := os.ReadFile("testdata/corpus.h")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(h))
	f.Add("struct p { int x, y; }; enum { A = 1 << 3, B }; typedef struct p P; P mid(P a, P b);")
	f.Add("typedef int (*cmp)(const void *, const void *); void (*signal(int, void (*)(int)))(int);")
	f.Fuzz(func(t *testing.T, in string) {
		d, err := (*sig.Decls)(nil).Define(in)
		if err != nil {
			var e *sig.Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(in) || e.Input != in {
				t.Fatalf("Define(%q): %v", in, err)
			}
			_ = err.Error()
			return
		}
		_ = d
	})
}

// BenchmarkParse measures what Bind pays to parse a signature, in both
// spellings.
func BenchmarkParse(b *testing.B) {
	for _, in := range []string{"i64(i64)", "i32(ptr, i32, ptr, i32)", "int deflateInit_(void *strm, int level, const char *version, int stream_size);"} {
		b.Run(strings.Fields(in)[0], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sig.Parse(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
