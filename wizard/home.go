package wizard

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui"
)

type homeAction int

const (
	actionAccounts homeAction = iota + 1
	actionServices
	actionBilling
	actionRekey
	actionDisconnect
)

type actionItem struct {
	action homeAction
	title  string
	desc   string
}

func (a actionItem) FilterValue() string { return a.title }

var homeActions = []actionItem{
	{actionAccounts, "Update account mappings", "Mesh accounts → PSA companies; new accounts are marked"},
	{actionServices, "Update service mappings", "Mesh services → PSA products"},
	{actionBilling, "Billing and reconcile", "Mesh usage against PSA quantities; export CSV"},
	{actionRekey, "Issue a new key", "the old key stops working; Mesh needs the new one"},
	{actionDisconnect, "Disconnect", "remove the integration and every mapping"},
}

type homeActionMsg struct{ action homeAction }

type homeMsg struct {
	status Status
	err    error
}

// homeScreen is where a connected integration starts: its state, and what
// can be done with it.
type homeScreen struct {
	c       *common
	status  Status
	loaded  bool
	err     error
	list    list.Model
	confirm ui.Confirm
	pending homeAction
	busy    string
}

func newHomeScreen(c *common) *homeScreen {
	s := &homeScreen{c: c, confirm: ui.NewConfirm(c.keys)}
	items := make([]list.Item, len(homeActions))
	for i, a := range homeActions {
		items[i] = a
	}
	s.list = ui.NewList(c.theme, items, func(it list.Item, selected bool, width int) string {
		a := it.(actionItem)
		title := fmt.Sprintf("%-26s", a.title)
		if selected {
			title = c.theme.Selected.Render(title)
		}
		return title + " " + c.theme.Muted.Render(a.desc)
	}, "action", "actions")
	s.list.SetFilteringEnabled(false)
	s.list.SetShowStatusBar(false)
	s.list.SetShowPagination(false)
	return s
}

func (s *homeScreen) load() tea.Cmd {
	s.err = nil
	pc, st := s.c.cfg.Partner, s.c.cfg.Store
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		status, err := CollectStatus(ctx, pc, st)
		return homeMsg{status: status, err: err}
	}
}

func (s *homeScreen) setSize(w, h int) { s.list.SetSize(w, len(homeActions)) }

func (s *homeScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case homeMsg:
		s.status, s.err, s.loaded = msg.status, msg.err, true
		return nil
	case disconnectedMsg:
		s.busy = ""
		return failure("Disconnect failed: " + clean(msg.err.Error()) + ". Nothing was changed here; choose Disconnect again to retry.")
	case tea.KeyMsg:
		if s.busy != "" {
			return nil
		}
		if s.confirm.Open() {
			answered, yes := s.confirm.Update(msg)
			switch {
			case answered && yes && s.pending == actionDisconnect:
				s.busy = "Disconnecting Mesh in Synthesize…"
				return func() tea.Msg { return homeActionMsg{action: actionDisconnect} }
			case answered && yes:
				return func() tea.Msg { return homeActionMsg{action: s.pending} }
			case answered:
				return notice("Cancelled: nothing changed.")
			}
			return nil
		}
		switch {
		case key.Matches(msg, s.c.keys.Enter):
			a, ok := s.list.SelectedItem().(actionItem)
			if !ok {
				return nil
			}
			s.pending = a.action
			switch a.action {
			case actionDisconnect:
				s.confirm.Ask("Disconnect Mesh from Synthesize?", DisconnectWarning, "disconnect")
				return nil
			case actionRekey:
				s.confirm.Ask("Issue a new API key?", "The current key (…"+s.c.progress.KeyHint+") stops working at once: "+
					"Mesh cannot sync until you paste the new key in Settings → Gradient and press Submit.", "issue a new key")
				return nil
			}
			return func() tea.Msg { return homeActionMsg{action: a.action} }
		case key.Matches(msg, s.c.keys.Retry) && s.err != nil:
			return s.load()
		}
		var cmd tea.Cmd
		s.list, cmd = s.list.Update(msg)
		return cmd
	}
	return nil
}

func productNames(keys []string) string {
	var out []string
	for _, k := range keys {
		if p, ok := mesh.ProductByKey(k); ok {
			out = append(out, p.Name)
		} else {
			out = append(out, clean(k))
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
		name := clean(k)
		for _, t := range integrationTypes {
			if t.key == k {
				name = t.name
			}
		}
		out = append(out, name)
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func when(t *time.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return "never"
	}
	ago := now.Sub(*t).Truncate(time.Minute)
	stamp := t.Local().Format("2006-01-02 15:04")
	switch {
	case ago < time.Minute:
		return stamp + " (just now)"
	case ago < 48*time.Hour:
		return fmt.Sprintf("%s (%s ago)", stamp, ago)
	}
	return stamp
}

func (s *homeScreen) view(w int) string {
	t := s.c.theme
	if s.busy != "" {
		return s.c.spinner.View() + s.busy
	}
	var b strings.Builder
	st := s.status
	switch {
	case !s.loaded:
		b.WriteString(s.c.spinner.View() + "Asking Synthesize how the integration is…\n")
	case s.err != nil:
		b.WriteString(t.Warn.Render(wrap("Could not reach Synthesize: "+clean(s.err.Error())+". Showing what this computer knows; r tries again.", w)) + "\n")
		fmt.Fprintf(&b, "Key …%s · mappings written %s\n", s.c.progress.KeyHint, when(&s.c.progress.MappingsWrittenAt, s.c.cfg.Now()))
	default:
		state := t.OK.Render("connected")
		if st.Status != "active" {
			state = t.Warn.Render("connected")
		}
		fmt.Fprintf(&b, "Mesh is %s · vendor status %s\n", state, t.Strong.Render(clean(st.Status)))
		fmt.Fprintf(&b, "Products: %s · Types: %s\n", productNames(st.Products), typeNames(st.Types))
		fmt.Fprintf(&b, "Key …%s · connected %s · last sync %s\n", clean(st.KeyHint), when(st.ConnectedAt, s.c.cfg.Now()), when(st.LastSyncAt, s.c.cfg.Now()))
		fmt.Fprintf(&b, "Accounts %d: %d mapped, %d do not bill, ", st.Counts.Accounts, st.MappedAccounts, st.IgnoredAccounts)
		unmapped := fmt.Sprintf("%d unmapped", st.UnmappedAccounts)
		if st.UnmappedAccounts > 0 {
			unmapped = t.Warn.Render(unmapped)
		}
		b.WriteString(unmapped)
		fmt.Fprintf(&b, " · Services %d: %d mapped · Usage rows %d · Alerts %d\n", st.Counts.Services, st.MappedServices, st.Counts.Usage, st.Counts.Alerts)
	}
	out := wrap(strings.TrimRight(b.String(), "\n"), w) + "\n\n"
	b.Reset()
	b.WriteString(out)
	if s.confirm.Open() {
		b.WriteString(s.confirm.View(t, w))
	} else {
		b.WriteString(s.list.View())
	}
	return b.String()
}

func (s *homeScreen) help() ui.Help {
	if s.confirm.Open() {
		return s.confirm.Help()
	}
	k := s.c.keys
	short := []key.Binding{k.Up, k.Down, ui.With(k.Enter, "choose")}
	if s.err != nil {
		short = append(short, k.Retry)
	}
	return ui.Help{Short: short, Full: [][]key.Binding{short}}
}
