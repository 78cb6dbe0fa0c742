package sig_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jitffi/jitffi/sig"
)

// validTests pairs accepted inputs with their canonical form. Every alias
// group of the language appears at least once.
var validTests = []struct {
	in, want string
}{
	// Canonical names and layout.
	{"i32(i32, i32)", "i32(i32, i32)"},
	{"void()", "void()"},
	{"void(void)", "void()"},
	{"f64(ptr, u64)", "f64(ptr, u64)"},
	{"bool(i8, u8, i16, u16, i32, u32, i64, u64)", "bool(i8, u8, i16, u16, i32, u32, i64, u64)"},
	{"isize(usize, f32, f64, ptr, bool)", "isize(usize, f32, f64, ptr, bool)"},
	{"ptr()", "ptr()"},

	// Whitespace between tokens is ignored.
	{" \t\ni32 ( i32 ,\n\ti32 ) \r\n", "i32(i32, i32)"},
	{"i32(i32,i32)", "i32(i32, i32)"},
	{"void ( void )", "void()"},

	// int, signed, unsigned.
	{"int(int)", "i32(i32)"},
	{"signed(signed int)", "i32(i32)"},
	{"unsigned(unsigned int)", "u32(u32)"},
	{"int(int unsigned)", "i32(u32)"}, // C accepts specifiers in any order

	// long.
	{"long(long int, signed long, signed long int)", "i64(i64, i64, i64)"},
	{"unsigned long(unsigned long int)", "u64(u64)"},

	// long long.
	{"long long(long long int, signed long long)", "i64(i64, i64)"},
	{"unsigned long long(unsigned long long int)", "u64(u64)"},
	{"long unsigned long()", "u64()"},

	// short.
	{"short(short int, signed short, signed short int)", "i16(i16, i16, i16)"},
	{"unsigned short(unsigned short int)", "u16(u16)"},

	// char.
	{"char(signed char, unsigned char)", "i8(i8, u8)"},

	// Size and pointer-sized typedefs.
	{"size_t(uintptr_t)", "usize(usize)"},
	{"ssize_t(ptrdiff_t, intptr_t)", "isize(isize, isize)"},

	// Floating point and _Bool.
	{"double(float)", "f64(f32)"},
	{"_Bool(_Bool)", "bool(bool)"},

	// Fixed-width typedefs.
	{"int8_t(int16_t, int32_t, int64_t)", "i8(i16, i32, i64)"},
	{"uint8_t(uint16_t, uint32_t, uint64_t)", "u8(u16, u32, u64)"},

	// Pointers.
	{"void*(void *)", "ptr(ptr)"},
	{"char*(const char *, void **, int*)", "ptr(ptr, ptr, ptr)"},
	{"int(char * const * volatile)", "i32(ptr)"},
	{"i32*(u8*)", "ptr(ptr)"},
	{"ptr(long double *, __int128*, __m128 *)", "ptr(ptr, ptr, ptr)"},

	// Pointers to names sig does not know.
	{"FILE*(const char*, const char*)", "ptr(ptr, ptr)"},
	{"int(struct foo *, const struct bar*)", "i32(ptr, ptr)"},
	{"void(union u *, enum e *)", "void(ptr, ptr)"},

	// Qualifiers are ignored anywhere.
	{"const int(volatile unsigned, unsigned const long int)", "i32(u32, u64)"},
	{"const void(const void)", "void()"},
	{"void(i32 const, const volatile f64)", "void(i32, f64)"},

	// A typical libc prototype.
	{"ssize_t(int, const void *, size_t)", "isize(i32, ptr, usize)"},
}

