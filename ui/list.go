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
// It suits short lists; FilterList is the same list for thousands of items.
func NewList(t Theme, items []list.Item, render RenderRow, singular, plural string) list.Model {
	l := list.New(items, rowDelegate{theme: t, render: render}, 0, 0)
	l.SetShowTitle(false)
	l.SetShowHelp(false)
	l.SetShowPagination(true)
	l.SetStatusBarItemName(singular, plural)
	l.DisableQuitKeybindings()
	l.KeyMap = listKeyMap()
	l.Styles = listStyles(t)
	l.FilterInput.Prompt = "Filter: "
	l.Filter = (&bubblesFilter{}).filter
	// A steady cursor: a blinking one redraws the screen twice a second,
	// which over a slow SSH link is traffic for nothing.
	l.FilterInput.Cursor.SetMode(cursor.CursorStatic)
	return l
}

// listKeyMap is bubbles' list keys as every list here has them: no quit
// keys, no page keys that clash with the program's.
func listKeyMap() list.KeyMap {
	k := list.DefaultKeyMap()
	k.PrevPage = key.NewBinding(key.WithKeys("left", "pgup"), key.WithHelp("←/pgup", "prev page"))
	k.NextPage = key.NewBinding(key.WithKeys("right", "pgdown"), key.WithHelp("→/pgdn", "next page"))
	// The list's own help and quit keys are the program's: with no keys
	// they never fire, however the list enables them.
	k.ShowFullHelp, k.CloseFullHelp = key.NewBinding(), key.NewBinding()
	k.Quit.SetEnabled(false)
	k.ForceQuit.SetEnabled(false)
	return k
}

// listStyles is bubbles' list styles in the theme's muted colours, with
// no padding.
func listStyles(t Theme) list.Styles {
	s := list.DefaultStyles()
	s.TitleBar = s.TitleBar.Padding(0)
	s.StatusBar = t.Muted.Padding(0)
	s.NoItems = t.Muted
	return s
}

// Filtering reports whether the list is taking keys for its filter, in
// which case a screen must pass every key to it.
func Filtering(l list.Model) bool { return l.FilterState() == list.Filtering }

// UpdateList passes msg to l, filtering synchronously while a filter is
// typed: bubbles filters in a command, so keys typed quickly (or pasted)
// would otherwise meet results a keystroke old, and enter could choose an
// item the filter no longer shows. The filter is fast enough to run here.
func UpdateList(l *list.Model, msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !Filtering(*l) || key.Matches(k, l.KeyMap.AcceptWhileFiltering, l.KeyMap.CancelWhileFiltering) {
		var cmd tea.Cmd
		*l, cmd = l.Update(msg)
		return cmd
	}
	input, cmd := l.FilterInput.Update(msg)
	if v := input.Value(); v != l.FilterInput.Value() {
		l.SetFilterText(v)
		l.SetFilterState(list.Filtering)
		input.SetValue(v)
	}
	l.FilterInput = input
	return cmd
}

// ListBindings are the list's keys that work now.
func ListBindings(l list.Model) []key.Binding { return listBindings(l.KeyMap) }

func listBindings(k list.KeyMap) []key.Binding {
	return Enabled(k.CursorUp, k.CursorDown, k.PrevPage, k.NextPage, k.GoToStart, k.GoToEnd, k.Filter, k.ClearFilter,
		k.CancelWhileFiltering, k.AcceptWhileFiltering, k.Quit, k.ForceQuit)
}

// FilterKeys are the help while a list's filter is being typed.
func FilterKeys(l list.Model) []key.Binding { return filterKeys(l.KeyMap) }

func filterKeys(k list.KeyMap) []key.Binding {
	return []key.Binding{With(k.AcceptWhileFiltering, "keep filter"), With(k.CancelWhileFiltering, "clear filter")}
}
