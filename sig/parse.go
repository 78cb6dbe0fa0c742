package sig

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Parse parses a signature such as "i32(i32, i32)",
// "int(const char *, size_t)" or a C prototype such as
// "int sqlite3_open(const char *filename, sqlite3 **ppDb);" with only the
// built-in type names. Params is nil when the function takes none. Errors
// are always of type *Error.
func Parse(src string) (*Signature, error) {
	return (*Decls)(nil).Parse(src)
}

// Parse parses a signature as the package-level Parse does, with the
// typedef names, structs and enums of d as well as the built-in names. A
// nil *Decls has only the built-in names.
func (d *Decls) Parse(src string) (*Signature, error) {
	s, err := d.parse(src)
	if err != nil {
		// Returned separately so that a nil *Error never becomes a
		// non-nil error.
		return nil, err
	}
	return s, nil
}

func (d *Decls) parse(src string) (*Signature, *Error) {
	if len(src) > MaxLen {
		return nil, &Error{Input: src, Offset: 0, Msg: fmt.Sprintf("signature longer than %d bytes", MaxLen)}
	}
	toks, lerr := lex(src)
	p := &parser{src: src, toks: toks, decls: d}
	if lerr != nil {
		return nil, lerr.with(src)
	}
	if p.peek().kind == tokEOF {
		return nil, p.errAt(0, "empty signature")
	}
	if p.isWord("extern") {
		p.next()
	}
	s, err := p.parsePrototype(false)
	if err != nil {
		return nil, err
	}
	if p.is(";") {
		p.next()
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errAt(t.off, "unexpected %s after signature", describe(t))
	}
	return s, nil
}

// parsePrototype parses specifiers and a declarator that declares a
// function, and converts it to a Signature. needName makes a missing
// function name an error.
func (p *parser) parsePrototype(needName bool) (*Signature, *Error) {
	start := p.peek()
	base, err := p.parseSpecs()
	if err != nil {
		return nil, err
	}
	name, c, err := p.parseDeclarator(base)
	if err != nil {
		return nil, err
	}
	if c.op != opFunc {
		switch {
		case c == base:
			if c.bad != "" && p.peek().kind != tokEOF {
				return nil, p.errAt(c.off, "%s", c.bad)
			}
			return nil, p.expected(`"("`)
		case c.op == opArray && c.elem.op == opFunc:
			// "i32[2](i32)" in the compact form.
			return nil, p.errAt(c.off, "C functions cannot return arrays: wrap the array in a struct")
		}
		return nil, p.errAt(start.off, "%s is not a function type: write the function's prototype", p.spell(start.off))
	}
	if needName && name.text == "" {
		return nil, p.errAt(start.off, "a function prototype needs a name")
	}
	return p.signature(name, c)
}

