// Command benchtable turns the output of the jitffi benchmarks (go test
// -bench, any -count) into one table and an SVG bar chart.
//
//	go test -run '^$' -bench . -count 5 ./bench/ > bench.txt
//	go run ./bench/cmd/benchtable -svg bench.svg bench.txt
//
// The table has one row per benchmark and path, the path being the last
// element of the benchmark name (BenchmarkCall/i32(i32,i32)/fast is path
// "fast" of "i32(i32,i32)"): ns/op as min, median and max over the runs,
// the median's ratio to the same benchmark's "floor", "cgo" and
// "purego.RegisterLibFunc" paths (for the Bind rows, a bind's cost over
// purego's), B/op and allocs/op. The chart shows the medians on a log scale, grouped by
// benchmark. With no file argument it reads standard input.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	svgPath := flag.String("svg", "", "write the chart to this `file`")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: benchtable [-svg file] [bench-output]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(*svgPath, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(svgPath string, args []string) error {
	in := io.Reader(os.Stdin)
	switch len(args) {
	case 0:
	case 1:
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	default:
		return fmt.Errorf("want at most one input file, got %d", len(args))
	}
	rep, err := parse(in)
	if err != nil {
		return err
	}
	rows := rep.rows()
	if err := writeTable(os.Stdout, rep, rows); err != nil {
		return err
	}
	if svgPath == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(svgPath), 0o755); err != nil {
		return err
	}
	f, err := os.Create(svgPath)
	if err != nil {
		return err
	}
	if err := writeSVG(f, rep, rows); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Printf("\nchart: %s\n", svgPath)
	return nil
}

// sample is one result line.
type sample struct {
	nsPerOp float64
	metrics map[string]float64 // every unit on the line, ns/op included
}

// result is every sample of one benchmark name.
type result struct {
	group, path string
	samples     []sample
}

// report is a parsed benchmark output.
type report struct {
	config  []string  // goos, goarch, cpu, ... lines, in order
	results []*result // in order of first appearance
}

var procSuffix = regexp.MustCompile(`-\d+$`)

// parse reads go test -bench output. Lines that are not results or
// configuration (PASS, ok, logs) are ignored.
func parse(r io.Reader) (*report, error) {
	rep := &report{}
	byName := map[string]*result{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	seenConfig := map[string]bool{}
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if k, _, ok := strings.Cut(text, ": "); ok && isConfigKey(k) {
			if !seenConfig[text] {
				seenConfig[text] = true
				rep.config = append(rep.config, text)
			}
			continue
		}
		if !strings.HasPrefix(text, "Benchmark") {
			continue
		}
		f := strings.Fields(text)
		if len(f) < 4 || len(f)%2 != 0 {
			continue // a name alone (-v output) or not a result line
		}
		if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
			continue
		}
		s := sample{metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: bad value %q: %v", line, f[i], err)
			}
			s.metrics[f[i+1]] = v
		}
		ns, ok := s.metrics["ns/op"]
		if !ok {
			return nil, fmt.Errorf("line %d: no ns/op: %s", line, text)
		}
		s.nsPerOp = ns
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		res := byName[name]
		if res == nil {
			res = &result{}
			res.group, res.path = split(name)
			byName[name] = res
			rep.results = append(rep.results, res)
		}
		res.samples = append(res.samples, s)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(rep.results) == 0 {
		return nil, fmt.Errorf("no benchmark results in the input")
	}
	return rep, nil
}

func isConfigKey(k string) bool {
	switch k {
	case "goos", "goarch", "pkg", "cpu":
		return true
	}
	return false
}

// split splits a benchmark name into its group and path: the path is the
// last element, and the group the rest without a leading "Call/".
func split(name string) (group, path string) {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return name, ""
	}
	return strings.TrimPrefix(name[:i], "Call/"), name[i+1:]
}

