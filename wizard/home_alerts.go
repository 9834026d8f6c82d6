package wizard

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// homeFailedShown is how many failed alerts home names, each on a line.
const homeFailedShown = 3

// alertLines are home's alert facts: counts by ticket status when Alerts
// is on, and each failed alert on a line of its own with its reason, cut
// to the width (the Alerts screen has them whole).
func (s *homeScreen) alertLines(w int) [][]string {
	t, st := s.c.theme, s.status
	c, on := st.AlertTickets, slices.Contains(st.Types, gradient.TypeAlerts)
	if c == nil || !on && c.Total() == 0 {
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
	out := [][]string{append([]string{head}, parts...)}
	for i, l := range st.FailedAlerts {
		if i == homeFailedShown {
			out = append(out, []string{t.Muted.Render(fmt.Sprintf("  … and %d more failed: open Alerts", len(st.FailedAlerts)-i))})
			break
		}
		line := "  " + t.Error.Render("✗") + " " + l.Account + " · " + l.OneLine() // the title is on the Alerts screen
		out = append(out, []string{ansi.Truncate(line, w, "…")})
	}
	return out
}
