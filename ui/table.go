package ui

import (
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/table"
)

// NewTable is a bubbles table in the theme's styles.
func NewTable(t Theme) table.Model {
	m := table.New(table.WithFocused(true))
	st := table.DefaultStyles()
	st.Header, st.Selected, st.Cell = t.TableHead, t.TableSel, t.TableCell
	m.SetStyles(st)
	return m
}

// TableBindings are the table's movement keys.
func TableBindings(m table.Model) []key.Binding {
	k := m.KeyMap
	return Enabled(k.LineUp, k.LineDown, k.PageUp, k.PageDown, k.HalfPageUp, k.HalfPageDown, k.GotoTop, k.GotoBottom)
}
