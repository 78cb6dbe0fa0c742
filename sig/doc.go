// Package sig owns the signature language of jitffi: the text a user writes
// to describe a C function, such as "i32(i32, i32)" or
// "int(const char *, size_t)" or a C prototype, the C declarations that
// signatures may use (Decls: typedefs, structs, enums, prototypes), the
// small IR they parse into (Signature, Type, Kind), and the parse errors,
// which carry the byte offset of the problem.
//
// sig must not import anything outside the standard library, nor any other
// package of this module: every other package depends on it, so it has to
// stay a leaf.
//
// # Grammar
//
// A signature is a C function type, in a compact spelling or as a C
// prototype; both parse to the same IR:
//
//	i32(ptr, usize)
//	int sqlite3_open(const char *filename, sqlite3 **ppDb);
//
// Whitespace and comments between tokens are ignored. The grammar is C's
// declaration syntax, restricted to what a prototype needs:
//
//	signature  = [ "extern" ] specs declarator [ ";" ] .   (declaring a function)
//	specs      = { qual } base { qual } .
//	base       = canonical | typedef | cspec { cspec } | "{" field { "," field } "}"
//	           | ( "struct" | "union" | "enum" ) name .
//	declarator = { "*" { qual } } [ name | "(" declarator ")" ] { suffix } .
//	suffix     = "(" params ")" | "[" [ length ] "]" .
//	params     = "void" | [ param { "," param } ]
//	           | [ param { "," param } "," ] "..." [ [ "," ] param { "," param } ] .
//	param      = specs declarator .
//	field      = specs declarator .                  (not void; arrays need a length)
//	qual       = "const" | "volatile" | "restrict" | "__restrict" | ... .
//	canonical  = "void" | "bool" | "i8" | "u8" | "i16" | "u16" | "i32" | "u32"
//	           | "i64" | "u64" | "isize" | "usize" | "f32" | "f64" | "ptr" .
//	typedef    = "size_t" | "ssize_t" | "ptrdiff_t" | "intptr_t" | "uintptr_t"
//	           | "int8_t" | ... | "int64_t" | "uint8_t" | ... | "uint64_t"
//	           | "off_t" | "wchar_t" | a typedef name of the Decls in use .
//	cspec      = "void" | "char" | "short" | "int" | "long" | "signed"
//	           | "unsigned" | "float" | "double" | "_Bool" .
//	length     = a positive decimal number | an enum constant of the Decls .
//
// Parameter names, the function's name (Signature.Name) and qualifiers do
// not change the type. As in C, a parameter of array or function type is
// a pointer ("int a[]", "char buf[16]", "int cmp(int)"), and so is a
// function pointer ("int (*cmp)(const void *, const void *)"), as a
// parameter or a result ("void (*signal(int, void (*)(int)))(int)").
//
// C spellings follow the LP64 Linux ABI: int is i32, long and long long are
// i64, short is i16, char is i8, float is f32, double is f64, size_t is usize,
// off_t is i64. Plain char is signed on x86-64 Linux but unsigned on arm64
// Linux; sig maps char to i8 everywhere, so write u8 or "unsigned char" when
// it matters (wchar_t likewise is i32).
// Any type followed by "*" is ptr, including pointers to names sig does not
// know, like "FILE *" or "struct foo *", and pointers to struct literals.
// A name sig does not know is an error anywhere else: "unsinged int" is
// never taken for an opaque type.
//
// # Declarations
//
// Decls holds C declarations (Decls.Define): typedefs, struct definitions,
// enums and their constants, and function prototypes. Decls.Parse parses a
// signature that may use them: a typedef name anywhere a type goes, a
// defined "struct point" or its typedef by value, an enum as its integer
// type, an enum constant as an array length.
//
// # Structs
//
// A struct passed or returned by value is written as the list of its field
// types in braces: "{i32, f64}". Fields may be structs ("{i8, {f32, f32}}")
// and arrays ("{f32[3]}", "{i32, f32}[2]" for an array of two structs,
// "i8[2][3]" for two arrays of three i8, as in C). Field names are not part
// of the language. The layout is C's on LP64 Linux (x86-64 and AArch64
// agree): each field at the next multiple of its alignment, the struct's
// alignment the largest of its fields', its size padded to a multiple of
// that (Type.Size, Type.Align, Type.Offsets). A struct has at least one
// field and at most MaxStructSize bytes; nesting is limited to 63 levels.
// Arrays exist only inside structs: a C array parameter is a pointer, and
// C functions cannot return arrays. A named C struct by value ("struct
// foo") needs its definition in the Decls in use; without one it is an
// error, because sig cannot know its fields.
//
// # Variadic functions
//
// "..." ends the fixed parameters of a variadic function. The types after it
// are the variadic arguments one binding passes, so that
// "i32(ptr, usize, ptr, ... i32, f64)" is snprintf called with an int and a
// double. "..., i32" is accepted for "... i32". Params lists all of them;
// Signature.Fixed says how many are fixed. The canonical forms are
// "i32(ptr, ... i32, f64)", "i32(ptr, ...)" and "i32(...)".
//
// The C default argument promotions apply to the variadic arguments when
// they are passed (f32 as a double, bool, i8, u8, i16 and u16 as an int);
// the signature keeps the types as written, which are the Go types of the
// binding.
//
// C types that cannot be passed yet (long double, __int128, _Complex, vector
// types such as __m128) are reported as unsupported.
//
// Parse(s.String()) reproduces s, but for Name, for every Signature that
// Parse returns. Errors quote at most a window of the input around their
// offset.
//
// sig imports only the standard library.
//
// Stability: the exported names are public API (the root package's
// SignatureError is Error); the language only grows, so a signature that
// parses keeps its meaning. Error messages are for people and may change.
package sig
