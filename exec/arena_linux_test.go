//go:build linux

package exec

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	osexec "os/exec"
	"runtime"
	"slices"
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

// rwViews returns every read-write view the arena has mapped so far.
func (a *Arena) rwViews() []span {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return append([]span(nil), *a.rwSeen...)
}

// arenaModes runs f once per Mode: with New (skipped, saying why, where
// the system does not allow dual mapping) and with a forced fallback. The
// arena records its read-write views for the W^X scans.
func arenaModes(t *testing.T, arch Arch, f func(t *testing.T, a *Arena)) {
	t.Run(string(DualMapped), func(t *testing.T) {
		a := New(arch)
		if a.mode != DualMapped {
			t.Skipf("dual mapping unavailable here: %s", a.FallbackReason())
		}
		a.rwSeen = new([]span)
		f(t, a)
	})
	t.Run(string(SealedPages), func(t *testing.T) {
		a := newSealed(arch)
		a.rwSeen = new([]span)
		f(t, a)
	})
}

// mappingAt returns the /proc/self/maps entry containing p.
func mappingAt(ms []mapping, p uintptr) (mapping, bool) {
	for _, m := range ms {
		if m.start <= p && p < m.end {
			return m, true
		}
	}
	return mapping{}, false
}

// execPerms is what /proc/self/maps shows for placed code: private pages
// when sealed, the shared file's pages when dual-mapped.
func execPerms(a *Arena) string {
	if a.mode == DualMapped {
		return "r-xs"
	}
	return "r-xp"
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

func TestNewMode(t *testing.T) {
	a := New(hostArch(t))
	switch s := a.Stats(); {
	case s.Mode == DualMapped && a.FallbackReason() == "":
	case s.Mode == SealedPages && a.FallbackReason() != "":
		t.Logf("dual mapping unavailable, falling back to sealed pages: %s", a.FallbackReason())
	default:
		t.Fatalf("Stats.Mode %q with FallbackReason %q", s.Mode, a.FallbackReason())
	}
}

func TestPlaceSealsReadExec(t *testing.T) {
	arenaModes(t, hostArch(t), func(t *testing.T, a *Arena) {
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
			// Every page the block touches must be read+exec only.
			for p := addr; p < addr+uintptr(len(blocks[i])); p += uintptr(os.Getpagesize()) {
				if m, ok := mappingAt(ms, p); !ok {
					t.Errorf("block %d page %#x is not in /proc/self/maps", i, p)
				} else if m.perms != execPerms(a) {
					t.Errorf("block %d page %#x has perms %s, want %s", i, p, m.perms, execPerms(a))
				}
			}
		}
		if bad := wxOverlaps(ms, a.spans()); len(bad) > 0 {
			t.Errorf("writable+executable arena mappings: %+v", bad)
		}

		off, total := Layout(a.arch, os.Getpagesize(), []int{1, len(big), 5})
		want := Stats{Mode: a.mode, Mappings: 1, Bytes: total, CodeBytes: 1 + len(big) + 5, Blocks: 3, Batches: 1}
		if a.mode == DualMapped {
			// The batch opens a chunk, which stays writable (through its
			// other view) for the next batch.
			total = max(minChunk, os.Getpagesize())
			want.Bytes, want.RWBytes = total, total
			want.Spare = total - (off[2] + 5)
			rws := a.rwViews()
			if len(rws) != 1 || rws[0].end-rws[0].start != uintptr(total) {
				t.Fatalf("read-write views %v, want one of %d bytes", rws, total)
			}
			rw := rws[0]
			if m, ok := mappingAt(ms, rw.start); !ok || m.perms != "rw-s" || m.end < rw.end {
				t.Errorf("read-write view [%#x,%#x) is %+v in /proc/self/maps, want rw-s", rw.start, rw.end, m)
			}
			if a.Contains(rw.start) || a.Contains(rw.end-1) {
				t.Errorf("Contains reports the read-write view as code")
			}
			if got := bytesAt(rw.start, total); !bytes.Equal(got[off[1]:off[1]+len(big)], big) {
				t.Errorf("the read-write view does not hold the placed bytes")
			}
		}
		base := addrs[0] - uintptr(off[0])
		if a.Contains(base-1) || a.Contains(base+uintptr(total)) || !a.Contains(base+uintptr(total)-1) {
			t.Errorf("Contains is wrong at the edges of [%#x,%#x)", base, base+uintptr(total))
		}
		if s := a.Stats(); s != want {
			t.Errorf("Stats = %+v, want %+v", s, want)
		}
	})
}

