package wizard

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type apiKeysKeys struct {
	Open, Back key.Binding
}

// apiKeysScreen is flow 1b's step 2: choose the hub, open its API-keys
// page, and read what to do there.
type apiKeysScreen struct {
	c    *common
	keys apiKeysKeys
	list list.Model
}

func newAPIKeysScreen(c *common) *apiKeysScreen {
	s := &apiKeysScreen{c: c, keys: apiKeysKeys{
		Open: ui.Key("enter", "open API-keys page → key", "enter", "o"),
		Back: ui.Key("esc", "back", "esc"),
	}}
	s.list = regionList(c, func(region string) string { return APIKeysURL(c.cfg.PortalURL, region) }, "hub", "hubs")
	return s
}

// APIKeysURL is where Mesh's API keys are made for a region: the emulated
// or overridden portal's page below base, or the real regional hub.
func APIKeysURL(base, region string) string {
	if base != "" {
		return strings.TrimRight(base, "/") + mesh.APIKeysPagePath(region)
	}
	return PortalURL("", region)
}

func (s *apiKeysScreen) selected() mesh.Portal {
	if p, ok := s.list.SelectedItem().(portalItem); ok {
		return p.Portal
	}
	return mesh.Portals[0]
}

func (s *apiKeysScreen) setSize(w, h int) { s.list.SetSize(w, len(mesh.Portals)) }

func (s *apiKeysScreen) update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, s.keys.Open):
		region := s.selected().Region
		return tea.Batch(persisted(s.c.sess.Save(func(p *store.Progress) { p.Region = region }), nil),
			openPortal(s.c.cfg, APIKeysURL(s.c.cfg.PortalURL, region)), emit(core.Chosen))
	case key.Matches(k, s.keys.Back):
		return emit(core.Back)
	case k.Paste:
		// The key pasted a screen early: it goes to the key's masked
		// input, never taken as keys (its q would quit).
		region := s.selected().Region
		return tea.Sequence(persisted(s.c.sess.Save(func(p *store.Progress) { p.Region = region }), nil),
			emit(core.Chosen), func() tea.Msg { return k })
	}
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	return cmd
}

func (s *apiKeysScreen) view(w int) string {
	t := s.c.theme
	p := s.selected()
	intro := "Synthesize reads Mesh with an API key that you make in Mesh. Choose your Mesh hub (the region your Mesh account lives in):"
	if s.c.progress().Onboarded {
		intro = "Make a new API key in Mesh for Synthesize (the old one expired or was deleted). Choose your Mesh hub:"
	}
	out := wrap(intro, w) + "\n\n" + s.list.View() + "\n\n" +
		meshSteps(t, APIKeysURL(s.c.cfg.PortalURL, p.Region), mesh.APIKeySteps, 0, w)
	if why := browserSkip(s.c.cfg); why != "" {
		out += "\n" + t.Muted.Render(wrap("No browser will be opened ("+why+"): open the address above yourself.", w))
	}
	return out
}

func (s *apiKeysScreen) help() ui.Help {
	lk := s.list.KeyMap
	return ui.ShortOnly(lk.CursorUp, lk.CursorDown, s.keys.Back).WithMain(s.keys.Open)
}

func (s *apiKeysScreen) bindings() []key.Binding {
	return append(ui.ListBindings(s.list), s.keys.Open, s.keys.Back)
}
