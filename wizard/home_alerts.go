package wizard

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// homeFailedShown is how many failed alerts home names, each on a line.
const homeFailedShown = 3

// spare is how many lines home has left below groups, above the gap and
// the actions, which must always show whole.
func (s *homeScreen) spare(groups [][]string, w int) int {
	used := 0
	for _, g := range groups {
		used += lipgloss.Height(wrapItems(g, w))
	}
	used += strings.Count(s.pullWarning(w), "\n")
	return s.h - used - 1 - len(s.list.Items())
}

// alertLines are home's alert facts, in at most room lines: counts by
// ticket status when Alerts is on, then each failed alert on a line of
// its own with its reason, cut to the width (the Alerts screen has them
// whole), and how many more there are when they do not all fit.
func (s *homeScreen) alertLines(w, room int) [][]string {
	t, st := s.c.theme, s.status
	c, on := st.AlertTickets, slices.Contains(st.Types, gradient.TypeAlerts)
	if c == nil || !on && c.Total() == 0 || room < 1 {
		return nil // Alerts is off and never sent anything: nothing to say
	}
	parts := core.AlertsSummary(*c)
	for i, p := range parts {
		if strings.HasSuffix(p, " failed") && c.Failed > 0 {
			parts[i] = t.Error.Render(p)
		}
	}
	head := "Alerts: " + text.Count(c.Total(), "alert", "alerts")
	if c.Total() == 0 {
		head = "Alerts: none from Mesh yet"
		parts = nil
	}
	if !on {
		parts = append(parts, t.Warn.Render("Alerts is off"))
	}
	first := append([]string{head}, parts...)
	out := [][]string{first}
	room -= lipgloss.Height(wrapItems(first, w))
	failed := st.FailedAlerts
	shown := min(len(failed), homeFailedShown, max(room, 0))
	if shown < len(failed) && shown > 0 {
		shown-- // its line says how many more
	}
	for _, l := range failed[:shown] {
		line := "  " + t.Error.Render("✗") + " " + l.Account + " · " + l.OneLine() // the title is on the Alerts screen
		out = append(out, []string{ansi.Truncate(line, w, "…")})
	}
	if more := len(failed) - shown; more > 0 && room > shown {
		out = append(out, []string{t.Muted.Render(ansi.Truncate(fmt.Sprintf("  … and %d more failed: open Alerts", more), w, "…"))})
	}
	return out
}
