package wizard

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type finalSyncKeys struct {
	Open, Next key.Binding
}

// finalSyncScreen is step 8: the user presses Gradient Sync in Mesh
// again, and the screen waits until the core's rule says the usage is in.
type finalSyncScreen struct {
	c       *common
	keys    finalSyncKeys
	gen     int
	started time.Time
	watch   *core.FinalSync
	wait    time.Duration
	retry   *retryNote // the poll under way is being retried
	browser browserMsg
}

func newFinalSyncScreen(c *common) *finalSyncScreen {
	return &finalSyncScreen{c: c, watch: c.sess.NewFinalSync(), keys: finalSyncKeys{
		Open: ui.Key("o", "open portal", "o"),
		Next: ui.Key("n", "go on to billing", "n"),
	}}
}

type usageMsg struct {
	gen   int
	usage core.Usage
	err   error
}

type usageTickMsg struct{ gen int }

func (s *finalSyncScreen) start() tea.Cmd {
	s.gen++
	s.started, s.watch = s.c.now(), s.c.sess.NewFinalSync()
	return s.poll()
}

func (s *finalSyncScreen) poll() tea.Cmd {
	gen, sess := s.gen, s.c.sess
	return watched(context.Background(), core.StepFinalSync, gen, func(ctx context.Context) tea.Msg {
		u, err := sess.PollUsage(ctx)
		return usageMsg{gen: gen, usage: u, err: err}
	})
}

func (s *finalSyncScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case browserMsg:
		s.browser = msg
	case retryMsg:
		if msg.gen == s.gen {
			s.retry = noteRetry(s.c, msg.retry)
		}
	case usageMsg:
		if msg.gen != s.gen {
			return nil
		}
		s.retry = nil
		done, wait := s.watch.Observe(msg.usage, msg.err)
		if done {
			return emit(core.UsageArrived)
		}
		s.wait = wait
		gen := s.gen
		return tea.Tick(wait, func(time.Time) tea.Msg { return usageTickMsg{gen: gen} })
	case usageTickMsg:
		if msg.gen == s.gen {
			return s.poll()
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, s.keys.Open):
			return openPortal(s.c.cfg, portalURL(s.c.cfg, s.c.progress().Region))
		case key.Matches(msg, s.keys.Next):
			s.gen++
			return emit(core.Next)
		}
	}
	return nil
}

func (s *finalSyncScreen) view(w int) string {
	t := s.c.theme
	url := portalURL(s.c.cfg, s.c.progress().Region)
	out := t.OK.Render("✓ Mappings written to Synthesize.") + " One more Gradient Sync brings the usage in.\n\n"
	out += meshSteps(url, mesh.FinalSyncSteps)
	out += "\n" + s.c.spinner.View() + "Waiting for usage… " + text.Elapsed(s.c.now().Sub(s.started)) + "\n"
	out += "  " + s.watch.Last.Line() + "\n"
	switch {
	case s.retry != nil:
		out += "\n" + retryLine(s.c, s.retry, w)
	case s.watch.Err != nil:
		out += "\n" + retrying(t, s.watch.Err, s.wait, w)
	case s.watch.Last.Arrived > 0 && s.watch.Still >= 3:
		out += "\n" + t.Muted.Render(wrap("Still waiting for some accounts. If they have no usage in Mesh, press n to go on with what has arrived.", w))
	default:
		out += "\n" + t.Muted.Render("This screen moves on by itself once every mapped account's usage is in.")
	}
	return out
}

// setSize: this screen lays itself out at view time.
func (s *finalSyncScreen) setSize(int, int) {}

func (s *finalSyncScreen) help() ui.Help { return ui.ShortOnly(s.keys.Open, s.keys.Next) }

func (s *finalSyncScreen) bindings() []key.Binding { return []key.Binding{s.keys.Open, s.keys.Next} }
