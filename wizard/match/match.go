// Package match suggests which PSA company (or product) a vendor's name
// means, with a confidence from 0 to 1. Names are normalised first (case,
// punctuation, legal suffixes such as Inc/LLC/Ltd/Corp/GmbH, "&"/"and",
// common abbreviations), then scored by token overlap and by character
// trigram similarity.
//
// Best is exact: it returns what scoring every candidate would (BestNaive),
// without scoring every candidate. Inverted indexes on trigrams, tokens and
// 4-letter token prefixes give, for each candidate sharing anything with the
// name, the exact trigram similarity and an upper bound on the token score;
// only candidates whose bound reaches the best score so far are scored in
// full. A candidate sharing nothing scores 0, so it can never be the answer.
package match

import (
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
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

// legal suffixes and filler words that say nothing about which company.
var dropWords = map[string]bool{
	"inc": true, "incorporated": true, "llc": true, "llp": true, "lp": true, "ltd": true, "limited": true,
	"corp": true, "corporation": true, "co": true, "company": true, "gmbh": true, "ag": true, "plc": true,
	"pc": true, "pllc": true, "pa": true, "sa": true, "sarl": true, "bv": true, "nv": true, "pty": true,
	"srl": true, "spa": true, "oy": true, "ab": true, "as": true, "kg": true,
	"the": true, "and": true, "of": true, "at": true,
}

var abbreviations = map[string]string{
	"mgmt": "management", "intl": "international", "svc": "services", "svcs": "services",
	"assoc": "associates", "assn": "association", "bros": "brothers", "mfg": "manufacturing",
	"dept": "department", "natl": "national", "grp": "group", "ctr": "center", "centre": "center",
	"tech": "technology", "univ": "university", "hosp": "hospital", "med": "medical",
}

// Normalize turns a name into its comparable tokens.
func Normalize(name string) []string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r == '&' || r == '+':
			b.WriteString(" and ")
		case r == '\'' || r == '’' || r == '.':
			// "Mary's" → "marys", "St." → "st", "Inc." → "inc"
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	var out []string
	words := strings.Fields(b.String())
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "per" {
			i++ // "per mailbox", "per user": a unit, not a name
			continue
		}
		if full, ok := abbreviations[w]; ok {
			w = full
		}
		if !dropWords[w] {
			out = append(out, w)
		}
	}
	return out
}

type entry struct {
	Candidate
	tokens   []string
	distinct []string // tokens without repeats
	joined   string   // tokens without spaces: "harbor view" ≈ "harborview"
	grams    []uint64 // character trigrams of joined, sorted, without repeats
}

func newEntry(c Candidate) entry {
	toks := Normalize(c.Name)
	joined := strings.Join(toks, "")
	return entry{Candidate: c, tokens: toks, distinct: distinct(toks), joined: joined, grams: trigrams(joined)}
}

