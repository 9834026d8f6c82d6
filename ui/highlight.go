package ui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// MatchPositions are the runes of name that query matches as the filter
// reads it (each word at its best place: one run where it is one, else
// its letters in order), for a row to highlight. Only rows on screen ask,
// so the filter itself keeps no positions.
func MatchPositions(query, name string) []int {
	runes := []rune(name)
	var out []int
	for _, word := range strings.Fields(query) {
		t := []rune(word)
		for i, r := range t {
			t[i] = fold(r)
		}
		best, _ := bestRun(t, runes)
		if best >= 0 {
			for k := range t {
				out = append(out, best+k)
			}
			continue
		}
		k := 0
		for i, r := range runes {
			if k < len(t) && fold(r) == t[k] {
				out = append(out, i)
				k++
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Highlight styles the runes of s at positions (sorted), in runs.
func Highlight(s string, positions []int, style lipgloss.Style) string {
	if len(positions) == 0 {
		return s
	}
	var b strings.Builder
	runes := []rune(s)
	for i := 0; i < len(runes); {
		if _, on := slices.BinarySearch(positions, i); !on {
			b.WriteRune(runes[i])
			i++
			continue
		}
		j := i
		for j < len(runes) {
			if _, on := slices.BinarySearch(positions, j); !on {
				break
			}
			j++
		}
		b.WriteString(style.Render(string(runes[i:j])))
		i = j
	}
	return b.String()
}
