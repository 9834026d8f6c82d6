package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// homeItem is one entry of the home menu.
type homeItem struct{ core.HomeAction }

func (a homeItem) FilterValue() string { return a.Title }

type homeMsg struct {
	status core.Status
	err    error
}

type disconnectedMsg struct{ err error }

// homeSyncedMsg: Synthesize read Mesh (sync now), or why not.
type homeSyncedMsg struct{ err error }

type homeKeys struct {
	Choose, Retry key.Binding
}

// homeScreen is where a connected integration starts: its state, and what
// can be done with it.
type homeScreen struct {
	w, h    int
	c       *common
	keys    homeKeys
	status  core.Status
	loaded  bool
	err     error
	list    list.Model
	confirm ui.Confirm
	pending core.HomeAction
	busy    string
}

func newHomeScreen(c *common) *homeScreen {
	s := &homeScreen{c: c, keys: homeKeys{Choose: ui.Key("enter", "choose", "enter"), Retry: ui.Key("r", "try again", "r")}}
	s.list = ui.NewList(c.theme, s.items(), func(it list.Item, selected bool, width int) string {
		a := it.(homeItem)
		title := fmt.Sprintf("%-26s", a.Title)
		if selected {
			title = c.theme.Selected.Render(title)
		}
		return title + " " + c.theme.Muted.Render(a.Desc)
	}, "action", "actions")
	s.list.SetFilteringEnabled(false)
	s.list.SetShowStatusBar(false)
	s.list.SetShowPagination(false)
	return s
}

// items are the actions for the way Mesh is connected.
func (s *homeScreen) items() []list.Item {
	acts := core.HomeActionsOf(s.c.progress())
	items := make([]list.Item, len(acts))
	for i, a := range acts {
		items[i] = homeItem{a}
	}
	return items
}

func (s *homeScreen) load() tea.Cmd {
	s.err = nil
	if items := s.items(); len(items) != len(s.list.Items()) {
		s.list.SetItems(items)
		s.list.SetSize(s.w, len(items))
	}
	sess := s.c.sess
	return func() tea.Msg {
		status, err := sess.Status(context.Background())
		return homeMsg{status: status, err: err}
	}
}

func (s *homeScreen) setSize(w, h int) {
	s.w, s.h = w, h
	s.list.SetSize(w, len(s.list.Items()))
}

func (s *homeScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case homeMsg:
		s.status, s.err, s.loaded = msg.status, msg.err, true
		return nil
	case homeSyncedMsg:
		s.busy = ""
		cmd := s.load()
		if msg.err != nil {
			return tea.Batch(cmd, s.c.failure("Sync now failed: "+core.Explain(msg.err).What+"."))
		}
		return tea.Batch(cmd, s.c.notice("Synthesize read Mesh."))
	case disconnectedMsg:
		s.busy = ""
		cause := msg.err
		if inner := errors.Unwrap(cause); inner != nil {
			cause = inner // the core's own advice is for scripts
		}
		return s.c.failure("Disconnect failed: " + text.Sanitize(cause.Error()) + ". Nothing was changed here; choose Disconnect again to retry.")
	case tea.KeyMsg:
		if s.busy != "" {
			return nil
		}
		if s.confirm.Open() {
			return s.answer(msg)
		}
		s.keys.Retry.SetEnabled(s.err != nil)
		switch {
		case key.Matches(msg, s.keys.Choose):
			return s.choose()
		case key.Matches(msg, s.keys.Retry):
			return s.load()
		}
		var cmd tea.Cmd
		s.list, cmd = s.list.Update(msg)
		return cmd
	}
	return nil
}

func (s *homeScreen) choose() tea.Cmd {
	item, ok := s.list.SelectedItem().(homeItem)
	if !ok {
		return nil
	}
	a := item.HomeAction
	s.pending = a
	switch {
	case a.Disconnect:
		s.confirm.Ask("Disconnect Mesh from Synthesize?", core.DisconnectWarning, "disconnect")
		return nil
	case a.Sync:
		s.busy = "Synthesize is reading Mesh…"
		sess := s.c.sess
		return func() tea.Msg {
			_, err := sess.SyncNow(context.Background(), func(string) {})
			return homeSyncedMsg{err: err}
		}
	case a.Event == core.NewKey:
		s.confirm.Ask("Issue a new API key?", "The current key (…"+text.Sanitize(s.c.progress().KeyHint)+") stops working at once: "+
			"Mesh cannot sync until you paste the new key in Settings → Gradient and press Submit.", "issue a new key")
		return nil
	}
	return emit(a.Event)
}

func (s *homeScreen) answer(k tea.KeyMsg) tea.Cmd {
	yes, done, cmd := s.c.answer(&s.confirm, k)
	switch {
	case !done || !yes:
		return cmd
	case s.pending.Disconnect:
		s.busy = "Disconnecting Mesh in Synthesize…"
		sess := s.c.sess
		return func() tea.Msg {
			_, err := sess.Disconnect(context.Background())
			return disconnectedMsg{err: err}
		}
	}
	return emit(s.pending.Event)
}

