package wizard

import (
	"path/filepath"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// testState is a fresh state file holding p (and the account drafts,
// when given), closed again.
func testState(tb testing.TB, p store.Progress, accounts map[string]store.Mapping) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "state.db")
	st, err := store.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	if err := st.UpdateProgress(core.Vendor, func(q *store.Progress) { *q = p }); err != nil {
		tb.Fatal(err)
	}
	if accounts != nil {
		if err := st.Replace(core.Vendor, store.KindAccounts, accounts); err != nil {
			tb.Fatal(err)
		}
	}
	return path
}

// testSession is a session on testState's file, talking to pc (nil: no
// Synthesize).
func testSession(tb testing.TB, pc *gradient.PartnerClient, p store.Progress, accounts map[string]store.Mapping) *core.Session {
	tb.Helper()
	st, err := store.Open(testState(tb, p, accounts))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	sess, err := core.Open(core.Config{Partner: pc, Store: st})
	if err != nil {
		tb.Fatal(err)
	}
	return sess
}

// testModel is the wizard on such a session; closed with the test.
func testModel(tb testing.TB, pc *gradient.PartnerClient, p store.Progress, accounts map[string]store.Mapping) *Model {
	tb.Helper()
	m := New(Config{Session: testSession(tb, pc, p, accounts), Sandbox: true})
	tb.Cleanup(func() { m.Close() })
	return m
}

// runSync runs cmd and every command it leads to, feeding each message back
// to the model, as bubbletea would, but on this goroutine. Commands that
// wait (spinner ticks, polls) are never started: only the list's filter
// and the store writes are.
func runSync(m *Model, cmd tea.Cmd, depth int) {
	if cmd == nil || depth > 4 {
		return
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			runSync(m, c, depth+1)
		}
		return
	}
	if msg == nil {
		return
	}
	_, next := m.Update(msg)
	runSync(m, next, depth+1)
}

// loadAll runs a load to its end, as the wizard would, skipping progress.
func loadAll(sess *core.Session, gen int) dataMsg {
	msg := loadRemote(sess, gen)()
	for {
		switch m := msg.(type) {
		case loadProgressMsg:
			msg = <-m.next
		case dataMsg:
			return m
		}
	}
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}
