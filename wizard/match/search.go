package match

import (
	"cmp"
	"slices"
)

// How Best finds the best candidate without reading every candidate that
// shares something with the name. It is prefix filtering, as the all-pairs
// similarity joins (AllPairs, PPJoin) do it, with a bound on what the
// lists left unread can still add (MaxScore, in search engines):
//
//  1. A score of 1 needs the name's very trigram set (score.go), so one
//     hash lookup finds every candidate that can score 1; they are scored
//     first, and for most names they settle it. If not, more lookups
//     (bags.go): those with the name's very tokens in any order, or all
//     but one (long names), the only ones whose token score can come near
//     1, then those whose tokens are all the name's (every one that can
//     be the shorter of a containment). A name whose twin runs two words
//     together ("Harborview", 0.97) then reads no list, where it read its
//     rarest word's, and a list grows with the tenants.
//  2. The name's posting lists (its trigrams, words and word prefixes) are
//     read: the cheapest set that brings the bound below the best score
//     (planner.go), or while there is none, those that lower the bound
//     most for their length first. Before each, the bound on any
//     candidate not yet met, which can share only what the unread lists
//     hold, is compared with the best score so far; once it is below, the
//     common lists (a trigram such as "ing" is in a third of all
//     companies) are never read.
//  3. Each candidate met is bounded from what it was found to share plus
//     everything unread, then from a signature of its words (a bit per
//     word and per 4-letter prefix), then from a bit set of the name's
//     trigrams, and scored in full only if that still reaches the best.
//
// Nothing is guessed: a candidate is passed over only when its bound, which
// is at least its score, is below a score another candidate has. So the
// work per name depends on how rare its rarest parts are, not on how many
// companies share its commonest.

// slack absorbs rounding differences between bound and score, so a
// candidate whose true score ties the best is always scored.
const slack = 1e-9

type featureKind uint8

const (
	gramFeature featureKind = iota
	tokenFeature
	prefixFeature // read after its token's list, to know who has the token itself
)

// feature is one posting list of the name.
type feature struct {
	list []int32
	kind featureKind
	tok  int  // token and prefix features: which distinct token of the name
	mult int  // how often that token occurs in the name
	long bool // token feature: long enough to half-match by prefix
	read bool
}

// unread is what the lists not read yet may still hold.
type unread struct {
	grams, tokens int // trigram and distinct-token lists
	exact         int // token positions of the name whose token list is unread
	half          int // positions whose token list is read and prefix list is not
	repeats       int // the index's most repeated token positions in one name
	bags          bagsScored
	subsets       bool // every candidate whose tokens are all the name's is scored
}

// apply notes that f is read.
func (r *unread) apply(f *feature) {
	switch f.kind {
	case gramFeature:
		r.grams--
	case tokenFeature:
		r.tokens--
		r.exact -= f.mult
		if f.long {
			r.half += f.mult
		}
	case prefixFeature:
		r.half -= f.mult
	}
}

