package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func parseSample(t *testing.T) (*report, []row) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sample.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return rep, rep.rows()
}

func findRow(t *testing.T, rows []row, group, path string) row {
	t.Helper()
	for _, r := range rows {
		if r.group == group && r.path == path {
			return r
		}
	}
	t.Fatalf("no row %s/%s", group, path)
	return row{}
}

func approx(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestParseSample(t *testing.T) {
	rep, rows := parseSample(t)
	wantConfig := []string{"goos: linux", "goarch: amd64", "pkg: github.com/jitffi/jitffi/bench", "cpu: AMD EPYC"}
	if !slices.Equal(rep.config, wantConfig) {
		t.Errorf("config = %q, want %q", rep.config, wantConfig)
	}
	var names []string
	for _, r := range rows {
		names = append(names, r.group+"/"+r.path)
	}
	wantNames := []string{
		"i32(i32,i32)/floor", "i32(i32,i32)/fast", "i32(i32,i32)/fallback(blocking)", "i32(i32,i32)/cgo",
		"i32(i32,i32)/purego.SyscallN", "i32(i32,i32)/purego.RegisterLibFunc",
		"f64(f64)/floor", "f64(f64)/fast",
		"Bind1000/fast", "Bind1000/purego.RegisterLibFunc",
	}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("rows = %q, want %q", names, wantNames)
	}

	// Three runs: floor 1.5, 1.7, 1.6; fast 3.1, 3.5, 3.2; cgo 36, 40, 32.
	fast := findRow(t, rows, "i32(i32,i32)", "fast")
	if fast.n != 3 || !approx(fast.min, 3.1) || !approx(fast.med, 3.2) || !approx(fast.max, 3.5) {
		t.Errorf("i32 fast: n=%d min=%v med=%v max=%v, want 3 3.1 3.2 3.5", fast.n, fast.min, fast.med, fast.max)
	}
	if !approx(fast.xFloor, 3.2/1.6) || !approx(fast.xCgo, 3.2/36) {
		t.Errorf("i32 fast: x floor %v, x cgo %v; want %v, %v", fast.xFloor, fast.xCgo, 3.2/1.6, 3.2/36)
	}
	if fast.allocs != 0 {
		t.Errorf("i32 fast: allocs %v, want 0", fast.allocs)
	}
	fb := findRow(t, rows, "i32(i32,i32)", "fallback(blocking)")
	if !approx(fb.med, 240) || fb.allocs != 5 || !approx(fb.xCgo, 240.0/36) {
		t.Errorf("i32 fallback: med %v allocs %v x cgo %v", fb.med, fb.allocs, fb.xCgo)
	}
	if fast.firstInGroup || !findRow(t, rows, "i32(i32,i32)", "floor").firstInGroup {
		t.Errorf("only the first row of a group is marked first")
	}

	// Two runs: the median is the mean of the middle two; no cgo row.
	f64 := findRow(t, rows, "f64(f64)", "fast")
	if f64.n != 2 || !approx(f64.med, (3.822+3.178)/2) || !approx(f64.xFloor, f64.med/1.3) || !math.IsNaN(f64.xCgo) {
		t.Errorf("f64 fast: n=%d med=%v x floor=%v x cgo=%v", f64.n, f64.med, f64.xFloor, f64.xCgo)
	}

	bind := findRow(t, rows, "Bind1000", "fast")
	if !approx(bind.med, 7697) || !math.IsNaN(bind.xFloor) || bind.allocs != 55 {
		t.Errorf("Bind1000: med %v x floor %v allocs %v", bind.med, bind.xFloor, bind.allocs)
	}
	if !approx(bind.xPurego, 7697.0/1000) || bind.bytes != 2219 {
		t.Errorf("Bind1000: x purego %v, B/op %v; want %v, 2219", bind.xPurego, bind.bytes, 7697.0/1000)
	}
	if !math.IsNaN(f64.xPurego) || !approx(fast.xPurego, 3.2/371.7) {
		t.Errorf("x purego: f64 %v, i32 %v; want NaN, %v", f64.xPurego, fast.xPurego, 3.2/371.7)
	}
	if !slices.Equal(bind.extra, []string{"6510 median-ns/bind"}) {
		t.Errorf("Bind1000 extra metrics = %q", bind.extra)
	}

	miss := missing(rows)
	wantMiss := []string{"f64(f64)/fallback(blocking)", "f64(f64)/cgo", "f64(f64)/purego.SyscallN", "f64(f64)/purego.RegisterLibFunc"}
	if !slices.Equal(miss, wantMiss) {
		t.Errorf("missing = %q, want %q", miss, wantMiss)
	}
}

func TestTable(t *testing.T) {
	rep, rows := parseSample(t)
	var buf bytes.Buffer
	if err := writeTable(&buf, rep, rows); err != nil {
		t.Fatal(err)
	}
	// Compare lines with their runs of spaces collapsed: column widths
	// depend on the longest cell.
	var lines []string
	for _, l := range strings.Split(buf.String(), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	out := strings.Join(lines, "\n")
	for _, want := range []string{
		"cpu: AMD EPYC",
		"ns/op: min, median and max over 3/2 run(s)",
		"benchmark path min median max x floor x cgo x purego B/op allocs/op other",
		"i32(i32,i32) floor 1.50 1.60 1.70 1.00x 0.04x 0.00x 0 0",
		"\nfast 3.10 3.20 3.50 2.00x 0.09x 0.01x 0 0\n",
		"fallback(blocking) 236 240 250 150x 6.67x 0.65x 84 5",
		"f64(f64) floor 1.27 1.30 1.33 1.00x - - 0 0",
		"Bind1000 fast 7394 7697 8000 - - 7.70x 2219 55 6510 median-ns/bind",
		"purego.RegisterLibFunc 900 1000 1100 - - 1.00x 192 8 550 median-ns/bind",
		"not measured (skipped, see go test -v): f64(f64)/fallback(blocking), f64(f64)/cgo,",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
	// The numeric columns are right-aligned: every data line of the
	// i32 group ends its allocs/op column at the same offset.
	var ends []int
	for _, l := range strings.Split(buf.String(), "\n") {
		if strings.Contains(l, "x  ") && strings.HasSuffix(l, "0") {
			ends = append(ends, len(l))
		}
	}
	if len(ends) < 2 || slices.Min(ends) != slices.Max(ends) {
		t.Errorf("allocs/op column not aligned: line lengths %v\n%s", ends, buf.String())
	}
}

func TestSVGWellFormed(t *testing.T) {
	rep, rows := parseSample(t)
	var buf bytes.Buffer
	if err := writeSVG(&buf, rep, rows); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(&buf)
	var root string
	bars, texts := 0, []string{}
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
				if tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("root namespace %q", tok.Name.Space)
				}
			}
			if tok.Name.Local == "title" {
				bars++
			}
			inText = tok.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if root != "svg" {
		t.Errorf("root element %q, want svg", root)
	}
	if bars != len(rows) {
		t.Errorf("%d bars, want %d", bars, len(rows))
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"i32(i32,i32)", "fallback(blocking)", "Bind1000", "1 ns", "10000 ns", "3.20  (0.09\u00d7 cgo)"} {
		if !strings.Contains(all, want) {
			t.Errorf("SVG text lacks %q", want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	if _, err := parse(strings.NewReader("PASS\nok x 1s\n")); err == nil {
		t.Error("no results: want an error")
	}
	if _, err := parse(strings.NewReader("BenchmarkX-2 10 1.0 B/op\n")); err == nil {
		t.Error("no ns/op: want an error")
	}
}
