package match

import (
	"cmp"
	"slices"
)

// maxPlanned is the most distinct tokens planned weighs every choice of
// (3^7 of them at most: each token's list unread, read, or read with its
// prefix's); a name with more reads by next alone.
const maxPlanned = 7

// planned answers the next list of the cheapest set of unread lists after
// which the bound on unseen candidates is below target, the best score
// so far; nil when there is none to read (then next decides).
//
// next picks one list at a time by what it lowers the bound for its
// length, and a common word's list may lower it little alone and much with
// another, so next can read many trigram lists where two word lists would
// do. Here every choice of word and prefix lists is weighed with the
// fewest shortest trigram lists that complete it: the bound depends only
// on how many lists of each kind are unread, so that is exact and cheap.
func (p *plan) planned(q *entry, rest unread, target float64) *feature {
	if !p.tried || target > p.target {
		// Again when the best score rose: a higher one may need fewer lists.
		p.tried, p.target, p.chosen, p.at = true, target, p.chosen[:0], 0
		p.choose(q, rest, target)
	}
	for p.at < len(p.chosen) {
		f := p.chosen[p.at]
		p.at++
		if !f.read {
			f.read = true
			return f
		}
	}
	return nil
}

func (p *plan) choose(q *entry, rest unread, target float64) {
	// The words' choices: for each distinct token, the lists it may add.
	type option struct{ lists [2]*feature }
	var words [maxPlanned][]option
	n := 0
	for k := p.grams; k < len(p.features); k++ {
		f := &p.features[k]
		if f.kind != tokenFeature {
			continue
		}
		if n == maxPlanned {
			return
		}
		opts := []option{{}}
		var pre *feature
		if k+1 < len(p.features) && p.features[k+1].kind == prefixFeature {
			pre = &p.features[k+1]
		}
		switch {
		case !f.read:
			opts = append(opts, option{[2]*feature{f}})
			if pre != nil {
				opts = append(opts, option{[2]*feature{f, pre}})
			}
		case pre != nil && !pre.read:
			opts = append(opts, option{[2]*feature{pre}})
		}
		words[n] = opts
		n++
	}
	// The unread trigram lists, shortest first, and what the first k cost.
	var grams []*feature
	for k := p.nextGram; k < p.grams; k++ {
		if !p.features[k].read {
			grams = append(grams, &p.features[k])
		}
	}
	costs := make([]int, len(grams)+1)
	for k, g := range grams {
		costs[k+1] = costs[k] + len(g.list)
	}
	lq, gq := len(q.tokens), len(q.grams)
	bestCost, bestK := -1, 0
	var bestPick, pick [maxPlanned]int
	var walk func(w int, u unread, cost int)
	walk = func(w int, u unread, cost int) {
		if bestCost >= 0 && cost >= bestCost {
			return
		}
		if w < n {
			for o, opt := range words[w] {
				v, c := u, cost
				for _, f := range opt.lists {
					if f != nil {
						v.apply(f)
						c += len(f.list)
					}
				}
				pick[w] = o
				walk(w+1, v, c)
			}
			return
		}
		if u.containBound(q) >= target {
			return
		}
		t := 0.6 * u.tokenBound(lq)
		// The fewest trigram lists that bring the bound below target: the
		// bound falls as they are read.
		lo, hi := 0, len(grams)+1
		for lo < hi {
			m := (lo + hi) / 2
			v := u
			v.grams -= m
			if t+0.4*v.gramBound(gq) < target {
				hi = m
			} else {
				lo = m + 1
			}
		}
		if lo > len(grams) {
			return
		}
		if c := cost + costs[lo]; bestCost < 0 || c < bestCost {
			bestCost, bestK, bestPick = c, lo, pick
		}
	}
	walk(0, rest, 0)
	if bestCost < 0 {
		return
	}
	type ranked struct {
		f   *feature
		key int
	}
	var order []ranked
	for _, g := range grams[:bestK] {
		order = append(order, ranked{g, len(g.list)})
	}
	for w := range n {
		key := 0
		for _, f := range words[w][bestPick[w]].lists {
			if f != nil {
				// A prefix's list ranks after its token's: reading it needs
				// to know who has the token itself.
				key += len(f.list)
				order = append(order, ranked{f, key})
			}
		}
	}
	// Shortest first: the best score may rise on the way and end the
	// reading before the longest.
	slices.SortStableFunc(order, func(a, b ranked) int { return cmp.Compare(a.key, b.key) })
	chosen := p.chosen[:0]
	for _, r := range order {
		chosen = append(chosen, r.f)
	}
	p.chosen = chosen
}

// seedWithin is the most candidates met for seed to look over: it runs
// after each of the first, short lists only.
const seedWithin = 256

// seed scores the few candidates met so far whose bound is highest (from
// what they were found to share and their signatures), before planned
// chooses: the lists it must read are those that bring the bound below
// the best score, and a best found early asks far fewer. Each list's
// leader alone finds the best late: many candidates tie on what they share.
func (ix *Index) seed(q *entry, s *scratch, rest *unread, try func(int32)) {
	if len(s.touched) > seedWithin {
		return
	}
	const most = 4
	var top [most]int32
	var at [most]float64
	n := 0
	for _, i := range s.touched {
		if s.state[i]&scored != 0 {
			continue
		}
		c := &s.at[i].counters
		sz := &s.at[i].sz
		b := bound(q, sz, signed(q, sz, rest.counted(q, sz, c)))
		k := min(n, most-1)
		if n == most && b <= at[k] {
			continue
		}
		for ; k > 0 && at[k-1] < b; k-- {
			top[k], at[k] = top[k-1], at[k-1]
		}
		top[k], at[k] = i, b
		n = min(n+1, most)
	}
	for _, i := range top[:n] {
		try(i)
	}
}
