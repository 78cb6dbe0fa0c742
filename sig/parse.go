package sig

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is a malformed or unsupported signature. Parse returns no other
// error type.
type Error struct {
	Input  string // the whole signature text
	Offset int    // byte offset of the problem in Input
	Msg    string // what is wrong, e.g. `unknown type "int33"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("sig: %s at offset %d in %q", e.Msg, e.Offset, e.Input)
}

// Parse parses a signature such as "i32(i32, i32)" or
// "int(const char *, size_t)". Params is nil when the function takes none.
// Errors are always of type *Error.
func Parse(src string) (*Signature, error) {
	s, err := parse(src)
	if err != nil {
		// Returned separately so that a nil *Error never becomes a
		// non-nil error.
		return nil, err
	}
	return s, nil
}

func parse(src string) (*Signature, *Error) {
	if len(src) > MaxLen {
		return nil, &Error{Input: src, Offset: 0, Msg: fmt.Sprintf("signature longer than %d bytes", MaxLen)}
	}
	p := &parser{src: src, toks: lex(src)}
	if p.peek().kind == tokEOF {
		return nil, p.errAt(0, "empty signature")
	}
	res, err := p.parseType(inResult)
	if err != nil {
		return nil, err
	}
	if !p.is("(") {
		return nil, p.expected(`"("`)
	}
	p.next()
	s := &Signature{Result: res}
	if err := p.parseParams(s); err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errAt(t.off, "unexpected %s after signature", describe(t))
	}
	return s, nil
}

// Lexing. Words are runs of ASCII letters, digits and underscores; "..." is
// one token; any other non-space character is a token of its own, so that
// errors can quote exactly what was found.

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokWord
	tokPunct
)

type token struct {
	kind tokKind
	text string
	off  int
}

func lex(src string) []token {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case isSpace(c):
			i++
		case isWordByte(c):
			j := i + 1
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			toks = append(toks, token{tokWord, src[i:j], i})
			i = j
		case strings.HasPrefix(src[i:], "..."):
			toks = append(toks, token{tokPunct, "...", i})
			i += 3
		default:
			// A whole rune, so a stray non-ASCII character is quoted
			// intact; invalid UTF-8 yields a single byte.
			_, n := utf8.DecodeRuneInString(src[i:])
			toks = append(toks, token{tokPunct, src[i : i+n], i})
			i += n
		}
	}
	return append(toks, token{tokEOF, "", len(src)})
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// describe names a token for an error message.
func describe(t token) string {
	if t.kind == tokEOF {
		return "end of input"
	}
	return strconv.Quote(t.text)
}

type parser struct {
	src   string
	toks  []token // always ends with a tokEOF
	pos   int
	depth int // struct literals open around the current token
}

// maxDepth is how deeply struct literals may nest (C asks compilers to
// support at least 63 levels).
const maxDepth = 63

// where says what a type being parsed is for: arrays are only valid as
// struct fields, void only as a result or the lone "(void)".
type where uint8

const (
	inResult where = iota
	inParam
	inField
)

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

// is reports whether the next token is the punctuation text.
func (p *parser) is(text string) bool {
	t := p.peek()
	return t.kind == tokPunct && t.text == text
}