func productNames(keys []string) string {
	var out []string
	for _, k := range keys {
		if p, ok := mesh.ProductByKey(k); ok {
			out = append(out, p.Name)
		} else {
			out = append(out, text.Sanitize(k))
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func typeNames(keys []string) string {
	var out []string
	for _, k := range keys {
		name := text.Sanitize(k)
		for _, t := range core.IntegrationTypes {
			if t.Key == k {
				name = t.Name
			}
		}
		out = append(out, name)
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func (s *homeScreen) view(w int) string {
	t := s.c.theme
	if s.busy != "" {
		return s.c.spinner.View() + s.busy
	}
	if s.confirm.Open() { // the dialog alone: what it says must show whole
		return s.confirm.View(t, w)
	}
	var groups [][]string
	warn := ""
	st, now := s.status, s.c.now()
	switch {
	case !s.loaded:
		groups = append(groups, []string{s.c.spinner.View() + "Asking Synthesize how the integration is…"})
	case s.err != nil:
		p := s.c.progress()
		return t.Warn.Render(wrap("Could not ask Synthesize: "+core.Explain(s.err).String()+". Showing what this computer knows; r tries again.", w)) + "\n" +
			wrapItems([]string{"Key …" + text.Sanitize(p.KeyHint), "mappings written " + text.Stamp(&p.MappingsWrittenAt, now)}, w) + "\n\n" + s.actions()
	default:
		state := t.OK.Render("connected")
		if st.Status != "active" {
			state = t.Warn.Render("connected")
		}
		unmapped := fmt.Sprintf("%d unmapped", st.UnmappedAccounts)
		if st.UnmappedAccounts > 0 {
			unmapped = t.Warn.Render(unmapped)
		}
		groups = append(groups,
			[]string{"Mesh is " + state, "vendor status " + t.Strong.Render(text.Sanitize(st.Status))},
			[]string{"Products: " + productNames(st.Products), "Types: " + typeNames(st.Types)},
			s.keyLine(now),
			[]string{fmt.Sprintf("%s: %d mapped, %d do not bill, ", text.Count(st.Counts.Accounts, "account", "accounts"), st.MappedAccounts, st.IgnoredAccounts) + unmapped,
				fmt.Sprintf("%s: %d mapped", text.Count(st.Counts.Services, "service", "services"), st.MappedServices),
				text.Count(st.Counts.Usage, "usage row", "usage rows")})
		warn = s.pullWarning(w)
		groups = append(groups, s.alertLines(w, s.spare(groups, w))...)
		if s.spare(groups, w) > 0 { // the failed alerts come first when room is short
			groups = append(groups, []string{t.Muted.Render("Mesh support: " + mesh.SupportURL)})
		}
		for len(groups) > 1 && s.spare(groups, w) < 0 { // the actions always show whole
			groups = groups[:len(groups)-1]
		}
	}
	lines := make([]string, len(groups))
	for i, g := range groups {
		lines[i] = wrapItems(g, w)
	}
	return strings.Join(lines, "\n") + warn + "\n\n" + s.actions()
}

// pullWarning says the last pull failed and what to do (connected by
// Mesh API key), on lines of its own below the facts; "" when it did not.
func (s *homeScreen) pullWarning(w int) string {
	lp := s.status.LastPull
	if lp == nil || lp.Error == "" {
		return ""
	}
	return "\n" + s.c.theme.Warn.Render(wrap("The last pull failed: "+text.Sanitize(lp.Error)+".", w)) + "\n" + wrap(core.PullAdvice(lp.Error)+".", w)
}

// actions are the menu, or the dialog that one of them opened.
func (s *homeScreen) actions() string {
	t, w := s.c.theme, s.w
	if s.confirm.Open() {
		return s.confirm.View(t, w)
	}
	return s.list.View()
}

func (s *homeScreen) help() ui.Help {
	if s.confirm.Open() {
		return s.confirm.Help()
	}
	lk := s.list.KeyMap
	s.keys.Retry.SetEnabled(s.err != nil)
	return ui.ShortOnly(ui.Enabled(s.keys.Retry, lk.CursorUp, lk.CursorDown)...).WithMain(s.keys.Choose)
}

func (s *homeScreen) bindings() []key.Binding {
	if s.busy != "" {
		return nil
	}
	if s.confirm.Open() {
		return s.confirm.Keys().Bindings()
	}
	s.keys.Retry.SetEnabled(s.err != nil)
	return append(ui.ListBindings(s.list), ui.Enabled(s.keys.Choose, s.keys.Retry)...)
}

// keyLine says how Mesh is connected: the key's hint, when, and the last
// sync (by Mesh API key: the last pull, and the hub).
func (s *homeScreen) keyLine(now time.Time) []string {
	st := s.status
	if lp := st.LastPull; lp != nil {
		pull := "last pull " + text.Stamp(lp.At, now)
		if lp.Error != "" {
			pull = s.c.theme.Warn.Render(pull + " failed")
		}
		return []string{"By Mesh API key …" + text.Sanitize(st.MeshKeyHint), "hub " + text.Sanitize(st.MeshAPIURL),
			"connected " + text.Stamp(st.ConnectedAt, now), pull}
	}
	return []string{"Key …" + text.Sanitize(st.KeyHint), "connected " + text.Stamp(st.ConnectedAt, now), "last sync " + text.Stamp(st.LastSyncAt, now)}
}