func (ix *Index) best(name string, s *scratch) (Scored, bool) {
	q := &s.q
	s.b.build(q, Candidate{Name: name}, false)
	if len(q.tokens) == 0 {
		return Scored{}, false
	}
	s.reset()
	best, bi := 0.0, int32(-1)
	try := func(i int32) {
		if s.state[i]&scored != 0 {
			return
		}
		s.mark(i, scored) // not touched: a twin's counters would be one more miss
		if sc := score(q, &ix.entries[i]); ix.better(sc, i, best, bi) {
			best, bi = sc, i
		}
	}
	for _, i := range ix.sameSet.get(q.setHash) {
		try(i)
	}
	s.filter.set(q.grams)
	rest := unread{grams: len(q.grams), tokens: len(q.distinct), exact: len(q.tokens), repeats: ix.repeats}
	if bi < 0 || rest.unseenBound(q) >= best-slack {
		for _, i := range ix.bags.get(bagKey(q.bagHash, len(q.tokens))) {
			try(i)
		}
		rest.bags = sameBag
	}
	if bi < 0 || rest.unseenBound(q) >= best-slack {
		q.nearKeys(func(key uint64) {
			for _, i := range ix.bags.get(key) {
				try(i)
			}
		})
		if len(q.tokens) >= nearMin {
			rest.bags = nearBag
		}
	}
	if (bi < 0 || rest.unseenBound(q) >= best-slack) && len(q.distinct) <= maxSubsets {
		ix.subsets(q, try)
		rest.subsets = true
	}
	if bi < 0 || rest.unseenBound(q) >= best-slack { // most names with a twin stop here
		p := ix.plan(q, s)
		for {
			if bi >= 0 && rest.unseenBound(q) < best-slack {
				break
			}
			var f *feature
			if bi >= 0 {
				f = p.planned(q, rest, best-slack)
			}
			if f == nil {
				f = p.next(q, rest)
			}
			if f == nil {
				break
			}
			floor := 0.0
			if bi >= 0 {
				floor = best - slack
			}
			// The best score rises early, so fewer lists are read.
			lead, signed := ix.read(f, q, s, &rest, floor)
			for _, i := range [2]int32{lead, signed} {
				if i >= 0 {
					try(i)
				}
			}
			ix.seed(q, s, &rest, try)
		}
	}
	for _, i := range s.touched {
		if s.state[i]&scored != 0 {
			continue
		}
		c := &s.at[i].counters
		if bi >= 0 {
			// From the counts; then with the token signatures, which sit
			// beside the sizes; then, for the few left, with the trigrams
			// in common counted from above by a bit set (all several times
			// cheaper than scoring).
			sz := &s.at[i].sz
			sh := rest.counted(q, sz, c)
			if bound(q, sz, sh) < best-slack {
				continue
			}
			if sh = signed(q, sz, sh); bound(q, sz, sh) < best-slack {
				continue
			}
			if rest.grams > 0 {
				if sh.common = min(sh.common, s.filter.count(ix.entries[i].grams)); bound(q, sz, sh) < best-slack {
					continue
				}
			}
		}
		try(i)
	}
	return ix.answer(best, bi)
}

// plan is the name's posting lists: its trigrams', shortest first, then
// each token's followed by its prefix's.
type plan struct {
	features []feature
	grams    int        // trigram lists, at the start
	nextGram int        // the shortest unread one
	chosen   []*feature // planned's lists, in order
	at       int        // the next of them
	tried    bool       // planned has chosen
	target   float64    // for this best score
}

func (ix *Index) plan(q *entry, s *scratch) *plan {
	p := s.plan.features[:0]
	for _, g := range q.grams {
		p = append(p, feature{list: ix.grams[g], kind: gramFeature})
	}
	slices.SortFunc(p, func(a, b feature) int { return cmp.Compare(len(a.list), len(b.list)) })
	// Past 64 distinct tokens (no company name has them) the rest stay
	// unread: their bound stays at its most generous, so nothing is lost.
	for k, t := range q.distinct[:min(len(q.distinct), 64)] {
		mult := q.tokenBits[k].mult
		pre, long := prefix(t)
		tl := ix.tokens[t]
		p = append(p, feature{list: tl, kind: tokenFeature, tok: k, mult: mult, long: long})
		if long {
			// The prefix's list holds the token's; as long, it is the same
			// (every "mana…" is "management") and adds nothing: read free.
			pl := ix.prefixes[pre]
			if len(pl) == len(tl) {
				pl = nil
			}
			p = append(p, feature{list: pl, kind: prefixFeature, tok: k, mult: mult})
		}
	}
	s.plan = plan{features: p, grams: len(q.grams), chosen: s.plan.chosen[:0]}
	return &s.plan
}

