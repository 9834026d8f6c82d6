// Package match suggests which PSA company (or product) a vendor's name
// means, with a confidence from 0 to 1. Names are normalised first (case,
// punctuation, legal suffixes such as Inc/LLC/Ltd/Corp/GmbH, "&"/"and",
// common abbreviations), then scored by token overlap and by character
// trigram similarity.
//
// Best is exact: it returns what scoring every candidate would (BestNaive),
// without scoring every candidate, and without reading every candidate that
// shares something with the name either (search.go): at tens of thousands
// of tenants most names share a trigram with a third of all companies, so
// reading those lists made matching grow with the square of the tenants.
package match

import (
	"runtime"
	"sort"
	"strings"
	"sync"
)

// Candidate is something a name can map to.
type Candidate struct {
	ID   string
	Name string
}

// Scored is a candidate with its confidence.
type Scored struct {
	Candidate
	Score float64
}

// prefixLen is the shortest common prefix tokenWeight counts as a half match.
const prefixLen = 4

// sizes is what the bounds read of a candidate, dense: they read it for
// many candidates a query.
type sizes struct {
	tokens, distinct, grams uint32
	tokenSig, prefixSig     uint64 // the union of its tokenBits
}

// Index holds candidates ready for matching.
type Index struct {
	entries  []entry
	sizes    []sizes
	grams    map[uint64][]int32 // trigram → entries holding it
	tokens   map[string][]int32 // token → entries holding it
	prefixes map[string][]int32 // first 4 letters of a token → entries with such a token
	sameSet  *hashIndex         // hash of the trigram set → entries with that set: every candidate that can score 1
	bags     *hashIndex         // bagKey of the token multiset and of the distinct tokens, nearKeys → entries
	repeats  int                // the most token positions one name repeats ("Johnson & Johnson": 1)
	scratch  sync.Pool
}

// NewIndex indexes candidates. Names are normalised on every core; the
// posting lists are then cut from one array each, counted first, so 100,000
// names cost a few large allocations instead of millions of small ones.
func NewIndex(cands []Candidate) *Index {
	ix := &Index{entries: make([]entry, len(cands)), sizes: make([]sizes, len(cands))}
	parallel(len(cands), func(from, to int) {
		var b builder
		for i := from; i < to; i++ {
			e := &ix.entries[i]
			b.build(e, cands[i], true)
			sz := sizes{tokens: uint32(len(e.tokens)), distinct: uint32(len(e.distinct)), grams: uint32(len(e.grams))}
			for _, t := range b.bits {
				sz.tokenSig |= t.token
				sz.prefixSig |= t.prefix
			}
			ix.sizes[i] = sz
		}
	})
	for i := range ix.entries {
		ix.repeats = max(ix.repeats, len(ix.entries[i].tokens)-len(ix.entries[i].distinct))
	}
	// Trigrams are two thirds of the postings: they build on one core while
	// the tokens and prefixes build on the other; the trigram sets and token
	// bags (a key per entry, more for long names) go to whichever is free.
	var wg sync.WaitGroup
	wg.Go(func() {
		ix.sameSet = newHashIndex(ix.entries, func(e *entry, add func(uint64)) { add(e.setHash) })
		ix.bags = newHashIndex(ix.entries, func(e *entry, add func(uint64)) {
			add(bagKey(e.bagHash, len(e.tokens)))
			if len(e.distinct) < len(e.tokens) { // filed under its distinct tokens too, for subsets
				add(bagKey(hashBag(e.distinct), len(e.distinct)))
			}
			e.nearKeys(add)
		})
	})
	wg.Go(func() {
		ix.grams = build(ix.entries, func(e *entry, add func(uint64)) {
			for _, g := range e.grams {
				add(g)
			}
		})
	})
	ix.tokens = build(ix.entries, func(e *entry, add func(string)) {
		for _, t := range e.distinct {
			add(t)
		}
	})
	ix.prefixes = build(ix.entries, func(e *entry, add func(string)) {
		for k, t := range e.distinct {
			if p, ok := prefix(t); ok && !hasPrefix(e.distinct[:k], p) {
				add(p)
			}
		}
	})
	wg.Wait()
	ix.scratch.New = func() any { return newScratch(ix.sizes) }
	return ix
}

