package match

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

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

// MaxNameRunes is how much of a name is compared: no company name means
// more than its first 256 characters, and a hostile 10,000-character one
// must cost what a real one does.
const MaxNameRunes = 256

// capName cuts name to its first MaxNameRunes runes.
func capName(name string) string {
	if len(name) <= MaxNameRunes {
		return name
	}
	n := 0
	for i := range name {
		if n == MaxNameRunes {
			return name[:i]
		}
		n++
	}
	return name
}

// Normalize turns a name into its comparable tokens.
func Normalize(name string) []string {
	var b builder
	return slices.Clip(b.normalize(name))
}

// builder turns names into entries, reusing its buffers from one name to
// the next: every name of an index and every query passes here.
type builder struct {
	buf   []byte
	toks  []string
	grams []uint64
	bits  []tokenBits
}

// normalize answers name's tokens, in b.toks. An ASCII name is cleaned in
// one pass over its bytes, and the tokens are substrings of one string.
func (b *builder) normalize(name string) []string {
	name = capName(name)
	var clean string
	if isASCII(name) {
		buf := b.buf[:0]
		for i := 0; i < len(name); i++ {
			switch c := name[i]; {
			case 'A' <= c && c <= 'Z':
				buf = append(buf, c+'a'-'A')
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				buf = append(buf, c)
			case c == '&' || c == '+':
				buf = append(buf, " and "...)
			case c == '\'' || c == '.':
				// "Mary's" → "marys", "St." → "st", "Inc." → "inc"
			default:
				buf = append(buf, ' ')
			}
		}
		clean, b.buf = string(buf), buf
	} else {
		clean = cleanRunes(name)
	}
	out := b.toks[:0]
	skip := false
	for len(clean) > 0 {
		var w string
		if w, clean = nextField(clean); w == "" {
			break
		}
		switch {
		case skip:
			skip = false
			continue
		case w == "per":
			skip = true // "per mailbox", "per user": a unit, not a name
			continue
		}
		if full, ok := abbreviations[w]; ok {
			w = full
		}
		if !dropWords[w] {
			out = append(out, w)
		}
	}
	b.toks = out
	return out
}

// nextField is strings.Fields one field at a time: the first field of s and
// what follows it.
func nextField(s string) (field, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	end := strings.IndexFunc(s, unicode.IsSpace)
	if end < 0 {
		return s, ""
	}
	return s[:end], s[end:]
}

// cleanRunes is normalize's cleaning for any name: lower case (which may
// change a letter's length), "&" and "+" as "and", apostrophes and dots
// dropped, anything but a letter or digit a space.
func cleanRunes(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r == '&' || r == '+':
			b.WriteString(" and ")
		case r == '\'' || r == '’' || r == '.':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

type entry struct {
	Candidate
	// Beside the candidate, in its cache line: a twin's score reads them.
	spaced   string // tokens with a space between
	joined   string // tokens without spaces: "harbor view" ≈ "harborview"
	tokens   []string
	distinct []string // tokens without repeats (tokens itself when it has none)
	grams    []uint64 // character trigrams of joined, sorted, without repeats
	setHash  uint64   // of grams: equal sets, equal hashes
	bagHash  uint64   // of tokens in any order: equal multisets, equal hashes
	// A bit for each distinct token and one for its 4-letter prefix: a
	// candidate lacking the bit lacks the token (sizes holds the union).
	tokenBits []tokenBits
}

type tokenBits struct {
	token, prefix uint64
	mult          int // how often the token occurs in the name
}

func signatureBit(s string) uint64 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return 1 << (h >> 26)
}

func newEntry(c Candidate) entry {
	var e entry
	var b builder
	b.build(&e, c, true)
	return e
}

// build fills e for c. An entry that owns its slices (an index's) gets
// copies of exactly their size; a query's share the builder's buffers.
func (b *builder) build(e *entry, c Candidate, own bool) {
	e.Candidate = c
	e.tokens = b.normalize(c.Name)
	e.distinct = e.tokens
	for k, t := range e.tokens {
		if slices.Contains(e.tokens[:k], t) {
			e.distinct = distinct(e.tokens)
			break
		}
	}
	if own {
		e.tokens = slices.Clone(e.tokens)
		if len(e.distinct) == len(e.tokens) {
			e.distinct = e.tokens
		}
	}
	// The tokens with spaces between, then without, in one string: equal
	// spaced strings are equal tokens (no token holds a space), one read
	// where comparing tokens reads the slice and each token.
	buf := b.buf[:0]
	for k, t := range e.tokens {
		if k > 0 {
			buf = append(buf, ' ')
		}
		buf = append(buf, t...)
	}
	n := len(buf)
	for _, t := range e.tokens {
		buf = append(buf, t...)
	}
	both := string(buf)
	e.spaced, e.joined, b.buf = both[:n], both[n:], buf
	b.grams = trigrams(e.joined, b.grams[:0])
	e.grams = b.grams
	if own {
		e.grams = slices.Clone(e.grams)
	}
	e.setHash = hashGrams(e.grams)
	e.bagHash = hashBag(e.tokens)
	e.tokenBits = b.bits[:0]
	for _, t := range e.distinct {
		tb := tokenBits{token: signatureBit(t)}
		if p, ok := prefix(t); ok {
			tb.prefix = signatureBit(p)
		}
		for _, u := range e.tokens {
			if u == t {
				tb.mult++
			}
		}
		e.tokenBits = append(e.tokenBits, tb)
	}
	b.bits = e.tokenBits
	if own {
		e.tokenBits = nil // the index keeps only their union, in sizes
	}
}

func distinct(toks []string) []string {
	var out []string
	for _, t := range toks {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// trigrams appends each run of three runes of " "+s+" " (21 bits each,
// packed into a uint64) to out, sorted, without repeats.
func trigrams(s string, out []uint64) []uint64 {
	if s == "" {
		return out
	}
	var a, b rune = -1, ' '
	push := func(r rune) {
		if a >= 0 {
			out = append(out, uint64(a)<<42|uint64(b)<<21|uint64(r))
		}
		a, b = b, r
	}
	for _, r := range s {
		push(r)
	}
	push(' ')
	slices.Sort(out)
	return slices.Compact(out)
}

// hashGrams mixes the sorted trigrams into one number.
func hashGrams(grams []uint64) uint64 {
	h := uint64(len(grams))
	for _, g := range grams {
		h = (h ^ g) * 0x9e3779b97f4a7c15
		h ^= h >> 31
	}
	return h
}