// signature converts a function ctype to a Signature.
func (p *parser) signature(name token, c *ctype) (*Signature, *Error) {
	res, err := p.valueType(c.elem, inResult)
	if err != nil {
		return nil, err
	}
	s := &Signature{Name: name.text, Result: res, Variadic: c.fn.variadic, Fixed: c.fn.fixed}
	if n := len(c.fn.params); n > 0 {
		s.Params = make([]Type, n)
		for i, prm := range c.fn.params {
			if s.Params[i], err = p.valueType(prm, inParam); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// Lexing. Words are runs of ASCII letters, digits and underscores; "..." is
// one token; any other non-space character is a token of its own, so that
// errors can quote exactly what was found. Comments are skipped.

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

// lex splits src into tokens. A "#" that starts a line is a preprocessor
// line, which is an error (the input has to be cleaned of macros first).
func lex(src string) ([]token, *Error) {
	toks := make([]token, 0, min(len(src)/2+2, 64))
	lineStart := true
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			lineStart = true
			i++
			continue
		case isSpace(c):
			i++
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return toks, &Error{Offset: i, Msg: "unterminated comment"}
			}
			i += 2 + end + 2
			continue
		case c == '#' && lineStart:
			return toks, &Error{Offset: i, Msg: "preprocessor lines are not supported: expand or remove macros, #include and #define before declaring"}
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
		lineStart = false
	}
	return append(toks, token{tokEOF, "", len(src)}), nil
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
	src    string
	toks   []token // always ends with a tokEOF
	pos    int
	depth  int    // parenthesised declarators, parameter lists and expressions open around the current token
	sdepth int    // struct literals and definitions open around the current token
	decls  *Decls // the names in scope besides the built-in ones; may be nil
	def    *Decls // CDef: where struct, union and enum definitions go; nil in a signature

	// typedefName lets the next declarator's name be a type name, for
	// the error (or the harmless repetition) of a typedef redefining it.
	typedefName bool

	pool []ctype // see node
}

// maxDepth is how deeply struct literals and declarators may nest (C asks
// compilers to support at least 63 levels).
const maxDepth = 63

// where says what a type being converted is for: arrays are only valid as
// struct fields, void only as a result or the lone "(void)".
type where uint8

const (
	inResult where = iota
	inParam
	inField
)

func (p *parser) peek() token { return p.toks[p.pos] }

// peekAt returns the token n places ahead.
func (p *parser) peekAt(n int) token { return p.toks[min(p.pos+n, len(p.toks)-1)] }

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

// isWord reports whether the next token is the word text.
func (p *parser) isWord(text string) bool {
	t := p.peek()
	return t.kind == tokWord && t.text == text
}

func (p *parser) errAt(off int, format string, args ...any) *Error {
	return &Error{Input: p.src, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) expected(what string) *Error {
	t := p.peek()
	return p.errAt(t.off, "expected %s, found %s", what, describe(t))
}

// spell returns the source text from off to the current token, for
// messages, with its whitespace collapsed and cut short if long.
func (p *parser) spell(off int) string {
	end := p.peek().off
	if p.pos > 0 {
		prev := p.toks[p.pos-1]
		end = prev.off + len(prev.text)
	}
	s := strings.Join(strings.Fields(p.src[off:max(off, end)]), " ")
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return strconv.Quote(s)
}

func (p *parser) enter(off int, what string) *Error {
	if p.depth == maxDepth {
		return p.errAt(off, "%s nested more than %d deep", what, maxDepth)
	}
	p.depth++
	return nil
}

// The C types a declaration builds, before they become Types: pointers,
// arrays and functions of any base, and bases that are only valid behind a
// pointer (an unknown name, an unsupported C type, a struct whose fields
// are unknown).

type opKind uint8

const (
	opBase  opKind = iota // a base type: base, or a struct tag, or bad
	opPtr                 // pointer to elem
	opArray               // n elements of elem; n == 0 when unspecified ("[]")
	opFunc                // function returning elem
)

type ctype struct {
	op   opKind
	off  int    // where it was written
	base Type   // opBase, when known
	tag  string // opBase: a struct tag to look up when the type is used by value
	bad  string // opBase: why it cannot be used by value
	elem *ctype
	n    int
	nOff int    // opArray: the offset of the length
	fn   fnType // opFunc
	sdef *StructDef
}

type fnType struct {
	params   []*ctype
	variadic bool
	fixed    int
}

// parseSpecs parses the declaration specifiers of one declaration: the
// base type and its qualifiers, "unsigned long", "const char", "size_t",
// "struct foo", "{i32, f64}".
func (p *parser) parseSpecs() (*ctype, *Error) {
	start := p.peek().off
	var wbuf [4]string
	words := wbuf[:0] // C specifier keywords
	var named *ctype  // a base given by a name, a tag or a struct literal
	for {
		t := p.peek()
		if t.kind == tokPunct {
			if t.text != "{" || named != nil || len(words) > 0 {
				break
			}
			st, err := p.parseStructLiteral()
			if err != nil {
				return nil, err
			}
			named = p.node(ctype{op: opBase, off: t.off, base: st})
			continue
		}
		if t.kind != tokWord {
			break
		}
		switch {
		case qualifiers[t.text]:
			p.next()
			continue
		case cSpecifiers[t.text]:
			if named != nil {
				if named.bad != "" {
					// "unsinged int": the unknown word was meant as a
					// type, not as a name.
					return nil, p.errAt(named.off, "%s", named.bad)
				}
				return nil, p.errAt(t.off, "unexpected %s after type", describe(t))
			}
			p.next()
			words = append(words, t.text)
			continue
		}
		if named != nil || len(words) > 0 {
			break // a declarator's name
		}
		c, err := p.parseNamedBase()
		if err != nil {
			return nil, err
		}
		named = c
	}
	switch {
	case len(words) > 0:
		return p.resolveC(start, words)
	case named != nil:
		return named, nil
	}
	return nil, p.expected("a type")
}

// parseNamedBase parses a base type given by one name or a tag: "i32",
// "size_t", a typedef of the scope, "struct foo", "enum e".
func (p *parser) parseNamedBase() (*ctype, *Error) {
	w := p.next()
	if tagKeywords[w.text] {
		return p.parseTagged(w)
	}
	if k, ok := names[w.text]; ok {
		return p.node(ctype{op: opBase, off: w.off, base: Type{Kind: k}}), nil
	}
	if c := p.decls.typedef(w.text); c != nil {
		return p.relocate(c, w.off), nil
	}
	if unsupportedNames[w.text] || isVectorType(w.text) {
		return p.node(ctype{op: opBase, off: w.off, bad: fmt.Sprintf("unsupported C type %q", w.text)}), nil
	}
	return p.node(ctype{op: opBase, off: w.off, bad: fmt.Sprintf("unknown type %q", w.text)}), nil
}

// parseTagged parses what follows "struct", "union" or "enum".
func (p *parser) parseTagged(w token) (*ctype, *Error) {
	name := p.peek()
	if p.is("{") || name.kind == tokWord && p.peekAt(1).kind == tokPunct && p.peekAt(1).text == "{" {
		if p.def == nil {
			if w.text == "struct" {
				return nil, p.errAt(name.off, `write a struct by value as its field types, {T, ...}, without "struct" (or define it with CDef)`)
			}
			return nil, p.errAt(name.off, "%s definitions belong in CDef, not in a signature", w.text)
		}
		return p.parseDefinition(w)
	}
	if name.kind != tokWord {
		return nil, p.expected(fmt.Sprintf("a name after %q", w.text))
	}
	p.next()
	c := p.node(ctype{op: opBase, off: w.off})
	switch w.text {
	case "struct":
		c.tag = name.text
	case "union":
		c.bad = fmt.Sprintf("unsupported C type %q", "union "+name.text)
	case "enum":
		if k, ok := p.decls.enum(name.text); ok {
			c.base = Type{Kind: k}
		} else {
			c.bad = fmt.Sprintf("enum %s by value: its values are unknown (declare it with CDef, or write its integer type)", name.text)
		}
	}
	return c, nil
}

// relocate copies a typedef's type so that errors about it point to where
// it is used.
func (p *parser) relocate(c *ctype, off int) *ctype {
	if c == nil {
		return nil
	}
	cp := p.node(*c)
	cp.off, cp.nOff = off, off
	cp.elem = p.relocate(c.elem, off)
	return cp
}

// node returns a new ctype with the value of c. ctypes are allocated in
// chunks: Bind parses a signature every time, and should not pay an
// allocation per type.
func (p *parser) node(c ctype) *ctype {
	if len(p.pool) == cap(p.pool) {
		// A new chunk, never a grown one: the old one's nodes are
		// pointed to.
		p.pool = make([]ctype, 0, min(max(4, 2*cap(p.pool)), 64))
	}
	p.pool = append(p.pool, c)
	return &p.pool[len(p.pool)-1]
}

// parseDeclarator parses a declarator, with or without a name, and applies
// it to base: "*p", "a[3]", "(*cmp)(const void *, const void *)",
// "(*signal(int, void (*)(int)))(int)", or nothing at all.
func (p *parser) parseDeclarator(base *ctype) (token, *ctype, *Error) {
	for p.is("*") {
		t := p.next()
		p.skipQualifiers()
		base = p.node(ctype{op: opPtr, off: t.off, elem: base})
	}
	var name token
	var inner []*ctype // the nested declarator's derivations, applied last
	var hole *ctype
	switch t := p.peek(); {
	case p.is("(") && p.peekAt(1).kind == tokPunct && p.peekAt(1).text == "*":
		// A parenthesised declarator, as in "(*cmp)(...)"; "(" before
		// anything else starts a parameter list.
		open := p.next()
		if err := p.enter(open.off, "declarators"); err != nil {
			return token{}, nil, err
		}
		// The nested declarator is parsed against a placeholder that
		// is filled in once the suffixes that follow are known.
		hole = p.node(ctype{})
		n, c, err := p.parseDeclarator(hole)
		p.depth--
		if err != nil {
			return token{}, nil, err
		}
		if !p.is(")") {
			return token{}, nil, p.expected(`")"`)
		}
		p.next()
		name = n
		inner = append(inner, c)
	case t.kind == tokWord && p.typedefName && !qualifiers[t.text] && !cSpecifiers[t.text] && !tagKeywords[t.text]:
		p.typedefName = false
		name = p.next()
	case t.kind == tokWord:
		if p.isTypeWord(t.text) {
			return token{}, nil, p.errAt(t.off, "unexpected %s after type", describe(t))
		}
		name = p.next()
	}
	// Suffixes bind tighter than the pointers before them: "*a[3]" is an
	// array of pointers. The last suffix is innermost: "a[2][3]" is two
	// arrays of three.
	var sbuf [2]*ctype
	sufs := sbuf[:0]
	for {
		if p.is("(") {
			open := p.next()
			fn, err := p.parseParams(open.off)
			if err != nil {
				return token{}, nil, err
			}
			sufs = append(sufs, p.node(ctype{op: opFunc, off: open.off, fn: fn}))
		} else if p.is("[") {
			c, err := p.parseLength()
			if err != nil {
				return token{}, nil, err
			}
			sufs = append(sufs, c)
		} else {
			break
		}
	}
	for i := len(sufs) - 1; i >= 0; i-- {
		sufs[i].elem = base
		base = sufs[i]
	}
	if hole != nil {
		// Fill the placeholder with what the outer declarator built.
		*hole = *base
		base = inner[0]
	}
	return name, base, nil
}

// parseLength parses "[n]", "[]" or "[NAME]" with NAME an enum constant.
func (p *parser) parseLength() (*ctype, *Error) {
	open := p.next()
	c := p.node(ctype{op: opArray, off: open.off})
	if p.is("]") {
		p.next()
		c.nOff = open.off + 1
		return c, nil
	}
	t := p.peek()
	c.nOff = t.off
	if t.kind != tokWord {
		return nil, p.expected("an array length")
	}
	if strings.Trim(t.text, "0123456789") == "" {
		n, err := strconv.Atoi(t.text)
		if err != nil || n > MaxStructSize {
			n = MaxStructSize + 1 // too large either way
		}
		if n < 1 || t.text[0] == '0' {
			return nil, p.errAt(t.off, "array length must be a positive decimal number, not %s", t.text)
		}
		c.n = n
	} else if v, ok := p.decls.constant(t.text); ok {
		if v < 1 {
			return nil, p.errAt(t.off, "array length %s is %d, not positive", t.text, v)
		}
		c.n = int(min(v, MaxStructSize+1))
	} else {
		return nil, p.expected("an array length")
	}
	p.next()
	if !p.is("]") {
		return nil, p.expected(`"]"`)
	}
	p.next()
	return c, nil
}

// isTypeWord reports whether w can only be part of a type, never a name.
func (p *parser) isTypeWord(w string) bool {
	if qualifiers[w] || cSpecifiers[w] || tagKeywords[w] || w == "typedef" || w == "extern" {
		return true
	}
	if _, ok := names[w]; ok {
		return true
	}
	return p.decls.typedef(w) != nil
}

// parseParams parses a parameter list after "(" up to and including ")".
func (p *parser) parseParams(open int) (fnType, *Error) {
	fn, err := p.parseParamList(open)
	if err != nil {
		return fnType{}, err
	}
	return *fn, nil
}

func (p *parser) parseParamList(open int) (*fnType, *Error) {
	if err := p.enter(open, "parameter lists"); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	fn := &fnType{}
	if p.is(")") {
		p.next()
		return fn, nil
	}
	for {
		start := p.peek()
		if p.is("...") {
			if fn.variadic {
				return nil, p.errAt(start.off, `"..." may appear only once`)
			}
			p.next()
			fn.variadic, fn.fixed = true, len(fn.params)
			switch {
			case p.is(")"):
				p.next()
				return fn, nil
			case p.is(","):
				// "..., i32" means the same as "... i32".
				p.next()
			}
			continue
		}
		if len(fn.params) == MaxParams {
			return nil, p.errAt(start.off, "too many parameters (at most %d)", MaxParams)
		}
		base, err := p.parseSpecs()
		if err != nil {
			return nil, err
		}
		_, c, err := p.parseDeclarator(base)
		if err != nil {
			return nil, err
		}
		if c.op == opBase && c.bad == "" && c.tag == "" && c.base.Kind == Void {
			// C's "(void)" means no parameters; a void among others is
			// a mistake.
			if len(fn.params) > 0 || fn.variadic || p.is(",") {
				return nil, p.errAt(start.off, `void must be the only parameter, as in "(void)"`)
			}
			if !p.is(")") {
				return nil, p.expected(`")"`)
			}
			p.next()
			return fn, nil
		}
		if fn.params == nil {
			fn.params = make([]*ctype, 0, 4)
		}
		fn.params = append(fn.params, c)
		if !fn.variadic {
			fn.fixed = len(fn.params)
		}
		switch {
		case p.is(","):
			p.next()
		case p.is(")"):
			p.next()
			return fn, nil
		default:
			return nil, p.unexpected(c, `")" or ","`)
		}
	}
}

// unexpected reports a token that cannot follow the declaration of c.
// When c's base was not understood, that is the likelier mistake:
// "foo bar *" is an unknown type foo, not a misplaced "*".
func (p *parser) unexpected(c *ctype, what string) *Error {
	for c.elem != nil && c.op != opFunc {
		c = c.elem
	}
	if c.op == opBase && c.bad != "" {
		return p.errAt(c.off, "%s", c.bad)
	}
	return p.expected(what)
}

// valueType converts c to the Type of a result, parameter or struct field.
// Parameters of array and function type are pointers, as in C.
func (p *parser) valueType(c *ctype, w where) (Type, *Error) {
	switch c.op {
	case opPtr:
		// Every pointer is passed the same way, so what it points to
		// does not matter, even when sig could not pass that by value.
		return Type{Kind: Ptr}, nil
	case opArray:
		switch w {
		case inParam:
			return Type{Kind: Ptr}, nil
		case inResult:
			return Type{}, p.errAt(c.off, "C functions cannot return arrays: wrap the array in a struct")
		}
		if c.n == 0 {
			return Type{}, p.errAt(c.nOff, "expected an array length, found %q (flexible array members are not supported)", "]")
		}
		e, err := p.valueType(c.elem, inField)
		if err != nil {
			return Type{}, err
		}
		if size := e.Size(); size > 0 && c.n > MaxStructSize/size {
			return Type{}, p.errAt(c.nOff, "array larger than %d bytes", MaxStructSize)
		}
		return Type{Kind: Array, Elem: &e, Len: c.n}, nil
	case opFunc:
		switch w {
		case inParam:
			return Type{Kind: Ptr}, nil
		case inResult:
			return Type{}, p.errAt(c.off, "C functions cannot return functions: return a function pointer")
		}
		return Type{}, p.errAt(c.off, "a struct field cannot be a function: use a function pointer")
	}
	if c.bad != "" {
		return Type{}, p.errAt(c.off, "%s", c.bad)
	}
	t := c.base
	if c.tag != "" {
		sd := p.decls.structDef(c.tag)
		if sd == nil {
			return Type{}, p.errAt(c.off, "struct %s by value: sig does not know its fields; define it with CDef or write them as {T, ...}", c.tag)
		}
		t = sd.Type
	}
	if w == inField && t.Kind == Void {
		return Type{}, p.errAt(c.off, "a struct field cannot be void")
	}
	return t, nil
}

// parseStructLiteral parses a struct literal "{T, T, ...}"; fields may be
// named and may be arrays: "{f32 xyz[3], i32 flags}".
func (p *parser) parseStructLiteral() (Type, *Error) {
	open := p.next()
	if p.sdepth == maxDepth {
		return Type{}, p.errAt(open.off, "structs nested more than %d deep", maxDepth)
	}
	p.sdepth++
	defer func() { p.sdepth-- }()
	if p.is("}") {
		return Type{}, p.errAt(open.off, "empty struct: C structs have at least one field")
	}
	var fields []Type
	for {
		base, err := p.parseSpecs()
		if err != nil {
			return Type{}, err
		}
		_, c, err := p.parseDeclarator(base)
		if err != nil {
			return Type{}, err
		}
		f, err := p.valueType(c, inField)
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
			return Type{}, p.unexpected(c, `"}" or ","`)
		}
		break
	}
	t := Type{Kind: Struct, Fields: fields}
	if t.Size() > MaxStructSize {
		return Type{}, p.errAt(open.off, "struct larger than %d bytes", MaxStructSize)
	}
	return t, nil
}

// resolveC maps a list of C type specifiers starting at off to a base
// type. An unsupported C type is valid behind a pointer; an invalid
// combination is an error.
func (p *parser) resolveC(off int, words []string) (*ctype, *Error) {
	key := specKey(words)
	if k, ok := cTypes[key]; ok {
		return p.node(ctype{op: opBase, off: off, base: Type{Kind: k}}), nil
	}
	text := strings.Join(words, " ")
	if key == "double long" || slices.ContainsFunc(words, func(w string) bool { return unsupportedNames[w] }) {
		return p.node(ctype{op: opBase, off: off, bad: fmt.Sprintf("unsupported C type %q", text)}), nil
	}
	return nil, p.errAt(off, "invalid C type %q", text)
}

func (p *parser) skipQualifiers() {
	for {
		t := p.peek()
		if t.kind != tokWord || !qualifiers[t.text] {
			return
		}
		p.next()
	}
}

// specKey makes C specifier lists order-insensitive, as C is.
func specKey(words []string) string {
	if len(words) == 1 {
		return words[0]
	}
	s := slices.Clone(words)
	slices.Sort(s)
	return strings.Join(s, " ")
}

// qualifiers do not change how a value is passed.
var qualifiers = map[string]bool{
	"const": true, "volatile": true, "restrict": true,
	"__restrict": true, "__restrict__": true, "__const": true, "__volatile__": true,
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
	// off_t is 64 bits on LP64 Linux; wchar_t is a signed 32-bit int
	// on x86-64 and an unsigned one on arm64 Linux, i32 here as char is
	// i8 (see the package doc).
	"off_t": I64, "wchar_t": I32,
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

// tagKeywords introduce a named aggregate.
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
