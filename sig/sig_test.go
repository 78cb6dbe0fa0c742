package sig_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

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

	// C prototypes: names, restrict, arrays and functions as parameters.
	{"i32(i32 a)", "i32(i32)"},
	{"int add(int a, int b);", "i32(i32, i32)"},
	{"extern int abs(int);", "i32(i32)"},
	{"i32(char *p)", "i32(ptr)"},
	{"i32(f32[3])", "i32(ptr)"},
	{"i32(char *[2])", "i32(ptr)"},
	{"i32(i32, {i32}[2])", "i32(i32, ptr)"},
	{"i32(... f32[2])", "i32(... ptr)"},
	{"int pipe(int fds[2])", "i32(ptr)"},
	{"void f(char buf[], char const * restrict s, int m[2][3])", "void(ptr, ptr, ptr)"},
	{"void qsort(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *));", "void(ptr, usize, usize, ptr)"},
	{"int atexit(void (*)(void))", "i32(ptr)"},
	{"void (*signal(int sig, void (*func)(int)))(int);", "ptr(i32, ptr)"},
	{"int (*getcmp(void))(const void *, const void *)", "ptr()"},
	{"int apply(int f(int), int x)", "i32(ptr, i32)"},
	{"int printf(const char *__restrict fmt, ...);", "i32(ptr, ...)"},
	{"struct tm *localtime_r(const time_t *restrict t, struct tm *restrict tp)", "ptr(ptr, ptr)"},
	{"ssize_t write(int fd, const void *buf, size_t count) /* unistd.h */;", "isize(i32, ptr, usize)"},
	{"off_t lseek(int, off_t, int) // comment", "i64(i32, i64, i32)"},
	{"wchar_t *wcschr(const wchar_t *s, wchar_t c)", "ptr(ptr, i32)"},
	{"unsigned long long strtoull(const char *restrict s, char **restrict end, int base)", "u64(ptr, ptr, i32)"},
	{"void f({f32 xyz[3], i32 flags})", "void({f32[3], i32})"},
	{"void f(int (*a)[3], int *b[3])", "void(ptr, ptr)"},

	// Qualifiers are ignored anywhere.
	{"const int(volatile unsigned, unsigned const long int)", "i32(u32, u64)"},
	{"const void(const void)", "void()"},
	{"void(i32 const, const volatile f64)", "void(i32, f64)"},

	// A typical libc prototype.
	{"ssize_t(int, const void *, size_t)", "isize(i32, ptr, usize)"},

	// Structs by value, nested, with array fields.
	{"i32({i32, f64})", "i32({i32, f64})"},
	{"{i32, f64}(i32)", "{i32, f64}(i32)"},
	{"i32(ptr, {f32[3], {i8, i8}})", "i32(ptr, {f32[3], {i8, i8}})"},
	{"i32(const {i32})", "i32({i32})"},
	{"{ i8 ,{ float,float } }( { double } )", "{i8, {f32, f32}}({f64})"},
	{"void({const char *, unsigned long, _Bool})", "void({ptr, u64, bool})"},
	{"void({i32, f32}*, {f64} const *)", "void(ptr, ptr)"},
	{"void({i32, {i32, f32}[2]})", "void({i32, {i32, f32}[2]})"},
	{"void({char *[2], void *})", "void({ptr[2], ptr})"},
	{"void({i8[2][3], u8[ 4 ]})", "void({i8[2][3], u8[4]})"},
	{"void({struct foo *, FILE *})", "void({ptr, ptr})"},
	{"void({u8[65536]})", "void({u8[65536]})"},
	{"{f32, f32}({f32, f32}, ... {i64, i64})", "{f32, f32}({f32, f32}, ... {i64, i64})"},

	// Variadic functions.
	{"i32(ptr, usize, ptr, ... i32, f64)", "i32(ptr, usize, ptr, ... i32, f64)"},
	{"i32(ptr, usize, ptr, ..., i32, f64)", "i32(ptr, usize, ptr, ... i32, f64)"},
	{"i32(ptr,...i32,f64)", "i32(ptr, ... i32, f64)"},
	{"int(const char *, ...)", "i32(ptr, ...)"},
	{"i32(ptr, ... )", "i32(ptr, ...)"},
	{"i32(...)", "i32(...)"},
	{"i32(... i32)", "i32(... i32)"},
	{"i32(..., f32, i8)", "i32(... f32, i8)"},
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
	{"i32(unsigned i32)", 13, `unexpected "i32" after type`},
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
	{"i32({})", 4, "empty struct"},
	{"i32({i32, {}})", 10, "empty struct"},
	{"{}()", 0, "empty struct"},
	{"i32({i32,})", 9, "expected a type"},
	{"i32({i32 f64})", 9, `unexpected "f64" after type`},
	{"i32({i32; f64})", 8, `expected "}" or ","`},
	{"i32({i32)", 8, `expected "}" or ","`},
	{"i32({i32", 8, `expected "}" or ","`},
	{"i32({void})", 5, "a struct field cannot be void"},
	{"i32({i32, const void})", 10, "a struct field cannot be void"},
	{"i32({void[2]})", 5, "a struct field cannot be void"},
	{"i32({FILE})", 5, `unknown type "FILE"`},
	{"i32({FILE[2]})", 5, `unknown type "FILE"`},
	{"i32({long double})", 5, `unsupported C type "long double"`},
	{"i32({f32[0]})", 9, "array length must be a positive decimal number"},
	{"i32({f32[03]})", 9, "array length must be a positive decimal number"},
	{"i32({f32[-1]})", 9, "expected an array length"},
	{"i32({f32[n]})", 9, "expected an array length"},
	{"i32({f32[]})", 9, "expected an array length"},
	{"i32({f32[3})", 10, `expected "]"`},
	{"i32({f32[3)", 10, `expected "]"`},
	{"i32({u8[65537]})", 8, "array larger than 65536 bytes"},
	{"i32({f64[8193]})", 9, "array larger than 65536 bytes"},
	{"i32({u8[99999999999999999999999]})", 8, "array larger than 65536 bytes"},
	{"i32({u8[2][32769]})", 8, "array larger than 65536 bytes"},
	{"i32({u8[3][32768]})", 8, "array larger than 65536 bytes"},
	{"i32({u8[65536], u8})", 4, "struct larger than 65536 bytes"},
	{"i32({i8, {u8[65534], i16}})", 4, "struct larger than 65536 bytes"},
	{"i32({i8, {u8[65535], i16}})", 9, "struct larger than 65536 bytes"},
	{"i32(" + strings.Repeat("{", 64) + "i32" + strings.Repeat("}", 64) + ")", 4 + 63, "nested more than 63 deep"},
	{"i32[2](i32)", 3, "C functions cannot return arrays"},
	{"i32(struct foo)", 4, "struct foo by value: sig does not know its fields"},
	{"struct foo(i32)", 0, "struct foo by value"},
	{"i32({struct foo})", 5, "struct foo by value"},
	{"i32(struct {int x;})", 11, `write a struct by value as its field types, {T, ...}, without "struct"`},
	{"i32(struct {i32})", 11, `without "struct"`},
	{"i32(struct)", 10, `expected a name after "struct"`},
	{"i32({i32, ...})", 10, "expected a type"},

	// Variadic functions.
	{"i32(ptr ...)", 8, `expected ")" or ","`},
	{"i32(ptr, ..., ...)", 14, `"..." may appear only once`},
	{"i32(ptr, ... i32, ...)", 18, `"..." may appear only once`},
	{"i32(ptr, ... i32 f64)", 17, `unexpected "f64" after type`},
	{"i32(ptr, ... i32 ...)", 17, `expected ")" or ","`},
	{"i32(ptr, ..., )", 14, "expected a type"},
	{"i32(ptr, ...,)", 13, "expected a type"},
	{"i32(ptr, ... ,i32,)", 18, "expected a type"},
	{"i32(ptr, ... void)", 13, "void must be the only parameter"},
	{"i32(void, ...)", 4, "void must be the only parameter"},
	{"i32(ptr, ...", 12, "expected a type"},
	{"i32(ptr, ....)", 12, "expected a type"},
	{"i32(ptr, .. .)", 9, "expected a type"},
}

