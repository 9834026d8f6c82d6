package wizard

import (
	"context"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// route passes a message to the screen it belongs to: results of I/O go
// to the screen that asked, keys to the active one.
func (m *Model) route(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case connectedMsg, copiedMsg, clearClipboardMsg:
		return m.key.update(msg)
	case polledMsg:
		return m.screens[msg.dest].update(msg)
	case pollTickMsg:
		return m.screens[msg.dest].update(msg)
	case browserMsg:
		switch m.step {
		case core.StepFinalSync:
			return m.finalSync.update(msg)
		case core.StepMeshKey, core.StepMeshAPIKeys:
			return m.meshKey.update(msg)
		}
		return m.waiting.update(msg)
	case meshCheckedMsg, meshGivenMsg:
		return m.meshKey.update(msg)
	case homeSyncedMsg:
		return m.home.update(msg)
	case savedMsg:
		if msg.kind == core.Services.Store {
			return m.services.update(msg)
		}
		return m.accounts.update(msg)
	case writtenMsg:
		return m.review.update(msg)
	case billingMsg, reconciledMsg, exportedMsg:
		return m.billing.update(msg)
	case homeMsg:
		return m.home.update(msg)
	case alertsMsg, alertsTickMsg:
		return m.alerts.update(msg)
	case configMsg, configuredMsg:
		return m.configure.update(msg)
	}
	if m.waitingForData() {
		return nil // keys wait until the data is there
	}
	return m.screens[m.step].update(msg)
}

// bindings are every key the active screen and the root take now: no two
// may share a key.
func (m *Model) bindings() []key.Binding {
	if m.waitingForData() {
		return append(m.load.keys(), m.keys.Quit, m.keys.Help, m.keys.ForceQuit)
	}
	out := m.screens[m.step].bindings()
	if !m.typing() {
		out = append(out, m.keys.Quit, m.keys.Help)
	}
	return append(out, m.keys.ForceQuit)
}

// stillConnectedMsg: what Synthesize says of the integration at start.
type stillConnectedMsg struct{ gone bool }

// checkStillConnected asks whether the integration still exists: it may
// have been disconnected in the web app since the last run. An error is
// no news: the screens that need Synthesize will say so.
func checkStillConnected(sess *core.Session) tea.Cmd {
	return func() tea.Msg {
		gone, _ := sess.CheckStillConnected(context.Background())
		return stillConnectedMsg{gone: gone}
	}
}

// panicMsg is a command's panic, caught.
type panicMsg struct{ value any }

// guard runs cmd, and every command of a batch it answers, turning a panic
// into a panicMsg.
func guard(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = panicMsg{value: r}
			}
		}()
		msg = cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for i, c := range batch {
				batch[i] = guard(c)
			}
		}
		return msg
	}
}
