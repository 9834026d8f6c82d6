package ui

import (
	"slices"
	"testing"
)

func TestMatchPositionsFollowTheFilter(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		query, name string
		want        []int
	}{
		{"oak", "Oakwood Elementary", []int{0, 1, 2}},
		{"hill ro", "Oak Hill Roofing", []int{4, 5, 6, 7, 9, 10}},
		{"mtn", "Mountain View", []int{0, 4, 7}},
		{"acme", "The ACME Corporation", []int{4, 5, 6, 7}},
		{"", "Anything", nil},
	} {
		if got := MatchPositions(c.query, c.name); !slices.Equal(got, c.want) {
			t.Errorf("%q in %q: %v, want %v", c.query, c.name, got, c.want)
		}
	}
}
