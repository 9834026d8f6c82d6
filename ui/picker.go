package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Option is one choice in a Picker.
type Option struct {
	ID     string
	Title  string
	Detail string // beside the title, e.g. a confidence
}

func (o Option) FilterValue() string { return o.Title }

// PickerKeys are the picker's own keys; moving and filtering are its
// list's.
type PickerKeys struct {
	Choose, Cancel key.Binding
}

// Picker chooses one option from a long, filterable list.
type Picker struct {
	Prompt string
	list   *FilterList
	keys   PickerKeys
	theme  Theme
	open   bool
}

// NewPicker builds a closed picker.
func NewPicker(t Theme) Picker {
	return Picker{theme: t, keys: PickerKeys{Choose: Key("enter", "choose", "enter"), Cancel: Key("esc", "cancel", "esc")}}
}

// Show opens the picker on options with the cursor on the option whose ID
// is current (if any).
func (p *Picker) Show(prompt string, options []Option, current string, width, height int) {
	items := make([]list.Item, len(options))
	sel := 0
	for i, o := range options {
		items[i] = o
		if o.ID == current {
			sel = i
		}
	}
	t := p.theme
	// The details line up in a column just right of the titles (not at
	// the far edge, where the eye loses the row), and the current choice
	// is marked.
	titles := 0
	for _, o := range options {
		titles = max(titles, lipgloss.Width(o.Title))
	}
	p.list = NewFilterList(t, nil, func(it list.Item, selected bool, width int) string {
		o := it.(Option)
		mark := "  "
		if o.ID == current {
			mark = t.OK.Render("✓ ")
		}
		col := max(min(titles, 40, width-2-lipgloss.Width(o.Detail)-12), 8)
		title := ansi.Truncate(o.Title, col, "…")
		if q := p.list.FilterValue(); q != "" {
			title = Highlight(title, MatchPositions(q, o.Title), t.Match)
		}
		if selected {
			title = t.Selected.Render(title)
		}
		line := mark + title + strings.Repeat(" ", max(col-lipgloss.Width(title), 0)+2) + t.Muted.Render(o.Detail)
		if o.ID == current {
			line += t.OK.Render("  current")
		}
		return line
	}, "choice", "choices")
	p.SetSize(width, height)
	p.list.SetItems(items)
	p.list.Select(sel)
	p.Prompt, p.open = prompt, true
}

// SetSize fits the picker in width × height.
func (p *Picker) SetSize(width, height int) {
	if p.list != nil {
		p.list.SetSize(max(width, 10), max(height-2, 3))
	}
}

// Open reports whether the picker is showing.
func (p Picker) Open() bool { return p.open }

// Filtering reports whether the picker's list is taking a filter's text.
func (p Picker) Filtering() bool { return p.list != nil && p.list.FilterState() == list.Filtering }

// Update handles a message while open. chosen is non-nil when the user
// picked an option; closed is true when the picker closed either way.
func (p *Picker) Update(msg tea.Msg) (chosen *Option, closed bool, cmd tea.Cmd) {
	// One enter chooses, even while a filter is typed: the filter is kept
	// and the option under the cursor taken.
	if k, ok := msg.(tea.KeyMsg); ok && p.Filtering() && key.Matches(k, p.keys.Choose) {
		if o, ok := p.list.SelectedItem().(Option); ok {
			p.open = false
			return &o, true, nil
		}
		return nil, false, nil
	}
	if k, ok := msg.(tea.KeyMsg); ok && !p.Filtering() {
		switch {
		case key.Matches(k, p.keys.Choose):
			if o, ok := p.list.SelectedItem().(Option); ok {
				p.open = false
				return &o, true, nil
			}
			return nil, false, nil
		case key.Matches(k, p.keys.Cancel) && p.list.FilterState() == list.Unfiltered:
			p.open = false
			return nil, true, nil
		}
	}
	return nil, false, p.list.Update(msg)
}

// View draws the picker.
func (p Picker) View() string {
	return p.theme.Strong.Render(p.Prompt) + "\n\n" + p.list.View()
}

// Help lists the picker's keys.
func (p Picker) Help() Help {
	if p.Filtering() {
		return ShortOnly(p.list.KeyMap.CancelWhileFiltering).WithMain(p.keys.Choose)
	}
	lk := p.list.KeyMap
	short := []key.Binding{lk.Filter, p.keys.Cancel, lk.CursorUp, lk.CursorDown}
	if p.list.FilterState() == list.FilterApplied {
		short[1] = With(lk.ClearFilter, "clear filter")
	}
	return ShortOnly(short...).WithMain(p.keys.Choose)
}

// Bindings are every key the open picker takes now.
func (p Picker) Bindings() []key.Binding {
	if p.Filtering() {
		// enter chooses at once; esc clears; the rest is typing.
		return []key.Binding{p.keys.Choose, p.list.KeyMap.CancelWhileFiltering}
	}
	own := []key.Binding{p.keys.Choose, p.keys.Cancel}
	if p.list.FilterState() == list.FilterApplied {
		own = own[:1]
	}
	return append(own, p.list.Bindings()...)
}
