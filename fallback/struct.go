package fallback

import (
	"encoding/binary"
	"reflect"
	"unsafe"

	"github.com/jitffi/jitffi/abi"
)

// Structs by value on the slow path.
//
// Every struct argument is first copied, with a typed copy, into the
// frame's scratch words (memory without pointers, so that whatever C
// writes into a copy it received by reference can never confuse the
// collector). From there its pieces go into the frame's registers and
// stack words, or, passed by reference, the address of its copy does. A
// struct result is assembled in the scratch words too: from the result
// registers, or by C itself when the caller passes the address of a
// buffer (System V's hidden first argument, AAPCS64's X8). It is then
// copied, again typed and so with write barriers, into a new value of the
// Go result type.
//
// The scratch words belong to the pooled frame, which the call keeps
// alive until C has returned. The Go memory the structs' pointer fields
// reach stays alive through the arguments themselves.

// structLayout places the struct arguments and the struct result of one
// plan in the frame's scratch words.
type structLayout struct {
	argOff []int // per parameter: first scratch word; -1 for scalars
	retOff int   // first scratch word of a struct result
	words  int   // total scratch words
}

func newStructLayout(p *abi.Plan) *structLayout {
	if !p.Sig.HasStruct() {
		return nil
	}
	l := &structLayout{argOff: make([]int, len(p.Args))}
	for i, a := range p.Args {
		l.argOff[i] = -1
		if a.Struct != nil {
			l.argOff[i] = l.words
			l.words += (a.Struct.Size + 7) / 8
		}
	}
	l.retOff = l.words
	if s := p.Result.Struct; s != nil {
		l.words += (s.Size + 7) / 8
	}
	return l
}

// scratch returns the n words of scratch at off, zeroed.
func (f *frame) scratchAt(off, size int) []uint64 {
	buf := f.scratch[off : off+(size+7)/8]
	clear(buf)
	return buf
}

func wordsBytes(buf []uint64) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), 8*len(buf))
}

// put stores one word at a C argument location.
func (f *frame) put(l abi.Loc, w uint64) {
	switch l.Class {
	case abi.Int:
		f.ints[l.Reg] = w
	case abi.Float:
		f.floats[l.Reg] = w
	case abi.Stack:
		f.words[l.Off/8] = w
	}
}

// loadPiece reads the n <= 8 bytes of b as a little-endian word (both
// architectures are little-endian).
func loadPiece(b []byte) uint64 {
	var w [8]byte
	copy(w[:], b)
	return binary.LittleEndian.Uint64(w[:])
}

func storePiece(b []byte, w uint64) {
	var tmp [8]byte
	binary.LittleEndian.PutUint64(tmp[:], w)
	copy(b, tmp[:])
}

// putStruct copies struct argument v into the scratch words and from
// there to where the plan puts it.
func (c *caller) putStruct(f *frame, i int, s *abi.Struct, v reflect.Value) {
	buf := f.scratchAt(c.structs.argOff[i], s.Size)
	reflect.NewAt(v.Type(), unsafe.Pointer(&buf[0])).Elem().Set(v)
	switch s.Pass {
	case abi.InRegs:
		b := wordsBytes(buf)
		for _, pc := range s.Pieces {
			f.put(pc.Loc, loadPiece(b[pc.Off:pc.Off+pc.Size]))
		}
	case abi.InMemory:
		copy(f.words[s.Pieces[0].Loc.Off/8:], buf)
	case abi.ByRef:
		// The callee may write to its copy: it is this call's own.
		f.put(s.Ref, uint64(uintptr(unsafe.Pointer(&buf[0]))))
	}
}

// prepareResult passes the address of the buffer of an indirect struct
// result.
func (c *caller) prepareResult(f *frame) {
	f.x8 = 0
	s := c.plan.Result.Struct
	if s == nil || s.Pass != abi.Indirect {
		return
	}
	buf := f.scratchAt(c.structs.retOff, s.Size)
	addr := uint64(uintptr(unsafe.Pointer(&buf[0])))
	if s.Ref.Class == abi.Int && s.Ref.Reg == abi.IndirectResultReg && c.plan.Arch == abi.ARM64 {
		f.x8 = addr
	} else {
		f.put(s.Ref, addr)
	}
}

// structResult builds the Go value of a struct result after the call.
func (c *caller) structResult(f *frame) reflect.Value {
	s := c.plan.Result.Struct
	var buf []uint64
	if s.Pass == abi.Indirect {
		buf = f.scratch[c.structs.retOff : c.structs.retOff+(s.Size+7)/8]
	} else {
		buf = f.scratchAt(c.structs.retOff, s.Size)
		b := wordsBytes(buf)
		for _, pc := range s.Pieces {
			storePiece(b[pc.Off:pc.Off+pc.Size], f.resultWord(pc.Loc))
		}
	}
	v := reflect.New(c.out).Elem()
	v.Set(reflect.NewAt(c.out, unsafe.Pointer(&buf[0])).Elem())
	return v
}

// resultWord is the C result register of a struct result's piece.
func (f *frame) resultWord(l abi.Loc) uint64 {
	if l.Class == abi.Int {
		if l.Reg == 0 {
			return f.ret
		}
		return f.ret2
	}
	switch l.Reg {
	case 0:
		return f.fret
	case 1:
		return f.fret2
	}
	return f.fret34[l.Reg-2]
}
