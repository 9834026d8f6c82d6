package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
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

func testItems(n int) []list.Item {
	var items []list.Item
	for i := range n {
		items = append(items, testItem(fmt.Sprintf("%s %s %d", filterNames[i%len(filterNames)], filterNames[(i/7)%len(filterNames)], i)))
	}
	return items
}

// shown is what the filter lets through, in order.
func shown(l *FilterList) []string {
	var out []string
	for k := range l.visibleLen() {
		out = append(out, string(l.visibleItem(k).(testItem)))
	}
	return out
}

// TestFilterListFiltersAsBubblesList drives a bubbles list (as NewList sets
// it up, filtering through UpdateList) and a FilterList with the same
// keys: the same items pass the filter, in the same order, and the same
// keys are on offer while typing.
func TestFilterListFiltersAsBubblesList(t *testing.T) {
	theme := DefaultTheme()
	render := func(it list.Item, selected bool, width int) string { return string(it.(testItem)) }
	for _, c := range []struct {
		n    int
		keys []string
	}{
		{5, []string{"/", "a", "enter", "esc"}},
		{200, []string{"/", "h", "a", "r", "backspace", "enter", "esc", "/", "x", "y", "z", "enter", "/", "1", "2", "esc", "/", "o"}},
		{3000, []string{"/", "e", "enter", "/", "e", "s", "t"}},
	} {
		items := testItems(c.n)
		theirs := NewList(theme, nil, render, "thing", "things")
		theirs.SetSize(60, 20)
		theirs.SetItems(items)
		ours := NewFilterList(theme, nil, render, "thing", "things")
		ours.SetSize(60, 20)
		ours.SetItems(items)
		for k, key := range c.keys {
			ours.Update(keyOf(key))
			UpdateList(&theirs, keyOf(key))
			var want []string
			for _, it := range theirs.VisibleItems() {
				want = append(want, string(it.(testItem)))
			}
			if got := shown(ours); !slices.Equal(got, want) {
				t.Fatalf("%d items, after %v: ours %d, bubbles %d items shown", c.n, c.keys[:k+1], len(got), len(want))
			}
		}
	}
}

// TestFilterListScrolls: at 200×50 with the cursor on the last of 40
// items, the rows fill the height (no page of two rows and blank lines
// below), the status says "40/40", and page keys move a screenful.
func TestFilterListScrolls(t *testing.T) {
	theme := DefaultTheme()
	render := func(it list.Item, selected bool, width int) string { return string(it.(testItem)) }
	l := NewFilterList(theme, testItems(100), render, "account", "accounts")
	l.SetSize(200, 50)
	l.Update(keyOf("G"))
	view := ansi.Strip(l.View())
	lines := strings.Split(view, "\n")
	rows := 0
	for _, line := range lines[2:] {
		if strings.TrimSpace(line) != "" {
			rows++
		}
	}
	if rows != 48 || !strings.Contains(lines[len(lines)-1], "99") || !strings.Contains(lines[1], "100/100") {
		t.Fatalf("cursor on the last item: %d rows, want 48, the last on the last line and 100/100 in the status:\n%s", rows, view)
	}
	l.Update(keyOf("left")) // a screenful up
	if l.Index() != 51 || !strings.Contains(ansi.Strip(l.View()), "52/100") {
		t.Fatalf("after a page up the cursor is on %d", l.Index())
	}
	l.Update(keyOf("g"))
	for range 60 {
		l.Update(keyOf("down"))
	}
	if l.Index() != 60 || l.top != 60-48+1 {
		t.Fatalf("moving down one at a time: cursor %d, first row %d", l.Index(), l.top)
	}
	// A filter, then clearing it: the cursor stays on its item.
	for _, k := range []string{"/", "5", "9", "enter"} {
		l.Update(keyOf(k))
	}
	picked := l.SelectedItem()
	l.Update(keyOf("esc"))
	if l.SelectedItem() != picked {
		t.Fatalf("clearing the filter moved the cursor from %v to %v", picked, l.SelectedItem())
	}
}
