package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// FilterList is a list of many items with a filter, drawn as the screens'
// bubbles lists are (filter line, status bar, one-line rows) and keyed the
// same, for the lists that hold thousands. It scrolls: the rows fill the
// height wherever the cursor is (a page at a time left two rows and 38
// blank lines on a tall terminal), and the status bar says where the
// cursor is ("12/40"). bubbles' list rebuilds its filter's targets and its
// matches at every keystroke (3 MB over 10,000 names) and filters in a
// command, so a key typed quickly meets results a keystroke old. This one
// folds the names once when the items are set, filters as the key is
// handled, narrows the last answer as a filter grows, and allocates
// nothing for the filter once warm.
type FilterList struct {
	KeyMap      list.KeyMap
	Styles      list.Styles
	FilterInput textinput.Model

	theme            Theme
	render           RenderRow
	singular, plural string

	items   []list.Item
	names   []string
	filter  incrementalFilter
	visible []int32 // the filter's answer, while the state is not Unfiltered
	state   list.FilterState

	top, sel, perPage int // the first row shown, the cursor, rows that fit
	width, height     int
	mark              string // the cursor, drawn once
	lines             []string
	out               strings.Builder
}

// NewFilterList is a FilterList set up as NewList sets up a bubbles list.
func NewFilterList(t Theme, items []list.Item, render RenderRow, singular, plural string) *FilterList {
	l := &FilterList{KeyMap: listKeyMap(), Styles: listStyles(t), theme: t, render: render, singular: singular, plural: plural,
		perPage: 1}
	l.FilterInput = textinput.New()
	l.FilterInput.Prompt = "Filter: "
	l.FilterInput.PromptStyle = l.Styles.FilterPrompt
	l.FilterInput.Cursor.Style = l.Styles.FilterCursor
	l.FilterInput.CharLimit = 64
	// A steady cursor: a blinking one redraws the screen twice a second,
	// which over a slow SSH link is traffic for nothing.
	l.FilterInput.Cursor.SetMode(cursor.CursorStatic)
	l.mark = t.Cursor.Render("▸ ")
	l.SetItems(items)
	return l
}

// SetItems replaces the items; a filter being typed or applied is run
// again on them. It returns no command: the filter runs here.
func (l *FilterList) SetItems(items []list.Item) tea.Cmd {
	l.items = items
	l.names = l.names[:0]
	for _, it := range items {
		l.names = append(l.names, it.FilterValue())
	}
	l.filter.setTargets(l.names)
	if l.state != list.Unfiltered {
		l.visible = l.filter.filter(l.FilterInput.Value())
	}
	l.updatePagination()
	l.updateKeybindings()
	return nil
}

// Items are every item, filtered or not.
func (l *FilterList) Items() []list.Item { return l.items }

// SetSize fits the list in width × height.
func (l *FilterList) SetSize(width, height int) {
	l.width, l.height = width, height
	l.FilterInput.Width = width - lipgloss.Width(l.Styles.Title.Render(l.FilterInput.Prompt)) - 1
	l.updatePagination()
	l.updateKeybindings()
}

// Width is the list's width.
func (l *FilterList) Width() int { return l.width }

// FilterState says whether a filter is being typed, applied or neither.
func (l *FilterList) FilterState() list.FilterState { return l.state }

func (l *FilterList) visibleLen() int {
	if l.state == list.Unfiltered {
		return len(l.items)
	}
	return len(l.visible)
}

func (l *FilterList) visibleItem(k int) list.Item {
	if l.state == list.Unfiltered {
		return l.items[k]
	}
	return l.items[l.visible[k]]
}

// Index is the cursor's position among the items shown.
func (l *FilterList) Index() int { return l.sel }

// Select puts the cursor on the k-th item shown, scrolled into view.
func (l *FilterList) Select(k int) {
	l.sel = k
	l.clamp()
}

// FilterValue is the filter typed or applied ("" for none).
func (l *FilterList) FilterValue() string {
	if l.state == list.Unfiltered {
		return ""
	}
	return l.FilterInput.Value()
}