// invalidTests are rejected inputs with the expected offset and a substring
// of the message.
var invalidTests = []struct {
	in     string
	offset int
	msg    string
}{
	{"", 0, "empty signature"},
	{"  \t\n", 0, "empty signature"},
	{"i32", 3, `expected "("`},
	{"i32(", 4, "expected a type"},
	{"i32(i32", 7, `expected ")" or ","`},
	{"i32(i32,)", 8, "expected a type"},
	{"i32(,i32)", 4, "expected a type"},
	{"i33(i32)", 0, `unknown type "i33"`},
	{"i32(int33)", 4, `unknown type "int33"`},
	{"i32(int33 x)", 4, `unknown type "int33"`},
	{"i32(FILE)", 4, `unknown type "FILE"`},
	{"i32(foo bar *)", 4, `unknown type "foo"`},
	{"i32(i32) x", 9, `unexpected "x" after signature`},
	{"i32(i32))", 8, `unexpected ")" after signature`},
	{"i32(i32 a)", 8, `unexpected "a" after type`},
	{"i32(int a, int b)", 8, `unexpected "a" after type`},
	{"i32(unsigned i32)", 13, `unexpected "i32" after type`},
	{"i32(char *p)", 10, `expected ")" or ","`},
	{"(i32)", 0, "expected a type"},
	{"i32 i32(i32)", 4, `unexpected "i32" after type`},
	{"i32(i32; i32)", 7, `expected ")" or ",", found ";"`},
	{"i32(é)", 4, `found "é"`},
	{"i32(i32 \xff)", 8, `found "\xff"`},
	{"i32(i32 .. i32)", 8, `found "."`},

	// void as a parameter.
	{"i32(void, i32)", 4, "void must be the only parameter"},
	{"i32(i32, void)", 9, "void must be the only parameter"},
	{"i32(i32, const void)", 9, "void must be the only parameter"},
	{"i32(void", 8, `expected ")"`},
	{"i32(void void)", 4, `invalid C type "void void"`},

	// Invalid C specifier combinations.
	{"i32(short long)", 4, `invalid C type "short long"`},
	{"i32(long long long)", 4, `invalid C type "long long long"`},
	{"i32(signed unsigned)", 4, `invalid C type "signed unsigned"`},
	{"i32(unsigned float)", 4, `invalid C type "unsigned float"`},
	{"i32(unsigned _Bool)", 4, `invalid C type "unsigned _Bool"`},

	// Unsupported C types.
	{"long double(i32)", 0, `unsupported C type "long double"`},
	{"i32(i32, long double)", 9, `unsupported C type "long double"`},
	{"i32(__int128)", 4, `unsupported C type "__int128"`},
	{"i32(unsigned __int128)", 4, `unsupported C type "unsigned __int128"`},
	{"i32(__uint128_t)", 4, `unsupported C type "__uint128_t"`},
	{"i32(double _Complex)", 4, `unsupported C type "double _Complex"`},
	{"i32(float complex)", 4, `unsupported C type "float complex"`},
	{"i32(_Complex)", 4, `unsupported C type "_Complex"`},
	{"__m128(__m128)", 0, `unsupported C type "__m128"`},
	{"i32(__m256i)", 4, `unsupported C type "__m256i"`},
	{"i32(float32x4_t)", 4, `unsupported C type "float32x4_t"`},
	{"i32(uint8x16x2_t)", 4, `unsupported C type "uint8x16x2_t"`},
	{"i32(__float128)", 4, `unsupported C type "__float128"`},
	{"i32(union u)", 4, `unsupported C type "union u"`},

	// Structs and arrays.
	{"i32({i32, f64})", 4, "struct types are not supported yet"},
	{"{i32, f64}(i32)", 0, "struct types are not supported yet"},
	{"i32(ptr, {f32[3], {i8, i8}})", 9, "struct types are not supported yet"},
	{"i32(const {i32})", 10, "struct types are not supported yet"},
	{"i32(struct foo)", 4, "struct types are not supported yet"},
	{"struct foo(i32)", 0, "struct types are not supported yet"},
	{"i32(struct {int x;})", 11, "struct types are not supported yet"},
	{"i32(struct)", 10, `expected a name after "struct"`},
	{"i32(f32[3])", 7, "array types are not supported yet"},
	{"i32(char *[2])", 10, "array types are not supported yet"},

	// Variadic functions.
	{"i32(ptr, ... i32, f64)", 9, "variadic functions are not supported yet"},
	{"i32(ptr, ...)", 9, "variadic functions are not supported yet"},
	{"i32(...)", 4, "variadic functions are not supported yet"},
	{"i32(ptr ...)", 8, `expected ")" or ","`},
}

func TestParseValid(t *testing.T) {
	for _, tt := range validTests {
		s, err := sig.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, s.String()); diff != "" {
			t.Errorf("Parse(%q).String() mismatch (-want +got):\n%s", tt.in, diff)
		}
		// The canonical form must parse back to the same IR.
		again, err := sig.Parse(tt.want)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.want, err)
			continue
		}
		if diff := cmp.Diff(s, again); diff != "" {
			t.Errorf("Parse(%q) and Parse(%q) differ (-first +second):\n%s", tt.in, tt.want, diff)
		}
	}
}

func TestParseIR(t *testing.T) {
	tests := []struct {
		in   string
		want *sig.Signature
	}{
		{"void()", &sig.Signature{Result: sig.Type{Kind: sig.Void}}},
		{"void(void)", &sig.Signature{Result: sig.Type{Kind: sig.Void}}},
		{"i32(i32, i32)", &sig.Signature{
			Result: sig.Type{Kind: sig.I32},
			Params: []sig.Type{{Kind: sig.I32}, {Kind: sig.I32}},
		}},
		{"double(const char *, unsigned long, _Bool)", &sig.Signature{
			Result: sig.Type{Kind: sig.F64},
			Params: []sig.Type{{Kind: sig.Ptr}, {Kind: sig.U64}, {Kind: sig.Bool}},
		}},
	}
	for _, tt := range tests {
		got, err := sig.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, tt := range invalidTests {
		s, err := sig.Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want error", tt.in, s)
			continue
		}
		var e *sig.Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) error %T, want *sig.Error", tt.in, err)
			continue
		}
		if s != nil {
			t.Errorf("Parse(%q) returned %v along with an error", tt.in, s)
		}
		got := struct {
			Input  string
			Offset int
		}{e.Input, e.Offset}
		want := struct {
			Input  string
			Offset int
		}{tt.in, tt.offset}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Parse(%q) error %q mismatch (-want +got):\n%s", tt.in, e.Msg, diff)
		}
		if !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("Parse(%q) error message %q, want it to contain %q", tt.in, e.Msg, tt.msg)
		}
	}
}

