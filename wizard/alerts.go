package wizard

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// alertsMsg is what Synthesize said of the alerts.
type alertsMsg struct {
	alerts core.Alerts
	err    error
}

// alertsTickMsg: time to ask again while tickets are pending; shown
// drops a tick of a screen no longer shown.
type alertsTickMsg struct{ shown int }

// followMsg: a failed alert's fix, mapping its account.
type followMsg struct {
	accountID string
	notice    string
}

// pendingRecheck is how long the screen waits before asking again while
// a ticket is pending (the PSA takes seconds).
const pendingRecheck = 2 * time.Second

type alertsKeys struct {
	Reload, Filter, ClearFilter, Failed, Map, TurnOn, Home key.Binding
	KeepFilter, DropFilter                                 key.Binding
}

// alertsScreen is a home action: every alert Mesh sent, whether it
// became a PSA ticket, and for a failure why, with a key to the fix when
// the fix is here. Failed ones first; filter, detail, reload.
type alertsScreen struct {
	c          *common
	keys       alertsKeys
	data       core.Alerts
	shown      []core.AlertLine
	grid       ui.Grid
	filter     textinput.Model
	failedOnly bool
	loaded     bool
	busy       bool
	ticking    bool // a recheck is on its way
	detailRoom int  // lines left for the selected alert's detail
	err        error
	w, h       int
}

func newAlertsScreen(c *common) *alertsScreen {
	f := textinput.New()
	f.Prompt = "Filter: "
	grid := ui.NewGrid(c.theme, []ui.Column{{Title: " ", Width: 1}, {Title: "Account", Flex: 3}, {Title: "Company", Flex: 3},
		{Title: "Alert", Flex: 4}, {Title: "Priority", Width: 9}, {Title: "Ticket", Width: 9}})
	return &alertsScreen{c: c, grid: grid, filter: f, keys: alertsKeys{
		Reload:      ui.Key("r", "reload", "r", "ctrl+r"),
		Filter:      ui.Key("/", "filter", "/"),
		ClearFilter: ui.Key("esc", "clear filter", "esc"),
		Failed:      ui.Key("f", "failed only", "f"),
		Map:         ui.Key("m", "map this account", "m"),
		TurnOn:      ui.Key("c", "turn Alerts on", "c"),
		Home:        ui.Key("esc", "home", "esc"),
		KeepFilter:  ui.Key("enter", "keep filter", "enter"),
		DropFilter:  ui.Key("esc", "clear filter", "esc"),
	}}
}

func (s *alertsScreen) load() tea.Cmd {
	s.busy = true
	sess := s.c.sess
	return func() tea.Msg {
		a, err := sess.Alerts(context.Background())
		return alertsMsg{alerts: a, err: err}
	}
}

// recheck asks again in a while, once, while this screen is shown.
func (s *alertsScreen) recheck() tea.Cmd {
	if s.ticking {
		return nil
	}
	s.ticking = true
	shown := s.c.shown
	return tea.Tick(pendingRecheck, func(time.Time) tea.Msg { return alertsTickMsg{shown: shown} })
}

func (s *alertsScreen) typing() bool { return s.filter.Focused() }

func (s *alertsScreen) setSize(w, h int) {
	s.w, s.h = w, h
	s.layout()
}

// layout gives the grid what the head (2 lines) and the selected alert's
// detail leave; in a short terminal the grid keeps three rows and the
// detail gets what is left (cut, not wrapped over the footer).
func (s *alertsScreen) layout() {
	detail := 0
	if l, ok := s.selected(); ok {
		detail = 1 + lipgloss.Height(s.detail(l, s.w))
	}
	least := 2 + min(max(len(s.shown), 1), 3)
	s.grid.SetSize(s.w, max(s.h-2-detail, least))
	s.detailRoom = s.h - 2 - s.grid.Height() - 1
}

func (s *alertsScreen) selected() (core.AlertLine, bool) {
	i := s.grid.Cursor()
	if i < 0 || i >= len(s.shown) {
		return core.AlertLine{}, false
	}
	return s.shown[i], true
}

// ticketWord is the ticket status as the screen says it, with a mark
// that stays without colour.
func ticketWord(status string) (mark, word string) {
	switch status {
	case core.TicketSuccess:
		mark = "✓"
	case core.TicketPending:
		mark = "…"
	case core.TicketFailed:
		mark = "✗"
	default:
		mark = "?"
	}
	return mark, core.TicketWord(status)
}

