package sig

import (
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
)

// MaxDeclLen is the longest declaration text, in bytes, that Define
// accepts.
const MaxDeclLen = 16 << 20

// Decls is a set of C declarations: typedef names, struct definitions,
// enums and their constants, and function prototypes. A signature parsed
// with Decls.Parse may use every name in it. A Decls is never changed once
// made: Define returns a new one, so a *Decls may be shared freely between
// goroutines. The nil *Decls has only the built-in names.
type Decls struct {
	typedefs map[string]*ctype
	structs  map[string]*StructDef // by tag
	enums    map[string]Kind       // by tag
	consts   map[string]int64
	funcs    map[string]*Signature
}

// StructDef is a struct defined by a declaration.
type StructDef struct {
	Name   string   // "struct point", or the typedef name of an untagged struct
	Type   Type     // Kind Struct
	Fields []string // the C name of each field of Type, in order
}

// Func returns the prototype declared for the function name.
func (d *Decls) Func(name string) (*Signature, bool) {
	if d == nil {
		return nil, false
	}
	s, ok := d.funcs[name]
	return s, ok
}

// Const returns the value of the enum constant name.
func (d *Decls) Const(name string) (int64, bool) {
	return d.constant(name)
}

// Struct returns the struct named by a tag ("point" for "struct point") or
// by a typedef name.
func (d *Decls) Struct(name string) (*StructDef, bool) {
	if sd := d.structDef(name); sd != nil {
		return sd, true
	}
	if c := d.typedef(name); c != nil && c.op == opBase {
		if c.sdef != nil {
			return c.sdef, true
		}
		if sd := d.structDef(c.tag); c.tag != "" && sd != nil {
			return sd, true
		}
	}
	return nil, false
}

// StructOf returns a declared struct whose type is t, for messages that
// can then name its fields. Among several, it returns the one with the
// first tag in sort order, so that the answer does not vary.
func (d *Decls) StructOf(t Type) (*StructDef, bool) {
	if d == nil || t.Kind != Struct {
		return nil, false
	}
	want := t.String()
	var best *StructDef
	consider := func(sd *StructDef) {
		if sd != nil && sd.Type.String() == want && (best == nil || sd.Name < best.Name) {
			best = sd
		}
	}
	for _, sd := range d.structs {
		consider(sd)
	}
	for _, c := range d.typedefs {
		if c.op == opBase {
			consider(c.sdef)
		}
	}
	return best, best != nil
}

func (d *Decls) typedef(name string) *ctype {
	if d == nil {
		return nil
	}
	return d.typedefs[name]
}

func (d *Decls) structDef(tag string) *StructDef {
	if d == nil {
		return nil
	}
	return d.structs[tag]
}

func (d *Decls) enum(tag string) (Kind, bool) {
	if d == nil {
		return 0, false
	}
	k, ok := d.enums[tag]
	return k, ok
}

func (d *Decls) constant(name string) (int64, bool) {
	if d == nil {
		return 0, false
	}
	v, ok := d.consts[name]
	return v, ok
}

func (d *Decls) clone() *Decls {
	if d == nil {
		return &Decls{}
	}
	return &Decls{
		typedefs: maps.Clone(d.typedefs),
		structs:  maps.Clone(d.structs),
		enums:    maps.Clone(d.enums),
		consts:   maps.Clone(d.consts),
		funcs:    maps.Clone(d.funcs),
	}
}

// Define parses C declarations and returns d with them added; d itself is
// unchanged, and on error nothing is added. It accepts, each ended by ";":
//
//	typedef unsigned long uLong;                    typedefs of any type
//	typedef int (*cmp_fn)(const void *, const void *);
//	struct point { int x, y; double w[2]; };        struct definitions
//	typedef struct { float re, im; } cpx;
//	struct sqlite3;  typedef struct sqlite3 sqlite3; opaque structs
//	enum level { LOW, HIGH = 1 << 4 };               enums and their constants
//	int sqlite3_open(const char *filename, sqlite3 **ppDb);  prototypes
//
// Comments are skipped. A preprocessor line (#define, #include, ...) is an
// error: the declarations must be cleaned of macros first. Redefining a
// name with a different meaning is an error; repeating it is not.
func (d *Decls) Define(src string) (*Decls, error) {
	nd, err := d.define(src)
	if err != nil {
		return nil, err
	}
	return nd, nil
}