func (p *parser) errAt(off int, format string, args ...any) *Error {
	return &Error{Input: p.src, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) expected(what string) *Error {
	t := p.peek()
	return p.errAt(t.off, "expected %s, found %s", what, describe(t))
}

// parseParams parses the parameter list after "(" up to and including ")"
// into s.Params, s.Variadic and s.Fixed.
func (p *parser) parseParams(s *Signature) *Error {
	if p.is(")") {
		p.next()
		return nil
	}
	for {
		start := p.peek()
		if p.is("...") {
			if s.Variadic {
				return p.errAt(start.off, `"..." may appear only once`)
			}
			p.next()
			s.Variadic, s.Fixed = true, len(s.Params)
			switch {
			case p.is(")"):
				p.next()
				return nil
			case p.is(","):
				// "..., i32" means the same as "... i32".
				p.next()
			}
			continue
		}
		if len(s.Params) == MaxParams {
			return p.errAt(start.off, "too many parameters (at most %d)", MaxParams)
		}
		t, err := p.parseType(inParam)
		if err != nil {
			return err
		}
		if t.Kind == Void {
			// C's "(void)" means no parameters; a void among others is
			// a mistake.
			if len(s.Params) > 0 || s.Variadic || p.is(",") {
				return p.errAt(start.off, `void must be the only parameter, as in "(void)"`)
			}
			if !p.is(")") {
				return p.expected(`")"`)
			}
			p.next()
			return nil
		}
		s.Params = append(s.Params, t)
		if !s.Variadic {
			s.Fixed = len(s.Params)
		}
		switch {
		case p.is(","):
			p.next()
		case p.is(")"):
			p.next()
			return nil
		default:
			return p.expected(`")" or ","`)
		}
	}
}

// parseType parses one result, parameter or struct field type.
func (p *parser) parseType(w where) (Type, *Error) {
	start := p.peek().off
	p.skipQualifiers()
	t := p.peek()
	var base Type
	var deferred *Error
	switch {
	case p.is("{"):
		st, err := p.parseStruct()
		if err != nil {
			return Type{}, err
		}
		base = st
	case t.kind == tokWord:
		k, d, err := p.parseBase()
		if err != nil {
			return Type{}, err
		}
		base, deferred = Type{Kind: k}, d
	default:
		return Type{}, p.expected("a type")
	}
	p.skipQualifiers()
	if w := p.peek(); w.kind == tokWord {
		// The base type was not understood, or is followed by something
		// that is not part of it (a parameter name, say).
		if deferred != nil {
			return Type{}, deferred
		}
		return Type{}, p.errAt(w.off, "unexpected %s after type", describe(w))
	}
	stars := 0
	for p.is("*") {
		p.next()
		p.skipQualifiers()
		stars++
	}
	if p.is("[") {
		switch w {
		case inParam:
			return Type{}, p.errAt(p.peek().off, "array parameters decay to pointers in C: use ptr")
		case inResult:
			return Type{}, p.errAt(p.peek().off, "C functions cannot return arrays: wrap the array in a struct")
		}
	}
	if stars > 0 {
		// Every pointer is passed the same way, so what it points to
		// does not matter, even when sig could not pass that by value.
		base, deferred = Type{Kind: Ptr}, nil
	}
	if deferred != nil {
		return Type{}, deferred
	}
	if w == inField && base.Kind == Void {
		return Type{}, p.errAt(start, "a struct field cannot be void")
	}
	if p.is("[") {
		return p.parseDims(base)
	}
	return base, nil
}

// parseStruct parses a struct literal "{T, T, ...}".
func (p *parser) parseStruct() (Type, *Error) {
	open := p.next()
	if p.depth == maxDepth {
		return Type{}, p.errAt(open.off, "structs nested more than %d deep", maxDepth)
	}
	if p.is("}") {
		return Type{}, p.errAt(open.off, "empty struct: C structs have at least one field")
	}
	p.depth++
	defer func() { p.depth-- }()
	var fields []Type
	for {
		f, err := p.parseType(inField)
		if err != nil {
			return Type{}, err
		}
		fields = append(fields, f)
		switch {
		case p.is(","):
			p.next()
			continue
		case p.is("}"):
			p.next()
		default:
			return Type{}, p.expected(`"}" or ","`)
		}
		break
	}
	t := Type{Kind: Struct, Fields: fields}
	if t.Size() > MaxStructSize {
		return Type{}, p.errAt(open.off, "struct larger than %d bytes", MaxStructSize)
	}
	return t, nil
}

// parseDims parses the lengths of an array field, "[3]" or "[2][3]", and
// wraps elem in them, the first length outermost as in C.
func (p *parser) parseDims(elem Type) (Type, *Error) {
	type dim struct{ n, off int }
	var dims []dim
	for p.is("[") {
		p.next()
		t := p.peek()
		if t.kind != tokWord || strings.Trim(t.text, "0123456789") != "" {
			return Type{}, p.expected("an array length")
		}
		n, err := strconv.Atoi(t.text)
		if err != nil || n > MaxStructSize {
			n = MaxStructSize + 1 // too large either way
		}
		if n < 1 || t.text[0] == '0' {
			return Type{}, p.errAt(t.off, "array length must be a positive decimal number, not %s", t.text)
		}
		p.next()
		if !p.is("]") {
			return Type{}, p.expected(`"]"`)
		}
		p.next()
		dims = append(dims, dim{n, t.off})
	}
	size := elem.Size()
	for i := len(dims) - 1; i >= 0; i-- {
		d := dims[i]
		if d.n > MaxStructSize/size {
			return Type{}, p.errAt(d.off, "array larger than %d bytes", MaxStructSize)
		}
		size *= d.n
		e := elem
		elem = Type{Kind: Array, Elem: &e, Len: d.n}
	}
	return elem, nil
}

// parseBase parses the type before any "*". A base that is only valid
// behind a pointer (an unknown name, an unsupported C type, a struct tag)
// comes back as a deferred error for parseType to report or drop.
func (p *parser) parseBase() (k Kind, deferred, err *Error) {
	w := p.next()
	switch {
	case tagKeywords[w.text]:
		name := p.peek()
		if w.text == "struct" && p.is("{") {
			return 0, nil, p.errAt(name.off, `write a struct by value as its field types, {T, ...}, without "struct"`)
		}
		if name.kind != tokWord {
			return 0, nil, p.expected(fmt.Sprintf("a name after %q", w.text))
		}
		p.next()
		if w.text == "struct" {
			return 0, p.errAt(w.off, "struct %s by value: sig does not know its fields; write them as {T, ...}", name.text), nil
		}
		return 0, p.unsupported(w.off, w.text+" "+name.text), nil
	case cSpecifiers[w.text]:
		// C lets specifiers come in any order and mix with qualifiers:
		// "unsigned const long int" is one type.
		words := []string{w.text}
		for {
			p.skipQualifiers()
			n := p.peek()
			if n.kind != tokWord || !cSpecifiers[n.text] {
				break
			}
			p.next()
			words = append(words, n.text)
		}
		return p.resolveC(w.off, words)
	}
	if k, ok := names[w.text]; ok {
		return k, nil, nil
	}
	if unsupportedNames[w.text] || isVectorType(w.text) {
		return 0, p.unsupported(w.off, w.text), nil
	}
	return 0, p.errAt(w.off, "unknown type %q", w.text), nil
}

// resolveC maps a list of C type specifiers starting at off to a Kind. As in
// parseBase, the first error is deferred and the second is not.
func (p *parser) resolveC(off int, words []string) (Kind, *Error, *Error) {
	key := specKey(words)
	if k, ok := cTypes[key]; ok {
		return k, nil, nil
	}
	text := strings.Join(words, " ")
	if key == "double long" || slices.ContainsFunc(words, func(w string) bool { return unsupportedNames[w] }) {
		return 0, p.unsupported(off, text), nil
	}
	return 0, nil, p.errAt(off, "invalid C type %q", text)
}

func (p *parser) unsupported(off int, text string) *Error {
	return p.errAt(off, "unsupported C type %q", text)
}

func (p *parser) skipQualifiers() {
	for {
		t := p.peek()
		if t.kind != tokWord || (t.text != "const" && t.text != "volatile") {
			return
		}
		p.next()
	}
}

// specKey makes C specifier lists order-insensitive, as C is.
func specKey(words []string) string {
	s := slices.Clone(words)
	slices.Sort(s)
	return strings.Join(s, " ")
}

// names are the single-word type names: sig's own and the C typedefs.
// "void" is missing because it is a C specifier ("signed void" must be
// rejected as C, not as an unknown word).
var names = map[string]Kind{
	"bool": Bool, "ptr": Ptr,
	"i8": I8, "u8": U8, "i16": I16, "u16": U16,
	"i32": I32, "u32": U32, "i64": I64, "u64": U64,
	"isize": Isize, "usize": Usize, "f32": F32, "f64": F64,

	"int8_t": I8, "uint8_t": U8, "int16_t": I16, "uint16_t": U16,
	"int32_t": I32, "uint32_t": U32, "int64_t": I64, "uint64_t": U64,
	"size_t": Usize, "uintptr_t": Usize,
	"ssize_t": Isize, "ptrdiff_t": Isize, "intptr_t": Isize,
}

// cSpecifiers are the C keywords that combine into one type, like
// "unsigned long long". __int128 and _Complex are here so that
// "unsigned __int128" or "double _Complex" is reported as a whole.
var cSpecifiers = map[string]bool{
	"void": true, "char": true, "short": true, "int": true, "long": true,
	"signed": true, "unsigned": true, "float": true, "double": true,
	"_Bool": true, "__int128": true, "_Complex": true, "complex": true,
	"_Imaginary": true,
}

// tagKeywords introduce a named aggregate, usable only behind a pointer.
var tagKeywords = map[string]bool{"struct": true, "union": true, "enum": true}

// cTypes maps specKey of each accepted C spelling to its Kind, using the
// LP64 Linux sizes. Plain char is signed on x86-64 Linux but unsigned on
// arm64 Linux; it is i8 everywhere here so that a signature means the same
// on every target.
var cTypes = func() map[string]Kind {
	m := make(map[string]Kind)
	for k, spellings := range map[Kind][]string{
		Void: {"void"},
		Bool: {"_Bool"},
		I8:   {"char", "signed char"},
		U8:   {"unsigned char"},
		I16:  {"short", "short int", "signed short", "signed short int"},
		U16:  {"unsigned short", "unsigned short int"},
		I32:  {"int", "signed", "signed int"},
		U32:  {"unsigned", "unsigned int"},
		I64: {
			"long", "long int", "signed long", "signed long int",
			"long long", "long long int", "signed long long", "signed long long int",
		},
		U64: {"unsigned long", "unsigned long int", "unsigned long long", "unsigned long long int"},
		F32: {"float"},
		F64: {"double"},
	} {
		for _, s := range spellings {
			m[specKey(strings.Fields(s))] = k
		}
	}
	return m
}()

// unsupportedNames are C types with no Kind yet. They are named in the error
// rather than reported as unknown, so the user knows sig understood them.
var unsupportedNames = map[string]bool{
	"__int128": true, "__int128_t": true, "__uint128_t": true,
	"_Complex": true, "complex": true, "_Imaginary": true,
	"__float128": true, "_Float128": true, "__float80": true, "__ibm128": true,
	"_Float16": true, "__fp16": true, "__bf16": true,
}

// isVectorType reports whether name is a SIMD vector type: x86 __m128,
// __m256i and friends, or Arm NEON types like float32x4_t.
func isVectorType(name string) bool {
	if rest, ok := strings.CutPrefix(name, "__m"); ok {
		return rest != "" && '0' <= rest[0] && rest[0] <= '9'
	}
	rest, ok := strings.CutSuffix(name, "_t")
	if !ok {
		return false
	}
	for _, elem := range []string{"uint", "int", "float", "poly", "bfloat", "mfloat"} {
		if shape, ok := strings.CutPrefix(rest, elem); ok {
			// The shape is element bits and lane count: "32x4", "8x16x2".
			return strings.Contains(shape, "x") && shape[0] != 'x' &&
				strings.Trim(shape, "0123456789x") == ""
		}
	}
	return false
}