// ignoreName compares Signatures as types: String leaves the name out.
var ignoreName = cmpopts.IgnoreFields(sig.Signature{}, "Name")

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
		if diff := cmp.Diff(s, again, ignoreName); diff != "" {
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
			Fixed:  2,
		}},
		{"double(const char *, unsigned long, _Bool)", &sig.Signature{
			Result: sig.Type{Kind: sig.F64},
			Params: []sig.Type{{Kind: sig.Ptr}, {Kind: sig.U64}, {Kind: sig.Bool}},
			Fixed:  3,
		}},
		{"{i8, {f32, f32}}({f32[3]}, i32 *)", &sig.Signature{
			Result: sig.Type{Kind: sig.Struct, Fields: []sig.Type{
				{Kind: sig.I8},
				{Kind: sig.Struct, Fields: []sig.Type{{Kind: sig.F32}, {Kind: sig.F32}}},
			}},
			Params: []sig.Type{
				{Kind: sig.Struct, Fields: []sig.Type{{Kind: sig.Array, Elem: &sig.Type{Kind: sig.F32}, Len: 3}}},
				{Kind: sig.Ptr},
			},
			Fixed: 2,
		}},
		{"void({i8[2][3]})", &sig.Signature{
			Result: sig.Type{Kind: sig.Void},
			Params: []sig.Type{{Kind: sig.Struct, Fields: []sig.Type{{
				Kind: sig.Array, Len: 2, Elem: &sig.Type{Kind: sig.Array, Len: 3, Elem: &sig.Type{Kind: sig.I8}},
			}}}},
			Fixed: 1,
		}},
		{"i32(ptr, usize, ptr, ... i32, f64)", &sig.Signature{
			Result:   sig.Type{Kind: sig.I32},
			Params:   []sig.Type{{Kind: sig.Ptr}, {Kind: sig.Usize}, {Kind: sig.Ptr}, {Kind: sig.I32}, {Kind: sig.F64}},
			Variadic: true,
			Fixed:    3,
		}},
		{"i32(ptr, ...)", &sig.Signature{
			Result:   sig.Type{Kind: sig.I32},
			Params:   []sig.Type{{Kind: sig.Ptr}},
			Variadic: true,
			Fixed:    1,
		}},
		{"void(...)", &sig.Signature{Result: sig.Type{Kind: sig.Void}, Variadic: true}},
		{"void(... f32)", &sig.Signature{Result: sig.Type{Kind: sig.Void}, Params: []sig.Type{{Kind: sig.F32}}, Variadic: true}},
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
	if sig.Struct.String() != "struct" || sig.Array.String() != "array" || sig.Struct.Size() != 0 || sig.Struct.IsInt() || sig.Array.IsFloat() {
		t.Errorf("Struct and Array kinds: %v %v", sig.Struct, sig.Array)
	}
	if s := sig.Kind(200).String(); s != "Kind(200)" {
		t.Errorf("Kind(200).String() = %q", s)
	}
}

