package match

import "math/bits"

// Candidates found by hashing their tokens rather than by reading lists:
// those whose token score can come near 1, and those whose tokens are all
// the name's (the shorter name of a containment). Lists grow with the
// tenants; these lookups cost the same at any size.

// hashBag sums tokenHash over the tokens: the sum ignores order and counts
// repeats, so names with the same tokens in any order hash alike, and the
// sum less one token's hash is that of the rest.
func hashBag(toks []string) uint64 {
	sum := uint64(0)
	for _, t := range toks {
		sum += tokenHash(t)
	}
	return sum
}

func tokenHash(t string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(t); i++ {
		h = (h ^ uint64(t[i])) * 1099511628211
	}
	h ^= h >> 29
	return h * 0xbf58476d1ce4e5b9
}

// nearMin is the fewest tokens for which an entry is also filed under its
// tokens less one: below it the same-tokens cap (unseenBound) suffices, and
// a short name's keys would hold every name sharing one common word.
const nearMin = 5

// bagKey files a sum of tokenHash under a count: n tokens for the whole
// name, -n for an n-token name less one token, so kinds and counts differ.
func bagKey(sum uint64, n int) uint64 {
	return (sum ^ uint64(n)*0x9e3779b97f4a7c15) * 0xbf58476d1ce4e5b9
}

// nearKeys calls add with e's keys less one distinct token, if it has
// nearMin tokens or more: two names of as many tokens share such a key when
// all but one of their tokens are equal.
func (e *entry) nearKeys(add func(uint64)) {
	if len(e.tokens) < nearMin {
		return
	}
	for _, t := range e.distinct {
		add(bagKey(e.bagHash-tokenHash(t), -len(e.tokens)))
	}
}

// bagsScored is which candidates found by their tokens' hashes are scored.
type bagsScored uint8

const (
	noBag   bagsScored = iota
	sameBag            // those with the name's very tokens, in any order
	nearBag            // and those with all but one of them (nearKeys)
)

// tokenBound is the most token score (tokenScore) a candidate not met can
// have, over each count le of its tokens: it pairs at most min(lq, le) of
// the name's positions, exactly only those whose token list is unread,
// by prefix only those whose prefix list is unread too. What was looked
// up narrows the exact pairs: with the name's very tokens scored, one of
// as many tokens has at most lq-1 (all lq is the same tokens); with near
// twins, lq-2; with subsets, a shorter one at most le-1 (all le would be
// a subset).
func (r *unread) tokenBound(lq int) float64 {
	most := 0.0
	for le := 1; le <= lq+1; le++ {
		pairs := min(lq, le)
		x := min(r.exact, pairs)
		switch {
		case le == lq && r.bags == nearBag:
			x = min(x, lq-2)
		case le == lq && r.bags == sameBag:
			x = min(x, lq-1)
		case le < lq && r.subsets:
			x = min(x, le-1)
		}
		h := min(pairs, r.exact+r.half) - x
		most = max(most, 2*(float64(x)+0.8*float64(h))/float64(lq+le))
	}
	return most
}

// maxSubsets is the most distinct tokens a name may have for subsets to
// look up every combination of them (2^8 - 1 lookups at most, each a few
// dozen nanoseconds, where the lists they spare hold thousands).
const maxSubsets = 8

// subsets scores every candidate whose distinct tokens are some of the
// name's: every one that can be the shorter name of a containment ("Metro
// Realty" in "Metro Realty Group"). An index entry is filed under the sum
// of its distinct tokens' hashes (bagKey), so each subset of the name's
// tokens is one lookup. Otherwise an unseen candidate of fewer tokens may
// be contained, and ruling that out takes reading nearly all the name's
// token lists, the commonest words' among them.
func (ix *Index) subsets(q *entry, try func(int32)) {
	var hs [maxSubsets]uint64
	for k, t := range q.distinct {
		hs[k] = tokenHash(t)
	}
	var sums [1 << maxSubsets]uint64
	for m := 1; m < 1<<len(q.distinct); m++ {
		low := bits.TrailingZeros(uint(m))
		sums[m] = sums[m&(m-1)] + hs[low]
		for _, i := range ix.bags.get(bagKey(sums[m], bits.OnesCount(uint(m)))) {
			try(i)
		}
	}
}
