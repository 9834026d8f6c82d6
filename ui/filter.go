package ui

import (
	"bytes"
	mathbits "math/bits"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/list"
)

// Filter is the lists' filter: the query is split on spaces, and each
// word's letters must appear in the name in order, not necessarily
// adjacent, the words in any order, ignoring case ("oak hill ro" finds "Oak
// Hill Roofing"; "mtn vw" finds "Mountain View"), as fzf's default does.
// Names holding a word as one run of letters, at the start of a word
// (better still a whole word), rank first; then earlier matches, then
// shorter names.
//
// It replaces the list's default (sahilm/fuzzy), which took 5 to 9 ms a
// keystroke over 10,000 names on this project's 2-core machine
// (BENCHMARKS.md): too slow for a keystroke.
func Filter(term string, targets []string) []list.Rank {
	var f filterer
	f.setTargets(targets)
	idx := f.run(term, nil, false)
	out := make([]list.Rank, len(idx))
	for k, i := range idx {
		out[k] = list.Rank{Index: int(i)}
	}
	return out
}

// filterer filters one list's names again and again, as a filter is typed,
// allocating nothing once warm: the names are folded to lower case once
// (not at every keystroke), and its buffers are kept. Matched positions
// are not kept: no row highlights them, and keeping them for thousands of
// one-letter matches cost more than the matching.
type filterer struct {
	names   []string
	folded  []byte   // every ASCII name in lower case, one after another
	at      []uint32 // name i is folded[at[i]:at[i+1]]; equal bounds: not ASCII
	lengths []uint16 // in runes, at most 1<<16-1 (longer ones only lose ties)
	longest int
	keys    []uint64
	sorted  []uint64
	counts  []int32
	among   []uint64   // a bit set of the names a narrowing run looks at
	out     [2][]int32 // this answer and the last, in turn
	turn    int
	runes   []rune
	terms   [][]byte
	rterms  [][]rune
}