// next picks the unread list that lowers the bound on unseen candidates
// most for each entry read: a token's list, a prefix's once its token's is
// read (reading it needs to know who has the token itself), or the
// shortest trigram list, judged with the trigram lists after it (one
// trigram lowers the bound little, a few together a lot). When nothing
// lowers the bound (a term that only several kinds of reads bring down),
// the shortest list goes.
func (p *plan) next(q *entry, rest unread) *feature {
	now := rest.unseenBound(q)
	var pick, shortest *feature
	best := 0.0
	consider := func(f *feature, after unread, cost int) {
		if gain := (now - after.unseenBound(q)) / float64(cost+1); gain > best {
			pick, best = f, gain
		}
	}
	for p.nextGram < p.grams && p.features[p.nextGram].read {
		p.nextGram++ // read by planned
	}
	after, cost := rest, 0
	for k := p.nextGram; k < p.grams; k++ {
		f := &p.features[k]
		after.apply(f)
		cost += len(f.list)
		consider(&p.features[p.nextGram], after, cost)
	}
	if p.nextGram < p.grams {
		shortest = &p.features[p.nextGram]
	}
	for k := p.grams; k < len(p.features); k++ {
		f := &p.features[k]
		if !f.read && (f.kind == tokenFeature || p.features[k-1].read) {
			if shortest == nil || len(f.list) < len(shortest.list) {
				shortest = f
			}
			after := rest
			after.apply(f)
			consider(f, after, len(f.list))
		}
	}
	if pick == nil {
		pick = shortest
	}
	if pick != nil {
		pick.read = true
		if pick.kind == gramFeature {
			p.nextGram++
		}
	}
	return pick
}

// read counts one list into the counters and answers the candidate that
// now shares the most, if any, worth scoring at once. Once there is a best
// score (floor), a candidate whose token signature alone rules it out is
// passed over: it is not counted, nor looked at at the end.
func (ix *Index) read(f *feature, q *entry, s *scratch, rest *unread, floor float64) (lead, sigLead int32) {
	lead, most := int32(-1), 0
	sigLead, high := int32(-1), 0.0
	bit := uint64(1) << f.tok
	rest.apply(f)
	admit := func(i int32) *counters {
		switch st := s.state[i]; {
		case st&met != 0:
			return &s.at[i].counters
		case st&ruledOut != 0: // the floor only rises: still out
			return nil
		}
		// The signature first: it is one load, and rules out most. Of
		// those it keeps, the highest is worth scoring at once too.
		if sz := &s.at[i].sz; floor > 0 {
			b := bound(q, sz, signed(q, sz, shares{len(q.grams), 1 << 30, 1 << 30, 1 << 30}))
			if b < floor {
				s.mark(i, ruledOut)
				return nil
			}
			if b > high {
				sigLead, high = i, b
			}
		}
		return s.touch(i)
	}
	switch f.kind {
	case gramFeature:
		for _, i := range f.list {
			if c := admit(i); c != nil {
				c.grams++
				if n := int(c.grams) + 2*int(c.exact); n > most {
					lead, most = i, n
				}
			}
		}
	case tokenFeature:
		for _, i := range f.list {
			if c := admit(i); c != nil {
				c.shared++
				c.exact += uint32(f.mult)
				c.has |= bit
				if n := int(c.grams) + 2*int(c.exact); n > most {
					lead, most = i, n
				}
			}
		}
	case prefixFeature:
		for _, i := range f.list {
			if s.state[i]&met == 0 || s.at[i].has&bit == 0 {
				if c := admit(i); c != nil {
					c.prefixed += uint32(f.mult)
				}
			}
		}
	}
	return lead, sigLead
}

// unseenBound is at least the score of any candidate not met so far: its
// trigram set is not the name's (those were all scored first), and it
// shares only what the unread lists hold.
func (r *unread) unseenBound(q *entry) float64 {
	return max(0.6*r.tokenBound(len(q.tokens))+0.4*r.gramBound(len(q.grams)), r.containBound(q))
}