// row is one line of the table.
type row struct {
	group, path   string
	n             int     // number of samples
	min, med, max float64 // ns/op
	xFloor, xCgo  float64 // med / the group's floor and cgo medians; NaN if none
	xPurego       float64 // med / the group's purego.RegisterLibFunc median; NaN if none
	bytes         float64 // median B/op; NaN if not reported
	allocs        float64 // median allocs/op; NaN if not reported
	extra         []string
	firstInGroup  bool
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func metric(r *result, unit string) ([]float64, bool) {
	var v []float64
	for _, s := range r.samples {
		if x, ok := s.metrics[unit]; ok {
			v = append(v, x)
		}
	}
	return v, len(v) > 0
}

// puregoPath is the path the "x purego" column compares with.
const puregoPath = "purego.RegisterLibFunc"

// rows computes the table, grouped by benchmark in order of first
// appearance.
func (rep *report) rows() []row {
	var groups []string
	members := map[string][]*result{}
	for _, r := range rep.results {
		if _, ok := members[r.group]; !ok {
			groups = append(groups, r.group)
		}
		members[r.group] = append(members[r.group], r)
	}
	var rows []row
	for _, g := range groups {
		refs := map[string]float64{}
		for _, r := range members[g] {
			if r.path == "floor" || r.path == "cgo" || r.path == puregoPath {
				ns, _ := metric(r, "ns/op")
				refs[r.path] = median(ns)
			}
		}
		for i, r := range members[g] {
			ns, _ := metric(r, "ns/op")
			w := row{
				group: r.group, path: r.path, n: len(ns),
				min: slices.Min(ns), med: median(ns), max: slices.Max(ns),
				xFloor: math.NaN(), xCgo: math.NaN(), xPurego: math.NaN(), bytes: math.NaN(), allocs: math.NaN(),
				firstInGroup: i == 0,
			}
			if f, ok := refs["floor"]; ok && f > 0 {
				w.xFloor = w.med / f
			}
			if c, ok := refs["cgo"]; ok && c > 0 {
				w.xCgo = w.med / c
			}
			if p, ok := refs[puregoPath]; ok && p > 0 {
				w.xPurego = w.med / p
			}
			if a, ok := metric(r, "B/op"); ok {
				w.bytes = median(a)
			}
			if a, ok := metric(r, "allocs/op"); ok {
				w.allocs = median(a)
			}
			var units []string
			for u := range r.samples[0].metrics {
				switch u {
				case "ns/op", "B/op", "allocs/op":
				default:
					units = append(units, u)
				}
			}
			slices.Sort(units)
			for _, u := range units {
				if v, ok := metric(r, u); ok {
					w.extra = append(w.extra, fmt.Sprintf("%s %s", num(median(v)), u))
				}
			}
			rows = append(rows, w)
		}
	}
	return rows
}

// num formats a time or count with about three significant digits.
func num(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// count formats a count: whole numbers without decimals.
func count(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return num(v)
}

func ratio(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 0, 64) + "x"
	default:
		return strconv.FormatFloat(v, 'f', 2, 64) + "x"
	}
}

func writeTable(w io.Writer, rep *report, rows []row) error {
	var sb strings.Builder
	for _, c := range rep.config {
		sb.WriteString(c + "\n")
	}
	var counts []string
	for _, r := range rows {
		if n := strconv.Itoa(r.n); !slices.Contains(counts, n) {
			counts = append(counts, n)
		}
	}
	fmt.Fprintf(&sb, "ns/op: min, median and max over %s run(s); x floor, x cgo and x purego (purego.RegisterLibFunc): ratio of the medians\n\n",
		strings.Join(counts, "/"))

	cells := [][]string{{"benchmark", "path", "min", "median", "max", "x floor", "x cgo", "x purego", "B/op", "allocs/op", "other"}}
	for _, r := range rows {
		if r.firstInGroup && len(cells) > 1 {
			cells = append(cells, nil) // a blank line between groups
		}
		g := ""
		if r.firstInGroup {
			g = r.group
		}
		bytes, allocs := "-", "-"
		if !math.IsNaN(r.bytes) {
			bytes = count(r.bytes)
		}
		if !math.IsNaN(r.allocs) {
			allocs = count(r.allocs)
		}
		cells = append(cells, []string{g, r.path, num(r.min), num(r.med), num(r.max),
			ratio(r.xFloor), ratio(r.xCgo), ratio(r.xPurego), bytes, allocs, strings.Join(r.extra, ", ")})
	}
	widths := make([]int, len(cells[0]))
	for _, c := range cells {
		for i, s := range c {
			widths[i] = max(widths[i], len(s))
		}
	}
	for _, c := range cells {
		var line strings.Builder
		for i, s := range c {
			pad := strings.Repeat(" ", widths[i]-len(s))
			switch {
			case i < 2 || i == len(c)-1: // names and notes: left-aligned
				line.WriteString(s + pad)
			default:
				line.WriteString(pad + s)
			}
			line.WriteString("  ")
		}
		sb.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	if miss := missing(rows); len(miss) > 0 {
		fmt.Fprintf(&sb, "\nnot measured (skipped, see go test -v): %s\n", strings.Join(miss, ", "))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// missing lists the benchmark/path pairs that a benchmark with a floor
// row lacks although another such benchmark has them: skipped rows.
func missing(rows []row) []string {
	var groups, paths []string
	has := map[string]map[string]bool{}
	for _, r := range rows {
		if has[r.group] == nil {
			has[r.group] = map[string]bool{}
			groups = append(groups, r.group)
		}
		has[r.group][r.path] = true
	}
	for _, r := range rows {
		if has[r.group]["floor"] && !slices.Contains(paths, r.path) {
			paths = append(paths, r.path)
		}
	}
	var out []string
	for _, g := range groups {
		if !has[g]["floor"] {
			continue
		}
		for _, p := range paths {
			if !has[g][p] {
				out = append(out, g+"/"+p)
			}
		}
	}
	return out
}