func (d *Decls) define(src string) (*Decls, *Error) {
	if len(src) > MaxDeclLen {
		return nil, &Error{Input: src, Msg: fmt.Sprintf("declarations longer than %d bytes", MaxDeclLen)}
	}
	toks, lerr := lex(src)
	if lerr != nil {
		return nil, lerr.with(src)
	}
	nd := d.clone()
	p := &parser{src: src, toks: toks, decls: nd, def: nd}
	for p.peek().kind != tokEOF {
		if err := p.parseDeclaration(); err != nil {
			return nil, err
		}
	}
	return nd, nil
}

// parseDeclaration parses one declaration up to and including its ";".
func (p *parser) parseDeclaration() *Error {
	if p.is(";") {
		p.next()
		return nil
	}
	isTypedef := false
	if p.isWord("typedef") {
		p.next()
		isTypedef = true
	} else if p.isWord("extern") {
		p.next()
	}
	start := p.peek()
	base, err := p.parseSpecs()
	if err != nil {
		return err
	}
	if p.is(";") && isTypedef {
		return p.errAt(start.off, "typedef of %s needs a name", p.spell(start.off))
	}
	if p.is(";") {
		// "struct point { ... };", "struct sqlite3;", "enum { A, B };"
		if !strings.HasPrefix(p.src[start.off:], "struct") && !strings.HasPrefix(p.src[start.off:], "union") &&
			!strings.HasPrefix(p.src[start.off:], "enum") {
			return p.errAt(start.off, "declaration declares nothing")
		}
		p.next()
		return nil
	}
	for {
		p.typedefName = isTypedef
		name, c, err := p.parseDeclarator(base)
		p.typedefName = false
		if err != nil {
			return err
		}
		if name.text == "" {
			return p.errAt(start.off, "declaration of %s needs a name", p.spell(start.off))
		}
		if isTypedef {
			if err := p.defineTypedef(name, c); err != nil {
				return err
			}
		} else {
			if c.op != opFunc {
				return p.errAt(name.off, "%s is not a function: declare types and function prototypes, not variables", name.text)
			}
			s, err := p.signature(name, c)
			if err != nil {
				return err
			}
			if old, ok := p.def.funcs[name.text]; ok && old.String() != s.String() {
				return p.errAt(name.off, "function %s redeclared as %v, was %v", name.text, s, old)
			}
			setMap(&p.def.funcs, name.text, s)
		}
		switch {
		case p.is(","):
			p.next()
			continue
		case p.is(";"):
			p.next()
			return nil
		case p.is(":"):
			return p.errAt(p.peek().off, "bit-fields are not supported")
		}
		return p.expected(`";" or ","`)
	}
}

func (p *parser) defineTypedef(name token, c *ctype) *Error {
	if _, ok := names[name.text]; ok {
		return p.errAt(name.off, "%s is a built-in type name and cannot be redefined", name.text)
	}
	if c.op == opBase && c.sdef != nil && c.sdef.Name == "" {
		c.sdef.Name = name.text
	}
	if old := p.def.typedefs[name.text]; old != nil && ctypeString(old) != ctypeString(c) {
		return p.errAt(name.off, "typedef %s redefined with a different type", name.text)
	}
	setMap(&p.def.typedefs, name.text, c)
	return nil
}

func setMap[V any](m *map[string]V, k string, v V) {
	if *m == nil {
		*m = make(map[string]V)
	}
	(*m)[k] = v
}

// ctypeString spells a ctype for comparing redefinitions.
func ctypeString(c *ctype) string {
	if c == nil {
		return ""
	}
	switch c.op {
	case opPtr:
		return "*" + ctypeString(c.elem)
	case opArray:
		return fmt.Sprintf("[%d]%s", c.n, ctypeString(c.elem))
	case opFunc:
		var b strings.Builder
		b.WriteString("func(")
		for _, prm := range c.fn.params {
			b.WriteString(ctypeString(prm) + ",")
		}
		fmt.Fprintf(&b, "%v %d)", c.fn.variadic, c.fn.fixed)
		return b.String() + ctypeString(c.elem)
	}
	return fmt.Sprintf("%s|%s|%s", c.base, c.tag, c.bad)
}

