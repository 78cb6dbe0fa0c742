package abifuzz

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"

	"github.com/jitffi/jitffi/sig"
)

// Str is a const char * parameter bound to a Go string: C receives a
// NUL-terminated copy, and the C function folds the string's length and
// its bytes up to the first NUL (fz_str), so a lost, truncated or
// unterminated copy changes the checksum. Strings are only parameters:
// never results or struct fields.
type Str struct{}

// StringMax mirrors jit.StringMax (which abifuzz must not import): the
// values favour lengths around it, where the fast path stops copying and
// bails out to the slow path.
const StringMax = 4096

func (Str) Sig() sig.Type        { return sig.Type{Kind: sig.Ptr} }
func (Str) CType() string        { return "const char *" }
func (Str) GoType() reflect.Type { return reflect.TypeFor[string]() }
func (Str) String() string       { return "ptr/string" }

func (Str) foldC(expr string) string { return "h = fz_str(h, " + expr + ");" }

// fold is fz_str: the length before the first NUL, then each byte.
func (Str) fold(h uint64, v any) uint64 { return foldStr(h, v.(string)) }

func foldStr(h uint64, s string) uint64 {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	h = mix(h, uint64(len(s)))
	for i := 0; i < len(s); i++ {
		h = mix(h, uint64(s[i]))
	}
	return h
}

// value draws a string: mostly short, sometimes around StringMax, now and
// then with a NUL inside; the bytes are otherwise anything but NUL.
func (Str) value(r *rand.Rand) any {
	var n int
	switch r.IntN(16) {
	case 0:
		n = 0
	case 1:
		n = StringMax - 1 + r.IntN(3)
	case 2:
		n = 16 * (1 + r.IntN(4))
	default:
		n = r.IntN(40)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(1 + r.IntN(255))
	}
	if n > 0 && r.IntN(8) == 0 {
		b[r.IntN(n)] = 0
	}
	return string(b)
}

func (Str) returnC() string                        { panic("abifuzz: BUG: a string result") }
func (Str) fromChecksum(uint64) any                { panic("abifuzz: BUG: a string result") }
func (Str) assignC(*strings.Builder, string, *int) { panic("abifuzz: BUG: a string field") }
func (Str) fromLeaves(uint64, *int) reflect.Value  { panic("abifuzz: BUG: a string field") }
func (Str) typedefs(*[]string)                     {}
func formatStr(s string) string                    { return fmt.Sprintf("string(len %d, %.24q...)", len(s), s) }
