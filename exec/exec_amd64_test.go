//go:build linux && amd64

package exec

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
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

// TestExecuteWhilePlacing runs code from a chunk while other goroutines
// append to the same chunk, one block at a time, and run what they placed.
func TestExecuteWhilePlacing(t *testing.T) {
	a := New(AMD64)
	const workers, each = 4, 2000
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []uintptr
			for i := range each {
				v := uint32(w<<20 | i)
				addrs, err := a.Place(movRAXRet(v))
				if err != nil {
					errs <- err
					return
				}
				mine = append(mine, addrs[0])
				// Call this block and an older one of this worker.
				for _, j := range []int{i, i / 2} {
					if got := callCode(mine[j]); got != uint64(w<<20|j) {
						errs <- fmt.Errorf("worker %d block %d returned %#x, want %#x", w, j, got, w<<20|j)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s := a.Stats()
	if s.Blocks != workers*each {
		t.Errorf("Stats = %+v, want %d blocks", s, workers*each)
	}
	t.Logf("%+v", s)
}
