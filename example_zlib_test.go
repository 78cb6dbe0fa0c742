package jitffi_test

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"log"
	"os"
	"strings"
	"testing"

	"github.com/jitffi/jitffi"
)

// Declarations from zlib.h, cleaned of macros, bound by name.
func ExampleLibrary_CDef() {
	z, err := jitffi.Open("libz.so.1")
	if err != nil {
		log.Fatal(err)
	}
	defer z.Close()
	err = z.CDef(`
		typedef unsigned char Bytef;
		typedef unsigned long uLong, uLongf;
		typedef unsigned int uInt;
		const char *zlibVersion(void);
		uLong crc32(uLong crc, const Bytef *buf, uInt len);
		uLong compressBound(uLong sourceLen);
		int compress2(Bytef *dest, uLongf *destLen, const Bytef *source, uLong sourceLen, int level);
		int uncompress(Bytef *dest, uLongf *destLen, const Bytef *source, uLong sourceLen);
		enum { Z_OK = 0, Z_BEST_COMPRESSION = 9 };
	`)
	if err != nil {
		log.Fatal(err)
	}
	var zlib struct {
		Version       func() *byte `jitffi:"zlibVersion"`
		Crc32         func(crc uint64, buf []byte, n uint32) uint64
		CompressBound func(uint64) uint64
		Compress2     func(dst []byte, dstLen *uint64, src []byte, srcLen uint64, level int32) int32
		Uncompress    func(dst []byte, dstLen *uint64, src []byte, srcLen uint64) int32
	}
	// Fields without a tag are bound to their own names, which zlib
	// spells in lower case; BindAll reports every field it could not
	// bind, so tag the ones that differ.
	if err := z.BindAll(&zlib); err != nil {
		fmt.Println(strings.Count(err.Error(), "\n"), "fields need a tag")
	}
	type api = struct {
		Version       func() *byte                                                                   `jitffi:"zlibVersion"`
		Crc32         func(crc uint64, buf []byte, n uint32) uint64                                  `jitffi:"crc32"`
		CompressBound func(uint64) uint64                                                            `jitffi:"compressBound"`
		Compress2     func(dst []byte, dstLen *uint64, src []byte, srcLen uint64, level int32) int32 `jitffi:"compress2"`
		Uncompress    func(dst []byte, dstLen *uint64, src []byte, srcLen uint64) int32              `jitffi:"uncompress"`
	}
	var lib api
	if err := z.BindAll(&lib); err != nil {
		log.Fatal(err)
	}

	data := []byte(strings.Repeat("jitffi calls C. ", 64))
	fmt.Println("crc32 matches Go:", lib.Crc32(0, data, uint32(len(data))) == uint64(crc32.ChecksumIEEE(data)))

	level, _ := z.Const("Z_BEST_COMPRESSION")
	ok, _ := z.Const("Z_OK")
	packed := make([]byte, lib.CompressBound(uint64(len(data))))
	n := uint64(len(packed))
	if rc := lib.Compress2(packed, &n, data, uint64(len(data)), int32(level)); int64(rc) != ok {
		log.Fatalf("compress2: %d", rc)
	}
	out := make([]byte, len(data))
	m := uint64(len(out))
	if rc := lib.Uncompress(out, &m, packed, n); int64(rc) != ok {
		log.Fatalf("uncompress: %d", rc)
	}
	fmt.Printf("%d bytes, compressed smaller: %v, round trip equal: %v\n", len(data), n < uint64(len(data)/4), bytes.Equal(out[:m], data))
	// It prints (TestExampleZlib runs it and checks this where zlib is
	// installed; an Output comment would fail where it is not):
	//
	// 4 fields need a tag
	// crc32 matches Go: true
	// 1024 bytes, compressed smaller: true, round trip equal: true
}

// exampleZlibOutput is ExampleLibrary_CDef's output.
const exampleZlibOutput = `4 fields need a tag
crc32 matches Go: true
1024 bytes, compressed smaller: true, round trip equal: true
`

// TestExampleZlib runs ExampleLibrary_CDef against the real zlib, and
// skips where zlib is missing (make test and CI install it).
func TestExampleZlib(t *testing.T) {
	z, err := jitffi.Open("libz.so.1")
	if err != nil {
		t.Skipf("zlib is not installed: %v", err)
	}
	z.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	ExampleLibrary_CDef()
	os.Stdout = stdout
	w.Close()
	if got := <-done; got != exampleZlibOutput {
		t.Errorf("output:\n%s\nwant:\n%s", got, exampleZlibOutput)
	}
}
