package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Colours of the paths BenchmarkCall reports; other paths take the
// spare colours in turn.
var pathColours = map[string]string{
	"floor":                  "#9e9e9e",
	"fast":                   "#1b9e77",
	"fallback(blocking)":     "#d95f02",
	"cgo":                    "#7570b3",
	"purego.SyscallN":        "#e7298a",
	"purego.RegisterLibFunc": "#a6761d",
}

var spareColours = []string{"#66a61e", "#e6ab02", "#1f78b4", "#666666"}

// Chart geometry, in pixels.
const (
	chartWidth = 980
	labelRight = 250 // right edge of the path labels
	plotLeft   = 260
	plotRight  = chartWidth - 90 // room for the value after the bar
	headTop    = 96              // first group heading
	groupHead  = 20
	rowHeight  = 17
	barHeight  = 12
	groupGap   = 10
)

// writeSVG draws the medians as horizontal bars on a log scale, one group
// of bars per benchmark.
func writeSVG(w io.Writer, rep *report, rows []row) error {
	lo, hi := math.Inf(1), math.Inf(-1)
	groups := 0
	for _, r := range rows {
		if r.med > 0 {
			lo, hi = math.Min(lo, r.med), math.Max(hi, r.med)
		}
		if r.firstInGroup {
			groups++
		}
	}
	if math.IsInf(lo, 0) {
		return fmt.Errorf("chart: no positive medians")
	}
	lo = math.Pow(10, math.Floor(math.Log10(lo)))
	hi = math.Pow(10, math.Ceil(math.Log10(hi)))
	if hi <= lo {
		hi = lo * 10
	}
	x := func(v float64) float64 {
		v = math.Max(v, lo)
		return plotLeft + (math.Log10(v)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))*(plotRight-plotLeft)
	}
	plotBottom := headTop + groups*(groupHead+groupGap) + len(rows)*rowHeight
	height := plotBottom + 40

	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		chartWidth, height, chartWidth, height)
	p(`<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", chartWidth, height)
	p(`<text x="10" y="22" font-size="16" font-weight="bold">%s</text>`+"\n",
		esc("ns/op, median per benchmark and path (log scale; shorter is faster)"))
	if len(rep.config) > 0 {
		p(`<text x="10" y="40" fill="#555555">%s</text>`+"\n", esc(strings.Join(rep.config, "   ")))
	}

	// Legend: the paths in order of appearance.
	colour := map[string]string{}
	var order []string
	for _, r := range rows {
		if _, ok := colour[r.path]; ok {
			continue
		}
		c, ok := pathColours[r.path]
		if !ok {
			c = spareColours[len(order)%len(spareColours)]
		}
		colour[r.path] = c
		order = append(order, r.path)
	}
	lx := 10.0
	for _, path := range order {
		p(`<rect x="%.1f" y="50" width="12" height="12" fill="%s"/>`+"\n", lx, colour[path])
		p(`<text x="%.1f" y="60">%s</text>`+"\n", lx+16, esc(path))
		lx += 16 + 7.2*float64(len(path)) + 18
	}

	// Decade grid lines with 2x and 5x minor lines, labelled top and bottom.
	for d := lo; d <= hi*1.0001; d *= 10 {
		gx := x(d)
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#bbbbbb"/>`+"\n", gx, headTop-6, gx, plotBottom)
		for _, label := range []int{headTop - 10, plotBottom + 14} {
			p(`<text x="%.1f" y="%d" text-anchor="middle" fill="#555555">%s ns</text>`+"\n", gx, label, esc(strconv.FormatFloat(d, 'g', -1, 64)))
		}
		for _, m := range []float64{2, 5} {
			if d*m < hi {
				mx := x(d * m)
				p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eeeeee"/>`+"\n", mx, headTop-6, mx, plotBottom)
			}
		}
	}

	y := headTop
	for _, r := range rows {
		if r.firstInGroup {
			y += groupGap
			p(`<text x="10" y="%d" font-weight="bold">%s</text>`+"\n", y+14, esc(r.group))
			y += groupHead
		}
		bx, bw := float64(plotLeft), x(r.med)-plotLeft
		p(`<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelRight, y+barHeight-1, esc(r.path))
		p(`<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
			bx, y, math.Max(bw, 1), barHeight, colour[r.path],
			esc(fmt.Sprintf("%s %s: median %s ns/op (min %s, max %s, %d runs)", r.group, r.path, num(r.med), num(r.min), num(r.max), r.n)))
		label := num(r.med)
		if !math.IsNaN(r.xCgo) && r.path != "cgo" {
			label += "  (" + strings.Replace(ratio(r.xCgo), "x", "\u00d7", 1) + " cgo)"
		}
		p(`<text x="%.1f" y="%d" fill="#333333">%s</text>`+"\n", bx+math.Max(bw, 1)+4, y+barHeight-1, esc(label))
		y += rowHeight
	}
	p(`<text x="%d" y="%d" fill="#555555">%s</text>`+"\n", plotLeft, height-8,
		esc("value: median ns/op (ratio to the cgo row of the same benchmark)"))
	p("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// esc escapes text for XML character data and attribute values.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
