package sig

import (
	"fmt"
	"strings"
)

// Error is a malformed or unsupported signature or declaration. Parse and
// Decls.Define return no other error type.
type Error struct {
	Input  string // the whole text
	Offset int    // byte offset of the problem in Input
	Msg    string // what is wrong, e.g. `unknown type "int33"`
}

// quoteWindow is how many bytes of Input on either side of Offset an error
// message quotes: a 70 KB input must not make a 70 KB message.
const quoteWindow = 40

func (e *Error) Error() string {
	where := fmt.Sprintf("offset %d", e.Offset)
	if line := 1 + strings.Count(e.Input[:clamp(e.Offset, 0, len(e.Input))], "\n"); line > 1 || strings.Contains(e.Input, "\n") {
		where += fmt.Sprintf(" (line %d)", line)
	}
	return fmt.Sprintf("sig: %s at %s in %s", e.Msg, where, e.excerpt())
}

// excerpt quotes Input, or a window of it around Offset with "..." for
// what is left out.
func (e *Error) excerpt() string {
	in := e.Input
	if len(in) <= 2*quoteWindow {
		return fmt.Sprintf("%q", in)
	}
	lo := clamp(e.Offset-quoteWindow, 0, len(in))
	hi := clamp(e.Offset+quoteWindow, 0, len(in))
	// Do not split a UTF-8 sequence at either edge (a sequence has at
	// most three continuation bytes; invalid input may have more).
	for i := 0; i < 3 && lo > 0 && lo < len(in) && in[lo]&0xC0 == 0x80; i++ {
		lo--
	}
	for i := 0; i < 3 && hi < len(in) && in[hi]&0xC0 == 0x80; i++ {
		hi++
	}
	pre, post := "", ""
	if lo > 0 {
		pre = "..."
	}
	if hi < len(in) {
		post = "..."
	}
	return fmt.Sprintf("%s%q%s", pre, in[lo:hi], post)
}

func clamp(n, lo, hi int) int { return max(lo, min(n, hi)) }

// with sets the input of an error made before it was known.
func (e *Error) with(src string) *Error {
	e.Input = src
	return e
}
