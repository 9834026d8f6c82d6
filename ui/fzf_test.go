package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
	"github.com/meshgradient/mesh-gradient/testdata/fzf/algo"
	"github.com/meshgradient/mesh-gradient/testdata/fzf/util"
)

// fzfQueries are what a technician types into a picker, the last one
// matching nothing. BENCHMARKS.md reports these.
var fzfQueries = []string{"harbor", "smith dent", "mtn", "pediatr", "oak hill ro", "h", "xyz"}

// fzfFilter is fzf's own matching, as fzf runs it on a query typed into
// its finder: the names read once into fzf's Chars, each space-separated
// word matched with FuzzyMatchV2 (which first runs its byte search that
// skips ahead, asciiFuzzyIndex), case-insensitive and normalized as fzf's
// defaults are, every word required, the matches sorted by score, then
// length, then input order (fzf's default tiebreak). A copy of fzf's
// src/algo (testdata/fzf, MIT licence) used here and nowhere else.
type fzfFilter struct {
	chars []util.Chars
	slab  *util.Slab
	keys  []uint64
}

func init() { algo.Init("default") }

func newFzfFilter(names []string) *fzfFilter {
	f := &fzfFilter{slab: util.MakeSlab(100*1024, 2048)}
	for _, n := range names {
		f.chars = append(f.chars, util.ToChars([]byte(n)))
	}
	return f
}

func (f *fzfFilter) run(query string) int {
	var terms [][]rune
	for _, w := range strings.Fields(strings.ToLower(query)) {
		terms = append(terms, []rune(w))
	}
	keys := f.keys[:0]
	for i := range f.chars {
		score, ok := 0, true
		for _, t := range terms {
			r, _ := algo.FuzzyMatchV2(false, true, true, &f.chars[i], t, false, f.slab)
			if r.Start < 0 {
				ok = false
				break
			}
			score += r.Score
		}
		if ok {
			keys = append(keys, uint64(1<<16-1-min(score, 1<<16-1))<<48|uint64(min(f.chars[i].Length(), 1<<16-1))<<32|uint64(i))
		}
	}
	slices.Sort(keys)
	f.keys = keys
	return len(keys)
}

func generatedNames(n int) []string {
	sc, _ := meshemu.Generate(n, 1)
	names := make([]string, len(sc.PSA.Companies))
	for i, c := range sc.PSA.Companies {
		names[i] = c.Name
	}
	return names
}

// BenchmarkFilterVersusFzf filters the same generated company names with
// the same queries, ours and fzf's algorithm side by side in one run, each
// in process with its names prepared once (as the list prepares them when
// its items are set, and as fzf reads its input), each query a full scan
// and sort, as a query's first keystroke is. Run with -count to see the
// spread; the pairs alternate.
func BenchmarkFilterVersusFzf(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		names := generatedNames(n)
		var ours filterer
		ours.setTargets(names)
		theirs := newFzfFilter(names)
		for _, q := range fzfQueries {
			b.Run(fmt.Sprintf("ours/%d/%s", n, q), func(b *testing.B) {
				for b.Loop() {
					ours.run(q, nil, false)
				}
			})
			b.Run(fmt.Sprintf("fzf/%d/%s", n, q), func(b *testing.B) {
				for b.Loop() {
					theirs.run(q)
				}
			})
		}
	}
}

// TestFilterFindsWhatFzfFinds: on generated names, every query finds the
// same names as fzf's algorithm, so the benchmark compares equal work.
func TestFilterFindsWhatFzfFinds(t *testing.T) {
	names := generatedNames(10000)
	var ours filterer
	ours.setTargets(names)
	theirs := newFzfFilter(names)
	for _, q := range append(fzfQueries, "a", "st m", "123") {
		if got, want := len(ours.run(q, nil, false)), theirs.run(q); got != want {
			t.Errorf("%q: we find %d names, fzf's algorithm %d", q, got, want)
		}
	}
}
