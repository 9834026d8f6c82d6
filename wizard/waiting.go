package wizard

import (
	"context"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// waitingScreen is step 4: it polls Synthesize until Mesh has checked in
// and sent its accounts and services (the core's rule says when).
type waitingScreen struct {
	poller
	watch *core.FirstSync
}

func newWaitingScreen(c *common) *waitingScreen {
	s := &waitingScreen{watch: c.sess.NewFirstSync()}
	s.poller = poller{c: c, dest: core.StepWaiting, done: core.SyncArrived, leave: core.Back,
		keys: pollKeys{Open: ui.Key("o", "open portal again", "o"), Again: ui.Key("r", "ask again", "r"), Leave: ui.Key("esc", "back to portal choice", "esc")},
		ask:  func(ctx context.Context) (any, error) { return c.sess.PollIntegration(ctx) },
		observe: func(v any, err error) (bool, time.Duration) {
			d, _ := v.(gradient.IntegrationDetail)
			return s.watch.Observe(d, err)
		},
		renew: func() { s.watch = c.sess.NewFirstSync() },
		news: func() string {
			if s.watch.Renewing() && s.watch.CheckedIn() {
				return "Mesh has the new key (…" + text.Sanitize(c.progress().KeyHint) + "); the old one no longer works."
			}
			return ""
		}}
	return s
}

func (s *waitingScreen) view(w int) string {
	t := s.c.theme
	url := portalURL(s.c.cfg, s.c.progress().Region)
	what, steps, next := "Waiting for Mesh's first Gradient Sync… ", mesh.ConnectSteps,
		"This screen moves on by itself once accounts and services arrive."
	if s.watch.Renewing() {
		what, steps, next = "Waiting for Mesh to take the new key… ", mesh.RenewSteps,
			"This screen goes home by itself once Mesh has the new key."
	}
	out := s.c.spinner.View() + what + s.elapsed() + "\n\n"
	status := "not checked in yet"
	if last := s.watch.Last; s.watch.Polled && last.Status != "" && last.Status != gradient.StatusInactive {
		status = last.Status
	}
	out += "  Mesh status:  " + text.Sanitize(status) + "\n  Accounts:     " + text.Thousands(s.watch.Last.Counts.Accounts) +
		"\n  Services:     " + text.Thousands(s.watch.Last.Counts.Services) + "\n\n"
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