// parseDefinition parses a struct, union or enum definition after its
// keyword w: an optional tag, then the body in braces.
func (p *parser) parseDefinition(w token) (*ctype, *Error) {
	var tag token
	if p.peek().kind == tokWord {
		tag = p.next()
	}
	open := p.next() // "{"
	if p.sdepth == maxDepth {
		return nil, p.errAt(open.off, "definitions nested more than %d deep", maxDepth)
	}
	p.sdepth++
	defer func() { p.sdepth-- }()
	if w.text == "enum" {
		return p.parseEnumBody(w, tag)
	}
	if p.is("}") {
		return nil, p.errAt(open.off, "empty %s: C structs have at least one field", w.text)
	}
	sd := &StructDef{Type: Type{Kind: Struct}}
	for !p.is("}") {
		if p.peek().kind == tokEOF {
			return nil, p.expected(`"}"`)
		}
		start := p.peek()
		base, err := p.parseSpecs()
		if err != nil {
			return nil, err
		}
		if p.is(";") {
			return nil, p.errAt(start.off, "anonymous struct and union members are not supported: give the member a name")
		}
		for {
			name, c, err := p.parseDeclarator(base)
			if err != nil {
				return nil, err
			}
			f, err := p.valueType(c, inField)
			if err != nil {
				return nil, err
			}
			sd.Type.Fields = append(sd.Type.Fields, f)
			sd.Fields = append(sd.Fields, name.text)
			if p.is(",") {
				p.next()
				continue
			}
			break
		}
		if p.is(":") {
			return nil, p.errAt(p.peek().off, "bit-fields are not supported")
		}
		if !p.is(";") {
			return nil, p.unexpected(base, `";" or ","`)
		}
		p.next()
	}
	p.next() // "}"
	if sd.Type.Size() > MaxStructSize {
		return nil, p.errAt(open.off, "struct larger than %d bytes", MaxStructSize)
	}
	if w.text == "union" {
		return p.node(ctype{op: opBase, off: w.off, bad: fmt.Sprintf("unsupported C type %q", strings.TrimSpace("union "+tag.text))}), nil
	}
	if tag.text != "" {
		sd.Name = "struct " + tag.text
		if old := p.def.structs[tag.text]; old != nil && (old.Type.String() != sd.Type.String() || !slicesEqual(old.Fields, sd.Fields)) {
			return nil, p.errAt(tag.off, "struct %s redefined with different fields", tag.text)
		}
		setMap(&p.def.structs, tag.text, sd)
	}
	return p.node(ctype{op: opBase, off: w.off, base: sd.Type, sdef: sd}), nil
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// parseEnumBody parses "A, B = 2, C = B << 1 }" and defines the constants.
// The enum's type is int when every value fits, as C says; GCC widens it
// to unsigned int or long otherwise, and so does this.
func (p *parser) parseEnumBody(w, tag token) (*ctype, *Error) {
	next := int64(0)
	lo, hi := int64(0), int64(0)
	first := true
	for !p.is("}") {
		n := p.peek()
		if n.kind != tokWord || p.isTypeWord(n.text) || n.text[0] >= '0' && n.text[0] <= '9' {
			return nil, p.expected("an enum constant name")
		}
		p.next()
		v := next
		if p.is("=") {
			p.next()
			var err *Error
			if v, err = p.parseExpr(0); err != nil {
				return nil, err
			}
		}
		if old, ok := p.def.consts[n.text]; ok && old != v {
			return nil, p.errAt(n.off, "enum constant %s redefined as %d, was %d", n.text, v, old)
		}
		setMap(&p.def.consts, n.text, v)
		if first {
			lo, hi, first = v, v, false
		}
		lo, hi = min(lo, v), max(hi, v)
		next = v + 1
		if p.is(",") {
			p.next()
			continue
		}
		if !p.is("}") {
			return nil, p.expected(`"}" or ","`)
		}
	}
	if first {
		return nil, p.errAt(p.peek().off, "empty enum")
	}
	p.next() // "}"
	k := I32
	switch {
	case lo >= math.MinInt32 && hi <= math.MaxInt32:
	case lo >= 0 && hi <= math.MaxUint32:
		k = U32
	default:
		k = I64
	}
	if tag.text != "" {
		if old, ok := p.def.enums[tag.text]; ok && old != k {
			return nil, p.errAt(tag.off, "enum %s redefined", tag.text)
		}
		setMap(&p.def.enums, tag.text, k)
	}
	return p.node(ctype{op: opBase, off: w.off, base: Type{Kind: k}}), nil
}

// Integer constant expressions, for enum values: literals (decimal, hex,
// octal, with u and l suffixes), earlier constants, parentheses, unary
// + - ~ !, and the binary operators * / % + - << >> & ^ |, with C's
// precedence.

var binPrec = map[string]int{
	"*": 10, "/": 10, "%": 10,
	"+": 9, "-": 9,
	"<<": 8, ">>": 8,
	"&": 5, "^": 4, "|": 3,
}

// binOp returns the binary operator at the current token ("<<" is two
// tokens), or "".
func (p *parser) binOp() string {
	t := p.peek()
	if t.kind != tokPunct {
		return ""
	}
	if t.text == "<" || t.text == ">" {
		n := p.peekAt(1)
		if n.kind == tokPunct && n.text == t.text && n.off == t.off+1 {
			return t.text + t.text
		}
		return ""
	}
	if _, ok := binPrec[t.text]; ok {
		return t.text
	}
	return ""
}

func (p *parser) parseExpr(minPrec int) (int64, *Error) {
	v, err := p.parseUnary()
	if err != nil {
		return 0, err
	}
	for {
		op := p.binOp()
		prec, ok := binPrec[op]
		if !ok || prec <= minPrec {
			return v, nil
		}
		t := p.next()
		if len(op) == 2 {
			p.next()
		}
		if err := p.enter(t.off, "expressions"); err != nil {
			return 0, err
		}
		r, err := p.parseExpr(prec)
		p.depth--
		if err != nil {
			return 0, err
		}
		switch op {
		case "*":
			v *= r
		case "/", "%":
			if r == 0 {
				return 0, p.errAt(t.off, "division by zero")
			}
			if op == "/" {
				v /= r
			} else {
				v %= r
			}
		case "+":
			v += r
		case "-":
			v -= r
		case "<<", ">>":
			if r < 0 || r > 63 {
				return 0, p.errAt(t.off, "shift count %d out of range", r)
			}
			if op == "<<" {
				v <<= r
			} else {
				v >>= r
			}
		case "&":
			v &= r
		case "^":
			v ^= r
		case "|":
			v |= r
		}
	}
}

func (p *parser) parseUnary() (int64, *Error) {
	t := p.peek()
	if t.kind == tokPunct {
		switch t.text {
		case "-", "+", "~", "!", "(":
			p.next()
			if err := p.enter(t.off, "expressions"); err != nil {
				return 0, err
			}
			defer func() { p.depth-- }()
			if t.text == "(" {
				v, err := p.parseExpr(0)
				if err != nil {
					return 0, err
				}
				if !p.is(")") {
					return 0, p.expected(`")"`)
				}
				p.next()
				return v, nil
			}
			v, err := p.parseUnary()
			if err != nil {
				return 0, err
			}
			switch t.text {
			case "-":
				return -v, nil
			case "~":
				return ^v, nil
			case "!":
				if v == 0 {
					return 1, nil
				}
				return 0, nil
			}
			return v, nil
		}
	}
	if t.kind != tokWord {
		return 0, p.expected("a constant")
	}
	p.next()
	if c := t.text[0]; '0' <= c && c <= '9' {
		lit := strings.TrimRight(t.text, "uUlL")
		if len(lit) > 1 && lit[0] == '0' && lit[1] >= '0' && lit[1] <= '9' {
			lit = "0o" + lit[1:] // C octal
		}
		u, err := strconv.ParseUint(lit, 0, 64)
		if err != nil {
			return 0, p.errAt(t.off, "invalid integer constant %q", t.text)
		}
		return int64(u), nil
	}
	if v, ok := p.decls.constant(t.text); ok {
		return v, nil
	}
	return 0, p.errAt(t.off, "unknown constant %q (only integer literals and earlier enum constants)", t.text)
}
