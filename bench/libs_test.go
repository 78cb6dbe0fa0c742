package bench

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ebitengine/purego"

	"github.com/jitffi/jitffi"
	"github.com/jitffi/jitffi/fixtures"
)

//go:embed csrc/bench.c
var benchC string

// The shared libraries the benchmarks call into. Each is opened twice, by
// jitffi and by purego (dlopen counts references, so both handles name the
// same loaded object and every path calls the same code).
const (
	libFixtures = "fixtures" // libjitffi_fixtures.so, built from package fixtures
	libBench    = "bench"    // libjitffi_bench.so, built from csrc/bench.c
	libBind     = "bind"     // libjitffi_bind.so, 1000 generated functions
	libM        = "libm.so.6"
	libC        = "" // the running process, libc among its libraries
	libZ        = "libz.so.1"
)

type library struct {
	path string // as passed to dlopen
	jit  *jitffi.Library
	h    uintptr // purego handle
	err  error
}

var libs struct {
	mu     sync.Mutex
	dir    string // temporary directory for built libraries
	opened map[string]*library
}

func TestMain(m *testing.M) {
	code := m.Run()
	if libs.dir != "" {
		os.RemoveAll(libs.dir)
	}
	os.Exit(code)
}

// openLib opens (once per process) the library with the given key. It
// skips the benchmark when zlib is missing and fails it on any other
// error.
func openLib(tb testing.TB, key string) *library {
	tb.Helper()
	libs.mu.Lock()
	defer libs.mu.Unlock()
	l := libs.opened[key]
	if l == nil {
		l = &library{}
		l.path, l.jit, l.h, l.err = loadLib(tb, key)
		if libs.opened == nil {
			libs.opened = make(map[string]*library)
		}
		libs.opened[key] = l
	}
	if l.err != nil {
		if key == libZ {
			tb.Skipf("zlib is not installed (%v): install zlib1g (apt-get install zlib1g-dev) to run the crc32 rows", l.err)
		}
		tb.Fatal(l.err)
	}
	return l
}

// openLibPath returns the path the library with the given key was loaded
// from, opening it first.
func openLibPath(tb testing.TB, key string) string {
	tb.Helper()
	return openLib(tb, key).path
}

func loadLib(tb testing.TB, key string) (string, *jitffi.Library, uintptr, error) {
	path := key
	var err error
	switch key {
	case libFixtures:
		path = fixtures.Shared(tb)
	case libBench:
		path, err = buildLib("libjitffi_bench.so", benchC)
	case libBind:
		path, err = buildLib("libjitffi_bind.so", bindC())
	}
	if err != nil {
		return path, nil, 0, err
	}
	jl, err := jitffi.Open(path)
	if err != nil {
		return path, nil, 0, err
	}
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		return path, nil, 0, fmt.Errorf("purego: open %q: %w", path, err)
	}
	return path, jl, h, nil
}

// buildLib compiles one C source into a shared library in the temporary
// directory, with the flags the fixture library uses. libs.mu is held.
func buildLib(name, src string) (string, error) {
	if libs.dir == "" {
		dir, err := os.MkdirTemp("", "jitffi-bench-")
		if err != nil {
			return "", err
		}
		libs.dir = dir
	}
	cfile := filepath.Join(libs.dir, strings.TrimSuffix(name, ".so")+".c")
	if err := os.WriteFile(cfile, []byte(src), 0o644); err != nil {
		return "", err
	}
	out := filepath.Join(libs.dir, name)
	cc := strings.Fields(os.Getenv("CC"))
	if len(cc) == 0 {
		cc = []string{"cc"}
	}
	args := append(cc[1:len(cc):len(cc)], "-O2", "-fPIC", "-shared", "-Wall", "-Werror", "-o", out, cfile)
	if output, err := exec.Command(cc[0], args...).CombinedOutput(); err != nil {
		return "", errors.Join(fmt.Errorf("%s %s: %w", cc[0], strings.Join(args, " "), err), errors.New(string(output)))
	}
	return out, nil
}
