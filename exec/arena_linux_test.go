//go:build linux

package exec

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	osexec "os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"unsafe"
)

// mapping is one line of /proc/self/maps.
type mapping struct {
	start, end uintptr
	perms      string
}

func (m mapping) writable() bool   { return m.perms[1] == 'w' }
func (m mapping) executable() bool { return m.perms[2] == 'x' }

func readMaps(t testing.TB) []mapping {
	t.Helper()
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ms []mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || len(fields[1]) != 4 {
			t.Fatalf("bad maps line %q", sc.Text())
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if !ok || err1 != nil || err2 != nil {
			t.Fatalf("bad maps range %q", fields[0])
		}
		ms = append(ms, mapping{uintptr(start), uintptr(end), fields[1]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ms
}

// wxOverlaps returns the mappings that are both writable and executable
// and overlap one of spans.
func wxOverlaps(ms []mapping, spans []span) []mapping {
	var bad []mapping
	for _, m := range ms {
		if !m.writable() || !m.executable() {
			continue
		}
		for _, s := range spans {
			if m.start < s.end && s.start < m.end {
				bad = append(bad, m)
				break
			}
		}
	}
	return bad
}

func (a *Arena) spans() []span {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return append([]span(nil), a.ranges...)
}

// bytesAt views n bytes of memory this package mapped. Going through a
// pointer-typed copy keeps the uintptr-to-pointer conversion explicit.
func bytesAt(addr uintptr, n int) []byte {
	return unsafe.Slice(*(*(*byte))(unsafe.Pointer(&addr)), n)
}

func hostArch(t *testing.T) Arch {
	switch runtime.GOARCH {
	case "amd64":
		return AMD64
	case "arm64":
		return ARM64
	}
	t.Skipf("no executable memory support on %s", runtime.GOARCH)
	return ""
}

func TestPlaceSealsReadExec(t *testing.T) {
	arch := hostArch(t)
	a := New(arch)
	big := bytes.Repeat([]byte{0x90, 0x91, 0x92}, 3000) // spans pages
	blocks := [][]byte{{0xC3}, big, {1, 2, 3, 4, 5}}
	addrs, err := a.Place(blocks...)
	if err != nil {
		t.Fatal(err)
	}
	if len(addrs) != len(blocks) {
		t.Fatalf("got %d addresses for %d blocks", len(addrs), len(blocks))
	}
	ms := readMaps(t)
	for i, addr := range addrs {
		if addr%16 != 0 {
			t.Errorf("block %d at %#x is not 16-byte aligned", i, addr)
		}
		if !a.Contains(addr) || !a.Contains(addr+uintptr(len(blocks[i])-1)) {
			t.Errorf("Contains(block %d) = false", i)
		}
		if got := bytesAt(addr, len(blocks[i])); !bytes.Equal(got, blocks[i]) {
			t.Errorf("block %d read back differs", i)
		}
		// Every page the block touches must be sealed.
		for p := addr; p < addr+uintptr(len(blocks[i])); p += uintptr(os.Getpagesize()) {
			found := false
			for _, m := range ms {
				if m.start <= p && p < m.end {
					found = true
					if m.perms != "r-xp" {
						t.Errorf("block %d page %#x has perms %s, want r-xp", i, p, m.perms)
					}
				}
			}
			if !found {
				t.Errorf("block %d page %#x is not in /proc/self/maps", i, p)
			}
		}
	}
	if bad := wxOverlaps(ms, a.spans()); len(bad) > 0 {
		t.Errorf("writable+executable arena mappings: %+v", bad)
	}

	off, total := Layout(arch, os.Getpagesize(), []int{1, len(big), 5})
	base := addrs[0] - uintptr(off[0])
	if a.Contains(base-1) || a.Contains(base+uintptr(total)) || !a.Contains(base+uintptr(total)-1) {
		t.Errorf("Contains is wrong at the edges of [%#x,%#x)", base, base+uintptr(total))
	}
	want := Stats{Mappings: 1, Bytes: total, CodeBytes: 1 + len(big) + 5}
	if s := a.Stats(); s != want {
		t.Errorf("Stats = %+v, want %+v", s, want)
	}
}

func TestPlaceTrapFill(t *testing.T) {
	for _, tc := range []struct {
		arch Arch
		trap byte
	}{{AMD64, 0xCC}, {ARM64, 0x00}} {
		t.Run(string(tc.arch), func(t *testing.T) {
			hostArch(t)
			// Placing code for a foreign arch is fine as long as nobody runs it.
			a := New(tc.arch)
			blocks := [][]byte{{0xAA, 0xAA, 0xAA}, {0xBB, 0xBB, 0xBB, 0xBB, 0xBB}}
			addrs, err := a.Place(blocks...)
			if err != nil {
				t.Fatal(err)
			}
			off, total := Layout(tc.arch, os.Getpagesize(), []int{3, 5})
			mem := bytesAt(addrs[0]-uintptr(off[0]), total)
			for i, c := range mem {
				inBlock := i < 3 || (i >= off[1] && i < off[1]+5)
				if !inBlock && c != tc.trap {
					t.Fatalf("byte %d of the sealed mapping = %#x, want trap %#x", i, c, tc.trap)
				}
			}
		})
	}
}

// TestWXCheckerDetects proves the /proc/self/maps check can fail: a
// deliberately RWX mapping must be reported.
func TestWXCheckerDetects(t *testing.T) {
	mem, err := syscall.Mmap(-1, 0, os.Getpagesize(),
		syscall.PROT_READ|syscall.PROT_WRITE|syscall.PROT_EXEC, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Skipf("kernel refuses RWX mappings: %v", err)
	}
	defer syscall.Munmap(mem)
	base := uintptr(unsafe.Pointer(&mem[0]))
	ms := readMaps(t)
	if bad := wxOverlaps(ms, []span{{base, base + 1}}); len(bad) != 1 {
		// qemu-user synthesises /proc/self/maps from its host mappings,
		// which are never executable, so it shows an RWX guest mapping
		// as rw-p. The W^X scans cannot see anything there.
		if emu := os.Getenv("JITFFI_TEST_EMULATOR"); emu != "" {
			for _, m := range ms {
				if m.start <= base && base < m.end && m.writable() && !m.executable() {
					t.Skipf("under %s, /proc/self/maps shows the RWX mapping as %s", emu, m.perms)
				}
			}
		}
		t.Fatalf("checker missed an RWX mapping: %+v", bad)
	}
}

// TestNoWXWhilePlacing scans /proc/self/maps while another goroutine
// places code. An arena range may be seen rw-p before sealing, but never
// writable and executable at once.
func TestNoWXWhilePlacing(t *testing.T) {
	a := New(hostArch(t))
	const rounds = 300
	done := make(chan struct{})
	var wg sync.WaitGroup
	var placeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := 0; i < rounds; i++ {
			blk := bytes.Repeat([]byte{0xC3}, 1+i*37%9000)
			if _, err := a.Place(blk, blk[:1]); err != nil {
				placeErr = err
				return
			}
		}
	}()

	var wx []mapping
	scans, sawRW := 0, 0
	for running := true; running; {
		select {
		case <-done:
			running = false // one last scan below
		default:
		}
		ms := readMaps(t)
		scans++
		for _, m := range ms {
			if m.writable() && m.executable() {
				wx = append(wx, m)
			}
		}
		// Mappings seen RW may be in-flight arena pages; count them to show
		// the scan overlapped placement, without asserting on timing.
		for _, m := range ms {
			if m.perms == "rw-p" && a.Contains(m.start) {
				sawRW++
			}
		}
	}
	wg.Wait()
	if placeErr != nil {
		t.Fatal(placeErr)
	}
	if bad := wxOverlaps(wx, a.spans()); len(bad) > 0 {
		t.Fatalf("arena memory was writable and executable: %+v", bad)
	}
	if s := a.Stats(); s.Mappings != rounds {
		t.Errorf("Stats.Mappings = %d, want %d", s.Mappings, rounds)
	}
	t.Logf("%d scans during %d placements, %d arena ranges seen rw-p, %d RWX mappings elsewhere",
		scans, rounds, sawRW, len(wx))
}

func TestPlaceConcurrent(t *testing.T) {
	a := New(hostArch(t))
	const workers, each = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	seen := make(chan uintptr, workers*each*2)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				blk := []byte{byte(w), byte(i), 0xC3}
				addrs, err := a.Place(blk, blk)
				if err != nil {
					errs <- err
					return
				}
				for _, p := range addrs {
					if !bytes.Equal(bytesAt(p, 3), blk) {
						errs <- fmt.Errorf("worker %d round %d: block corrupted", w, i)
						return
					}
					seen <- p
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	close(seen)
	for err := range errs {
		t.Fatal(err)
	}
	uniq := map[uintptr]bool{}
	for p := range seen {
		if uniq[p] {
			t.Fatalf("address %#x handed out twice", p)
		}
		uniq[p] = true
	}
	s := a.Stats()
	if s.Mappings != workers*each || s.CodeBytes != workers*each*6 {
		t.Errorf("Stats = %+v after %d placements", s, workers*each)
	}
}

const helperEnv = "JITFFI_EXEC_HELPER"

// TestHelperWriteSealed is not a test on its own: TestWriteSealedFaults
// re-runs the test binary with it selected, and it writes into sealed code.
func TestHelperWriteSealed(t *testing.T) {
	if os.Getenv(helperEnv) != "write-sealed" {
		t.Skip("helper process only")
	}
	addrs, err := New(hostArch(t)).Place([]byte{0xC3, 0xC3, 0xC3, 0xC3})
	if err != nil {
		fmt.Fprintln(os.Stderr, "place failed:", err)
		os.Exit(3)
	}
	fmt.Fprintf(os.Stderr, "writing to %#x\n", addrs[0])
	bytesAt(addrs[0], 1)[0] = 0x90
	fmt.Fprintln(os.Stderr, "write succeeded")
	os.Exit(0)
}

func TestWriteSealedFaults(t *testing.T) {
	hostArch(t)
	cmd := osexec.Command(os.Args[0], "-test.run=^TestHelperWriteSealed$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"=write-sealed")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	out := stderr.String()
	if _, ok := err.(*osexec.ExitError); !ok {
		t.Fatalf("helper did not fail (err %v):\n%s", err, out)
	}
	var addr uintptr
	if i := strings.Index(out, "writing to "); i < 0 {
		t.Fatalf("helper never reached the write:\n%s", out)
	} else if _, err := fmt.Sscanf(out[i:], "writing to %v", &addr); err != nil {
		t.Fatalf("cannot parse helper address: %v\n%s", err, out)
	}
	if strings.Contains(out, "write succeeded") {
		t.Fatalf("write into a sealed page succeeded:\n%s", out)
	}
	want := fmt.Sprintf("unexpected fault address %#x", addr)
	if !strings.Contains(out, want) || !strings.Contains(out, "signal SIGSEGV") {
		t.Fatalf("helper stderr lacks %q and signal SIGSEGV:\n%s", want, out)
	}
}
