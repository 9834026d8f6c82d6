package wizard

import (
	"context"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// loader is the root's load of what Synthesize holds: the lists the
// mapping, review and billing screens show.
type loader struct {
	data     *core.Data
	busy     bool
	gen      int               // which load is current; older ones' answers are dropped
	progress core.LoadProgress // how far the current load has got
	err      error
	retry    *retryNote  // a page of the load under way is being retried
	update   *core.Kind  // after this load, start updating these mappings
	retryKey key.Binding // after a failed load
}

func newLoader() loader { return loader{retryKey: ui.Key("r", "try again", "r")} }

// keys are the loading screen's: r once the load failed.
func (l *loader) keys() []key.Binding {
	l.retryKey.SetEnabled(l.err != nil)
	return ui.Enabled(l.retryKey)
}

type dataMsg struct {
	gen  int
	data *core.Data
	err  error
}

// loadProgressMsg carries progress and the channel the rest comes on.
type loadProgressMsg struct {
	gen      int
	progress core.LoadProgress
	next     <-chan tea.Msg
}

func (m *Model) loadData() tea.Cmd {
	m.load.busy, m.load.err = true, nil
	m.load.gen++
	m.load.progress, m.load.retry = core.LoadProgress{}, nil
	return loadRemote(m.c.sess, m.load.gen)
}

// loadRemote runs the core's load off the UI goroutine. It answers with
// progress messages as pages arrive and accounts are matched, and a
// dataMsg at the end; gen tells a stale load's messages apart.
func loadRemote(sess *core.Session, gen int) tea.Cmd {
	return func() tea.Msg {
		out := make(chan tea.Msg, 1)
		go func() {
			d, err := sess.Load(context.Background(), func(p core.LoadProgress) {
				select { // progress is news, not data: drop it when the screen lags
				case out <- loadProgressMsg{gen: gen, progress: p, next: out}:
				default:
				}
			})
			deliver(out, dataMsg{gen: gen, data: d, err: err})
		}()
		return <-out
	}
}

// deliver puts a call's final answer on out: it must arrive, so it waits
// for room, dropping undelivered news that it supersedes.
func deliver(out chan tea.Msg, msg tea.Msg) {
	for {
		select {
		case out <- msg:
			return
		case <-out:
		}
	}
}

// onLoad takes a load's progress or its end.
func (m *Model) onLoad(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadProgressMsg:
		if msg.gen == m.load.gen {
			if r := msg.progress.Retry; r == nil {
				m.load.retry = nil
			} else if m.load.progress.Retry != r {
				m.load.retry = noteRetry(m.c, *r)
			}
			m.load.progress = msg.progress
		}
		return waitNext(msg.next)
	case dataMsg:
		if msg.gen != m.load.gen {
			return nil // a load that a newer one replaced
		}
		m.load.busy = false
		if msg.err != nil {
			m.load.err, m.load.update, m.focus = msg.err, nil, followMsg{}
			return nil
		}
		return m.onData(msg.data)
	}
	return nil
}

// onData installs freshly loaded data in every screen that shows it.
func (m *Model) onData(d *core.Data) tea.Cmd {
	m.load.data = d
	cmds := []tea.Cmd{persisted(m.c.sess.Seed(d), nil)}
	if k := m.load.update; k != nil {
		m.load.update = nil
		to, pending := m.c.sess.StartUpdate(d, *k)
		cmds = append(cmds, persisted(pending, nil), m.goTo(to))
	}
	cmds = append(cmds, m.accounts.load(d), m.services.load(d))
	if f := m.focus; f.accountID != "" && m.step == core.StepAccounts {
		m.accounts.focusOn(f.accountID)
		m.notice, m.focus = f.notice, followMsg{}
	}
	if m.step == core.StepReview {
		m.review.build(d)
	}
	m.billing.setData(d)
	m.resize()
	return tea.Batch(cmds...)
}
