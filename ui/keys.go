package ui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the keymap of every screen (API.md §6). Screens choose which
// bindings they show through their own ShortHelp/FullHelp.
type KeyMap struct {
	Up, Down     key.Binding
	Toggle       key.Binding
	Enter        key.Binding
	Next         key.Binding
	Back         key.Binding
	Filter       key.Binding
	Accept       key.Binding
	AcceptAll    key.Binding
	DoNotBill    key.Binding
	Undo         key.Binding
	Copy         key.Binding
	Open         key.Binding
	NewKey       key.Binding
	Yes, No      key.Binding
	Help         key.Binding
	Quit         key.Binding
	Retry        key.Binding
	Sort         key.Binding
	Reconcile    key.Binding
	ReconcileAll key.Binding
	Export       key.Binding
}

// Keys is the keymap.
func Keys() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:           b("↑/k", "up", "up", "k"),
		Down:         b("↓/j", "down", "down", "j"),
		Toggle:       b("space", "toggle", " "),
		Enter:        b("enter", "continue", "enter"),
		Next:         b("n", "next step", "n"),
		Back:         b("esc", "back", "esc"),
		Filter:       b("/", "filter", "/"),
		Accept:       b("a", "accept suggestion", "a"),
		AcceptAll:    b("A", "accept all ≥ threshold", "A"),
		DoNotBill:    b("x", "do not bill", "x"),
		Undo:         b("u", "undo", "u"),
		Copy:         b("c", "copy key", "c"),
		Open:         b("o", "open portal", "o"),
		NewKey:       b("r", "issue a new key", "r"),
		Yes:          b("y", "yes", "y", "Y"),
		No:           b("n", "no", "n", "N"),
		Help:         b("?", "more keys", "?"),
		Quit:         b("q", "quit", "q", "ctrl+c"),
		Retry:        b("r", "retry", "r"),
		Sort:         b("s", "sort by difference", "s"),
		Reconcile:    b("r", "reconcile row", "r"),
		ReconcileAll: b("R", "reconcile all", "R"),
		Export:       b("e", "export CSV", "e"),
	}
}

// With returns b with another help text, for screens where enter means
// something specific ("choose", "write mappings").
func With(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// Help is a help.KeyMap made of fixed binding lists.
type Help struct {
	Short []key.Binding
	Full  [][]key.Binding
}

func (h Help) ShortHelp() []key.Binding  { return h.Short }
func (h Help) FullHelp() [][]key.Binding { return h.Full }
