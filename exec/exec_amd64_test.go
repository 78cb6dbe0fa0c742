//go:build linux && amd64

package exec

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// movRAXRet encodes "mov rax, imm32 (sign-extended); ret".
func movRAXRet(v uint32) []byte {
	b := []byte{0x48, 0xC7, 0xC0, 0, 0, 0, 0, 0xC3}
	binary.LittleEndian.PutUint32(b[3:], v)
	return b
}

func TestExecutePlaced(t *testing.T) {
	a := New(AMD64)
	addrs, err := a.Place([]byte{0x48, 0xC7, 0xC0, 0x2A, 0x00, 0x00, 0x00, 0xC3})
	if err != nil {
		t.Fatal(err)
	}
	if got := callCode(addrs[0]); got != 42 {
		t.Fatalf("placed code returned %d, want 42", got)
	}
}

// TestExecuteBatch runs every block of a batch that shares pages and
// crosses a page boundary (a long NOP sled ahead of the last block).
func TestExecuteBatch(t *testing.T) {
	a := New(AMD64)
	var blocks [][]byte
	for i := uint32(1); i <= 50; i++ {
		blocks = append(blocks, movRAXRet(i*1000+i))
	}
	sled := append(bytes.Repeat([]byte{0x90}, 10000), movRAXRet(7)...)
	blocks = append(blocks, sled)
	addrs, err := a.Place(blocks...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		v := uint32(i+1)*1000 + uint32(i+1)
		if got := callCode(addrs[i]); got != uint64(v) {
			t.Errorf("block %d returned %d, want %d", i, got, v)
		}
	}
	if got := callCode(addrs[50]); got != 7 {
		t.Errorf("sled block returned %d, want 7", got)
	}
	if s := a.Stats(); s.Mappings != 1 {
		t.Errorf("batch used %d mappings, want 1", s.Mappings)
	}
}
