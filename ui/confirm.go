package ui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// ConfirmKeys are a dialog's keys: only y accepts; n, esc and enter (the
// default) decline.
type ConfirmKeys struct {
	Yes, No, Cancel, Default key.Binding
}

// NewConfirmKeys is the dialog's keymap, y saying yesText.
func NewConfirmKeys(yesText string) ConfirmKeys {
	return ConfirmKeys{
		Yes:     Key("y", yesText, "y", "Y"),
		No:      Key("n", "no (default)", "n", "N"),
		Cancel:  Key("esc", "cancel", "esc"),
		Default: Key("enter", "no", "enter"),
	}
}

// Bindings are every key the dialog takes.
func (k ConfirmKeys) Bindings() []key.Binding { return []key.Binding{k.Yes, k.No, k.Cancel, k.Default} }

// Confirm is a yes/no dialog whose default answer is No.
type Confirm struct {
	Title string
	Body  string
	keys  ConfirmKeys
	open  bool
}

// Ask opens the dialog; y means yesText.
func (c *Confirm) Ask(title, body, yesText string) {
	c.Title, c.Body, c.keys, c.open = title, body, NewConfirmKeys(yesText), true
}

// Open reports whether the dialog is showing.
func (c Confirm) Open() bool { return c.open }

// Close closes the dialog without an answer.
func (c *Confirm) Close() { c.open = false }

// Keys is the open dialog's keymap.
func (c Confirm) Keys() ConfirmKeys { return c.keys }

// Update handles a key while open; answered reports whether it closed,
// and yes the answer.
func (c *Confirm) Update(msg tea.Msg) (answered, yes bool) {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !c.open {
		return false, false
	}
	switch {
	case key.Matches(k, c.keys.Yes):
		c.open = false
		return true, true
	case key.Matches(k, c.keys.No, c.keys.Cancel, c.keys.Default):
		c.open = false
		return true, false
	}
	return false, false
}

// View draws the dialog at most width wide.
func (c Confirm) View(t Theme, width int) string {
	w := max(min(width, 72)-t.Dialog.GetHorizontalFrameSize(), 10)
	text := lipgloss.NewStyle().Width(w)
	yes := "y " + c.keys.Yes.Help().Desc
	return t.Dialog.Render(t.Strong.Render(text.Render(c.Title)) + "\n\n" + text.Render(c.Body) + "\n\n" +
		text.Render(t.Selected.Render("[N]o (enter, esc)")+"   "+t.Warn.Render(yes)))
}

// Help lists the dialog's keys.
// Help is the dialog's keys alone (Modal): while it asks, q and ? are not
// the program's.
func (c Confirm) Help() Help {
	h := ShortOnly(c.keys.Yes, c.keys.No, c.keys.Cancel)
	h.Modal = true
	return h
}

// confirmProgram is a Confirm as a whole program, for commands that ask
// one question (mesh-gradient disconnect).
type confirmProgram struct {
	c      Confirm
	theme  Theme
	width  int
	answer bool
}

// NewConfirmProgram asks one yes/no question; default No.
func NewConfirmProgram(title, body, yesText string) tea.Model {
	p := &confirmProgram{theme: DefaultTheme(), width: 80}
	p.c.Ask(title, body, yesText)
	return p
}

// Confirmed reports the answer of a finished NewConfirmProgram.
func Confirmed(m tea.Model) bool {
	p, ok := m.(*confirmProgram)
	return ok && p.answer
}

func (p *confirmProgram) Init() tea.Cmd { return nil }

func (p *confirmProgram) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		p.width = msg.Width
	case tea.KeyMsg:
		if msg.String() == "ctrl+c" {
			return p, tea.Quit
		}
		if answered, yes := p.c.Update(msg); answered {
			p.answer = yes
			return p, tea.Quit
		}
	}
	return p, nil
}

func (p *confirmProgram) View() string {
	if !p.c.Open() {
		return ""
	}
	return p.c.View(p.theme, p.width) + "\n"
}
