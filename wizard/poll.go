package wizard

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// poller is a screen that waits on Synthesize while the user works in the
// Mesh portal: the first sync and the final sync. It polls with ask, lets
// the core's watcher (observe) say when it is done, and holds the
// generation that tells a stale answer from the current one, the retry
// under way, and what became of opening the portal.
type poller struct {
	c       *common
	keys    pollKeys
	dest    core.Step
	ask     func(context.Context) (any, error)
	observe func(any, error) (done bool, wait time.Duration)
	renew   func()        // a fresh watcher for a new wait
	done    core.Event    // when the watcher says so
	leave   core.Event    // on the Leave key
	news    func() string // what to say when the wait ends, either way
	// failed, when set, says why the wait cannot end by itself (a pull
	// from Mesh failed), or ""; again runs before asking once more after
	// that (ask Synthesize to read Mesh again).
	failed  func() string
	again   func()
	gen     int
	started time.Time
	wait    time.Duration
	retry   *retryNote
	browser browserMsg
	stuck   *core.Trouble // polling stopped: asking again would not help
}

type pollKeys struct {
	Open, Leave, Again key.Binding
}

// polledMsg is one poll's answer; pollTickMsg is time for the next.
type polledMsg struct {
	dest  core.Step
	gen   int
	value any
	err   error
}

type pollTickMsg struct {
	dest core.Step
	gen  int
}

// start begins a new wait (an earlier one's answers are ignored).
func (p *poller) start() tea.Cmd {
	p.gen++
	p.started, p.retry, p.stuck = p.c.now(), nil, nil
	p.renew()
	return p.poll()
}

func (p *poller) poll() tea.Cmd {
	gen, dest, ask := p.gen, p.dest, p.ask
	return watched(context.Background(), dest, gen, func(ctx context.Context) tea.Msg {
		v, err := ask(ctx)
		return polledMsg{dest: dest, gen: gen, value: v, err: err}
	})
}

func (p *poller) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, p.keys.Open):
			return openPortal(p.c.cfg, portalURL(p.c.cfg, p.c.progress().Region))
		case key.Matches(msg, p.keys.Leave):
			p.gen++ // answers still under way are ignored
			return emitWith(p.leave, p.ended())
		case p.stuck != nil && key.Matches(msg, p.keys.Again):
			p.gen++
			p.stuck = nil
			if p.again != nil {
				p.again()
			}
			return p.poll()
		}
	case browserMsg:
		p.browser = msg
	case retryMsg:
		if msg.gen == p.gen {
			p.retry = noteRetry(p.c, msg.retry)
		}
	case pollTickMsg:
		if msg.gen == p.gen {
			return p.poll()
		}
	case polledMsg:
		if msg.gen != p.gen {
			return nil
		}
		p.retry = nil
		done, wait := p.observe(msg.value, msg.err)
		if done {
			return emitWith(p.done, p.ended())
		}
		if t := core.Explain(msg.err); msg.err != nil && !t.Retry {
			p.stuck = &t // Synthesize answered no: asking again will not change that
			return nil
		}
		if why := p.whyFailed(); why != "" && msg.err == nil {
			t := core.Explain(&core.PullError{Why: why})
			p.stuck = &t
			return nil
		}
		p.wait = wait
		gen, dest := p.gen, p.dest
		return tea.Tick(wait, func(time.Time) tea.Msg { return pollTickMsg{dest: dest, gen: gen} })
	}
	return nil
}

func (p *poller) whyFailed() string {
	if p.failed == nil {
		return ""
	}
	return p.failed()
}

func (p *poller) ended() string {
	if p.news == nil {
		return ""
	}
	return p.news()
}

// elapsed is how long the wait has lasted.
func (p *poller) elapsed() string { return text.Elapsed(p.c.now().Sub(p.started)) }

// setSize: a waiting screen lays itself out at view time.
func (p *poller) setSize(int, int) {}

func (p *poller) help() ui.Help {
	p.keys.Again.SetEnabled(p.stuck != nil)
	switch {
	case p.stuck != nil:
		return ui.ShortOnly(ui.Enabled(p.keys.Open, p.keys.Leave)...).WithMain(p.keys.Again)
	case !p.keys.Open.Enabled():
		return ui.ShortOnly().WithMain(p.keys.Leave)
	case p.leave == core.Next: // the final sync: n goes on without waiting
		return ui.ShortOnly(p.keys.Open).WithMain(p.keys.Leave)
	}
	return ui.ShortOnly(p.keys.Leave).WithMain(p.keys.Open)
}

func (p *poller) bindings() []key.Binding {
	p.keys.Again.SetEnabled(p.stuck != nil)
	return ui.Enabled(p.keys.Open, p.keys.Leave, p.keys.Again)
}

// trouble says why the wait is struggling, or "" when it is not.
func (p *poller) trouble(err error, w int) string {
	t := p.c.theme
	switch {
	case p.stuck != nil && p.again != nil:
		return t.Error.Render(wrap(p.stuck.String()+". Press r to have Synthesize read Mesh again once that is fixed.", w))
	case p.stuck != nil:
		return t.Error.Render(wrap("Stopped asking: "+p.stuck.String()+". Press r to ask again once that is fixed.", w))
	case p.retry != nil:
		return retryLine(p.c, p.retry, w)
	case err != nil:
		return t.Warn.Render(wrap(core.Explain(err).String()+"; asking again in "+p.wait.String()+".", w))
	}
	return ""
}