func TestStructLayout(t *testing.T) {
	tests := []struct {
		field       string // the struct, written as the only parameter
		size, align int
		offsets     []int
	}{
		{"{i8, i32}", 8, 4, []int{0, 4}},
		{"{i8, {f32, f32}}", 12, 4, []int{0, 4}},
		{"{f64, i8}", 16, 8, []int{0, 8}},
		{"{f32[3]}", 12, 4, []int{0}},
		{"{i8[3]}", 3, 1, []int{0}},
		{"{i16, i8}", 4, 2, []int{0, 2}},
		{"{i32, f64}", 16, 8, []int{0, 8}},
		{"{bool}", 1, 1, []int{0}},
		{"{i8, i16, i8, i64}", 16, 8, []int{0, 2, 4, 8}},
		{"{i8, ptr}", 16, 8, []int{0, 8}},
		{"{u8, {i8, i16}[3], u8}", 16, 2, []int{0, 2, 14}},
		{"{i8[2][3], i32}", 12, 4, []int{0, 8}},
		{"{f32, {f64}, i8}", 24, 8, []int{0, 8, 16}},
		{"{{i8}, {i8, i8}, {i16}}", 6, 2, []int{0, 1, 4}},
		{"{u8[65536]}", 65536, 1, []int{0}},
		{"{isize, usize, u64, i64}", 32, 8, []int{0, 8, 16, 24}},
	}
	for _, tt := range tests {
		s, err := sig.Parse("void(" + tt.field + ")")
		if err != nil {
			t.Errorf("%s: %v", tt.field, err)
			continue
		}
		typ := s.Params[0]
		if got := typ.String(); got != tt.field {
			t.Errorf("%s: String() = %q", tt.field, got)
		}
		if typ.Size() != tt.size || typ.Align() != tt.align {
			t.Errorf("%s: size %d align %d, want %d %d", tt.field, typ.Size(), typ.Align(), tt.size, tt.align)
		}
		if diff := cmp.Diff(tt.offsets, typ.Offsets()); diff != "" {
			t.Errorf("%s: offsets mismatch (-want +got):\n%s", tt.field, diff)
		}
	}
	// Scalars and arrays.
	for k := sig.Bool; k <= sig.Ptr; k++ {
		typ := sig.Type{Kind: k}
		if typ.Size() != k.Size() || typ.Align() != k.Size() || typ.Offsets() != nil {
			t.Errorf("%v: size %d align %d offsets %v", k, typ.Size(), typ.Align(), typ.Offsets())
		}
	}
	arr := sig.Type{Kind: sig.Array, Len: 2, Elem: &sig.Type{Kind: sig.Struct, Fields: []sig.Type{{Kind: sig.I32}, {Kind: sig.F32}}}}
	if arr.String() != "{i32, f32}[2]" || arr.Size() != 16 || arr.Align() != 4 {
		t.Errorf("%s: size %d align %d", arr, arr.Size(), arr.Align())
	}
	if !arr.HasStruct() || (sig.Type{Kind: sig.Array, Len: 2, Elem: &sig.Type{Kind: sig.I8}}).HasStruct() {
		t.Error("HasStruct wrong for arrays")
	}
}

