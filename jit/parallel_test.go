package jit

import (
	"math/rand/v2"
	"testing"
)

// The argument tables never produce cycles, so the cycle breaking is
// exercised here directly: random permutations (with cycles) of a small
// register file, run on a model of it.
func TestResolveParallelCycles(t *testing.T) {
	const scratch = 100
	rnd := rand.New(rand.NewPCG(1, 2))
	totalParks := 0
	for iter := 0; iter < 2000; iter++ {
		n := 1 + rnd.IntN(8)
		perm := rnd.Perm(n)
		var regs [scratch + 1]int
		for i := range regs {
			regs[i] = 1000 + i
		}
		want := map[int16]int{}
		var moves []regMove
		for i := 0; i < n; i++ {
			if rnd.IntN(4) == 0 {
				continue // not every register moves
			}
			src, dst := int16(i), int16(perm[i])
			moves = append(moves, regMove{src: src, dst: dst})
			want[dst] = regs[src]
		}
		parks := 0
		resolveParallel(moves, func(m regMove) { regs[m.dst] = regs[m.src] },
			func(src int16, float bool) int16 {
				parks++
				regs[scratch] = regs[src]
				return scratch
			})
		for dst, v := range want {
			if regs[dst] != v {
				t.Fatalf("moves %v: register %d holds %d, want %d", moves, dst, regs[dst], v)
			}
		}
		if parks > len(moves) {
			t.Fatalf("moves %v: %d parks", moves, parks)
		}
		totalParks += parks
	}
	if totalParks == 0 {
		t.Fatal("no cycle was generated: the test exercised nothing")
	}
}
