package wizard

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// finalSyncScreen is step 8: the user presses Gradient Sync in Mesh
// again, and the screen waits until the core's rule says the usage is in.
// Connected by Mesh API key, it asks Synthesize to read Mesh itself
// ("sync now") and waits for that pull.
type finalSyncScreen struct {
	poller
	watch *core.FinalSync
	sync  atomic.Bool // ask Synthesize to read Mesh before the next poll
}

func newFinalSyncScreen(c *common) *finalSyncScreen {
	s := &finalSyncScreen{watch: c.sess.NewFinalSync()}
	s.poller = poller{c: c, dest: core.StepFinalSync, done: core.UsageArrived, leave: core.Next,
		keys: pollKeys{Open: ui.Key("o", "open portal", "o"), Again: ui.Key("r", "ask again", "r"), Leave: ui.Key("n", "→ Billing without waiting", "n")},
		ask: func(ctx context.Context) (any, error) {
			if s.sync.Swap(false) {
				if err := c.sess.StartSync(ctx); err != nil {
					s.sync.Store(true)
					return nil, err
				}
			}
			return c.sess.PollUsage(ctx)
		},
		observe: func(v any, err error) (bool, time.Duration) {
			u, _ := v.(core.Usage)
			return s.watch.Observe(u, err)
		},
		renew: func() {
			s.watch = c.sess.NewFinalSync()
			pull := s.watch.Pull()
			s.keys.Open.SetEnabled(!pull)
			s.sync.Store(pull)
			s.again = nil
			if pull {
				s.again = func() { s.sync.Store(true) }
			}
		},
		failed: func() string { return s.watch.Failed() },
		news:   func() string { return finished(s.watch.Last) }}
	return s
}

// finished is the onboarding's last word: what was done, and what a start
// opens from now on.
func finished(u core.Usage) string {
	arrived := fmt.Sprintf("usage arrived for %d of %d mapped accounts", u.Arrived, u.Expected)
	if u.Expected > 0 && u.Arrived >= u.Expected {
		arrived = fmt.Sprintf("usage arrived for all %s", text.Count(u.Expected, "mapped account", "mapped accounts"))
	}
	return "Onboarding complete: Mesh is connected, the mappings are in Synthesize and " + arrived +
		". Reconcile below; from now on mesh-gradient opens home."
}

func (s *finalSyncScreen) view(w int) string {
	t := s.c.theme
	if s.watch.Pull() {
		out := t.OK.Render("✓ Mappings written to Synthesize.") + " " +
			wrap("Synthesize now reads Mesh once more (sync now): the usage of every mapped account comes with it.", w) + "\n\n"
		out += s.c.spinner.View() + "Waiting for Synthesize to read Mesh… " + s.elapsed() + "\n"
		out += "  " + s.watch.Last.Line() + "\n"
		if trouble := s.trouble(s.watch.Err, w); trouble != "" {
			return out + "\n" + trouble
		}
		return out + "\n" + t.Muted.Render(wrap("This screen moves on by itself once Synthesize has read Mesh.", w))
	}
	url := portalURL(s.c.cfg, s.c.progress().Region)
	out := t.OK.Render("✓ Mappings written to Synthesize.") + " One more Gradient Sync brings the usage in.\n\n"
	done := 0
	if s.watch.Synced() {
		done = len(mesh.FinalSyncSteps)
	}
	out += meshSteps(t, url, mesh.FinalSyncSteps, done, w)
	out += "\n" + s.c.spinner.View() + "Waiting for usage… " + s.elapsed() + "\n"
	out += "  " + s.watch.Last.Line() + "\n"
	switch trouble := s.trouble(s.watch.Err, w); {
	case trouble != "":
		return out + "\n" + trouble
	case s.watch.Last.Arrived > 0 && s.watch.Still >= 3:
		return out + "\n" + t.Muted.Render(wrap("Still waiting for some accounts. If they have no usage in Mesh, press n to go on with what has arrived.", w))
	}
	if s.c.sess.PortalForgotKey() {
		out += "\n" + t.Warn.Render(wrap("Sandbox: the emulated portal forgot the pasted key when mesh-gradient restarted: "+
			"paste your saved key there again before Gradient Sync, or press n and choose Issue a new key on home.", w)) + "\n"
	}
	return out + "\n" + t.Muted.Render(wrap("Moves on by itself when every mapped account's usage is in, or when Mesh has synced and gone quiet for 3 s.", w)+"\n"+wrap(mesh.DiscrepancyNote, w))
}
