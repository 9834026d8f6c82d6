package ui

import "github.com/charmbracelet/bubbles/key"

// Key makes a binding: the keys, and the help that shows them.
func Key(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// With returns b with another help text, for screens where a key means
// something specific ("choose", "write mappings").
func With(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// Rebind gives b other keys, the first of them shown in its help.
func Rebind(b *key.Binding, keys ...string) {
	b.SetKeys(keys...)
	b.SetHelp(keys[0], b.Help().Desc)
}

// Enabled keeps the bindings that are enabled now.
func Enabled(bs ...key.Binding) []key.Binding {
	var out []key.Binding
	for _, b := range bs {
		if b.Enabled() {
			out = append(out, b)
		}
	}
	return out
}

// Help is a screen's keys for bubbles/help: Main is the screen's main
// action (what moves on), pinned first in the footer; Short are the other
// keys, dropped from the end when the footer runs out of room; Full is
// the full help. Modal: a dialog is open, and only its keys count.
type Help struct {
	Main  key.Binding
	Short []key.Binding
	Full  [][]key.Binding
	Modal bool
}

func (h Help) ShortHelp() []key.Binding {
	if h.Main.Enabled() && len(h.Main.Keys()) > 0 {
		return append([]key.Binding{h.Main}, h.Short...)
	}
	return h.Short
}

func (h Help) FullHelp() [][]key.Binding { return h.Full }

// ShortOnly is a Help whose full view is its short one.
func ShortOnly(bs ...key.Binding) Help { return Help{Short: bs, Full: [][]key.Binding{bs}} }

// WithMain is h with main pinned first (and first in the full help).
func (h Help) WithMain(main key.Binding) Help {
	h.Main = main
	h.Full = append([][]key.Binding{{main}}, h.Full...)
	return h
}
