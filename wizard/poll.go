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
	renew   func()     // a fresh watcher for a new wait
	done    core.Event // when the watcher says so
	leave   core.Event // on the Leave key
	gen     int
	started time.Time
	wait    time.Duration
	retry   *retryNote
	browser browserMsg
}

type pollKeys struct {
	Open, Leave key.Binding
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
	p.started, p.retry = p.c.now(), nil
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
			return emit(p.leave)
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
			return emit(p.done)
		}
		p.wait = wait
		gen, dest := p.gen, p.dest
		return tea.Tick(wait, func(time.Time) tea.Msg { return pollTickMsg{dest: dest, gen: gen} })
	}
	return nil
}

// elapsed is how long the wait has lasted.
func (p *poller) elapsed() string { return text.Elapsed(p.c.now().Sub(p.started)) }

// setSize: a waiting screen lays itself out at view time.
func (p *poller) setSize(int, int) {}

func (p *poller) help() ui.Help { return ui.ShortOnly(p.keys.Open, p.keys.Leave) }

func (p *poller) bindings() []key.Binding { return []key.Binding{p.keys.Open, p.keys.Leave} }

// trouble says why the wait is struggling, or "" when it is not.
func (p *poller) trouble(err error, w int) string {
	switch {
	case p.retry != nil:
		return retryLine(p.c, p.retry, w)
	case err != nil:
		return retrying(p.c.theme, err, p.wait, w)
	}
	return ""
}
