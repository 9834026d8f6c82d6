package match

import (
	"slices"
)

// score combines token overlap and character similarity into 0..1.
func score(q, e *entry) float64 {
	if len(q.tokens) == 0 || len(e.tokens) == 0 {
		return 0
	}
	if q.spaced == e.spaced {
		return 1
	}
	if q.joined == e.joined {
		return 0.97 // the same letters, split differently: "Harbor View" / "Harborview"
	}
	t := tokenScore(q.tokens, e.tokens)
	c := dice(q.grams, e.grams)
	s := 0.6*t + 0.4*c
	// Every word of the shorter name appears in the longer one ("Metro
	// Realty" in "Metro Realty Group"): strong evidence, growing with how
	// much of the longer name it covers.
	if small, large := min(len(q.tokens), len(e.tokens)), max(len(q.tokens), len(e.tokens)); contained(q.tokens, e.tokens) {
		s = max(s, 0.6+0.35*float64(small)/float64(large))
	}
	return s
}

// contained reports whether every token of the shorter list is in the longer.
func contained(a, b []string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	for _, t := range a {
		if !slices.Contains(b, t) {
			return false
		}
	}
	return true
}

// tokenScore is a Dice coefficient over tokens where a token also half-
// matches one it shares a long prefix with ("rentals"/"rental",
// "pharmaceuticals"/"pharma").
func tokenScore(a, b []string) float64 {
	var usedBuf [16]bool // names rarely have more words: no allocation
	used := usedBuf[:]
	if len(b) > len(used) {
		used = make([]bool, len(b))
	}
	used = used[:len(b)]
	var matched float64
	for _, x := range a {
		bestJ, bestW := -1, 0.0
		for j, y := range b {
			if used[j] {
				continue
			}
			w := tokenWeight(x, y)
			if w > bestW {
				bestJ, bestW = j, w
			}
		}
		if bestJ >= 0 {
			used[bestJ] = true
			matched += bestW
		}
	}
	return 2 * matched / float64(len(a)+len(b))
}

func tokenWeight(x, y string) float64 {
	if x == y {
		return 1
	}
	p := commonPrefix(x, y)
	shorter := min(len(x), len(y))
	if p >= prefixLen && float64(p) >= 0.75*float64(shorter) {
		return 0.8
	}
	return 0
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// dice is the Dice coefficient of two sorted trigram sets.
func dice(a, b []uint64) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	return 2 * float64(overlap(a, b)) / float64(len(a)+len(b))
}

// overlap counts what two sorted sets have in common.
func overlap(a, b []uint64) int {
	common := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			common++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return common
}
