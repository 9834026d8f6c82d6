package ui

import (
	"fmt"
	"io"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// RenderRow draws one list item on one line, at most width wide.
type RenderRow func(item list.Item, selected bool, width int) string

// rowDelegate renders one-line rows with a cursor mark.
type rowDelegate struct {
	theme  Theme
	render RenderRow
}

func (d rowDelegate) Height() int                         { return 1 }
func (d rowDelegate) Spacing() int                        { return 0 }
func (d rowDelegate) Update(tea.Msg, *list.Model) tea.Cmd { return nil }
func (d rowDelegate) Render(w io.Writer, m list.Model, index int, item list.Item) {
	selected := index == m.Index()
	mark := "  "
	if selected {
		mark = d.theme.Cursor.Render("▸ ")
	}
	line := mark + d.render(item, selected, max(m.Width()-2, 1))
	fmt.Fprint(w, ansi.Truncate(line, m.Width(), "…"))
}

// NewList is a bubbles list set up the way every screen uses it: one-line
// rows, our keymap (no list quit keys, no page keys that clash with ours),
// a filter on "/", a status bar with the counts, no title or help of its own.
func NewList(t Theme, items []list.Item, render RenderRow, singular, plural string) list.Model {
	l := list.New(items, rowDelegate{theme: t, render: render}, 0, 0)
	l.SetShowTitle(false)
	l.SetShowHelp(false)
	l.SetShowPagination(true)
	l.SetStatusBarItemName(singular, plural)
	l.DisableQuitKeybindings()
	l.KeyMap.PrevPage = key.NewBinding(key.WithKeys("left", "pgup"), key.WithHelp("←/pgup", "prev page"))
	l.KeyMap.NextPage = key.NewBinding(key.WithKeys("right", "pgdown"), key.WithHelp("→/pgdn", "next page"))
	l.KeyMap.ShowFullHelp.SetEnabled(false)
	l.KeyMap.CloseFullHelp.SetEnabled(false)
	l.Styles.TitleBar = l.Styles.TitleBar.Padding(0)
	l.Styles.StatusBar = t.Muted.Padding(0)
	l.Styles.NoItems = t.Muted
	l.FilterInput.Prompt = "Filter: "
	l.Filter = (&incrementalFilter{}).filter
	// A steady cursor: a blinking one redraws the screen twice a second,
	// which over a slow SSH link is traffic for nothing.
	l.FilterInput.Cursor.SetMode(cursor.CursorStatic)
	return l
}

// Filtering reports whether the list is taking keys for its filter, in
// which case a screen must pass every key to it.
func Filtering(l list.Model) bool { return l.FilterState() == list.Filtering }