func distinct(toks []string) []string {
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// trigrams packs each run of three runes (21 bits each) into a uint64.
func trigrams(s string) []uint64 {
	r := []rune(" " + s + " ")
	out := make([]uint64, 0, len(r))
	for i := 0; i+3 <= len(r); i++ {
		out = append(out, uint64(r[i])<<42|uint64(r[i+1])<<21|uint64(r[i+2]))
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	k := 0
	for i, g := range out {
		if i == 0 || g != out[k-1] {
			out[k] = g
			k++
		}
	}
	return out[:k]
}

// prefixLen is the shortest common prefix tokenWeight counts as a half match.
const prefixLen = 4

type sizes struct {
	tokens, distinct uint16
	grams            uint32
}

// Index holds candidates ready for matching.
type Index struct {
	entries  []entry
	sizes    []sizes            // entries' lengths, dense: bound reads them for thousands of candidates a query
	grams    map[uint64][]int32 // trigram → entries holding it
	tokens   map[string][]int32 // token → entries holding it
	prefixes map[string][]int32 // first 4 letters of a token → entries with such a token
	scratch  sync.Pool
}

// NewIndex indexes candidates.
func NewIndex(cands []Candidate) *Index {
	ix := &Index{entries: make([]entry, len(cands)), sizes: make([]sizes, len(cands)), grams: map[uint64][]int32{},
		tokens: map[string][]int32{}, prefixes: map[string][]int32{}}
	for i, c := range cands {
		e := newEntry(c)
		ix.entries[i] = e
		ix.sizes[i] = sizes{tokens: uint16(min(len(e.tokens), 1<<16-1)), distinct: uint16(min(len(e.distinct), 1<<16-1)), grams: uint32(len(e.grams))}
		for _, g := range e.grams {
			ix.grams[g] = append(ix.grams[g], int32(i))
		}
		var seenPrefix []string
		for _, t := range e.distinct {
			ix.tokens[t] = append(ix.tokens[t], int32(i))
			if p, ok := prefix(t); ok && !slices.Contains(seenPrefix, p) {
				seenPrefix = append(seenPrefix, p)
				ix.prefixes[p] = append(ix.prefixes[p], int32(i))
			}
		}
	}
	ix.scratch.New = func() any { return newScratch(len(ix.entries)) }
	return ix
}

func prefix(t string) (string, bool) {
	if len(t) < prefixLen {
		return "", false
	}
	return t[:prefixLen], true
}

// Len is the number of candidates.
func (ix *Index) Len() int { return len(ix.entries) }

// scratch is one query's per-candidate counters, reused between queries
// (allocating them per query would cost gigabytes over 10,000 names). One
// struct per candidate keeps a candidate's counters in one cache line.
type scratch struct {
	at      []counters
	touched []int32
	bounds  []float64 // by position in touched
}

type counters struct {
	grams    uint16 // trigrams shared with the query
	shared   uint16 // distinct tokens shared with the query
	exact    uint16 // query token positions with an equal token here
	prefixed uint16 // query token positions with only a same-prefix token here
	stamp    int32  // which distinct query token last counted here
	seen     bool
}

func newScratch(n int) *scratch { return &scratch{at: make([]counters, n)} }

func (s *scratch) reset() {
	for _, i := range s.touched {
		s.at[i] = counters{}
	}
	s.touched = s.touched[:0]
}

func (s *scratch) touch(i int32) *counters {
	c := &s.at[i]
	if !c.seen {
		c.seen = true
		s.touched = append(s.touched, i)
	}
	return c
}

// gather counts, for every candidate sharing a trigram, a token or a token
// prefix with q, what it shares. Every candidate scoring above 0 is touched.
func (ix *Index) gather(q *entry, s *scratch) {
	for _, g := range q.grams {
		for _, i := range ix.grams[g] {
			s.touch(i).grams++
		}
	}
	for k, t := range q.distinct {
		mult := uint16(0)
		for _, x := range q.tokens {
			if x == t {
				mult++
			}
		}
		mark := int32(k + 1)
		for _, i := range ix.tokens[t] {
			c := s.touch(i)
			c.shared++
			c.exact += mult
			c.stamp = mark
		}
		if p, ok := prefix(t); ok {
			for _, i := range ix.prefixes[p] {
				if s.at[i].stamp != mark {
					s.touch(i).prefixed += mult
				}
			}
		}
	}
}

// bound is at least score(q, e), from what gather counted: the trigram
// Dice and the containment bonus exactly, the token Dice from above (an
// equal token adds at most 1, a same-prefix one at most 0.8, and at most
// min(len) pairs form).
func (ix *Index) bound(q *entry, s *scratch, i int32) float64 {
	e, c := ix.sizes[i], &s.at[i]
	lq, le := len(q.tokens), int(e.tokens)
	if lq == 0 || le == 0 {
		return 0
	}
	common := int(c.grams)
	if common == len(q.grams) && common == int(e.grams) {
		return 1 // the same letters: the exact score may be 1
	}
	pairs := min(lq, le)
	exact := min(int(c.exact), pairs)
	half := min(int(c.prefixed), pairs-exact)
	t := 2 * (float64(exact) + 0.8*float64(half)) / float64(lq+le)
	b := 0.6*t + 0.4*(2*float64(common)/float64(len(q.grams)+int(e.grams)))
	shorter := len(q.distinct)
	if lq > le {
		shorter = int(e.distinct)
	}
	if int(c.shared) == shorter {
		b = max(b, 0.6+0.35*float64(pairs)/float64(max(lq, le)))
	}
	return b
}

// slack absorbs rounding differences between bound and score, so a
// candidate whose true score ties the best is always scored.
const slack = 1e-9

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

func (ix *Index) best(name string, s *scratch) (Scored, bool) {
	q := newEntry(Candidate{Name: name})
	s.reset()
	ix.gather(&q, s)
	s.bounds = slices.Grow(s.bounds[:0], len(s.touched))[:len(s.touched)]
	bounds := s.bounds
	// Score the most promising candidate first so the best score starts
	// high, then every candidate whose bound still reaches the best so far.
	top := -1
	for k, i := range s.touched {
		bounds[k] = ix.bound(&q, s, i)
		if top < 0 || bounds[k] > bounds[top] {
			top = k
		}
	}
	best, bi := 0.0, int32(-1)
	consider := func(k int) {
		i := s.touched[k]
		if bi >= 0 && bounds[k] < best-slack {
			return
		}
		if sc := score(&q, &ix.entries[i]); ix.better(sc, i, best, bi) {
			best, bi = sc, i
		}
	}
	if top >= 0 {
		consider(top)
	}
	for k := range s.touched {
		if k != top {
			consider(k)
		}
	}
	if bi < 0 || best <= 0 {
		return Scored{}, false
	}
	return Scored{Candidate: ix.entries[bi].Candidate, Score: best}, true
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
	const chunk = 64
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
	if bi < 0 || best <= 0 {
		return Scored{}, false
	}
	return Scored{Candidate: ix.entries[bi].Candidate, Score: best}, true
}

// Rank scores every candidate against name, best first (ties by name, then
// input order). Only candidates sharing something are scored; the rest
// score 0 and follow in name order.
func (ix *Index) Rank(name string) []Scored {
	q := newEntry(Candidate{Name: name})
	s := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(s)
	s.reset()
	ix.gather(&q, s)
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
