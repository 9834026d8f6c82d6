package core

import (
	"slices"
	"strings"
)

// SortFolded sorts s stably by key, ignoring case, lowering each key once:
// lowering both keys inside every comparison cost an allocation per
// comparison, a third of the time of a 10,000-row export.
func SortFolded[T any](s []T, key func(T) string) {
	type keyed struct {
		key string
		v   T
	}
	ks := make([]keyed, len(s))
	for i, v := range s {
		ks[i] = keyed{strings.ToLower(key(v)), v}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	for i := range ks {
		s[i] = ks[i].v
	}
}
