package jit

import "github.com/jitffi/jitffi/abi"

// regMove is one register-to-register argument transfer; a set of them
// logically happens at once (the Go registers are all read before any C
// register is written).
type regMove struct {
	src, dst int16
	ext      abi.Ext
	float    bool
}

// resolveParallel emits a set of simultaneous moves in an order that never
// overwrites a register before every move reading it has run: repeatedly
// emit a move whose destination no pending move still reads. When none is
// left, every pending destination is some move's source, a cycle: park
// copies one source into the scratch register of its class and returns
// it, and the moves reading that source read the scratch instead. (The
// fixed tables of both architectures produce no cycles, but the resolver
// does not rely on that.)
func resolveParallel(pending []regMove, emit func(regMove), park func(src int16, float bool) int16) {
	for len(pending) > 0 {
		progress := false
		for i := 0; i < len(pending); i++ {
			m := pending[i]
			blocked := false
			for j, o := range pending {
				if j != i && o.src == m.dst && o.float == m.float {
					blocked = true
					break
				}
			}
			if blocked {
				continue
			}
			emit(m)
			pending = append(pending[:i], pending[i+1:]...)
			i--
			progress = true
		}
		if progress {
			continue
		}
		m := pending[0]
		scratch := park(m.src, m.float)
		for j := range pending {
			if pending[j].src == m.src && pending[j].float == m.float {
				pending[j].src = scratch
			}
		}
	}
}
