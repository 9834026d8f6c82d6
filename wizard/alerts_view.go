package wizard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// detail is the selected alert in full, wrapped, never cut: what, where,
// the ticket, and for a failure why, what to do, and Synthesize's own
// errors word for word.
func (s *alertsScreen) detail(l core.AlertLine, w int) string {
	t := s.c.theme
	_, word := ticketWord(l.TicketStatus)
	status := word
	switch l.TicketStatus {
	case core.TicketSuccess:
		status = t.OK.Render("ticket " + l.TicketID + " created")
	case core.TicketFailed:
		status = t.Error.Render("ticket failed")
	case core.TicketPending:
		status = "ticket pending: the PSA has not taken it yet"
	}
	company := "no company"
	if l.Company != "" {
		company = l.Company
	}
	head := []string{t.Strong.Render(l.Title), "priority " + core.PriorityName(l.Priority), status}
	where := []string{l.Account + " → " + company, "raised " + l.CreatedAt.Local().Format("2006-01-02 15:04"), "message " + l.MessageID}
	if l.Attempts > 1 {
		where = append(where, fmt.Sprintf("Mesh sent it %d times; this is the latest attempt", l.Attempts))
	}
	lines := []string{wrapItems(head, w), wrapItems(where, w)}
	// Synthesize's own words follow in full: the reason is said again
	// only when it is ours, not a cut of theirs.
	if l.Reason != "" && !l.ReasonIsTheirs() {
		lines = append(lines, t.Warn.Render(wrap("Why: "+l.Reason, w)))
	}
	if l.Hint != "" {
		fix := "Fix: " + l.Hint
		if l.MapAccount {
			fix += " (m)"
		}
		lines = append(lines, t.Warn.Render(wrap(fix, w)))
	}
	for _, e := range l.Errors {
		lines = append(lines, t.Muted.Render(wrap("Synthesize: "+e, w)))
	}
	return strings.Join(lines, "\n")
}

func (s *alertsScreen) view(w int) string {
	t := s.c.theme
	switch {
	case !s.loaded:
		return s.c.spinner.View() + "Asking Synthesize which of Mesh's alerts became PSA tickets…"
	case s.err != nil:
		return t.Error.Render("Could not read the alerts from Synthesize: ") + wrap(core.Explain(s.err).String()+".", w) +
			"\n\n" + wrap("Nothing here changes anything; r asks again, esc goes home.", w)
	case len(s.data.Lines) == 0 && !s.data.Enabled:
		return wrap("Alerts is off for this integration: Synthesize refuses Mesh's alerts, so none becomes a PSA ticket. "+
			"c turns it on (Change products and types); Mesh's alerts then arrive with its next sync.", w)
	case len(s.data.Lines) == 0 && s.data.PullFlow:
		return wrap("No alerts from Mesh yet. They arrive with each of Synthesize's syncs from Mesh; r asks Synthesize again.", w)
	case len(s.data.Lines) == 0:
		return wrap("No alerts from Mesh yet. They arrive with each Gradient Sync (Mesh: Settings → Gradient); r asks Synthesize again.", w)
	}
	c := s.data.Counts
	parts := core.AlertsSummary(c)
	for i, p := range parts {
		if strings.HasSuffix(p, " failed") && c.Failed > 0 {
			parts[i] = t.Error.Render(p)
		}
	}
	head := "Mesh alerts · " + text.Count(c.Total(), "alert", "alerts") + ": " + strings.Join(parts, " · ")
	if !s.data.Enabled {
		head += t.Warn.Render(" · Alerts is off (c)")
	}
	if s.failedOnly {
		head += t.Muted.Render(" · failed only")
	}
	if s.busy {
		head += " " + s.c.spinner.View()
	}
	out := head + "\n"
	switch {
	case s.filter.Focused() || s.filter.Value() != "":
		of := len(s.data.Lines)
		if s.failedOnly { // the filter narrows what f already narrowed
			of = s.data.Counts.Failed
		}
		out += s.filter.View() + t.Muted.Render(fmt.Sprintf("  %d of %d", len(s.shown), of)) + "\n"
	default:
		out += "\n"
	}
	if len(s.shown) == 0 {
		return out + wrap("No alert matches; esc clears the filter, f shows every alert.", w)
	}
	out += s.grid.View() + "\n"
	if l, ok := s.selected(); ok && s.detailRoom > 0 {
		out += "\n" + fit(s.detail(l, w), w, s.detailRoom)
	}
	return out
}

func (s *alertsScreen) help() ui.Help {
	k := s.keys
	if s.filter.Focused() {
		return ui.ShortOnly(k.KeepFilter, k.DropFilter)
	}
	s.setKeys()
	g := s.grid.Keys
	main := k.Home
	short := ui.Enabled(k.Failed, k.Filter, k.ClearFilter, k.Reload)
	switch {
	case k.Map.Enabled():
		main, short = k.Map, append(short, ui.Enabled(k.Home)...)
	case k.TurnOn.Enabled():
		main, short = k.TurnOn, append(short, ui.Enabled(k.Home)...)
	case !k.Home.Enabled():
		main = ui.With(k.ClearFilter, "clear filter")
		short = ui.Enabled(k.Failed, k.Filter, k.Reload)
	}
	full := [][]key.Binding{ui.Enabled(g.Up, g.Down, g.PageDown, k.Filter, k.ClearFilter, k.Failed), ui.Enabled(k.Map, k.TurnOn, k.Reload, k.Home)}
	return ui.Help{Main: main, Short: short, Full: full}
}

func (s *alertsScreen) bindings() []key.Binding {
	k := s.keys
	if s.filter.Focused() {
		return []key.Binding{k.KeepFilter, k.DropFilter}
	}
	s.setKeys()
	return append(s.grid.Bindings(), ui.Enabled(k.Reload, k.Filter, k.ClearFilter, k.Failed, k.Map, k.TurnOn, k.Home)...)
}
