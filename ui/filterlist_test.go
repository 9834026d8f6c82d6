package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
)

type testItem string

func (t testItem) FilterValue() string { return string(t) }

var namedKeys = map[string]tea.KeyType{"enter": tea.KeyEnter, "esc": tea.KeyEsc, "up": tea.KeyUp, "down": tea.KeyDown,
	"right": tea.KeyRight, "left": tea.KeyLeft, "backspace": tea.KeyBackspace}

func keyOf(s string) tea.KeyMsg {
	if t, ok := namedKeys[s]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// TestFilterListLooksAndActsAsBubblesList drives a bubbles list (as
// NewList sets it up, filtering through UpdateList) and a FilterList with
// the same keys, and compares every frame, the selection and the keys on
// offer: the screens can swap one for the other and nobody sees it.
func TestFilterListLooksAndActsAsBubblesList(t *testing.T) {
	theme := DefaultTheme()
	render := func(it list.Item, selected bool, width int) string {
		s := string(it.(testItem))
		if selected {
			s = theme.Selected.Render(s)
		}
		return s
	}
	for _, c := range []struct {
		n, w, h int
		keys    []string
	}{
		{0, 40, 8, []string{"down", "/", "a", "enter"}},
		{5, 40, 12, []string{"down", "down", "/", "a", "enter", "down", "esc", "up"}},
		{200, 60, 12, []string{"down", "right", "right", "down", "left", "G", "up", "g", "/", "h", "a", "r", "backspace", "enter",
			"down", "right", "esc", "/", "x", "y", "z", "enter", "/", "1", "2", "esc", "/", "enter", "/", "o", "esc"}},
		{3000, 30, 10, []string{"G", "/", "e", "down", "enter", "right", "G", "esc"}},
	} {
		var items []list.Item
		for i := range c.n {
			items = append(items, testItem(fmt.Sprintf("%s %s %d", filterNames[i%len(filterNames)], filterNames[(i/7)%len(filterNames)], i)))
		}
		theirs := NewList(theme, nil, render, "thing", "things")
		theirs.SetSize(c.w, c.h)
		theirs.SetItems(items)
		ours := NewFilterList(theme, nil, render, "thing", "things")
		ours.SetSize(c.w, c.h)
		ours.SetItems(items)
		check := func(after string) {
			t.Helper()
			if got, want := ours.View(), theirs.View(); got != want {
				t.Fatalf("%d items, after %s: the frames differ:\n--- ours\n%s\n--- bubbles\n%s", c.n, after, got, want)
			}
			if got, want := ours.SelectedItem(), theirs.SelectedItem(); got != want {
				t.Fatalf("%d items, after %s: selected %v, bubbles %v", c.n, after, got, want)
			}
			if got, want := fmt.Sprint(ours.Bindings()), fmt.Sprint(ListBindings(theirs)); got != want {
				t.Fatalf("%d items, after %s: keys\n%s\nbubbles\n%s", c.n, after, got, want)
			}
		}
		check("the start")
		for k, key := range c.keys {
			ours.Update(keyOf(key))
			UpdateList(&theirs, keyOf(key))
			check(fmt.Sprint(c.keys[:k+1]))
		}
	}
}
