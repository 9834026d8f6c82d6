package wizard

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type waitingKeys struct {
	Open, Back key.Binding
}

// waitingScreen is step 4: it polls Synthesize until Mesh has checked in
// and sent its accounts and services (the core's rule says when).
type waitingScreen struct {
	c       *common
	keys    waitingKeys
	gen     int // polls of an earlier visit are ignored
	started time.Time
	watch   *core.FirstSync
	wait    time.Duration
	retry   *retryNote // the poll under way is being retried
	browser browserMsg
}

func newWaitingScreen(c *common) *waitingScreen {
	return &waitingScreen{c: c, watch: c.sess.NewFirstSync(), keys: waitingKeys{
		Open: ui.Key("o", "open portal again", "o"),
		Back: ui.Key("esc", "back to portal choice", "esc"),
	}}
}

type pollMsg struct {
	gen    int
	detail gradient.IntegrationDetail
	err    error
}

type pollTickMsg struct{ gen int }

func (s *waitingScreen) start() tea.Cmd {
	s.gen++
	s.started, s.watch = s.c.now(), s.c.sess.NewFirstSync()
	return s.poll()
}

func (s *waitingScreen) poll() tea.Cmd {
	gen, sess := s.gen, s.c.sess
	return watched(context.Background(), core.StepWaiting, gen, func(ctx context.Context) tea.Msg {
		d, err := sess.PollIntegration(ctx)
		return pollMsg{gen: gen, detail: d, err: err}
	})
}

func (s *waitingScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case browserMsg:
		s.browser = msg
	case retryMsg:
		if msg.gen == s.gen {
			s.retry = noteRetry(s.c, msg.retry)
		}
	case pollMsg:
		if msg.gen != s.gen {
			return nil
		}
		s.retry = nil
		arrived, wait := s.watch.Observe(msg.detail, msg.err)
		if arrived {
			return emit(core.SyncArrived)
		}
		s.wait = wait
		gen := s.gen
		return tea.Tick(wait, func(time.Time) tea.Msg { return pollTickMsg{gen: gen} })
	case pollTickMsg:
		if msg.gen == s.gen {
			return s.poll()
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, s.keys.Back):
			s.gen++ // stop polling
			return emit(core.Back)
		case key.Matches(msg, s.keys.Open):
			return openPortal(s.c.cfg, portalURL(s.c.cfg, s.c.progress().Region))
		}
	}
	return nil
}

func (s *waitingScreen) view(w int) string {
	t := s.c.theme
	url := portalURL(s.c.cfg, s.c.progress().Region)
	out := s.c.spinner.View() + "Waiting for Mesh's first Gradient Sync… " + text.Elapsed(s.c.now().Sub(s.started)) + "\n\n"
	status := "not checked in yet"
	if last := s.watch.Last; s.watch.Polled && last.Status != "" && last.Status != gradient.StatusInactive {
		status = last.Status
	}
	out += "  Mesh status:  " + text.Sanitize(status) + "\n  Accounts:     " + text.Thousands(s.watch.Last.Counts.Accounts) +
		"\n  Services:     " + text.Thousands(s.watch.Last.Counts.Services) + "\n\n"
	out += browserLine(t, s.browser, url, w)
	out += wrap(meshSteps(url, mesh.ConnectSteps), w)
	switch {
	case s.retry != nil:
		out += "\n" + retryLine(s.c, s.retry, w)
	case s.watch.Err != nil:
		out += "\n" + retrying(t, s.watch.Err, s.wait, w)
	default:
		out += "\n" + t.Muted.Render("This screen moves on by itself once accounts and services arrive.")
	}
	return out
}

// setSize: this screen lays itself out at view time.
func (s *waitingScreen) setSize(int, int) {}

func (s *waitingScreen) help() ui.Help { return ui.ShortOnly(s.keys.Open, s.keys.Back) }

func (s *waitingScreen) bindings() []key.Binding { return []key.Binding{s.keys.Open, s.keys.Back} }