// clamp keeps the cursor on an item and the rows on the cursor, and fills
// the height: the rows never end early while there are items above.
func (l *FilterList) clamp() {
	n := l.visibleLen()
	l.sel = max(min(l.sel, n-1), 0)
	l.top = min(l.top, l.sel)
	l.top = max(l.top, l.sel-l.perPage+1)
	l.top = max(min(l.top, n-l.perPage), 0)
}

// SelectedItem is the item under the cursor, or nil.
func (l *FilterList) SelectedItem() list.Item {
	if k := l.Index(); k >= 0 && k < l.visibleLen() {
		return l.visibleItem(k)
	}
	return nil
}

// Update takes a key (or, while a filter is typed, any message for the
// filter's input). The filter runs here, not in a command, so keys typed
// quickly (or pasted) never meet results a keystroke old, and enter never
// chooses an item the filter no longer shows.
func (l *FilterList) Update(msg tea.Msg) tea.Cmd {
	k, isKey := msg.(tea.KeyMsg)
	if l.state == list.Filtering {
		if isKey {
			switch {
			// bubbles' list sizes its pages again after either (and
			// again, as resetting did already): kept, so the pages match.
			case key.Matches(k, l.KeyMap.CancelWhileFiltering):
				l.resetFilter()
				l.updatePagination()
				return nil
			case key.Matches(k, l.KeyMap.AcceptWhileFiltering):
				l.accept()
				l.updatePagination()
				return nil
			}
		}
		input, cmd := l.FilterInput.Update(msg)
		changed := input.Value() != l.FilterInput.Value()
		l.FilterInput = input
		if changed {
			l.visible = l.filter.filter(input.Value())
			l.sel, l.top = 0, 0
			l.updatePagination()
			l.updateKeybindings()
		}
		return cmd
	}
	if !isKey {
		return nil
	}
	switch km := l.KeyMap; {
	case key.Matches(k, km.ClearFilter):
		l.resetFilter()
	case key.Matches(k, km.CursorUp):
		l.sel--
	case key.Matches(k, km.CursorDown):
		l.sel++
	case key.Matches(k, km.PrevPage):
		// A screenful up: the rows and the cursor move together.
		l.sel, l.top = l.sel-l.perPage, l.top-l.perPage
	case key.Matches(k, km.NextPage):
		l.sel, l.top = l.sel+l.perPage, l.top+l.perPage
	case key.Matches(k, km.GoToStart):
		l.sel = 0
	case key.Matches(k, km.GoToEnd):
		l.sel = l.visibleLen() - 1
	case key.Matches(k, km.Filter):
		if l.FilterInput.Value() == "" {
			l.visible = l.filter.filter("")
		}
		l.sel, l.top = 0, 0
		l.state = list.Filtering
		l.FilterInput.CursorEnd()
		l.FilterInput.Focus()
		l.updateKeybindings()
	}
	l.clamp()
	return nil
}

func (l *FilterList) accept() {
	switch {
	case len(l.items) == 0:
		return
	case len(l.visible) == 0:
		l.resetFilter()
		return
	}
	l.FilterInput.Blur()
	l.state = list.FilterApplied
	l.updateKeybindings()
	if l.FilterInput.Value() == "" {
		l.resetFilter()
	}
}

func (l *FilterList) resetFilter() {
	if l.state == list.Unfiltered {
		return
	}
	if l.sel < len(l.visible) {
		l.sel = int(l.visible[l.sel]) // the cursor stays on its item
	}
	l.state = list.Unfiltered
	l.FilterInput.Reset()
	l.visible = nil
	l.updatePagination()
	l.updateKeybindings()
}

// updatePagination fits the rows in the height less the filter line and
// the status bar, the cursor staying on its item.
func (l *FilterList) updatePagination() {
	l.perPage = max(1, l.height-2)
	l.clamp()
}

