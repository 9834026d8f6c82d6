// Package match suggests which PSA company (or product) a vendor's name
// means, with a confidence from 0 to 1. Names are normalised first (case,
// punctuation, legal suffixes such as Inc/LLC/Ltd/Corp/GmbH, "&"/"and",
// common abbreviations), then scored by token overlap and by character
// trigram similarity. An inverted trigram index keeps matching thousands of
// names against thousands of candidates fast.
package match

import (
	"sort"
	"strings"
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
	joined   string // tokens without spaces: "harbor view" ≈ "harborview"
	trigrams map[string]struct{}
}

func newEntry(c Candidate) entry {
	toks := Normalize(c.Name)
	joined := strings.Join(toks, "")
	return entry{Candidate: c, tokens: toks, joined: joined, trigrams: trigrams(joined)}
}

func trigrams(s string) map[string]struct{} {
	r := []rune(" " + s + " ")
	out := make(map[string]struct{}, len(r))
	for i := 0; i+3 <= len(r); i++ {
		out[string(r[i:i+3])] = struct{}{}
	}
	return out
}

// Index holds candidates ready for matching.
type Index struct {
	entries  []entry
	postings map[string][]int32 // trigram → entries holding it
}

// NewIndex indexes candidates.
func NewIndex(cands []Candidate) *Index {
	ix := &Index{entries: make([]entry, len(cands)), postings: map[string][]int32{}}
	for i, c := range cands {
		ix.entries[i] = newEntry(c)
		for g := range ix.entries[i].trigrams {
			ix.postings[g] = append(ix.postings[g], int32(i))
		}
	}
	return ix
}

// Len is the number of candidates.
func (ix *Index) Len() int { return len(ix.entries) }

// shortlist is how many trigram-nearest candidates get the full score.
const shortlist = 24

// Best returns the most likely candidate for name; ok is false when no
// candidate shares anything with it.
func (ix *Index) Best(name string) (Scored, bool) {
	q := newEntry(Candidate{Name: name})
	var best Scored
	found := false
	for _, i := range ix.nearest(q, shortlist) {
		s := score(q, ix.entries[i])
		if !found || s > best.Score || s == best.Score && ix.entries[i].Name < best.Name {
			best, found = Scored{Candidate: ix.entries[i].Candidate, Score: s}, true
		}
	}
	return best, found && best.Score > 0
}

// Rank scores every candidate against name, best first (ties by name).
func (ix *Index) Rank(name string) []Scored {
	q := newEntry(Candidate{Name: name})
	out := make([]Scored, len(ix.entries))
	for i, e := range ix.entries {
		out[i] = Scored{Candidate: e.Candidate, Score: score(q, e)}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Score != out[b].Score {
			return out[a].Score > out[b].Score
		}
		return out[a].Name < out[b].Name
	})
	return out
}

// nearest returns up to n candidates sharing the most trigrams with q.
func (ix *Index) nearest(q entry, n int) []int32 {
	counts := make([]uint16, len(ix.entries))
	var touched []int32
	for g := range q.trigrams {
		for _, i := range ix.postings[g] {
			if counts[i] == 0 {
				touched = append(touched, i)
			}
			counts[i]++
		}
	}
	// Keep the n best by trigram Dice in a small sorted window: far cheaper
	// than sorting every candidate that shares a trigram.
	type hit struct {
		i    int32
		dice float64
	}
	better := func(a, b hit) bool { return a.dice > b.dice || a.dice == b.dice && a.i < b.i }
	best := make([]hit, 0, n+1)
	for _, i := range touched {
		h := hit{i, 2 * float64(counts[i]) / float64(len(q.trigrams)+len(ix.entries[i].trigrams))}
		if len(best) == n && !better(h, best[n-1]) {
			continue
		}
		at := sort.Search(len(best), func(k int) bool { return better(h, best[k]) })
		best = append(best, hit{})
		copy(best[at+1:], best[at:])
		best[at] = h
		if len(best) > n {
			best = best[:n]
		}
	}
	out := make([]int32, len(best))
	for k, h := range best {
		out[k] = h.i
	}
	return out
}

// score combines token overlap and character similarity into 0..1.
func score(q, e entry) float64 {
	if len(q.tokens) == 0 || len(e.tokens) == 0 {
		return 0
	}
	if q.joined == e.joined {
		if strings.Join(q.tokens, " ") == strings.Join(e.tokens, " ") {
			return 1
		}
		return 0.97 // the same letters, split differently: "Harbor View" / "Harborview"
	}
	t := tokenScore(q.tokens, e.tokens)
	c := dice(q.trigrams, e.trigrams)
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
	have := make(map[string]bool, len(b))
	for _, t := range b {
		have[t] = true
	}
	for _, t := range a {
		if !have[t] {
			return false
		}
	}
	return true
}

// tokenScore is a Dice coefficient over tokens where a token also half-
// matches one it shares a long prefix with ("rentals"/"rental",
// "pharmaceuticals"/"pharma").
func tokenScore(a, b []string) float64 {
	used := make([]bool, len(b))
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
	if p >= 4 && float64(p) >= 0.75*float64(shorter) {
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

func dice(a, b map[string]struct{}) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	common := 0
	for g := range a {
		if _, ok := b[g]; ok {
			common++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}
