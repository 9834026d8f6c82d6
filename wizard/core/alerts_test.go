package core

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// TestBuildAlertsExplainsEveryFailure: one line per alert (its latest
// attempt), failed first and newest first, each failure with the reason
// and, when the fix is a mapping, the key to it; an account mapped since
// its alert failed says the next one will go through.
func TestBuildAlertsExplainsEveryFailure(t *testing.T) {
	t.Parallel()
	at := func(s int) time.Time { return time.Date(2026, 11, 24, 9, 30, s, 0, time.UTC) }
	records := []gradient.AlertRecord{
		{MessageID: "1", AlertID: "a", AccountID: "m-1", Title: "Old failure", Priority: 3, TicketStatus: "failed", CreatedAt: at(1),
			Errors: []string{"No account map found with id: m-1"}},
		{MessageID: "2", AlertID: "b", AccountID: "m-2", Title: "Unmapped", Priority: 2, TicketStatus: "failed", CreatedAt: at(2),
			Errors: []string{"No account map found with id: m-2"}},
		{MessageID: "3", AlertID: "c", AccountID: "m-3", CompanyID: "c-3", Title: "No board", Priority: 4, TicketStatus: "failed", CreatedAt: at(3),
			Errors: []string{"Company c-3 has no ticket board in the PSA"}},
		{MessageID: "4", AlertID: "d", AccountID: "m-4", CompanyID: "c-4", Title: "PSA says no", Priority: 1, TicketStatus: "failed", CreatedAt: at(4),
			Errors: []string{"PSA: the ticket needs a contact"}},
		{MessageID: "5", AlertID: "e", AccountID: "m-5", Title: "Do not bill", Priority: 1, TicketStatus: "failed", CreatedAt: at(5)},
		{MessageID: "6", AlertID: "f", AccountID: "m-4", CompanyID: "c-4", Title: "Made", Priority: 9, TicketStatus: "success", TicketID: "T-6", CreatedAt: at(6)},
		{MessageID: "7", AlertID: "g", AccountID: "m-4", CompanyID: "c-4", Title: "Waiting", Priority: 2, TicketStatus: "pending", CreatedAt: at(7)},
		// Alert a again, after m-1 was mapped: its latest attempt made a ticket.
		{MessageID: "8", AlertID: "a", AccountID: "m-1", CompanyID: "c-1", Title: "Old failure", Priority: 3, TicketStatus: "success", TicketID: "T-8", CreatedAt: at(8)},
	}
	accounts := []gradient.Account{{ID: "m-1", Name: "One"}, {ID: "m-2", Name: "Two"}, {ID: "m-3", Name: "Three"}, {ID: "m-4", Name: "Four"}, {ID: "m-5", Name: "Five"}}
	companies := []gradient.Company{{ID: "c-1", Name: "One Inc"}, {ID: "c-3", Name: "Three Ltd"}, {ID: "c-4", Name: "Four LLC"}}
	m := gradient.Mappings{Accounts: []gradient.AccountMapping{{AccountID: "m-1", CompanyID: "c-1"}, {AccountID: "m-3", CompanyID: "c-3"},
		{AccountID: "m-4", CompanyID: "c-4"}, {AccountID: "m-5", Ignored: true}}}
	lines, counts := BuildAlerts(records, accounts, companies, m)
	if counts != (AlertCounts{Pending: 1, Success: 2, Failed: 4}) {
		t.Fatalf("counts: %+v", counts)
	}
	var order []string
	for _, l := range lines {
		order = append(order, l.MessageID)
	}
	if want := []string{"5", "4", "3", "2", "7", "8", "6"}; !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v (failed, pending, made; newest first)", order, want)
	}
	byID := map[string]AlertLine{}
	for _, l := range lines {
		byID[l.MessageID] = l
	}
	for id, want := range map[string]struct {
		reason, hint string
		mapIt        bool
	}{
		"2": {"account not mapped", "map it on Update account mappings", true},
		"3": {"company has no ticket board in the PSA", "give Three Ltd a ticket board", false},
		"4": {"PSA: the ticket needs a contact", "fix what the PSA names above in the PSA", false},
		"5": {"account is marked do not bill", "map it to a company on Update account mappings", true},
	} {
		l := byID[id]
		if l.Reason != want.reason || !strings.HasPrefix(l.Hint, want.hint) || l.MapAccount != want.mapIt {
			t.Errorf("message %s: %q / %q / %v, want %q / %q… / %v", id, l.Reason, l.Hint, l.MapAccount, want.reason, want.hint, want.mapIt)
		}
	}
	if l := byID["8"]; l.Attempts != 2 || l.TicketID != "T-8" || l.Company != "One Inc" || l.Reason != "" {
		t.Errorf("an alert that failed, then became a ticket: %+v", l)
	}
	if l := byID["6"]; l.Priority != 0 || PriorityName(l.Priority) != "?" {
		t.Errorf("priority 9 shown as %d %q", l.Priority, PriorityName(l.Priority))
	}
	if got := (Alerts{Lines: lines}).Failed(); len(got) != 4 {
		t.Errorf("Failed: %d lines", len(got))
	}

	// The record's company is the fact at the time; what the account has
	// now decides what to say. Mapped since: the next alert goes through.
	m.Accounts = append(m.Accounts, gradient.AccountMapping{AccountID: "m-2", CompanyID: "c-1"})
	lines, _ = BuildAlerts(records, accounts, companies, m)
	for _, l := range lines {
		if l.MessageID == "2" && (l.Reason != "account was not mapped when the alert came" || l.MapAccount || !strings.Contains(l.Hint, "mapped now (to One Inc)")) {
			t.Errorf("an account mapped since: %+v", l)
		}
	}
}

// TestConfigureSaysWhatChanges: removing a product names its billing rows
// and keeps its service mapping; adding Alerts says when tickets start;
// the same choice is no change.
func TestConfigureSaysWhatChanges(t *testing.T) {
	t.Parallel()
	now := Configuration{Products: []string{"gateway", "m365"}, Types: []string{"billing"},
		ServiceMapping: map[string]string{"m365": "Mesh 365 → Protection"}, BillingRows: map[string]int{"m365": 12}}
	if c := PlanConfigure(now, []string{"m365", "gateway"}, []string{"billing"}); !c.Empty() {
		t.Fatalf("the same choice in another order is a change: %+v", c)
	}
	c := PlanConfigure(now, []string{"gateway", "unified"}, []string{"billing", "alerts"})
	if !slices.Equal(c.AddProducts, []string{"unified"}) || !slices.Equal(c.DropProducts, []string{"m365"}) || !slices.Equal(c.AddTypes, []string{"alerts"}) {
		t.Fatalf("plan: %+v", c)
	}
	effects := strings.Join(c.Effects(now), "\n")
	for _, want := range []string{"Adds Mesh Unified", "Removes Mesh 365", "12 billing rows go", "(Mesh 365 → Protection) stays in Synthesize",
		"Adds Alerts: from the next Gradient Sync in Mesh"} {
		if !strings.Contains(effects, want) {
			t.Errorf("effects lack %q:\n%s", want, effects)
		}
	}
	now.PullFlow = true
	if e := strings.Join(c.Effects(now), "\n"); !strings.Contains(e, "Synthesize's next sync from Mesh") {
		t.Errorf("pull flow: %s", e)
	}
	if s := c.Summary(); s != "Mesh Gateway, Mesh Unified · Billing, Alerts" {
		t.Errorf("summary %q", s)
	}
}
