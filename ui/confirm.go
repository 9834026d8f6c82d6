package ui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Confirm is a yes/no dialog whose default answer is No: enter and esc
// both decline; only y accepts.
type Confirm struct {
	Title   string
	Body    string
	YesText string // what "y" does, e.g. "disconnect"
	open    bool
	keys    KeyMap
}

// ConfirmResult is sent when the dialog closes.
type ConfirmResult struct {
	ID  string
	Yes bool
}

// NewConfirm builds a closed dialog.
func NewConfirm(keys KeyMap) Confirm { return Confirm{keys: keys} }

// Ask opens the dialog.
func (c *Confirm) Ask(title, body, yesText string) {
	c.Title, c.Body, c.YesText, c.open = title, body, yesText, true
}

// Open reports whether the dialog is showing.
func (c Confirm) Open() bool { return c.open }

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
	case key.Matches(k, c.keys.No), key.Matches(k, c.keys.Back), k.Type == tea.KeyEnter:
		c.open = false
		return true, false
	}
	return false, false
}

// View draws the dialog at most width wide.
func (c Confirm) View(t Theme, width int) string {
	w := max(min(width, 72)-t.Dialog.GetHorizontalFrameSize(), 10)
	text := lipgloss.NewStyle().Width(w)
	yes := "y " + c.YesText
	return t.Dialog.Render(t.Strong.Render(text.Render(c.Title)) + "\n\n" + text.Render(c.Body) + "\n\n" +
		text.Render(t.Selected.Render("[N]o (enter, esc)")+"   "+t.Warn.Render(yes)))
}

// Help lists the dialog's keys.
func (c Confirm) Help() Help {
	short := []key.Binding{With(c.keys.Yes, c.YesText), With(c.keys.No, "no (default)"), With(c.keys.Back, "cancel")}
	return Help{Short: short, Full: [][]key.Binding{short}}
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
	c := NewConfirm(Keys())
	c.Ask(title, body, yesText)
	return &confirmProgram{c: c, theme: DefaultTheme(), width: 80}
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
