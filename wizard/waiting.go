package wizard

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// waitingScreen is step 4: it polls Synthesize until Mesh has checked in
// and sent its accounts and services (the core's rule says when); when
// connected by Mesh API key, until Synthesize has read Mesh.
type waitingScreen struct {
	poller
	watch  *core.FirstSync
	resync atomic.Bool // ask Synthesize to read Mesh again before the next poll
}

func newWaitingScreen(c *common) *waitingScreen {
	s := &waitingScreen{watch: c.sess.NewFirstSync()}
	s.poller = poller{c: c, dest: core.StepWaiting, done: core.SyncArrived, leave: core.Back,
		keys: pollKeys{Open: ui.Key("o", "open portal again", "o"), Again: ui.Key("r", "ask again", "r"), Leave: ui.Key("esc", "back to portal choice", "esc")},
		ask: func(ctx context.Context) (any, error) {
			if s.resync.Swap(false) {
				if err := c.sess.StartSync(ctx); err != nil {
					s.resync.Store(true)
					return nil, err
				}
			}
			return c.sess.PollIntegration(ctx)
		},
		observe: func(v any, err error) (bool, time.Duration) {
			d, _ := v.(gradient.IntegrationDetail)
			return s.watch.Observe(d, err)
		},
		renew: func() {
			s.watch = c.sess.NewFirstSync()
			pull := s.watch.Pull()
			s.keys.Open.SetEnabled(!pull)
			s.again = nil
			s.keys.Leave.SetHelp("esc", "back to portal choice")
			s.keys.Again.SetHelp("r", "ask again")
			if pull {
				s.keys.Leave.SetHelp("esc", "paste another key")
				s.keys.Again.SetHelp("r", "read Mesh again")
				s.again = func() { s.resync.Store(true) }
			}
		},
		failed: func() string { return s.watch.Failed() },
		news: func() string {
			switch {
			case s.watch.Renewing() && s.watch.Pull() && s.watch.CheckedIn():
				return "Synthesize read Mesh with the new key (…" + text.Sanitize(c.progress().KeyHint) + ")."
			case s.watch.Renewing() && s.watch.CheckedIn():
				return "Mesh has the new key (…" + text.Sanitize(c.progress().KeyHint) + "); the old one no longer works."
			}
			return ""
		}}
	return s
}

func (s *waitingScreen) view(w int) string {
	t := s.c.theme
	if s.watch.Pull() {
		return s.pullView(w)
	}
	url := portalURL(s.c.cfg, s.c.progress().Region)
	what, steps, next := "Waiting for Mesh's first Gradient Sync… ", mesh.ConnectSteps,
		"This screen moves on by itself once accounts and services arrive."
	if s.watch.Renewing() {
		what, steps, next = "Waiting for Mesh to take the new key… ", mesh.RenewSteps,
			"This screen goes home by itself once Mesh has the new key."
	}
	out := s.c.spinner.View() + what + s.elapsed() + "\n\n" + s.counts()
	out += browserLine(t, s.browser, url, w)
	done := 0
	if s.watch.CheckedIn() { // Mesh has the key: paste and Submit are behind
		done = 3
		next = "Key accepted by Synthesize. Now press Gradient Sync in Mesh: this screen moves on once accounts and services arrive."
	}
	out += meshSteps(t, url, steps, done, w)
	if trouble := s.trouble(s.watch.Err, w); trouble != "" {
		return out + "\n" + trouble
	}
	return out + "\n" + t.Muted.Render(wrap(next, w))
}

// counts is what the last answer showed.
func (s *waitingScreen) counts() string {
	status := "not checked in yet"
	if last := s.watch.Last; s.watch.Polled && last.Status != "" && last.Status != gradient.StatusInactive {
		status = last.Status
	}
	return "  Mesh status:  " + text.Sanitize(status) + "\n  Accounts:     " + text.Thousands(s.watch.Last.Counts.Accounts) +
		"\n  Services:     " + text.Thousands(s.watch.Last.Counts.Services) + "\n\n"
}

// pullView: connected by Mesh API key, nothing is pressed in Mesh;
// Synthesize reads Mesh, and this waits for what it brought.
func (s *waitingScreen) pullView(w int) string {
	t := s.c.theme
	what, next := "Synthesize is reading Mesh… ", "This screen moves on by itself once your customers have arrived as accounts and services."
	if s.watch.Renewing() {
		next = "This screen goes home by itself once Synthesize has read Mesh with the new key."
	}
	out := s.c.spinner.View() + what + s.elapsed() + "\n\n" + s.counts()
	if trouble := s.trouble(s.watch.Err, w); trouble != "" {
		return out + trouble + "\n\n" + t.Muted.Render(wrap("esc pastes another key; nothing else is lost.", w))
	}
	return out + t.Muted.Render(wrap(next, w))
}
