package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Column is one column of a Grid: a fixed Width, or a Flex share of what
// the fixed ones leave; Right aligns numbers.
type Column struct {
	Title string
	Width int
	Flex  int
	Right bool
}

// GridKeys move a Grid's cursor.
type GridKeys struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}

// Grid is a table that colours single cells, right-aligns numbers, gives
// names the width numbers do not need, and scrolls by a line (bubbles'
// table can do none of the first three). It draws only the rows it shows.
type Grid struct {
	Keys   GridKeys
	theme  Theme
	cols   []Column
	rows   [][]string
	styles func(row, col int) lipgloss.Style
	cursor int
	offset int
	width  int
	height int // rows shown, below the header
}

// NewGrid builds an empty grid.
func NewGrid(t Theme, cols []Column) Grid {
	return Grid{theme: t, cols: cols, Keys: GridKeys{
		Up:       Key("↑/k", "up", "up", "k"),
		Down:     Key("↓/j", "down", "down", "j"),
		PageUp:   Key("pgup", "page up", "pgup"),
		PageDown: Key("pgdn", "page down", "pgdown"),
		Top:      Key("g/home", "first", "home", "g"),
		Bottom:   Key("G/end", "last", "end", "G"),
	}}
}

// SetRows replaces the rows; style, when set, colours a cell. The cursor
// stays on its index, within the new rows.
func (g *Grid) SetRows(rows [][]string, style func(row, col int) lipgloss.Style) {
	g.rows, g.styles = rows, style
	g.SetCursor(g.cursor)
}

// SetSize fits the grid in width and height lines (header included).
func (g *Grid) SetSize(width, height int) {
	g.width, g.height = width, max(height-2, 1)
	g.SetCursor(g.cursor)
}

// Height is how many lines the grid draws with its rows now.
func (g Grid) Height() int { return 2 + min(g.height, max(len(g.rows), 1)) }

// Cursor is the selected row's index (-1 without rows).
func (g Grid) Cursor() int {
	if len(g.rows) == 0 {
		return -1
	}
	return g.cursor
}

// SetCursor selects row i (clamped) and scrolls it into view.
func (g *Grid) SetCursor(i int) {
	g.cursor = max(min(i, len(g.rows)-1), 0)
	switch {
	case g.cursor < g.offset:
		g.offset = g.cursor
	case g.cursor >= g.offset+g.height:
		g.offset = g.cursor - g.height + 1
	}
	g.offset = max(min(g.offset, len(g.rows)-g.height), 0)
}

// Update moves the cursor on the grid's keys.
func (g *Grid) Update(msg tea.Msg) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return
	}
	switch {
	case key.Matches(k, g.Keys.Up):
		g.SetCursor(g.cursor - 1)
	case key.Matches(k, g.Keys.Down):
		g.SetCursor(g.cursor + 1)
	case key.Matches(k, g.Keys.PageUp):
		g.SetCursor(g.cursor - g.height)
	case key.Matches(k, g.Keys.PageDown):
		g.SetCursor(g.cursor + g.height)
	case key.Matches(k, g.Keys.Top):
		g.SetCursor(0)
	case key.Matches(k, g.Keys.Bottom):
		g.SetCursor(len(g.rows) - 1)
	}
}

// Bindings are the grid's keys.
func (g Grid) Bindings() []key.Binding {
	k := g.Keys
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
}

// widths gives each column its width: fixed ones as asked, flexible ones
// a share of the rest (at least 4), one space between columns.
func (g Grid) widths() []int {
	out := make([]int, len(g.cols))
	rest, shares := g.width-(len(g.cols)-1)-2, 0 // the cursor mark takes 2
	for i, c := range g.cols {
		if c.Flex == 0 {
			out[i] = c.Width
			rest -= c.Width
		}
		shares += c.Flex
	}
	left := rest
	for i, c := range g.cols {
		if c.Flex > 0 {
			out[i] = max(rest*c.Flex/shares, 4)
			left -= out[i]
		}
	}
	for i := len(g.cols) - 1; i >= 0 && left > 0; i-- { // the rounding's leftover
		if g.cols[i].Flex > 0 {
			out[i] += left
			break
		}
	}
	return out
}

func pad(s string, w int, right bool) string {
	s = ansi.Truncate(s, w, "…")
	gap := strings.Repeat(" ", max(w-lipgloss.Width(s), 0))
	if right {
		return gap + s
	}
	return s + gap
}

// View draws the header and the rows in view.
func (g Grid) View() string {
	t := g.theme
	ws := g.widths()
	var b strings.Builder
	head := make([]string, len(g.cols))
	for i, c := range g.cols {
		head[i] = pad(c.Title, ws[i], c.Right)
	}
	b.WriteString("  " + t.Strong.Render(strings.Join(head, " ")) + "\n")
	b.WriteString(t.Muted.Render(strings.Repeat("─", max(g.width, 1))))
	for r := g.offset; r < min(g.offset+g.height, len(g.rows)); r++ {
		cells := make([]string, len(g.cols))
		for i, c := range g.cols {
			text := ""
			if i < len(g.rows[r]) {
				text = pad(g.rows[r][i], ws[i], c.Right)
			}
			if g.styles != nil {
				text = g.styles(r, i).Render(text)
			}
			cells[i] = text
		}
		mark := "  "
		if r == g.cursor {
			mark = t.Cursor.Render("▸ ")
		}
		b.WriteString("\n" + mark + strings.Join(cells, " "))
	}
	return b.String()
}
