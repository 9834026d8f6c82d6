package wizard

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
)

type portalItem struct{ mesh.Portal }

func (p portalItem) FilterValue() string { return p.Name }

// portalScreen is step 3: choose the Mesh portal and open it.
type portalScreen struct {
	c    *common
	list list.Model
}

func newPortalScreen(c *common, region string) *portalScreen {
	s := &portalScreen{c: c}
	var items []list.Item
	sel := 0
	for i, p := range mesh.Portals {
		items = append(items, portalItem{p})
		if p.Region == region {
			sel = i
		}
	}
	s.list = ui.NewList(c.theme, items, func(it list.Item, selected bool, width int) string {
		p := it.(portalItem)
		name := fmt.Sprintf("%-14s", p.Name)
		if selected {
			name = c.theme.Selected.Render(name)
		}
		return name + " " + c.theme.Muted.Render(portalURL(c.cfg, p.Region))
	}, "portal", "portals")
	s.list.SetFilteringEnabled(false)
	s.list.SetShowStatusBar(false)
	s.list.SetShowPagination(false)
	s.list.Select(sel)
	return s
}

// portalURL is the page to open for a region: the emulated or overridden
// portal's Gradient page, or the real regional portal.
func portalURL(cfg Config, region string) string {
	if cfg.PortalURL != "" {
		return strings.TrimRight(cfg.PortalURL, "/") + mesh.GradientPagePath(region)
	}
	for _, p := range mesh.Portals {
		if p.Region == region {
			return p.URL
		}
	}
	return mesh.Portals[0].URL
}

// browserSkip says why no browser should be opened, or "" to open one.
func browserSkip(cfg Config) string {
	switch {
	case cfg.NoBrowser:
		return "--no-browser"
	case cfg.Getenv("SSH_TTY") != "" || cfg.Getenv("SSH_CONNECTION") != "":
		return "this is an SSH session"
	case runtime.GOOS == "linux" && cfg.Getenv("DISPLAY") == "" && cfg.Getenv("WAYLAND_DISPLAY") == "":
		return "there is no display"
	case cfg.BrowserRisk != "":
		return cfg.BrowserRisk
	}
	return ""
}

type browserMsg struct {
	url     string
	skipped string
	err     error
}

// openPortal opens the browser in a command: on Linux OpenURL waits for
// the browser and may start a text one, so it must never run in Update.
func openPortal(cfg Config, url string) tea.Cmd {
	if why := browserSkip(cfg); why != "" {
		return func() tea.Msg { return browserMsg{url: url, skipped: why} }
	}
	open := cfg.OpenURL
	return func() tea.Msg { return browserMsg{url: url, err: open(url)} }
}

func (s *portalScreen) setSize(w, h int) { s.list.SetSize(w, len(mesh.Portals)) }

func (s *portalScreen) selected() mesh.Portal {
	if p, ok := s.list.SelectedItem().(portalItem); ok {
		return p.Portal
	}
	return mesh.Portals[0]
}

func (s *portalScreen) update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, s.c.keys.Enter), key.Matches(k, s.c.keys.Open):
		region := s.selected().Region
		return tea.Sequence(s.c.save(func(p *store.Progress) { p.Region = region }),
			tea.Batch(openPortal(s.c.cfg, portalURL(s.c.cfg, region)), goStep(stepWaiting)))
	case key.Matches(k, s.c.keys.Back):
		return goStep(stepKey)
	}
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	return cmd
}

func meshSteps(url string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "In Mesh (%s):\n", url)
	for i, st := range mesh.ConnectSteps {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, st)
	}
	return b.String()
}

func (s *portalScreen) view(w int) string {
	t := s.c.theme
	p := s.selected()
	out := "Choose your Mesh portal (the region your Mesh account lives in):\n\n" + s.list.View() + "\n\n" +
		wrap(meshSteps(portalURL(s.c.cfg, p.Region)), w)
	if why := browserSkip(s.c.cfg); why != "" {
		out += "\n" + t.Muted.Render(wrap("No browser will be opened ("+why+"): open the address above yourself.", w))
	}
	return out
}

func (s *portalScreen) help() ui.Help {
	k := s.c.keys
	short := []key.Binding{k.Up, k.Down, ui.With(k.Enter, "open portal and wait"), k.Back}
	return ui.Help{Short: short, Full: [][]key.Binding{short}}
}

// ---- step 4: waiting for the first Gradient Sync ----

