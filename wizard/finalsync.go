package wizard

import (
	"context"
	"time"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// finalSyncScreen is step 8: the user presses Gradient Sync in Mesh
// again, and the screen waits until the core's rule says the usage is in.
type finalSyncScreen struct {
	poller
	watch *core.FinalSync
}

func newFinalSyncScreen(c *common) *finalSyncScreen {
	s := &finalSyncScreen{watch: c.sess.NewFinalSync()}
	s.poller = poller{c: c, dest: core.StepFinalSync, done: core.UsageArrived, leave: core.Next,
		keys: pollKeys{Open: ui.Key("o", "open portal", "o"), Leave: ui.Key("n", "go on to billing", "n")},
		ask:  func(ctx context.Context) (any, error) { return c.sess.PollUsage(ctx) },
		observe: func(v any, err error) (bool, time.Duration) {
			u, _ := v.(core.Usage)
			return s.watch.Observe(u, err)
		},
		renew: func() { s.watch = c.sess.NewFinalSync() }}
	return s
}

func (s *finalSyncScreen) view(w int) string {
	t := s.c.theme
	url := portalURL(s.c.cfg, s.c.progress().Region)
	out := t.OK.Render("✓ Mappings written to Synthesize.") + " One more Gradient Sync brings the usage in.\n\n"
	out += meshSteps(url, mesh.FinalSyncSteps)
	out += "\n" + s.c.spinner.View() + "Waiting for usage… " + s.elapsed() + "\n"
	out += "  " + s.watch.Last.Line() + "\n"
	switch trouble := s.trouble(s.watch.Err, w); {
	case trouble != "":
		return out + "\n" + trouble
	case s.watch.Last.Arrived > 0 && s.watch.Still >= 3:
		return out + "\n" + t.Muted.Render(wrap("Still waiting for some accounts. If they have no usage in Mesh, press n to go on with what has arrived.", w))
	}
	return out + "\n" + t.Muted.Render("This screen moves on by itself once every mapped account's usage is in.")
}
