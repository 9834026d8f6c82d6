package ui

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/list"
)

// Filter is the lists' filter: the query is split on spaces, and each
// word's letters must appear in the name in order, not necessarily
// adjacent, the words in any order, ignoring case ("oak hill ro" finds "Oak Hill Roofing"; "mtn vw" finds
// "Mountain View"), as fzf's default does. Names holding a word as one run
// of letters, at the start of a word (better still a whole word), rank
// first; then earlier matches, then shorter names.
//
// It replaces the list's default (sahilm/fuzzy), which took 5 to 9 ms a
// keystroke over 10,000 names on this project's 2-core machine
// (BENCHMARKS.md): too slow for a keystroke.
func Filter(term string, targets []string) []list.Rank {
	return filterIn(splitTerms(term), targets, nil)
}

func splitTerms(term string) [][]rune {
	var out [][]rune
	for _, w := range strings.Fields(term) {
		out = append(out, []rune(strings.ToLower(w)))
	}
	return out
}

type ranked struct {
	list.Rank
	score, length int
}

// filterIn filters targets, or only targets[i] for i in among when among
// is not nil (the matches of a shorter query).
func filterIn(terms [][]rune, targets []string, among []int) []list.Rank {
	if len(terms) == 0 {
		out := make([]list.Rank, len(targets))
		for i := range targets {
			out[i] = list.Rank{Index: i}
		}
		return out
	}
	var hits []ranked
	var buf []rune
	try := func(i int) {
		if r, ok := matchAll(terms, targets[i], &buf); ok {
			r.Index = i
			hits = append(hits, r)
		}
	}
	if among != nil {
		for _, i := range among {
			try(i)
		}
	} else {
		for i := range targets {
			try(i)
		}
	}
	// One packed key per hit sorts faster than a comparison function (a
	// fifth off the slowest keystroke): higher score, then shorter name,
	// then list order. Scores and lengths past 16 bits only lose ties.
	keys := make([]uint64, len(hits))
	for k, h := range hits {
		keys[k] = uint64(maxScore-min(h.score, maxScore))<<48 | uint64(min(h.length, 1<<16-1))<<32 | uint64(k)
	}
	slices.Sort(keys)
	out := make([]list.Rank, len(hits))
	for k, key := range keys {
		out[k] = hits[uint32(key)].Rank
	}
	return out
}

// maxScore bounds a query's score (each word scores at most 250) so it
// packs into a sort key.
const maxScore = 1<<16 - 1

// matchAll matches every term against name and scores the match. Matched
// positions are not kept: no row highlights them, and keeping them for
// thousands of one-letter matches cost more than the matching.
func matchAll(terms [][]rune, name string, buf *[]rune) (ranked, bool) {
	var r ranked
	for _, t := range terms {
		if !subsequence(t, name) { // cheap rejection before any scoring
			return r, false
		}
	}
	runes := (*buf)[:0]
	for _, c := range name {
		runes = append(runes, c)
	}
	*buf = runes
	r.length = len(runes)
	for _, t := range terms {
		r.score += bestPlace(t, runes)
	}
	return r, true
}

func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(r)
}

// subsequence reports whether the runes of t (lower case) appear in name
// in order, ignoring case. It runs on every name at every keystroke, so
// ASCII is folded inline.
func subsequence(t []rune, name string) bool {
	k := 0
	for i := 0; i < len(name) && k < len(t); {
		c := rune(name[i])
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			i++
		} else {
			r, n := utf8.DecodeRuneInString(name[i:])
			c = unicode.ToLower(r)
			i += n
		}
		if c == t[k] {
			k++
		}
	}
	return k == len(t)
}

func wordStart(runes []rune, i int) bool {
	return i == 0 || !unicode.IsLetter(runes[i-1]) && !unicode.IsDigit(runes[i-1])
}

// bestPlace scores where t sits best in name: as one run at a word start
// (better as a whole word), then as one run anywhere (earlier is better),
// then as letters in order (fewer gaps better).
func bestPlace(t []rune, runes []rune) int {
	bestScore := -1
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
			s += 50 // a whole word: "smith" is Smith before Smithfield
		}
		bestScore = max(bestScore, s)
	}
	if bestScore >= 0 {
		return bestScore
	}
	// Letters in order, taken as early as possible; each gap costs.
	k, gaps, last := 0, 0, -1
	for i, r := range runes {
		if k < len(t) && fold(r) == t[k] {
			if last >= 0 && i != last+1 {
				gaps++
			}
			if k == 0 && wordStart(runes, i) {
				gaps -= 2 // "mtn" for "Mountain": starting a word helps
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
// The list runs its filter in a command, so two keystrokes' filters may run
// at once: mu keeps the memory consistent.
type incrementalFilter struct {
	mu      sync.Mutex
	term    string
	targets []string
	matches []int
}

func (f *incrementalFilter) filter(term string, targets []string) []list.Rank {
	f.mu.Lock()
	defer f.mu.Unlock()
	var among []int
	// The list rebuilds its targets slice each time, so compare the names
	// (equal strings sharing memory compare in constant time).
	if f.term != "" && strings.HasPrefix(term, f.term) && slices.Equal(f.targets, targets) {
		among = f.matches
	}
	out := filterIn(splitTerms(term), targets, among)
	f.term, f.targets = term, targets
	f.matches = make([]int, len(out))
	for k, r := range out {
		f.matches[k] = r.Index
	}
	slices.Sort(f.matches)
	return out
}
