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

// Help is a help.KeyMap made of fixed binding lists.
type Help struct {
	Short []key.Binding
	Full  [][]key.Binding
}

func (h Help) ShortHelp() []key.Binding  { return h.Short }
func (h Help) FullHelp() [][]key.Binding { return h.Full }

// ShortOnly is a Help whose full view is its short one.
func ShortOnly(bs ...key.Binding) Help { return Help{Short: bs, Full: [][]key.Binding{bs}} }
