package match_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"testing"

	"github.com/meshgradient/mesh-gradient/mesh/meshtest"
	"github.com/meshgradient/mesh-gradient/wizard/match"
)

func TestNormalize(t *testing.T) {
	cases := map[string][]string{
		"ACME Corporation":                   {"acme"},
		"Baker & Sons Plumbing, LLC":         {"baker", "sons", "plumbing"},
		"St. Mary's Parish":                  {"st", "marys", "parish"},
		"Keystone Property Mgmt":             {"keystone", "property", "management"},
		"Tailspin Toys GmbH":                 {"tailspin", "toys"},
		"Wide World Importers, Ltd.":         {"wide", "world", "importers"},
		"\x1b[31mEvil\x1b[0m Inc":            {"31mevil", "0m"},
		"":                                   nil,
		"Sterling and Hale Attorneys at Law": {"sterling", "hale", "attorneys", "law"},
		"Mesh Gateway (per mailbox)":         {"mesh", "gateway"},
	}
	for in, want := range cases {
		if got := match.Normalize(in); !reflect.DeepEqual(got, want) {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

type pair struct {
	AccountID string `json:"account_id"`
	Account   string `json:"account"`
	CompanyID string `json:"company_id"`
	Company   string `json:"company"`
}

// TestDemoSuggestionsAreWhatAPersonWouldPick checks every account of the
// demo scenario against the pairs its author intended.
func TestDemoSuggestionsAreWhatAPersonWouldPick(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/demo-intended-pairs.json")
	if err != nil {
		t.Fatal(err)
	}
	var pairs []pair
	if err := json.Unmarshal(raw, &pairs); err != nil {
		t.Fatal(err)
	}
	sc := meshtest.Demo()
	var cands []match.Candidate
	for _, c := range sc.PSA.Companies {
		cands = append(cands, match.Candidate{ID: c.ID, Name: c.Name})
	}
	ix := match.NewIndex(cands)
	lowestIntended, highestNoMatch := 1.0, 0.0
	for _, p := range pairs {
		best, ok := ix.Best(p.Account)
		if p.CompanyID == "" {
			if ok {
				highestNoMatch = max(highestNoMatch, best.Score)
			}
			continue
		}
		if !ok || best.ID != p.CompanyID {
			t.Errorf("%q: suggested %q (%.2f), a person would pick %q", p.Account, best.Name, best.Score, p.Company)
			continue
		}
		// The full ranking agrees with the shortlist.
		if r := ix.Rank(p.Account); r[0].ID != best.ID || r[0].Score != best.Score {
			t.Errorf("%q: Rank's first is %q %.2f, Best said %q %.2f", p.Account, r[0].Name, r[0].Score, best.Name, best.Score)
		}
		lowestIntended = min(lowestIntended, best.Score)
	}
	if highestNoMatch >= lowestIntended {
		t.Errorf("an account with no company scores %.2f, above the weakest real pair's %.2f", highestNoMatch, lowestIntended)
	}
	if highestNoMatch >= 0.5 {
		t.Errorf("an account with no company scores %.2f: it would look like a match", highestNoMatch)
	}
}

func TestConfidenceOrdering(t *testing.T) {
	ix := match.NewIndex([]match.Candidate{{ID: "x", Name: "ACME Corporation"}})
	exact, _ := ix.Best("Acme Corp.")
	spaced, _ := match.NewIndex([]match.Candidate{{ID: "h", Name: "Harborview Dental"}}).Best("Harbor View Dental")
	partial, _ := match.NewIndex([]match.Candidate{{ID: "m", Name: "Metro Realty"}}).Best("Metro Realty Group")
	weak, _ := match.NewIndex([]match.Candidate{{ID: "m", Name: "Metro Transit Authority"}}).Best("Metro Realty Group")
	scores := []float64{exact.Score, spaced.Score, partial.Score, weak.Score}
	if !sort.IsSorted(sort.Reverse(sort.Float64Slice(scores))) || exact.Score != 1 || weak.Score >= 0.5 {
		t.Fatalf("want exact > respaced > partial > weak, got %v", scores)
	}
}

func BenchmarkBestThousands(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		var cands []match.Candidate
		for i := range n {
			cands = append(cands, match.Candidate{ID: fmt.Sprint(i), Name: fmt.Sprintf("%s %s %s %d", words[i%len(words)], words[(i/7)%len(words)], suffixes[i%len(suffixes)], i)})
		}
		b.Run(fmt.Sprintf("index-%d", n), func(b *testing.B) {
			for b.Loop() {
				match.NewIndex(cands)
			}
		})
		ix := match.NewIndex(cands)
		b.Run(fmt.Sprintf("best-all-%d", n), func(b *testing.B) {
			for b.Loop() {
				for i := range n {
					ix.Best(fmt.Sprintf("%s %s %d", words[i%len(words)], words[(i/7)%len(words)], i))
				}
			}
		})
	}
}

var words = []string{"Acme", "Harbor", "Summit", "Riverside", "Pinnacle", "Cedar", "Maple", "Golden", "Northwind", "Contoso",
	"Fabrikam", "Evergreen", "Lakeside", "Redwood", "Quantum", "Prairie", "Coastal", "Keystone", "Liberty", "Orchard",
	"Dental", "Legal", "Plumbing", "Realty", "Logistics", "Bakery", "Clinic", "Partners", "Group", "Solutions"}

var suffixes = []string{"Inc", "LLC", "Ltd", "Corp", "GmbH", "", "Co", "& Sons"}