func (l *FilterList) updateKeybindings() {
	km := &l.KeyMap
	filtering := l.state == list.Filtering
	has := len(l.items) != 0 && !filtering
	paged := l.visibleLen() > l.perPage && !filtering
	km.CursorUp.SetEnabled(has)
	km.CursorDown.SetEnabled(has)
	km.NextPage.SetEnabled(paged)
	km.PrevPage.SetEnabled(paged)
	km.GoToStart.SetEnabled(has)
	km.GoToEnd.SetEnabled(has)
	km.Filter.SetEnabled(has)
	km.ClearFilter.SetEnabled(l.state == list.FilterApplied)
	km.CancelWhileFiltering.SetEnabled(filtering)
	km.AcceptWhileFiltering.SetEnabled(filtering && l.FilterInput.Value() != "")
}

// Bindings are the list's keys that work now.
func (l *FilterList) Bindings() []key.Binding { return listBindings(l.KeyMap) }

// FilterKeys are the help while the filter is being typed.
func (l *FilterList) FilterKeys() []key.Binding { return filterKeys(l.KeyMap) }

// View draws the filter line, the status bar and the rows in view, every
// line padded to the widest. It lays the lines out itself, for a tenth of
// what lipgloss allocates to join and pad them.
func (l *FilterList) View() string {
	lines := l.lines[:0]
	title := ""
	if l.state == list.Filtering {
		title = l.Styles.TitleBar.Render(l.FilterInput.View())
	}
	lines = append(lines, title, l.statusView())
	lines = l.rowLines(lines, l.perPage)
	width := 0
	for _, line := range lines {
		width = max(width, ansi.StringWidth(line))
	}
	b := &l.out
	b.Reset()
	for k, line := range lines {
		if k > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
		for range width - ansi.StringWidth(line) {
			b.WriteByte(' ')
		}
	}
	l.lines = lines
	return b.String()
}

// rowLines appends the rows in view, then empty lines up to height.
func (l *FilterList) rowLines(lines []string, height int) []string {
	n, from := l.visibleLen(), len(lines)
	switch {
	case n == 0 && l.state == list.Filtering:
	case n == 0:
		lines = append(lines, l.Styles.NoItems.Render("No "+l.plural+"."))
	default:
		for k := l.top; k < min(l.top+l.perPage, n); k++ {
			mark := "  "
			if k == l.sel {
				mark = l.mark
			}
			lines = append(lines, ansi.Truncate(mark+l.render(l.visibleItem(k), k == l.sel, max(l.width-2, 1)), l.width, "…"))
		}
	}
	for len(lines)-from < height {
		lines = append(lines, "")
	}
	return lines
}

// statusView is bubbles' status bar: what is shown, and how many the
// filter hides.
func (l *FilterList) statusView() string {
	total, shown := len(l.items), l.visibleLen()
	noun := l.plural
	if shown == 1 {
		noun = l.singular
	}
	var status string
	switch {
	case l.state == list.Filtering && shown == 0:
		status = l.Styles.StatusEmpty.Render("Nothing matched")
	case l.state == list.Filtering:
		status = fmt.Sprintf("%d %s", shown, noun)
	case total == 0:
		status = l.Styles.StatusEmpty.Render("No " + l.plural)
	default:
		if l.state == list.FilterApplied {
			status = fmt.Sprintf("“%s” ", ansi.Truncate(strings.TrimSpace(l.FilterInput.Value()), 10, "…"))
		}
		status += fmt.Sprintf("%d %s", shown, noun)
	}
	if hidden := total - shown; hidden > 0 {
		status += l.Styles.DividerDot.String() + l.Styles.StatusBarFilterCount.Render(fmt.Sprintf("%d filtered", hidden))
	}
	if shown > 0 && l.state != list.Filtering {
		status += l.Styles.DividerDot.String() + fmt.Sprintf("%d/%d", l.sel+1, shown) // where the cursor is
	}
	return l.Styles.StatusBar.Render(status)
}
