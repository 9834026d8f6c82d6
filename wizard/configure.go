package wizard

import (
	"context"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// configMsg is what is integrated now.
type configMsg struct {
	cfg core.Configuration
	err error
}

// configuredMsg is Synthesize's answer to a change.
type configuredMsg struct {
	change core.ConfigChange
	err    error
}

type configureKeys struct {
	Toggle, Review, Home, Retry key.Binding
}

// configureScreen is a home action, the card's Configure: tick products
// and types, then a dialog says what the change does before anything is
// sent (PATCH /integrations/mesh).
type configureScreen struct {
	c        *common
	keys     configureKeys
	list     list.Model
	now      core.Configuration
	products []string // the choice on screen
	types    []string
	loaded   bool
	err      error
	confirm  ui.Confirm
	change   core.ConfigChange
	busy     string
	// preset is a type to tick once loaded: the Alerts screen's "turn
	// Alerts on" opens this screen with Alerts ticked and under the cursor.
	preset string
}

func newConfigureScreen(c *common) *configureScreen {
	s := &configureScreen{c: c, keys: configureKeys{
		Toggle: ui.Key("space", "toggle", " "),
		Review: ui.Key("enter", "review the change", "enter"),
		Home:   ui.Key("esc", "home, change nothing", "esc"),
		Retry:  ui.Key("r", "try again", "r"),
	}}
	var items []list.Item
	for _, p := range mesh.Products {
		items = append(items, choice{key: p.Key, name: p.Name, summary: p.Summary})
	}
	for _, t := range core.IntegrationTypes {
		items = append(items, choice{key: t.Key, name: t.Name, summary: t.Summary, isType: true})
	}
	s.list = ui.NewList(c.theme, items, s.renderRow, "choice", "choices")
	s.list.SetFilteringEnabled(false)
	s.list.SetShowStatusBar(false)
	s.list.SetShowPagination(false)
	return s
}

func (s *configureScreen) load() tea.Cmd {
	s.loaded, s.err, s.busy = false, nil, ""
	sess := s.c.sess
	return func() tea.Msg {
		cfg, err := sess.Configuration(context.Background())
		return configMsg{cfg: cfg, err: err}
	}
}

// on says whether a row is ticked on screen, and was whether it is
// integrated now.
func (s *configureScreen) on(ch choice) (on, was bool) {
	if ch.isType {
		return slices.Contains(s.types, ch.key), slices.Contains(s.now.Types, ch.key)
	}
	return slices.Contains(s.products, ch.key), slices.Contains(s.now.Products, ch.key)
}

// renderRow marks what the change adds or removes beside each box.
func (s *configureScreen) renderRow(it list.Item, selected bool, width int) string {
	t := s.c.theme
	ch := it.(choice)
	on, was := s.on(ch)
	box := "[ ]"
	if on {
		box = t.OK.Render("[x]")
	}
	name := lipgloss.NewStyle().Width(14).Render(ch.name)
	if selected {
		name = t.Selected.Render(name)
	}
	change := "        "
	switch {
	case on && !was:
		change = t.OK.Render("adds    ")
	case !on && was:
		change = t.Warn.Render("removes ")
	}
	return box + " " + name + " " + change + t.Muted.Render(ch.summary)
}

func (s *configureScreen) setSize(w, h int) {
	s.list.SetSize(w, min(len(s.list.Items()), max(h-4, 1)))
}

func (s *configureScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case configMsg:
		s.loaded, s.err = true, msg.err
		if msg.err == nil {
			s.now = msg.cfg
			s.products, s.types = slices.Clone(msg.cfg.Products), slices.Clone(msg.cfg.Types)
			s.applyPreset()
		}
		return nil
	case configuredMsg:
		s.busy = ""
		if msg.err != nil {
			return s.c.failure("Not changed: " + core.Explain(msg.err).String() + ". Synthesize keeps what it had; enter tries again.")
		}
		return emitWith(core.Chosen, "Changed in Synthesize: now "+msg.change.Summary()+".")
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

func (s *configureScreen) key(k tea.KeyMsg) tea.Cmd {
	if s.busy != "" {
		return nil
	}
	if s.confirm.Open() {
		yes, done, cmd := s.c.answer(&s.confirm, k)
		if !done || !yes {
			return cmd
		}
		return s.apply()
	}
	s.setKeys()
	switch {
	case key.Matches(k, s.keys.Home):
		return emit(core.Back)
	case key.Matches(k, s.keys.Retry):
		return s.load()
	case !s.loaded || s.err != nil:
		return nil
	case key.Matches(k, s.keys.Toggle):
		ch, ok := s.list.SelectedItem().(choice)
		if !ok {
			return nil
		}
		on, _ := s.on(ch)
		if ch.isType {
			s.types = core.Toggle(s.types, ch.key, !on, core.TypeKeys)
		} else {
			s.products = core.Toggle(s.products, ch.key, !on, core.ProductKeys)
		}
		return nil
	case key.Matches(k, s.keys.Review):
		return s.review()
	}
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(k)
	return cmd
}

// applyPreset ticks the preset type and puts the cursor on it.
func (s *configureScreen) applyPreset() {
	if s.preset == "" {
		return
	}
	s.types = core.Toggle(s.types, s.preset, true, core.TypeKeys)
	for i, it := range s.list.Items() {
		if ch := it.(choice); ch.isType && ch.key == s.preset {
			s.list.Select(i)
		}
	}
	s.preset = ""
}

// review says what the change does, in a dialog whose default is No.
func (s *configureScreen) review() tea.Cmd {
	if len(s.products) == 0 || len(s.types) == 0 {
		return s.c.failure(core.MissingChoice(store.Progress{Products: s.products, Types: s.types}) + " Space ticks the row under the cursor.")
	}
	s.change = core.PlanConfigure(s.now, s.products, s.types)
	if s.change.Empty() {
		return s.c.notice("Nothing changed: these are the products and types integrated now. esc goes home.")
	}
	s.confirm.Ask("Change what is integrated?", strings.Join(s.change.Effects(s.now), "\n\n"), "change it")
	return s.c.notice("") // earlier news is not about this change
}

// apply sends the change to Synthesize.
func (s *configureScreen) apply() tea.Cmd {
	s.busy = "Changing the products and types in Synthesize…"
	sess, change := s.c.sess, s.change
	return func() tea.Msg {
		_, err := sess.Configure(context.Background(), change.Products, change.Types)
		return configuredMsg{change: change, err: err}
	}
}

func (s *configureScreen) setKeys() {
	ready := s.loaded && s.err == nil
	s.keys.Toggle.SetEnabled(ready)
	s.keys.Review.SetEnabled(ready)
	s.keys.Retry.SetEnabled(s.loaded && s.err != nil)
}

func (s *configureScreen) view(w int) string {
	t := s.c.theme
	switch {
	case s.busy != "":
		return s.c.spinner.View() + s.busy
	case !s.loaded:
		return s.c.spinner.View() + "Asking Synthesize what is integrated now…"
	case s.err != nil:
		return t.Error.Render("Could not ask Synthesize what is integrated: ") + wrap(core.Explain(s.err).String()+".", w) +
			"\n\n" + wrap("Nothing was changed; r asks again, esc goes home.", w)
	case s.confirm.Open():
		return s.confirm.View(t, w)
	}
	return wrap("What should Synthesize integrate from Mesh? Tick products and types; enter says what the change does before anything is sent.", w) +
		"\n\n" + s.list.View()
}

func (s *configureScreen) help() ui.Help {
	if s.busy != "" {
		return ui.Help{}
	}
	if s.confirm.Open() {
		return s.confirm.Help()
	}
	s.setKeys()
	lk := s.list.KeyMap
	if !s.loaded || s.err != nil {
		return ui.ShortOnly(ui.Enabled(s.keys.Retry, s.keys.Home)...)
	}
	return ui.ShortOnly(s.keys.Toggle, lk.CursorUp, lk.CursorDown, s.keys.Home).WithMain(s.keys.Review)
}

func (s *configureScreen) bindings() []key.Binding {
	if s.busy != "" {
		return nil
	}
	if s.confirm.Open() {
		return s.confirm.Keys().Bindings()
	}
	s.setKeys()
	return append(ui.ListBindings(s.list), ui.Enabled(s.keys.Toggle, s.keys.Review, s.keys.Retry, s.keys.Home)...)
}
