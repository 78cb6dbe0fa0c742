package jitffi

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"runtime/pprof"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// TestProfileNamesGoCaller profiles a loop that spends nearly all its CPU
// time in C (memset of 256 KiB per call) for 600 ms of CPU time, once on the fast path and once
// through cgocall (Blocking), and counts the samples whose stack names the
// Go function that makes the calls. The fast path keeps cgo's call state
// (g.syscallsp/pc, m.ncgo) for the length of a call, so that the profiler
// unwinds the caller from there as it does for cgo; before, 92.6% of these
// samples were _ExternalCode with no Go caller.
func TestProfileNamesGoCaller(t *testing.T) {
	requireFastPath(t)
	libc := openLibc(t)
	buf := make([]byte, 256<<10)
	shares, externals := map[bool]float64{}, map[bool]float64{}
	for _, blocking := range []bool{false, true} {
		var memset func(unsafe.Pointer, int32, uintptr) unsafe.Pointer
		var opts []Option
		if blocking {
			opts = append(opts, Blocking())
		}
		if err := libc.Bind(&memset, "memset", "ptr(ptr, i32, usize)", opts...); err != nil {
			t.Fatal(err)
		}
		if p := PathOf(memset); p.Fast == blocking {
			t.Fatalf("blocking=%v: memset took %v", blocking, p)
		}
		var out bytes.Buffer
		if err := pprof.StartCPUProfile(&out); err != nil {
			t.Skipf("no CPU profiler: %v", err)
		}
		profileLoop(memset, buf, 600*time.Millisecond)
		pprof.StopCPUProfile()
		total, named, external, err := profileShares(out.Bytes(), "github.com/jitffi/jitffi.profileLoop")
		if err != nil {
			t.Fatal(err)
		}
		if total < 20 {
			t.Skipf("blocking=%v: only %d samples in the profile (is SIGPROF delivered here?)", blocking, total)
		}
		share := float64(named) / float64(total)
		shares[blocking], externals[blocking] = share, float64(external)/float64(total)
		t.Logf("blocking=%v: %d samples, %d (%.1f%%) name profileLoop, %d (%.1f%%) are _ExternalCode/_System",
			blocking, total, named, 100*share, external, 100*float64(external)/float64(total))
	}
	// cgo names the caller in most samples (about 95% here; fewer under
	// -race, whose own C code the profiler cannot unwind); so must the
	// fast path. The rest are the collector and the profiler's own
	// threads, a larger share under emulation, where a run has few
	// samples; so the test asks for most samples to name the caller and
	// for few to be foreign code with no Go caller (without the call
	// state, 5.5% named it and 92.6% were foreign).
	if share := shares[false]; share < 0.5 {
		t.Errorf("fast path: only %.1f%% of the samples name the Go caller (through cgocall: %.1f%%)", 100*share, 100*shares[true])
	}
	if ext := externals[false]; ext > 0.2 {
		t.Errorf("fast path: %.1f%% of the samples are _ExternalCode/_System, with no Go caller", 100*ext)
	}
}

// profileLoop calls memset on buf until the process has used cpu of CPU
// time (at most 20 s of wall time, on a busy machine); its name is what
// the profile must show.
//
//go:noinline
func profileLoop(memset func(unsafe.Pointer, int32, uintptr) unsafe.Pointer, buf []byte, cpu time.Duration) {
	start, deadline := cpuTime(), time.Now().Add(20*time.Second)
	for i := 0; cpuTime()-start < cpu && time.Now().Before(deadline); i++ {
		for j := 0; j < 16; j++ {
			memset(unsafe.Pointer(&buf[0]), int32(i), uintptr(len(buf)))
		}
	}
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// profileShares reads a gzipped pprof profile and counts its samples (by
// their first value, the sample count), those with a frame of function
// fn, and those attributed to the runtime's _ExternalCode or _System.
func profileShares(gz []byte, fn string) (total, named, external int64, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return 0, 0, 0, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return 0, 0, 0, err
	}
	p, err := parseProfile(raw)
	if err != nil {
		return 0, 0, 0, err
	}
	for _, s := range p.samples {
		if len(s.values) == 0 {
			continue
		}
		n := s.values[0]
		total += n
		hasFn, ext := false, false
		for _, loc := range s.locs {
			for _, f := range p.locFuncs[loc] {
				switch name := p.strings[p.funcNames[f]]; name {
				case fn:
					hasFn = true
				case "runtime._ExternalCode", "runtime._System":
					ext = true
				}
			}
		}
		if hasFn {
			named += n
		}
		if ext {
			external += n
		}
	}
	return total, named, external, nil
}