func TestPlaceTrapFill(t *testing.T) {
	for _, tc := range []struct {
		arch Arch
		trap byte
	}{{AMD64, 0xCC}, {ARM64, 0x00}} {
		t.Run(string(tc.arch), func(t *testing.T) {
			hostArch(t)
			// Placing code for a foreign arch is fine as long as nobody runs it.
			arenaModes(t, tc.arch, func(t *testing.T, a *Arena) {
				blocks := [][]byte{{0xAA, 0xAA, 0xAA}, {0xBB, 0xBB, 0xBB, 0xBB, 0xBB}}
				addrs, err := a.Place(blocks...)
				if err != nil {
					t.Fatal(err)
				}
				// A second batch lands after the first in a chunk, or in
				// a mapping of its own.
				more, err := a.Place([]byte{0xDD})
				if err != nil {
					t.Fatal(err)
				}
				spans := a.spans()
				for _, sp := range spans {
					mem := bytesAt(sp.start, int(sp.end-sp.start))
					for i, c := range mem {
						p := sp.start + uintptr(i)
						inBlock := (p >= addrs[0] && p < addrs[0]+3) || (p >= addrs[1] && p < addrs[1]+5) || p == more[0]
						if !inBlock && c != tc.trap {
							t.Fatalf("byte %#x of the executable mapping = %#x, want trap %#x", p, c, tc.trap)
						}
					}
				}
				if want := map[Mode]int{DualMapped: 1, SealedPages: 2}[a.mode]; len(spans) != want {
					t.Errorf("%d executable mappings, want %d", len(spans), want)
				}
			})
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
// places code. Arena memory may be seen writable (sealed pages before
// sealing, the read-write view of a chunk), but no mapping of it is ever
// writable and executable at once.
func TestNoWXWhilePlacing(t *testing.T) {
	arenaModes(t, hostArch(t), func(t *testing.T, a *Arena) {
		const rounds = 300
		done := make(chan struct{})
		var wg sync.WaitGroup
		var placeErr error
		ends := make([]int, rounds)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done)
			for i := 0; i < rounds; i++ {
				blk := bytes.Repeat([]byte{0xC3}, 1+i*37%9000)
				_, ends[i] = pack(a.arch, []int{len(blk), 1})
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
				// Count the arena's memory seen writable, to show the scan
				// overlapped placement, without asserting on timing.
				if m.writable() && (a.Contains(m.start) || strings.HasPrefix(m.perms, "rw-s")) {
					sawRW++
				}
			}
		}
		wg.Wait()
		if placeErr != nil {
			t.Fatal(placeErr)
		}
		if bad := wxOverlaps(wx, append(a.spans(), a.rwViews()...)); len(bad) > 0 {
			t.Fatalf("arena memory was writable and executable: %+v", bad)
		}
		// The mappings made follow the allocation rule exactly.
		wantMaps, wantBytes := rounds, 0
		for _, e := range ends {
			wantBytes += alignUp(e, os.Getpagesize())
		}
		if a.mode == DualMapped {
			wantMaps, wantBytes = 0, 0
			b := newBump(os.Getpagesize())
			for _, e := range ends {
				start, where := b.next(e)
				switch where {
				case atNew:
					wantMaps++
					wantBytes += b.chunk
				case atOwn:
					wantMaps++
					wantBytes += alignUp(e, os.Getpagesize())
				}
				b.commit(start, e, where)
			}
		}
		if s := a.Stats(); s.Mappings != wantMaps || s.Bytes != wantBytes || s.Blocks != 2*rounds {
			t.Errorf("Stats = %+v, want %d mappings, %d bytes, %d blocks", s, wantMaps, wantBytes, 2*rounds)
		}
		t.Logf("%d scans during %d placements, arena memory seen writable %d times, %d RWX mappings elsewhere; %+v",
			scans, rounds, sawRW, len(wx), a.Stats())
	})
}

func TestPlaceConcurrent(t *testing.T) {
	arenaModes(t, hostArch(t), func(t *testing.T, a *Arena) {
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
		if s.CodeBytes != workers*each*6 || s.Blocks != workers*each*2 {
			t.Errorf("Stats = %+v after %d placements", s, workers*each)
		}
		// Sealed pages: one mapping per call. Dual-mapped: each call
		// takes 19 bytes (16 + 3), so all of them share one chunk.
		if want := map[Mode]int{DualMapped: 1, SealedPages: workers * each}[a.mode]; s.Mappings != want {
			t.Errorf("Stats.Mappings = %d, want %d", s.Mappings, want)
		}
	})
}

// TestDenseSmallBlocks places blocks of trampoline size one at a time and
// checks the executable memory they cost, and that a chunk's writable
// view is gone once the chunk is full.
func TestDenseSmallBlocks(t *testing.T) {
	a := New(hostArch(t))
	if a.mode != DualMapped {
		t.Skipf("dual mapping unavailable here: %s", a.FallbackReason())
	}
	a.rwSeen = new([]span)
	const n, size = 1000, 150
	blk := bytes.Repeat([]byte{0xC3}, size)
	for i := 0; i < n; i++ {
		if _, err := a.Place(blk); err != nil {
			t.Fatal(err)
		}
	}
	s := a.Stats()
	chunk := max(minChunk, os.Getpagesize())
	perChunk := chunk / alignUp(size, blockAlign)
	wantMaps := (n + perChunk - 1) / perChunk
	if s.Mappings != wantMaps || s.Bytes != wantMaps*chunk || s.Bytes != DenseBytes(a.arch, os.Getpagesize(), slices.Repeat([]int{size}, n)) {
		t.Errorf("Stats = %+v, want %d chunks of %d bytes", s, wantMaps, chunk)
	}
	if per := s.Bytes / n; per > 256 {
		t.Errorf("%d bytes of executable memory per %d-byte block, want at most 256", per, size)
	}
	if s.RWBytes > chunk {
		t.Errorf("%d bytes of writable views still mapped, want at most one chunk (%d)", s.RWBytes, chunk)
	}
	ms := readMaps(t)
	rws := a.rwViews()
	cur := rws[len(rws)-1]
	for _, rw := range rws[:len(rws)-1] {
		// The address may have been reused, for the current chunk's view.
		if m, ok := mappingAt(ms, rw.start); ok && m.perms == "rw-s" && !(cur.start < rw.end && rw.start < cur.end) {
			t.Errorf("the writable view [%#x,%#x) of a full chunk is still mapped: %+v", rw.start, rw.end, m)
		}
	}
	t.Logf("%d blocks of %d bytes: %+v, %d bytes each", n, size, s, s.Bytes/n)
}

const helperEnv = "JITFFI_EXEC_HELPER"

// TestHelperWriteSealed is not a test on its own: TestWriteSealedFaults
// re-runs the test binary with it selected, and it writes into placed code.
func TestHelperWriteSealed(t *testing.T) {
	var a *Arena
	switch os.Getenv(helperEnv) {
	case "write-" + string(DualMapped):
		a = New(hostArch(t))
	case "write-" + string(SealedPages):
		a = newSealed(hostArch(t))
	default:
		t.Skip("helper process only")
	}
	addrs, err := a.Place([]byte{0xC3, 0xC3, 0xC3, 0xC3})
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
	arenaModes(t, hostArch(t), func(t *testing.T, a *Arena) {
		cmd := osexec.Command(os.Args[0], "-test.run=^TestHelperWriteSealed$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"=write-"+string(a.mode))
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
			t.Fatalf("write into placed code succeeded:\n%s", out)
		}
		want := fmt.Sprintf("unexpected fault address %#x", addr)
		if !strings.Contains(out, want) || !strings.Contains(out, "signal SIGSEGV") {
			t.Fatalf("helper stderr lacks %q and signal SIGSEGV:\n%s", want, out)
		}
	})
}