func TestVariadicIR(t *testing.T) {
	s, err := sig.Parse("int(const char *, ...)")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Variadic || s.Fixed != 1 || s.NumFixed() != 1 || len(s.Params) != 1 {
		t.Errorf("%v: Variadic %v Fixed %d NumFixed %d, %d params", s, s.Variadic, s.Fixed, s.NumFixed(), len(s.Params))
	}
	// A Signature built by hand without Fixed has every parameter fixed.
	byHand := &sig.Signature{Result: sig.Type{Kind: sig.I32}, Params: []sig.Type{{Kind: sig.I32}, {Kind: sig.F64}}}
	if byHand.NumFixed() != 2 || byHand.String() != "i32(i32, f64)" {
		t.Errorf("%v: NumFixed %d", byHand, byHand.NumFixed())
	}
	if s.HasStruct() || !(&sig.Signature{Result: sig.Type{Kind: sig.Void}, Params: []sig.Type{{Kind: sig.Struct, Fields: []sig.Type{{Kind: sig.I8}}}}}).HasStruct() {
		t.Error("HasStruct wrong")
	}
}

// checkType checks the rules Parse promises for a type in where: "result",
// "param" or "field".
func checkType(t *testing.T, in string, typ sig.Type, where string) {
	t.Helper()
	switch typ.Kind {
	case sig.Void:
		if where != "result" {
			t.Fatalf("Parse(%q): void %s", in, where)
		}
	case sig.Struct:
		if len(typ.Fields) == 0 || typ.Elem != nil || typ.Len != 0 {
			t.Fatalf("Parse(%q): malformed struct %#v", in, typ)
		}
		if typ.Size() > sig.MaxStructSize || typ.Size()%typ.Align() != 0 {
			t.Fatalf("Parse(%q): struct %v size %d align %d", in, typ, typ.Size(), typ.Align())
		}
		for _, f := range typ.Fields {
			checkType(t, in, f, "field")
		}
	case sig.Array:
		if where != "field" || typ.Elem == nil || typ.Len < 1 || typ.Fields != nil {
			t.Fatalf("Parse(%q): malformed array %#v as a %s", in, typ, where)
		}
		checkType(t, in, *typ.Elem, "field")
	default:
		if typ.Fields != nil || typ.Elem != nil || typ.Len != 0 || typ.Kind > sig.Array {
			t.Fatalf("Parse(%q): malformed scalar %#v", in, typ)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range validTests {
		f.Add(tt.in)
	}
	for _, tt := range invalidTests {
		f.Add(tt.in)
	}
	_, corpus := readCorpus(f)
	for _, e := range corpus {
		f.Add(e.proto)
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
			if msg := err.Error(); len(msg) > 4*(2*40+6)+100+len(e.Msg) {
				t.Fatalf("Parse(%q): error of %d bytes", in, len(msg))
			}
			return
		}
		checkType(t, in, s.Result, "result")
		for _, p := range s.Params {
			checkType(t, in, p, "param")
		}
		if len(s.Params) > sig.MaxParams || s.Fixed < 0 || s.Fixed > len(s.Params) ||
			!s.Variadic && s.Fixed != len(s.Params) || s.NumFixed() != s.Fixed {
			t.Fatalf("Parse(%q): %d params, Variadic %v, Fixed %d", in, len(s.Params), s.Variadic, s.Fixed)
		}
		canon := s.String()
		again, err := sig.Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", in, canon, err)
		}
		if diff := cmp.Diff(s, again, ignoreName); diff != "" {
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

	// C prototypes work too; the name is kept apart from the type.
	s, err = sig.Parse("int sqlite3_open(const char *filename, sqlite3 **ppDb);")
	fmt.Println(s.Name, s, err)

	_, err = sig.Parse("unsinged int(int fd)")
	fmt.Println(err)
	// Output:
	// isize(i32, ptr, usize)
	// isize 3 8
	// sqlite3_open i32(ptr, ptr) <nil>
	// sig: unknown type "unsinged" at offset 0 in "unsinged int(int fd)"
}
