//go:build linux && arm64

package exec

import (
	"encoding/binary"
	"testing"
)

// movX0Ret encodes "movz x0, #imm16; ret".
func movX0Ret(v uint16) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint32(b, 0xd2800000|uint32(v)<<5)
	binary.LittleEndian.PutUint32(b[4:], 0xd65f03c0)
	return b
}

// TestExecuteBatch runs freshly written code, which on arm64 only works
// reliably if the I-cache maintenance in Place is right.
func TestExecuteBatch(t *testing.T) {
	a := New(ARM64)
	var blocks [][]byte
	for i := range 200 {
		blocks = append(blocks, movX0Ret(uint16(1000+i)))
	}
	for round := range 20 {
		addrs, err := a.Place(blocks...)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range addrs {
			if got := callCode(p); got != uint64(1000+i) {
				t.Fatalf("round %d block %d returned %d, want %d", round, i, got, 1000+i)
			}
		}
	}
}