// setTargets takes the names to filter; the folding is done here, once.
func (f *filterer) setTargets(names []string) {
	f.names = names
	f.folded, f.at, f.lengths, f.longest = f.folded[:0], append(f.at[:0], 0), f.lengths[:0], 0
	for _, n := range names {
		length := len(n)
		if isASCII(n) {
			for i := 0; i < len(n); i++ {
				f.folded = append(f.folded, lowerASCII(n[i]))
			}
		} else {
			length = utf8.RuneCountInString(n)
		}
		f.at = append(f.at, uint32(len(f.folded)))
		f.lengths = append(f.lengths, uint16(min(length, 1<<16-1)))
		f.longest = max(f.longest, int(f.lengths[len(f.lengths)-1]))
	}
	// The buffers a run needs, once: typing then allocates nothing.
	for k := range f.out {
		f.out[k] = slices.Grow(f.out[k][:0], len(names))
	}
	f.keys, f.sorted = slices.Grow(f.keys[:0], len(names)), slices.Grow(f.sorted[:0], len(names))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// run filters the names by term, or only the names among when narrow (the
// matches of a query that term extends), best first: higher score, then
// shorter name, then list order. The answer is valid until the run after
// next.
func (f *filterer) run(term string, among []int32, narrow bool) []int32 {
	f.turn ^= 1
	out := f.out[f.turn][:0]
	f.splitTerms(term)
	if len(f.rterms) == 0 {
		for i := range f.names {
			out = append(out, int32(i))
		}
		f.out[f.turn] = out
		return out
	}
	// Names are matched in list order, so two stable counting passes (by
	// length, then by score) sort them: faster than a comparison sort of
	// thousands, and list order stays the last tie-break.
	keys := f.keys[:0]
	top := len(f.rterms) * maxTermScore
	try := func(i int) {
		if score, ok := f.match(i); ok {
			keys = append(keys, uint64(top-min(score, top))<<48|uint64(f.lengths[i])<<32|uint64(uint32(i)))
		}
	}
	if narrow {
		words := f.among[:0]
		for range (len(f.names) + 63) / 64 {
			words = append(words, 0)
		}
		for _, i := range among {
			words[i>>6] |= 1 << (i & 63)
		}
		for w, bits := range words {
			for ; bits != 0; bits &= bits - 1 {
				try(w<<6 | mathbits.TrailingZeros64(bits))
			}
		}
		f.among = words
	} else {
		for i := range f.names {
			try(i)
		}
	}
	f.keys = keys
	keys = f.countingSort(keys, 32, f.longest)
	keys = f.countingSort(keys, 48, top)
	for _, k := range keys {
		out = append(out, int32(uint32(k)))
	}
	f.out[f.turn] = out
	return out
}

// countingSort orders keys stably by the 16 bits at shift, at most most.
func (f *filterer) countingSort(keys []uint64, shift uint, most int) []uint64 {
	counts := slices.Grow(f.counts[:0], most+2)[:most+2]
	clear(counts)
	for _, k := range keys {
		counts[int(k>>shift&0xffff)+1]++
	}
	for d := 1; d < len(counts); d++ {
		counts[d] += counts[d-1]
	}
	sorted := slices.Grow(f.sorted[:0], len(keys))[:len(keys)]
	for _, k := range keys {
		d := k >> shift & 0xffff
		sorted[counts[d]] = k
		counts[d]++
	}
	f.counts, f.sorted, f.keys = counts, keys, sorted
	return sorted
}

// maxTermScore is the most bestPlace gives one word: a whole word at the
// start of the name.
const maxTermScore = 250

// splitTerms splits term into lower-case words, as runes, and as bytes too
// when every lower-cased word is ASCII (the fast path; a Kelvin sign
// lowers to an ASCII k).
func (f *filterer) splitTerms(term string) {
	f.terms, f.rterms = f.terms[:0], f.rterms[:0]
	ascii := true
	for _, w := range strings.Fields(term) {
		w = strings.ToLower(w)
		f.rterms = append(f.rterms, []rune(w))
		ascii = ascii && isASCII(w)
		f.terms = append(f.terms, []byte(w))
	}
	if !ascii {
		f.terms = f.terms[:0]
	}
}

// match matches every term against name i and scores the match.
func (f *filterer) match(i int) (int, bool) {
	if lo, hi := f.at[i], f.at[i+1]; lo < hi || f.names[i] == "" {
		if len(f.terms) == len(f.rterms) {
			return matchASCII(f.terms, f.folded[lo:hi])
		}
		// A non-ASCII term cannot match inside an ASCII name.
		return 0, false
	}
	return matchRunes(f.rterms, f.names[i], &f.runes)
}

// matchASCII is matchRunes for an ASCII name and terms: a byte search
// skips ahead to each letter (as fzf does before it scores), so a name
// that cannot match costs a few vector scans.
func matchASCII(terms [][]byte, name []byte) (int, bool) {
	for _, t := range terms {
		rest := name
		for _, c := range t {
			k := bytes.IndexByte(rest, c)
			if k < 0 {
				return 0, false
			}
			rest = rest[k+1:]
		}
	}
	score := 0
	for _, t := range terms {
		score += bestPlaceASCII(t, name)
	}
	return score, true
}

func wordByte(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// bestPlaceASCII is bestPlace over folded ASCII.
func bestPlaceASCII(t, name []byte) int {
	bestScore := -1
	for from := 0; ; {
		k := bytes.Index(name[from:], t)
		if k < 0 {
			break
		}
		i := from + k
		s := 100 - min(i, 50)
		if i == 0 || !wordByte(name[i-1]) {
			s += 100
		}
		if end := i + len(t); end == len(name) || !wordByte(name[end]) {
			s += 50 // a whole word: "smith" is Smith before Smithfield
		}
		bestScore = max(bestScore, s)
		from = i + 1
	}
	if bestScore >= 0 {
		return bestScore
	}
	// Letters in order, taken as early as possible; each gap costs.
	k, gaps, last := 0, 0, -1
	for i, c := range name {
		if k < len(t) && c == t[k] {
			if last >= 0 && i != last+1 {
				gaps++
			}
			if k == 0 && (i == 0 || !wordByte(name[i-1])) {
				gaps -= 2 // "mtn" for "Mountain": starting a word helps
			}
			last = i
			k++
		}
	}
	return 50 - min(gaps*5, 50)
}

// matchRunes matches every term against any name and scores the match.
func matchRunes(terms [][]rune, name string, buf *[]rune) (int, bool) {
	for _, t := range terms {
		if !subsequence(t, name) { // cheap rejection before any scoring
			return 0, false
		}
	}
	runes := (*buf)[:0]
	for _, c := range name {
		runes = append(runes, c)
	}
	*buf = runes
	score := 0
	for _, t := range terms {
		score += bestPlace(t, runes)
	}
	return score, true
}

func fold(r rune) rune {
	if r < utf8.RuneSelf {
		return rune(lowerASCII(byte(r)))
	}
	return unicode.ToLower(r)
}

// subsequence reports whether the runes of t (lower case) appear in name
// in order, ignoring case.
func subsequence(t []rune, name string) bool {
	k := 0
	for _, r := range name {
		if k < len(t) && fold(r) == t[k] {
			k++
		}
	}
	return k == len(t)
}

func wordStart(runes []rune, i int) bool {
	return i == 0 || !unicode.IsLetter(runes[i-1]) && !unicode.IsDigit(runes[i-1])
}

// bestRun is where folded t stands best in runes as one run, and its
// score: at a word start is better, as a whole word better still, and
// earlier better than later; -1, -1 when it is not one run anywhere.
func bestRun(t []rune, runes []rune) (at, score int) {
	at, score = -1, -1
	for i := 0; i+len(t) <= len(runes); i++ {
		ok := true
		for k, c := range t {
			if fold(runes[i+k]) != c {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		s := 100 - min(i, 50)
		if wordStart(runes, i) {
			s += 100
		}
		if end := i + len(t); end == len(runes) || !unicode.IsLetter(runes[end]) && !unicode.IsDigit(runes[end]) {
			s += 50
		}
		if s > score {
			at, score = i, s
		}
	}
	return at, score
}

// bestPlace scores where t sits best in name: as one run at a word start
// (better as a whole word), then as one run anywhere (earlier is better),
// then as letters in order (fewer gaps better).
func bestPlace(t []rune, runes []rune) int {
	if _, score := bestRun(t, runes); score >= 0 {
		return score
	}
	k, gaps, last := 0, 0, -1
	for i, r := range runes {
		if k < len(t) && fold(r) == t[k] {
			if last >= 0 && i != last+1 {
				gaps++
			}
			if k == 0 && wordStart(runes, i) {
				gaps -= 2
			}
			last = i
			k++
		}
	}
	return 50 - min(gaps*5, 50)
}

// incrementalFilter remembers the last query's matches: a query that only
// adds letters or words can match no name the shorter one did not, so
// typing narrows the last answer instead of scanning every name again.
type incrementalFilter struct {
	filterer
	term    string
	matches []int32
	valid   bool
}

// setTargets takes new names and forgets the last answer.
func (f *incrementalFilter) setTargets(names []string) {
	f.filterer.setTargets(names)
	f.valid = false
}

// filter answers term's matches, best first; the answer is valid until the
// call after next.
func (f *incrementalFilter) filter(term string) []int32 {
	narrow := f.valid && f.term != "" && strings.HasPrefix(term, f.term)
	f.matches = f.run(term, f.matches, narrow)
	f.term, f.valid = term, true
	return f.matches
}

// bubblesFilter is the incremental filter in the shape bubbles' list calls:
// that list hands over its names again at every keystroke, so they are
// folded again only when they differ from the last ones (equal strings
// sharing memory compare in constant time). bubbles' list may run its
// filter in a command, so two may run at once: mu keeps the buffers whole.
type bubblesFilter struct {
	mu sync.Mutex
	incrementalFilter
	last []string
}

func (f *bubblesFilter) filter(term string, targets []string) []list.Rank {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Equal(f.last, targets) {
		f.setTargets(targets)
		f.last = targets
	}
	idx := f.incrementalFilter.filter(term)
	out := make([]list.Rank, len(idx))
	for k, i := range idx {
		out[k] = list.Rank{Index: int(i)}
	}
	return out
}
