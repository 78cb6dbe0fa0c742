package fallback

import (
	"os"
	"regexp"
	"strconv"
	"testing"
	"unsafe"
)

// frameFields is the part of frame the stubs see, with unsafe.Offsetof:
// name -> offset and size.
func frameFields() map[string][2]uintptr {
	var f frame
	return map[string][2]uintptr{
		"fn":     {unsafe.Offsetof(f.fn), unsafe.Sizeof(f.fn)},
		"ints":   {unsafe.Offsetof(f.ints), unsafe.Sizeof(f.ints)},
		"floats": {unsafe.Offsetof(f.floats), unsafe.Sizeof(f.floats)},
		"nstack": {unsafe.Offsetof(f.nstack), unsafe.Sizeof(f.nstack)},
		"stack":  {unsafe.Offsetof(f.stack), unsafe.Sizeof(f.stack)},
		"nfloat": {unsafe.Offsetof(f.nfloat), unsafe.Sizeof(f.nfloat)},
		"ret":    {unsafe.Offsetof(f.ret), unsafe.Sizeof(f.ret)},
		"fret":   {unsafe.Offsetof(f.fret), unsafe.Sizeof(f.fret)},
		"ret2":   {unsafe.Offsetof(f.ret2), unsafe.Sizeof(f.ret2)},
		"fret2":  {unsafe.Offsetof(f.fret2), unsafe.Sizeof(f.fret2)},
		"fret34": {unsafe.Offsetof(f.fret34), unsafe.Sizeof(f.fret34)},
		"x8":     {unsafe.Offsetof(f.x8), unsafe.Sizeof(f.x8)},
		"errnoF": {unsafe.Offsetof(f.errnoF), unsafe.Sizeof(f.errnoF)},
		"errno":  {unsafe.Offsetof(f.errno), unsafe.Sizeof(f.errno)},
	}
}

var (
	// A row of the layout drawn in a stub's header: "//\t136  nstack ...".
	layoutRow = regexp.MustCompile(`(?m)^//\t(\d+)\s+([a-zA-Z0-9]+)`)
	// An operand at a constant offset from the frame register.
	amd64Operand = regexp.MustCompile(`[\s,](\d+)\(BX\)`)
	arm64Operand = regexp.MustCompile(`[\s,](\d+)\(R19\)`)
)

// The frame offsets hard-coded in the assembly stubs are frame's: the
// drawn layout row by row, and every operand the code uses is a field (or
// an 8-byte element of an array field) of the part the stub sees.
func TestStubFrameOffsets(t *testing.T) {
	fields := frameFields()
	for _, c := range []struct {
		file    string
		operand *regexp.Regexp
	}{{"stub_amd64.s", amd64Operand}, {"stub_arm64.s", arm64Operand}} {
		src, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		rows := layoutRow.FindAllSubmatch(src, -1)
		if len(rows) != len(fields) {
			t.Errorf("%s: the layout draws %d fields, frame has %d the stub sees", c.file, len(rows), len(fields))
		}
		for _, r := range rows {
			off, _ := strconv.Atoi(string(r[1]))
			f, ok := fields[string(r[2])]
			if !ok {
				t.Errorf("%s: the layout names %s, which frame does not have", c.file, r[2])
			} else if uintptr(off) != f[0] {
				t.Errorf("%s: the layout puts %s at %d, unsafe.Offsetof says %d", c.file, r[2], off, f[0])
			}
		}
		ops := c.operand.FindAllSubmatch(src, -1)
		if len(ops) < 20 {
			t.Fatalf("%s: found only %d frame operands; the pattern is stale", c.file, len(ops))
		}
		for _, m := range ops {
			off, _ := strconv.Atoi(string(m[1]))
			found := false
			for _, f := range fields {
				if uintptr(off) >= f[0] && uintptr(off) < f[0]+f[1] && (uintptr(off)-f[0])%8 == 0 {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: operand %s(...) is not a word of a frame field", c.file, m[1])
			}
		}
	}
	// The stubs index the stack words through a separate pointer; words
	// and scratch (Go pointers) must lie after everything they read.
	var f frame
	if unsafe.Offsetof(f.words) < unsafe.Offsetof(f.errno)+8 {
		t.Errorf("frame.words at %d overlaps the stub's part", unsafe.Offsetof(f.words))
	}
}