// apply filters into the grid; the cursor stays on its alert.
func (s *alertsScreen) apply() {
	was, had := s.selected()
	words := strings.Fields(strings.ToLower(s.filter.Value()))
	s.shown = s.shown[:0]
lines:
	for _, l := range s.data.Lines {
		if s.failedOnly && l.TicketStatus != core.TicketFailed {
			continue
		}
		hay := strings.ToLower(strings.Join([]string{l.Account, l.Company, l.Title, l.Reason, l.TicketID, core.PriorityName(l.Priority)}, " "))
		for _, w := range words {
			if !strings.Contains(hay, w) {
				continue lines
			}
		}
		s.shown = append(s.shown, l)
	}
	rows := make([][]string, len(s.shown))
	cursor := 0
	for i, l := range s.shown {
		mark, word := ticketWord(l.TicketStatus)
		company := l.Company
		if company == "" {
			company = "—"
		}
		if l.TicketStatus == core.TicketSuccess && l.TicketID != "" {
			word = l.TicketID // ✓ says created; the id is what a technician looks up
		}
		rows[i] = []string{mark, l.Account, company, l.Title, core.PriorityName(l.Priority), word}
		if had && l.MessageID == was.MessageID {
			cursor = i
		}
	}
	t, shown := s.c.theme, s.shown
	s.grid.SetRows(rows, func(r, c int) lipgloss.Style {
		switch st := shown[r].TicketStatus; {
		case (c == 0 || c == 5) && st == core.TicketFailed:
			return t.Error // the ✗ and the word stay for NO_COLOR
		case (c == 0 || c == 5) && st == core.TicketSuccess:
			return t.OK
		case c == 4 && shown[r].Priority == gradient.PriorityVeryHigh:
			return t.Warn
		}
		return lipgloss.Style{}
	})
	s.grid.SetCursor(cursor)
	s.layout()
}

func (s *alertsScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case alertsMsg:
		s.busy, s.loaded = false, true
		if msg.err != nil {
			s.err = msg.err
			return nil
		}
		s.data, s.err = msg.alerts, nil
		s.apply()
		if s.data.Counts.Pending > 0 {
			return s.recheck()
		}
		return nil
	case alertsTickMsg:
		s.ticking = false
		if msg.shown != s.c.shown || s.busy {
			return nil // the screen was left: no more asking
		}
		return s.load()
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

func (s *alertsScreen) key(k tea.KeyMsg) tea.Cmd {
	if s.filter.Focused() {
		return typeFilter(&s.filter, k, s.keys.KeepFilter, s.keys.DropFilter, s.apply)
	}
	s.setKeys()
	keys := s.keys
	switch {
	case key.Matches(k, keys.Reload):
		if s.busy {
			return nil
		}
		return s.load()
	case key.Matches(k, keys.Filter), key.Matches(k, keys.ClearFilter):
		return startOrClearFilter(&s.filter, key.Matches(k, keys.Filter), s.apply)
	case key.Matches(k, keys.Failed):
		s.failedOnly = !s.failedOnly
		s.apply()
		if s.failedOnly {
			return s.c.notice("Showing failed alerts only (f: all).")
		}
		return s.c.notice("Showing every alert (f: failed only).")
	case key.Matches(k, keys.Map):
		l, _ := s.selected()
		return func() tea.Msg {
			return followMsg{accountID: l.AccountID, notice: "Choose the company for " + l.Account +
				"; then n reviews the change and enter writes it. Mesh's next alert for it becomes a ticket."}
		}
	case key.Matches(k, keys.TurnOn):
		return emit(core.OpenConfigure)
	case key.Matches(k, keys.Home):
		return emit(core.Back)
	}
	s.grid.Update(k)
	s.layout()
	return nil
}

// setKeys enables what does something now: m only on an alert whose fix
// is mapping its account, c only while Alerts is off, esc clears a
// filter before it goes home.
func (s *alertsScreen) setKeys() {
	k := &s.keys
	rows := len(s.data.Lines) > 0
	k.Filter.SetEnabled(rows)
	k.Failed.SetEnabled(rows)
	if s.failedOnly {
		k.Failed.SetHelp("f", "all alerts")
	} else {
		k.Failed.SetHelp("f", "failed only")
	}
	l, ok := s.selected()
	k.Map.SetEnabled(ok && l.MapAccount)
	if ok && l.MapAccount {
		k.Map.SetHelp("m", "map "+l.Account)
	}
	k.TurnOn.SetEnabled(s.loaded && s.err == nil && !s.data.Enabled)
	k.ClearFilter.SetEnabled(s.filter.Value() != "")
	k.Home.SetEnabled(s.filter.Value() == "")
}
