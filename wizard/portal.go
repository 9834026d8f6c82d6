package wizard

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type portalItem struct{ mesh.Portal }

func (p portalItem) FilterValue() string { return p.Name }

type portalKeys struct {
	Open, Back key.Binding
}

// portalScreen is step 3: choose the Mesh portal and open it.
type portalScreen struct {
	c    *common
	keys portalKeys
	list list.Model
}

func newPortalScreen(c *common) *portalScreen {
	s := &portalScreen{c: c, keys: portalKeys{
		Open: ui.Key("enter", "open portal and wait", "enter", "o"),
		Back: ui.Key("esc", "back", "esc"),
	}}
	s.list = regionList(c, func(region string) string { return portalURL(c.cfg, region) }, "portal", "portals")
	return s
}

// regionList is a list of Mesh's regions, each with its address, the
// region chosen before selected.
func regionList(c *common, address func(region string) string, singular, plural string) list.Model {
	var items []list.Item
	sel := 0
	for i, p := range mesh.Portals {
		items = append(items, portalItem{p})
		if p.Region == c.progress().Region {
			sel = i
		}
	}
	l := ui.NewList(c.theme, items, func(it list.Item, selected bool, width int) string {
		p := it.(portalItem)
		name := fmt.Sprintf("%-14s", p.Name)
		if selected {
			name = c.theme.Selected.Render(name)
		}
		return name + " " + c.theme.Muted.Render(address(p.Region))
	}, singular, plural)
	l.SetFilteringEnabled(false)
	l.SetShowStatusBar(false)
	l.SetShowPagination(false)
	l.Select(sel)
	return l
}

func portalURL(cfg Config, region string) string { return PortalURL(cfg.PortalURL, region) }

// PortalURL is the page to open for a region: an emulated or overridden
// portal's Gradient page below base, or the real regional portal.
func PortalURL(base, region string) string {
	if base != "" {
		return strings.TrimRight(base, "/") + mesh.GradientPagePath(region)
	}
	for _, p := range mesh.Portals {
		if p.Region == region {
			return p.URL
		}
	}
	return mesh.Portals[0].URL
}

// TextBrowserRisk says why opening a browser might start a text browser
// in this terminal, or "". pkg/browser on Linux tries xdg-open, then
// x-www-browser, then www-browser, which is often lynx or w3m; and
// xdg-open itself runs $BROWSER when it is set.
func TextBrowserRisk(goos string, getenv func(string) string, lookPath func(string) (string, error)) string {
	if b := strings.Fields(getenv("BROWSER")); len(b) > 0 {
		switch filepath.Base(b[0]) {
		case "lynx", "w3m", "links", "links2", "elinks", "browsh", "www-browser", "carbonyl":
			return "BROWSER is " + filepath.Base(b[0]) + ", a text browser, which would take over this terminal"
		}
	}
	if goos != "linux" {
		return ""
	}
	for _, opener := range []string{"xdg-open", "x-www-browser"} {
		if _, err := lookPath(opener); err == nil {
			return ""
		}
	}
	return "no xdg-open or x-www-browser here, and the fallback may be a text browser"
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

// browserLine says what became of opening the portal.
func browserLine(t ui.Theme, b browserMsg, url string, w int) string {
	switch {
	case b.skipped != "":
		return t.Muted.Render(wrap("Not opening a browser ("+b.skipped+"). Open this address yourself:", w)) + "\n  " + url + "\n\n"
	case b.err != nil:
		return t.Warn.Render(wrap("Could not open a browser ("+text.Sanitize(b.err.Error())+"). Open this address yourself:", w)) + "\n  " + url + "\n\n"
	case b.url != "":
		return t.OK.Render("Opened the portal in your browser:") + "\n  " + url + "\n\n"
	}
	return "Portal: " + url + "\n\n"
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
	case key.Matches(k, s.keys.Open):
		region := s.selected().Region
		// The writer keeps order: the region is saved before the step moves.
		return tea.Batch(persisted(s.c.sess.Save(func(p *store.Progress) { p.Region = region }), nil),
			openPortal(s.c.cfg, portalURL(s.c.cfg, region)), emit(core.Chosen))
	case key.Matches(k, s.keys.Back):
		return emit(core.Back)
	}
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	return cmd
}

// meshSteps lists what the technician does in Mesh, the first done of
// them ticked off.
func meshSteps(t ui.Theme, url string, steps []string, done, w int) string {
	var b strings.Builder
	b.WriteString(wrap(fmt.Sprintf("In Mesh (%s):", url), w) + "\n")
	for i, st := range steps {
		mark := fmt.Sprintf("%-2s", fmt.Sprintf("%d.", i+1))
		if i < done {
			mark = "✓"
		}
		// A hanging indent: a step's second line starts under its text.
		lines := strings.Split(wrap(st, max(w-5, 10)), "\n")
		for j, l := range lines {
			l = strings.TrimRight(l, " ")
			if i < done {
				l = t.OK.Render(l)
			}
			if j == 0 {
				fmt.Fprintf(&b, "  %s %s\n", mark, l)
			} else {
				fmt.Fprintf(&b, "     %s\n", l)
			}
		}
	}
	return b.String()
}

func (s *portalScreen) view(w int) string {
	t := s.c.theme
	p := s.selected()
	out := "Choose your Mesh portal (the region your Mesh account lives in):\n\n" + s.list.View() + "\n\n" +
		meshSteps(t, portalURL(s.c.cfg, p.Region), s.steps(), 0, w)
	if why := browserSkip(s.c.cfg); why != "" {
		out += "\n" + t.Muted.Render(wrap("No browser will be opened ("+why+"): open the address above yourself.", w))
	}
	return out
}

// steps are Mesh's side: the whole connect, or for a new key of a
// connected integration, only pasting it.
func (s *portalScreen) steps() []string {
	if s.c.progress().Onboarded {
		return mesh.RenewSteps
	}
	return mesh.ConnectSteps
}

func (s *portalScreen) help() ui.Help {
	lk := s.list.KeyMap
	return ui.ShortOnly(lk.CursorUp, lk.CursorDown, s.keys.Back).WithMain(s.keys.Open)
}

func (s *portalScreen) bindings() []key.Binding {
	return append(ui.ListBindings(s.list), s.keys.Open, s.keys.Back)
}
