package jit

import (
	"fmt"
	"strings"
	"sync"

	"github.com/twitchyliquid64/golang-asm/obj"
	"github.com/twitchyliquid64/golang-asm/objabi"
)

// asmContext is one architecture's shared golang-asm context.
//
// golang-asm builds its instruction tables lazily and without
// synchronisation, and reports errors through a callback on the context,
// so all assembly for an architecture goes through one context under one
// lock. One shared context costs about 20 us per trampoline; a Builder per
// trampoline rebuilds the tables each time (hundreds of microseconds).
type asmContext struct {
	arch  *obj.LinkArch
	init  func(*obj.Link) // extra settings before the tables are built
	mu    sync.Mutex
	once  sync.Once
	ctxt  *obj.Link
	diags []string
}

// link returns the context, creating it on first use.
func (c *asmContext) link() *obj.Link {
	c.once.Do(func() {
		ctxt := obj.Linknew(c.arch)
		ctxt.Headtype = objabi.Hlinux
		ctxt.DiagFunc = func(format string, args ...interface{}) {
			c.diags = append(c.diags, fmt.Sprintf(format, args...))
		}
		if c.init != nil {
			c.init(ctxt)
		}
		c.arch.Init(ctxt)
		c.ctxt = ctxt
	})
	return c.ctxt
}

// assemble encodes the program starting at first and turns golang-asm's
// diagnostics into an error.
func (c *asmContext) assemble(first *obj.Prog) (*obj.LSym, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.diags = c.diags[:0]
	s := &obj.LSym{Func: &obj.FuncInfo{Text: first}}
	c.arch.Assemble(c.ctxt, s, c.ctxt.NewProg)
	if len(c.diags) > 0 {
		return nil, fmt.Errorf("jit: %s encoding failed: %s", c.arch.Name, strings.Join(c.diags, "; "))
	}
	return s, nil
}
