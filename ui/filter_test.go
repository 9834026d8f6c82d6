package ui

import (
	"math/rand/v2"

	"github.com/charmbracelet/bubbles/list"
	"reflect"
	"strings"
	"testing"
)

var filterNames = []string{"Oak Hill Roofing, Inc.", "Mountain View Dental", "MOUNTAINVIEW PEDIATRICS", "Harbor Logistics",
	"harbor view realty llc", "Smith Dental Group", "Smithfield Foods", "St. Mary's Clinic", "Ölberg Bäckerei GmbH", "Bakery of Salem 12"}

func titles(t *testing.T, term string) []string {
	t.Helper()
	var out []string
	for _, r := range Filter(term, filterNames) {
		out = append(out, filterNames[r.Index])
	}
	return out
}

func TestFilterMatchesWordsInOrderIgnoringCase(t *testing.T) {
	cases := map[string][]string{
		"oak hill ro": {"Oak Hill Roofing, Inc."},
		"mtn vw":      {"Mountain View Dental", "MOUNTAINVIEW PEDIATRICS"},
		"smith":       {"Smith Dental Group", "Smithfield Foods"},
		"dental smi":  {"Smith Dental Group"}, // words in any order, each one in order
		"ölb":         {"Ölberg Bäckerei GmbH"},
		"xyz":         nil,
		"harbor":      {"Harbor Logistics", "harbor view realty llc"},
	}
	for term, want := range cases {
		if got := titles(t, term); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q, want %q", term, got, want)
		}
	}
	// A run of letters at a word start beats scattered letters.
	if got := titles(t, "view"); len(got) != 3 || got[2] != "MOUNTAINVIEW PEDIATRICS" {
		t.Errorf("view: %q", got)
	}
	if got := Filter("", filterNames); len(got) != len(filterNames) {
		t.Errorf("empty filter kept %d of %d", len(got), len(filterNames))
	}
}

// TestIncrementalFilterEqualsFullScan types queries letter by letter, with
// backspaces and a changed list, and checks every answer against a fresh
// scan.
func TestIncrementalFilterEqualsFullScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"harbor", "view", "dental", "oak", "hill", "smith", "group", "salem", "bakery", "mountain"}
	var targets []string
	for range 2000 {
		n := 1 + rng.IntN(4)
		var parts []string
		for range n {
			parts = append(parts, words[rng.IntN(len(words))])
		}
		targets = append(targets, strings.Join(parts, " "))
	}
	f := &incrementalFilter{}
	f.setTargets(targets)
	ranks := func(idx []int32) []list.Rank {
		out := make([]list.Rank, len(idx))
		for k, i := range idx {
			out[k] = list.Rank{Index: int(i)}
		}
		return out
	}
	for round := range 200 {
		if round == 100 {
			targets = append([]string{"harbor harbor"}, targets[:len(targets)-1]...) // same length, new names
			f.setTargets(targets)
		}
		q := words[rng.IntN(len(words))][:1+rng.IntN(3)] + " " + words[rng.IntN(len(words))][:rng.IntN(3)]
		typed := ""
		for _, r := range q {
			typed += string(r)
			if got, want := ranks(f.filter(typed)), Filter(typed, targets); !reflect.DeepEqual(got, want) {
				t.Fatalf("%q: incremental %d matches, full scan %d", typed, len(got), len(want))
			}
		}
		typed = typed[:len(typed)/2] // backspaces widen the query again
		if got, want := ranks(f.filter(typed)), Filter(typed, targets); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q after backspace: incremental %d, full %d", typed, len(got), len(want))
		}
	}
}

func FuzzFilter(f *testing.F) {
	for _, s := range []string{"oak", "a b", " ", "ÖLB", "\x00", "日本"} {
		f.Add(s, "Oak Hill Roofing 日本")
	}
	f.Fuzz(func(t *testing.T, term, name string) {
		rs := Filter(term, []string{name})
		if len(rs) == 1 && rs[0].Index != 0 {
			t.Fatalf("index %d for the only name", rs[0].Index)
		}
		if strings.TrimSpace(term) == "" && len(rs) != 1 {
			t.Fatalf("empty term dropped the name")
		}
	})
}

// FuzzASCIIPathEqualsRunes: the byte search over folded ASCII names
// answers what the rune matcher answers, match and score.
func FuzzASCIIPathEqualsRunes(f *testing.F) {
	for _, s := range [][2]string{{"oak hill ro", "Oak Hill Roofing, Inc."}, {"mtn vw", "MOUNTAINVIEW"}, {"a a", "banana-Bar 12"},
		{"12", "Suite 12B"}, {"", "x"}, {"smith", "Smith & Smithfield"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, term, name string) {
		if !isASCII(term) || !isASCII(name) {
			return
		}
		var fl filterer
		fl.setTargets([]string{name})
		fl.splitTerms(term)
		if len(fl.rterms) == 0 {
			return
		}
		var buf []rune
		want, wantOK := matchRunes(fl.rterms, name, &buf)
		got, ok := fl.match(0)
		if got != want || ok != wantOK {
			t.Fatalf("%q in %q: bytes %d %v, runes %d %v", term, name, got, ok, want, wantOK)
		}
	})
}
