// Package sig owns the signature language of jitffi: the text a user writes
// to describe a C function, such as "i32(i32, i32)" or
// "int(const char *, size_t)", the small IR it parses into (Signature, Type,
// Kind), and the parse errors, which carry the byte offset of the problem.
//
// sig must not import anything outside the standard library, nor any other
// package of this module: every other package depends on it, so it has to
// stay a leaf.
//
// # Grammar
//
// Whitespace (spaces, tabs, newlines) between tokens is ignored.
//
//	signature = type "(" params ")" .
//	params    = [ "void" | param { "," param } ] .
//	param     = type .                       (a void param must stand alone)
//	type      = { qual } base { qual } { "*" { qual } } .
//	qual      = "const" | "volatile" .
//	base      = canonical | typedef | cspec { cspec }
//	          | ( "struct" | "union" | "enum" ) name    (only before "*")
//	          | name .                                  (only before "*")
//	canonical = "void" | "bool" | "i8" | "u8" | "i16" | "u16" | "i32" | "u32"
//	          | "i64" | "u64" | "isize" | "usize" | "f32" | "f64" | "ptr" .
//	typedef   = "size_t" | "ssize_t" | "ptrdiff_t" | "intptr_t" | "uintptr_t"
//	          | "int8_t" | ... | "int64_t" | "uint8_t" | ... | "uint64_t" .
//	cspec     = "void" | "char" | "short" | "int" | "long" | "signed"
//	          | "unsigned" | "float" | "double" | "_Bool" .
//
// C spellings follow the LP64 Linux ABI: int is i32, long and long long are
// i64, short is i16, char is i8, float is f32, double is f64, size_t is usize.
// Plain char is signed on x86-64 Linux but unsigned on arm64 Linux; sig maps
// char to i8 everywhere, so write u8 or "unsigned char" when it matters.
// Any type followed by "*" is ptr, including pointers to names sig does not
// know, like "FILE *" or "struct foo *".
//
// C types that cannot be passed yet (long double, __int128, _Complex, vector
// types such as __m128) are reported as unsupported. Struct literals such as
// "{i32, f64}" and variadic tails ("...") are reserved syntax for later work
// and are reported as not supported yet.
//
// Parse(s.String()) reproduces s for every Signature that Parse returns.
package sig