// waitingScreen polls Synthesize until Mesh has checked in and sent its
// accounts and services.
type waitingScreen struct {
	c       *common
	gen     int // polls of an earlier visit are ignored
	started time.Time
	wait    time.Duration
	last    gradient.IntegrationDetail
	polled  bool
	err     error
	retry   *retryNote // the poll under way is being retried
	browser browserMsg
}

func newWaitingScreen(c *common) *waitingScreen { return &waitingScreen{c: c} }

type pollMsg struct {
	gen    int
	detail gradient.IntegrationDetail
	err    error
}

type pollTickMsg struct{ gen int }

func (s *waitingScreen) start() tea.Cmd {
	s.gen++
	s.started, s.wait, s.err = s.c.cfg.Now(), s.c.cfg.PollEvery, nil
	return s.poll()
}

func (s *waitingScreen) poll() tea.Cmd {
	gen, pc := s.gen, s.c.cfg.Partner
	return watched(context.Background(), stepWaiting, gen, func(ctx context.Context) tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		d, err := pc.Integration(ctx)
		return pollMsg{gen: gen, detail: d, err: err}
	})
}

// arrived: Mesh checked in (pending or later) and sent accounts and services.
func arrived(d gradient.IntegrationDetail) bool {
	return d.Status != gradient.StatusInactive && d.Status != "" && d.Counts.Accounts > 0 && d.Counts.Services > 0
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
		changed := !s.polled || msg.detail.Counts != s.last.Counts || msg.detail.Status != s.last.Status
		s.err, s.polled = msg.err, true
		switch {
		case msg.err != nil:
			s.wait = min(s.wait*2, 30*time.Second) // Synthesize is struggling: ask less often
		case arrived(msg.detail):
			s.last = msg.detail
			return goStep(stepAccounts)
		default:
			s.last = msg.detail
			if changed {
				s.wait = s.c.cfg.PollEvery
			} else {
				s.wait = min(s.wait*3/2, 8*time.Second)
			}
		}
		gen := s.gen
		return tea.Tick(s.wait, func(time.Time) tea.Msg { return pollTickMsg{gen: gen} })
	case pollTickMsg:
		if msg.gen == s.gen {
			return s.poll()
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, s.c.keys.Back):
			s.gen++ // stop polling
			return goStep(stepPortal)
		case key.Matches(msg, s.c.keys.Open):
			return openPortal(s.c.cfg, portalURL(s.c.cfg, s.c.progress.Region))
		}
	}
	return nil
}

func (s *waitingScreen) view(w int) string {
	t := s.c.theme
	url := portalURL(s.c.cfg, s.c.progress.Region)
	elapsed := s.c.cfg.Now().Sub(s.started).Truncate(time.Second)
	out := s.c.spinner.View() + fmt.Sprintf("Waiting for Mesh's first Gradient Sync… %s\n\n", elapsed)
	status := "not checked in yet"
	if s.polled && s.last.Status != "" && s.last.Status != gradient.StatusInactive {
		status = s.last.Status
	}
	out += fmt.Sprintf("  Mesh status:  %s\n  Accounts:     %d\n  Services:     %d\n\n", clean(status), s.last.Counts.Accounts, s.last.Counts.Services)
	switch {
	case s.browser.skipped != "":
		out += t.Muted.Render(wrap("Not opening a browser ("+s.browser.skipped+"). Open this address yourself:", w)) + "\n  " + url + "\n\n"
	case s.browser.err != nil:
		out += t.Warn.Render(wrap("Could not open a browser ("+clean(s.browser.err.Error())+"). Open this address yourself:", w)) + "\n  " + url + "\n\n"
	case s.browser.url != "":
		out += t.OK.Render("Opened the portal in your browser:") + "\n  " + url + "\n\n"
	default:
		out += "Portal: " + url + "\n\n"
	}
	out += wrap(meshSteps(url), w)
	switch {
	case s.retry != nil:
		out += "\n" + retryLine(s.c, s.retry, w)
	case s.err != nil:
		out += "\n" + retrying(t, s.err, s.wait, w)
	default:
		out += "\n" + t.Muted.Render("This screen moves on by itself once accounts and services arrive.")
	}
	return out
}

// setSize: this screen lays itself out at view time.
func (s *waitingScreen) setSize(int, int) {}

func (s *waitingScreen) help() ui.Help {
	k := s.c.keys
	short := []key.Binding{ui.With(k.Open, "open portal again"), ui.With(k.Back, "back to portal choice")}
	return ui.Help{Short: short, Full: [][]key.Binding{short}}
}