// profile is the part of a pprof profile (profile.proto) the test reads.
type profile struct {
	samples   []profSample
	locFuncs  map[uint64][]uint64 // location id -> function ids of its lines
	funcNames map[uint64]int64    // function id -> string index of its name
	strings   []string
}

type profSample struct {
	locs   []uint64
	values []int64
}

// parseProfile decodes the messages and fields profileShares needs:
// Profile.sample (2), .location (4), .function (5), .string_table (6);
// Sample.location_id (1), .value (2); Location.id (1), .line (4);
// Line.function_id (1); Function.id (1), .name (2).
func parseProfile(b []byte) (*profile, error) {
	p := &profile{locFuncs: map[uint64][]uint64{}, funcNames: map[uint64]int64{}}
	err := protoFields(b, func(num int, wire int, v uint64, data []byte) error {
		switch num {
		case 2:
			var s profSample
			err := protoFields(data, func(num, wire int, v uint64, data []byte) error {
				switch num {
				case 1:
					return protoUints(wire, v, data, func(x uint64) { s.locs = append(s.locs, x) })
				case 2:
					return protoUints(wire, v, data, func(x uint64) { s.values = append(s.values, int64(x)) })
				}
				return nil
			})
			p.samples = append(p.samples, s)
			return err
		case 4:
			var id uint64
			var funcs []uint64
			err := protoFields(data, func(num, wire int, v uint64, data []byte) error {
				switch num {
				case 1:
					id = v
				case 4:
					return protoFields(data, func(num, wire int, v uint64, data []byte) error {
						if num == 1 {
							funcs = append(funcs, v)
						}
						return nil
					})
				}
				return nil
			})
			p.locFuncs[id] = funcs
			return err
		case 5:
			var id uint64
			var name int64
			err := protoFields(data, func(num, wire int, v uint64, data []byte) error {
				switch num {
				case 1:
					id = v
				case 2:
					name = int64(v)
				}
				return nil
			})
			p.funcNames[id] = name
			return err
		case 6:
			p.strings = append(p.strings, string(data))
		}
		return nil
	})
	return p, err
}

// protoFields calls f for every field of a protobuf message: v for
// varints, data for length-delimited fields.
func protoFields(b []byte, f func(num, wire int, v uint64, data []byte) error) error {
	for len(b) > 0 {
		key, n := protoVarint(b)
		if n == 0 {
			return errors.New("profile: bad field key")
		}
		b = b[n:]
		num, wire := int(key>>3), int(key&7)
		var v uint64
		var data []byte
		switch wire {
		case 0:
			v, n = protoVarint(b)
			if n == 0 {
				return errors.New("profile: bad varint")
			}
			b = b[n:]
		case 2:
			l, n := protoVarint(b)
			if n == 0 || uint64(len(b)-n) < l {
				return errors.New("profile: bad length")
			}
			data, b = b[n:n+int(l)], b[n+int(l):]
		case 1:
			if len(b) < 8 {
				return errors.New("profile: short fixed64")
			}
			b = b[8:]
		case 5:
			if len(b) < 4 {
				return errors.New("profile: short fixed32")
			}
			b = b[4:]
		default:
			return fmt.Errorf("profile: wire type %d", wire)
		}
		if err := f(num, wire, v, data); err != nil {
			return err
		}
	}
	return nil
}

// protoUints reads a repeated integer field, packed or not.
func protoUints(wire int, v uint64, data []byte, add func(uint64)) error {
	if wire == 0 {
		add(v)
		return nil
	}
	for len(data) > 0 {
		x, n := protoVarint(data)
		if n == 0 {
			return errors.New("profile: bad packed varint")
		}
		add(x)
		data = data[n:]
	}
	return nil
}

func protoVarint(b []byte) (uint64, int) {
	var x uint64
	for i := 0; i < len(b) && i < 10; i++ {
		x |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return x, i + 1
		}
	}
	return 0, 0
}
