package wizard

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// TestHostileAlertsNeverReachTheTerminal: alerts whose titles, errors,
// ids and statuses are hostile, and whose numbers are out of the API's
// range, drawn on the Alerts screen (detail and filter) and on home: no
// escape sequence, control or bidi character, no line wider than the
// terminal, and no priority or status shown as if it were a known one.
func TestHostileAlertsNeverReachTheTerminal(t *testing.T) {
	t.Parallel()
	var records []gradient.AlertRecord
	var accounts []gradient.Account
	for i, n := range hostileNames {
		id := fmt.Sprintf("m-%d\x1b[2J", i)
		accounts = append(accounts, gradient.Account{ID: id, Name: n})
		records = append(records, gradient.AlertRecord{MessageID: "msg-" + n, AlertID: n, AccountID: id, Title: n,
			Priority: float64(9-i) - 0.5*float64(i%2), TicketStatus: []string{"failed", "success", "pending", "\x1b[31mweird"}[i%4], TicketID: n,
			Errors: []string{n, "company " + n + " has no ticket board"}, CreatedAt: time.Unix(int64(i), 0)})
	}
	lines, counts := core.BuildAlerts(records, accounts, nil, gradient.Mappings{})
	if counts.Unknown != 2 || counts.Failed != 2 {
		t.Fatalf("counts: %+v", counts)
	}
	for _, l := range lines {
		if l.Priority != 0 && (l.Priority < 1 || l.Priority > 4) {
			t.Fatalf("priority %d passed as a known one", l.Priority)
		}
	}
	m := testModel(t, nil, store.Progress{Step: core.StepAlerts.String(), Onboarded: true, KeyHint: "abcd"}, nil)
	const w, h = 80, 24
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.show(core.StepAlerts)
	check := func(label string) {
		t.Helper()
		cleanFrame(t, label, m.View(), w)
	}
	m.alerts.update(alertsMsg{alerts: core.Alerts{Enabled: true, Lines: lines, Counts: counts}})
	for i := range lines {
		check(fmt.Sprintf("alerts, row %d", i))
		runSync(m, func() tea.Msg { return keyMsg("j") }, 0)
	}
	for _, k := range []string{"/", "a", "c"} {
		runSync(m, func() tea.Msg { return keyMsg(k) }, 0)
	}
	check("alerts filtered")
	m.show(core.StepHome)
	failed := core.Alerts{Lines: lines}.Failed()
	m.home.update(homeMsg{status: core.Status{Connected: true, Types: []string{"alerts"}, AlertTickets: &counts, FailedAlerts: failed}})
	check("home")
	// More failures than home names: it says how many more.
	many := append(append(append([]core.AlertLine{}, failed...), failed...), failed...)
	m.home.update(homeMsg{status: core.Status{Connected: true, Types: []string{"alerts"}, AlertTickets: &counts, FailedAlerts: many}})
	check("home, many failed")
	if v := m.View(); !strings.Contains(v, fmt.Sprintf("… and %d more failed: open Alerts", len(many)-homeFailedShown+1)) || !strings.Contains(v, "Disconnect") {
		t.Fatalf("home does not say how many more failed:\n%s", v)
	}
	// Shorter terminals: the failed lines give way, the actions never do.
	for _, hgt := range []int{20, 17, 14} {
		m.Update(tea.WindowSizeMsg{Width: w, Height: hgt})
		if v := m.View(); !strings.Contains(v, "Disconnect") {
			t.Fatalf("at %d×%d home lost its last action:\n%s", w, hgt, v)
		}
	}
}