// gramBound is the most trigram Dice an unseen candidate can have: at most
// r.grams in common; with every list unread, a set that differs still has
// one fewer in common or one more of its own.
func (r *unread) gramBound(gq int) float64 {
	if r.grams == gq {
		return 2 * float64(gq) / float64(2*gq+1)
	}
	return 2 * float64(r.grams) / float64(gq+r.grams)
}

// containBound is the most containment score an unseen candidate can have.
func (r *unread) containBound(q *entry) float64 {
	lq := len(q.tokens)
	// Containment needs every word of the shorter name in the longer: with
	// a token list read and not holding the candidate, the name cannot be
	// the shorter, and the candidate has fewer words, each one of those
	// unread (or a repeat of one: no name repeats more than r.repeats).
	// With subsets scored, an unseen candidate has a token the name lacks,
	// so it can only be the longer.
	switch {
	case r.tokens == len(q.distinct):
		return 0.95
	case r.subsets:
	case r.tokens > 0 && lq > 1:
		return 0.6 + 0.35*float64(min(lq-1, r.tokens+r.repeats))/float64(lq)
	}
	return 0
}

// shares is what a candidate may have in common with the name, each
// count at least the true one: trigrams; token positions of the name with
// an equal token there; positions with an equal or a same-prefix token
// there; distinct tokens of the name it has.
type shares struct{ common, exact, matched, shared int }

// counted is what the lists read found a candidate shares, plus
// everything unread: a position whose token list is unread may match
// either way, one whose prefix list alone is unread only by prefix.
func (r *unread) counted(q *entry, e *sizes, c *counters) shares {
	exact := int(c.exact) + r.exact
	return shares{common: min(int(c.grams)+r.grams, len(q.grams), int(e.grams)),
		exact: exact, matched: exact + int(c.prefixed) + r.half, shared: int(c.shared) + r.tokens}
}

// signed narrows sh with the candidate's token signatures: a token (or a
// prefix) of the name whose bit the candidate lacks is not one it has.
func signed(q *entry, e *sizes, sh shares) shares {
	exact, matched, shared := 0, 0, 0
	for _, t := range q.tokenBits {
		switch {
		case e.tokenSig&t.token != 0:
			exact += t.mult
			matched += t.mult
			shared++
		case e.prefixSig&t.prefix != 0:
			matched += t.mult
		}
	}
	sh.exact, sh.matched, sh.shared = min(sh.exact, exact), min(sh.matched, matched), min(sh.shared, shared)
	return sh
}

// bound is at least score(q, e) for a candidate sharing at most sh: the
// trigram Dice and the containment bonus from above, the token Dice from
// above (an equal token adds at most 1, a same-prefix one at most 0.8, and
// at most min(len) pairs form).
func bound(q *entry, e *sizes, sh shares) float64 {
	lq, le := len(q.tokens), int(e.tokens)
	if le == 0 {
		return 0
	}
	gq, ge := len(q.grams), int(e.grams)
	if sh.common == gq && gq == ge {
		return 1 // perhaps the same letters: the exact score may be 1
	}
	pairs := min(lq, le)
	exact := min(sh.exact, sh.matched, pairs)
	half := min(sh.matched, pairs) - exact
	t := 2 * (float64(exact) + 0.8*float64(half)) / float64(lq+le)
	b := 0.6*t + 0.4*(2*float64(sh.common)/float64(gq+ge))
	shorter := len(q.distinct)
	if lq > le {
		shorter = int(e.distinct)
	}
	if sh.shared >= shorter {
		b = max(b, 0.6+0.35*float64(pairs)/float64(max(lq, le)))
	}
	return b
}

// touchSharing touches every candidate sharing a trigram or a token with
// q: every candidate scoring above 0 (a shared 4-letter prefix shares a
// trigram).
func (ix *Index) touchSharing(q *entry, s *scratch) {
	for _, g := range q.grams {
		for _, i := range ix.grams[g] {
			s.touch(i)
		}
	}
	for _, t := range q.distinct {
		for _, i := range ix.tokens[t] {
			s.touch(i)
		}
	}
}