func TestErrorString(t *testing.T) {
	_, err := sig.Parse("i32(i32")
	want := `sig: expected ")" or ",", found end of input at offset 7 in "i32(i32"`
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %s", err, want)
	}
}

func TestMaxParams(t *testing.T) {
	params := strings.Repeat("i8, ", sig.MaxParams-1) + "i8"
	s, err := sig.Parse("void(" + params + ")")
	if err != nil {
		t.Fatalf("%d params: %v", sig.MaxParams, err)
	}
	if len(s.Params) != sig.MaxParams {
		t.Fatalf("got %d params, want %d", len(s.Params), sig.MaxParams)
	}

	in := "void(" + params + ", i8)"
	_, err = sig.Parse(in)
	var e *sig.Error
	if !errors.As(err, &e) {
		t.Fatalf("%d params: error %v, want *sig.Error", sig.MaxParams+1, err)
	}
	if want := len(in) - len("i8)"); e.Offset != want || !strings.Contains(e.Msg, "too many parameters") {
		t.Errorf("%d params: got %q at %d, want too many parameters at %d", sig.MaxParams+1, e.Msg, e.Offset, want)
	}
}

func TestMaxLen(t *testing.T) {
	// Padding with spaces keeps the text otherwise valid, so only the
	// length can be the reason for rejecting it.
	ok := "i32(i32)" + strings.Repeat(" ", sig.MaxLen-len("i32(i32)"))
	if _, err := sig.Parse(ok); err != nil {
		t.Fatalf("Parse of %d bytes: %v", len(ok), err)
	}
	_, err := sig.Parse(ok + " ")
	var e *sig.Error
	if !errors.As(err, &e) || e.Offset != 0 {
		t.Errorf("Parse of %d bytes: error %v, want *sig.Error at offset 0", len(ok)+1, err)
	}
}

func TestKind(t *testing.T) {
	type props struct {
		Name                     string
		Size                     int
		IsInt, IsSigned, IsFloat bool
	}
	want := map[sig.Kind]props{
		sig.Void:  {"void", 0, false, false, false},
		sig.Bool:  {"bool", 1, false, false, false},
		sig.I8:    {"i8", 1, true, true, false},
		sig.U8:    {"u8", 1, true, false, false},
		sig.I16:   {"i16", 2, true, true, false},
		sig.U16:   {"u16", 2, true, false, false},
		sig.I32:   {"i32", 4, true, true, false},
		sig.U32:   {"u32", 4, true, false, false},
		sig.I64:   {"i64", 8, true, true, false},
		sig.U64:   {"u64", 8, true, false, false},
		sig.Isize: {"isize", 8, true, true, false},
		sig.Usize: {"usize", 8, true, false, false},
		sig.F32:   {"f32", 4, false, false, true},
		sig.F64:   {"f64", 8, false, false, true},
		sig.Ptr:   {"ptr", 8, false, false, false},
	}
	got := map[sig.Kind]props{}
	for k := sig.Void; k <= sig.Ptr; k++ {
		got[k] = props{k.String(), k.Size(), k.IsInt(), k.IsSigned(), k.IsFloat()}
		if s := (sig.Type{Kind: k}).String(); s != k.String() {
			t.Errorf("Type{%v}.String() = %q", k, s)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Kind properties mismatch (-want +got):\n%s", diff)
	}
	if s := sig.Kind(200).String(); s != "Kind(200)" {
		t.Errorf("Kind(200).String() = %q", s)
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range validTests {
		f.Add(tt.in)
	}
	for _, tt := range invalidTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := sig.Parse(in)
		if err != nil {
			var e *sig.Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error %T, want *sig.Error", in, err)
			}
			if e.Offset < 0 || e.Offset > len(in) {
				t.Fatalf("Parse(%q) error offset %d outside [0, %d]", in, e.Offset, len(in))
			}
			if e.Input != in {
				t.Fatalf("Parse(%q) error Input = %q", in, e.Input)
			}
			return
		}
		canon := s.String()
		again, err := sig.Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", in, canon, err)
		}
		if diff := cmp.Diff(s, again); diff != "" {
			t.Fatalf("Parse(%q) = %q, which parses differently (-first +second):\n%s", in, canon, diff)
		}
		if again.String() != canon {
			t.Fatalf("String() unstable: %q then %q", canon, again.String())
		}
	})
}

func Example() {
	s, err := sig.Parse("ssize_t(int, const void *, size_t)")
	if err != nil {
		panic(err)
	}
	fmt.Println(s)
	fmt.Println(s.Result.Kind, len(s.Params), s.Params[2].Kind.Size())

	// Parameter names are not part of the language.
	_, err = sig.Parse("i32(int fd)")
	fmt.Println(err)
	// Output:
	// isize(i32, ptr, usize)
	// isize 3 8
	// sig: unexpected "fd" after type at offset 8 in "i32(int fd)"
}