// build makes the key → entries lists of keys(e, add) for every entry, in
// entry order. Keys are numbered in one pass (one map lookup per key a
// name has), then every list is cut from one array: 100,000 names cost a
// few large allocations instead of a million small ones.
func build[K comparable](entries []entry, keys func(e *entry, add func(K))) map[K][]int32 {
	ids := map[K]int32{}
	var order []K
	var counts []int32
	var seq []int32 // key numbers, entry after entry
	// One closure for all entries: a closure per entry is an allocation per
	// entry, since keys may keep it.
	number := func(k K) {
		id, ok := ids[k]
		if !ok {
			id = int32(len(order))
			ids[k] = id
			order = append(order, k)
			counts = append(counts, 0)
		}
		counts[id]++
		seq = append(seq, id)
	}
	for i := range entries {
		keys(&entries[i], number)
	}
	all := make([]int32, len(seq))
	lists := make([][]int32, len(order))
	at := int32(0)
	for id, n := range counts {
		lists[id] = all[at : at : at+n]
		at += n
	}
	next, i := 0, int32(0)
	file := func(K) {
		id := seq[next]
		next++
		lists[id] = append(lists[id], i)
	}
	for i = range int32(len(entries)) {
		keys(&entries[i], file)
	}
	out := make(map[K][]int32, len(order))
	for id, k := range order {
		out[k] = lists[id]
	}
	return out
}

// parallel runs f over [0, n) in chunks, on every core.
func parallel(n int, f func(from, to int)) {
	workers := min(runtime.GOMAXPROCS(0), max(n/256, 1))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(n*w/workers, n*(w+1)/workers)
		}()
	}
	wg.Wait()
}

// hasPrefix reports whether one of toks starts with p.
func hasPrefix(toks []string, p string) bool {
	for _, u := range toks {
		if strings.HasPrefix(u, p) {
			return true
		}
	}
	return false
}

func prefix(t string) (string, bool) {
	if len(t) < prefixLen {
		return "", false
	}
	return t[:prefixLen], true
}

// Len is the number of candidates.
func (ix *Index) Len() int { return len(ix.entries) }

// better orders results: higher score, then name, then input order.
func (ix *Index) better(s float64, i int32, best float64, bi int32) bool {
	if bi < 0 || s != best {
		return bi < 0 || s > best
	}
	a, b := ix.entries[i].Name, ix.entries[bi].Name
	return a < b || a == b && i < bi
}

// Best returns the most likely candidate for name; ok is false when no
// candidate shares anything with it. It equals BestNaive.
func (ix *Index) Best(name string) (Scored, bool) {
	s := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(s)
	return ix.best(name, s)
}

// BestAll is Best for every name, on every core; out[i] is names[i]'s
// answer and ok[i] whether there is one. progress, when not nil, hears how
// many names are done, now and then.
func (ix *Index) BestAll(names []string, progress func(done int)) (out []Scored, ok []bool) {
	out, ok = make([]Scored, len(names)), make([]bool, len(names))
	workers := min(runtime.GOMAXPROCS(0), max(len(names)/64, 1))
	var wg sync.WaitGroup
	var mu sync.Mutex
	next, done := 0, 0
	const chunk = 256
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := ix.scratch.Get().(*scratch)
			defer ix.scratch.Put(s)
			finished := 0 // names this worker did since it last took a chunk
			for {
				mu.Lock()
				from := next
				next += chunk
				done += finished
				if finished > 0 && progress != nil {
					progress(done)
				}
				mu.Unlock()
				if from >= len(names) {
					return
				}
				for i := from; i < min(from+chunk, len(names)); i++ {
					out[i], ok[i] = ix.best(names[i], s)
				}
				finished = min(from+chunk, len(names)) - from
			}
		}()
	}
	wg.Wait()
	return out, ok
}

// BestNaive scores every candidate: the reference Best must equal.
func (ix *Index) BestNaive(name string) (Scored, bool) {
	q := newEntry(Candidate{Name: name})
	best, bi := 0.0, int32(-1)
	for i := range ix.entries {
		if sc := score(&q, &ix.entries[i]); ix.better(sc, int32(i), best, bi) {
			best, bi = sc, int32(i)
		}
	}
	return ix.answer(best, bi)
}

func (ix *Index) answer(best float64, bi int32) (Scored, bool) {
	if bi < 0 || best <= 0 {
		return Scored{}, false
	}
	return Scored{Candidate: ix.entries[bi].Candidate, Score: best}, true
}

// Rank scores every candidate against name, best first (ties by name, then
// input order). Only candidates sharing a trigram or a token are scored;
// the rest score 0 and follow in name order.
func (ix *Index) Rank(name string) []Scored {
	q := newEntry(Candidate{Name: name})
	s := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(s)
	s.reset()
	ix.touchSharing(&q, s)
	scores := make([]float64, len(ix.entries))
	for _, i := range s.touched {
		scores[i] = score(&q, &ix.entries[i])
	}
	order := make([]int32, len(ix.entries))
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(a, b int) bool {
		i, j := order[a], order[b]
		return ix.better(scores[i], i, scores[j], j)
	})
	out := make([]Scored, len(order))
	for k, i := range order {
		out[k] = Scored{Candidate: ix.entries[i].Candidate, Score: scores[i]}
	}
	return out
}
