package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// alertsJSON is what `alerts --json` prints.
type alertsJSON struct {
	Enabled bool           `json:"enabled"`
	Counts  map[string]int `json:"counts"`
	Alerts  []struct {
		AccountID    string   `json:"account_id"`
		Company      string   `json:"company"`
		Priority     int      `json:"priority"`
		TicketStatus string   `json:"ticket_status"`
		TicketID     string   `json:"ticket_id"`
		Errors       []string `json:"errors"`
		Reason       string   `json:"reason"`
		Hint         string   `json:"hint"`
		Attempts     int      `json:"attempts"`
	} `json:"alerts"`
}

// settledAlerts runs `alerts --json` until no ticket is pending (the
// sandbox's PSA takes 2 s a ticket).
func (s *scripted) settledAlerts() alertsJSON {
	s.t.Helper()
	var al alertsJSON
	testkit.Eventually(s.t, 20*time.Second, func() bool {
		out, _ := s.must(0, "alerts", "--json")
		if err := json.Unmarshal([]byte(out), &al); err != nil {
			s.t.Fatalf("alerts --json: %v\n%s", err, out)
		}
		return al.Counts["pending"] == 0 && len(al.Alerts) > 0
	}, func() string { return "every ticket to be made or failed" })
	return al
}

// alertsSynced connects the products with Billing and Alerts, does
// Mesh's part, accepts the suggestions, has Mesh sync again and waits for
// every ticket to be made or to fail.
func (s *scripted) alertsSynced(products string) alertsJSON {
	s.t.Helper()
	s.must(0, "connect", "--products", products, "--types", "billing,alerts", "--key-file", "k")
	key, _ := os.ReadFile(filepath.Join(s.dir, "k"))
	s.portal("submit", map[string][]string{"api_key": {strings.TrimSpace(string(key))}})
	s.portal("sync", nil)
	s.must(0, "wait-sync", "--timeout", "30s")
	s.must(0, "mappings", "suggest", "--apply")
	s.portal("sync", nil)
	return s.settledAlerts()
}

// TestAlertsAndConfigureScripted: a scripted onboarding with Billing only,
// `configure` adds Alerts, a Gradient Sync brings alerts for mapped,
// unmapped and failing accounts, and `alerts --json`, `status --json`
// and `alerts --failed` (exit 1) agree on exactly which became tickets.
func TestAlertsAndConfigureScripted(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	s.must(3, "alerts")
	s.must(3, "configure", "--types", "billing,alerts")
	s.connectAndSync()
	s.must(0, "mappings", "suggest", "--apply")
	out, _ := s.must(0, "alerts")
	if !strings.Contains(out, "No alerts from Mesh") {
		t.Fatalf("alerts before any:\n%s", out)
	}

	s.must(2, "configure")
	s.must(2, "configure", "--products", "fax")
	out, _ = s.must(0, "configure", "--types", "billing,alerts", "--dry-run")
	if !strings.Contains(out, "Adds Alerts") || !strings.Contains(out, "Nothing was changed") {
		t.Fatalf("configure --dry-run:\n%s", out)
	}
	out, _ = s.must(0, "configure", "--products", "gateway,m365,unified", "--types", "billing,alerts")
	if !strings.Contains(out, "Adds Mesh 365") || !strings.Contains(out, "Changed in Synthesize: now Mesh Gateway, Mesh 365, Mesh Unified · Billing, Alerts") {
		t.Fatalf("configure:\n%s", out)
	}
	if p := s.local().Progress; strings.Join(p.Types, ",") != "billing,alerts" || len(p.Products) != 3 {
		t.Fatalf("the state file after configure: %+v", p)
	}
	out, _ = s.must(0, "configure", "--types", "alerts,billing")
	if !strings.Contains(out, "Nothing changed") {
		t.Fatalf("the same choice again:\n%s", out)
	}

	s.portal("sync", nil)
	al := s.settledAlerts()
	want := map[string]string{"m-001": "success", "m-004": "success", "m-008": "success", "m-011": "failed", "m-016": "failed", "m-020": "failed"}
	if len(al.Alerts) != len(want) || !al.Enabled {
		t.Fatalf("alerts --json: %+v", al)
	}
	for i, a := range al.Alerts {
		if a.TicketStatus != want[a.AccountID] {
			t.Errorf("%s: ticket %s, want %s", a.AccountID, a.TicketStatus, want[a.AccountID])
		}
		if i < 3 && a.TicketStatus != "failed" {
			t.Errorf("failed alerts are not listed first: %d is %s", i, a.TicketStatus)
		}
		switch a.AccountID {
		case "m-011":
			if a.Reason != "account not mapped" || a.Hint != "map it on Update account mappings" || a.Company != "" || len(a.Errors) == 0 {
				t.Errorf("the unmapped account's alert: %+v", a)
			}
		case "m-016":
			if a.Reason != "company has no ticket board in the PSA" || !strings.Contains(a.Errors[0], "c-050") {
				t.Errorf("the board-less company's alert: %+v", a)
			}
		case "m-020":
			if !strings.Contains(a.Reason, "needs a contact") {
				t.Errorf("the failing ticket: %+v", a)
			}
		case "m-001":
			if a.TicketID == "" || a.Priority != 3 || a.Company != "Summit Accounting Group Inc." {
				t.Errorf("a ticket made: %+v", a)
			}
		}
	}
	if al.Counts["success"] != 3 || al.Counts["failed"] != 3 || al.Counts["pending"] != 0 {
		t.Fatalf("alerts --json counts: %v", al.Counts)
	}
	out, _ = s.must(0, "status", "--json")
	var st struct {
		AlertTickets map[string]int `json:"alert_tickets"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.AlertTickets["success"] != 3 || st.AlertTickets["failed"] != 3 || st.AlertTickets["pending"] != 0 {
		t.Fatalf("status --json alert_tickets: %v %v", st.AlertTickets, err)
	}
	out, errOut := s.must(1, "alerts", "--failed")
	if strings.Count(out, "\nfailed") != 3 || strings.Contains(out, "created") || !strings.Contains(errOut, "3 alerts did not become a PSA ticket") {
		t.Fatalf("alerts --failed:\nstdout %s\nstderr %s", out, errOut)
	}
	out, _ = s.must(0, "alerts", "--failed", "--since", "1ns") // every alert is older than that
	if !strings.Contains(out, "No failed alerts") {
		t.Fatalf("alerts --failed --since 1ns:\n%s", out)
	}
	s.must(2, "alerts", "--since", "-1h")
}

// TestAlertsFailedExitsZeroWhenNoneFailed: with every alert's account
// mapped to a company with a ticket board, `alerts --failed` finds none
// and exits 0, so a monitoring job stays quiet.
func TestAlertsFailedExitsZeroWhenNoneFailed(t *testing.T) {
	t.Parallel()
	scenario := filepath.Join(t.TempDir(), "quiet.json")
	if err := os.WriteFile(scenario, []byte(`{
  "mesh": {"accounts": [{"id": "m-1", "name": "Acme Corp", "usage": {"gateway": 5}}],
           "alerts": [{"account_id": "m-1", "title": "Phishing blocked", "description": "d", "priority": 2}]},
  "psa": {"companies": [{"id": "c-1", "name": "ACME Corporation"}],
          "products": [{"id": "p-gw", "name": "Mesh Gateway (per mailbox)", "unit_price": 1.5}]}
}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newScripted(t, "--scenario", scenario)
	al := s.alertsSynced("gateway")
	if al.Counts["success"] != 1 || al.Counts["failed"] != 0 || al.Alerts[0].Attempts != 2 {
		t.Fatalf("alerts: %+v", al)
	}
	if out, _ := s.must(0, "alerts", "--failed"); !strings.Contains(out, "No failed alerts") {
		t.Fatalf("alerts --failed with none failed:\n%s", out)
	}
}

// TestAccessibleHomeListsFailedAlerts: in --accessible mode, home says
// the alert counts and reads out each failed alert with its reason; the
// Alerts entry lists them all with Synthesize's errors; Change products
// and types says what it would do and changes nothing on the default No.
func TestAccessibleHomeListsFailedAlerts(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	s.alertsSynced("gateway,m365,unified")
	env := []string{"GRADIENT_URL=" + s.vars["GRADIENT_URL"], "GRADIENT_TOKEN=" + s.vars["GRADIENT_TOKEN"], "MESH_PORTAL_URL=" + s.vars["MESH_PORTAL_URL"]}

	// The final sync has arrived: the prompts finish the onboarding.
	d := startDialogue(t, env, "--accessible", "--state", s.state)
	d.expect(`\(yes/no, Enter for no\): $`)
	d.answer("")
	d.expect(`Onboarding is done`)
	if code := d.wait(); code != 0 {
		t.Fatalf("exit %d after onboarding", code)
	}

	d = startDialogue(t, env, "--accessible", "--state", s.state)
	menu := d.expect(`(?s)Home · Mesh is connected.*Choice: $`)
	for _, want := range []string{"Alerts: 6 from Mesh: 3 tickets made, 3 failed.",
		"  Failed: Zephyr Trial Account: Impersonation attempt quarantined: account not mapped: map it on Update account mappings.",
		"  Failed: Woodgrove Bank: Credential phishing link clicked: company has no ticket board in the PSA",
		"  Failed: Franklin Auto Repair: Outbound spam from a compromised mailbox: PSA: the ticket needs a contact"} {
		if !strings.Contains(menu, want) {
			t.Fatalf("home lacks %q:\n%s", want, menu)
		}
	}
	d.answer(menuNumber(t, menu, "Alerts"))
	list := d.expect(`(?s)6 alerts: 3 tickets made, 3 failed\..*Choice: $`)
	for _, want := range []string{"Impersonation attempt quarantined, Zephyr Trial Account (no company), priority high: ticket failed: account not mapped",
		"    Synthesize: No account map found with id: m-011", "Phishing campaign blocked, Summit Accounting (Summit Accounting Group Inc.), priority high: ticket T-"} {
		if !strings.Contains(list, want) {
			t.Fatalf("the alerts list lacks %q:\n%s", want, list)
		}
	}
	d.answer(menuNumber(t, menu, "Change products and types"))
	d.expect(`Products \(numbers, Enter keeps them\): $`)
	d.answer("1")
	d.expect(`Types \(numbers, Enter keeps them\): $`)
	d.answer("")
	d.expect(`(?s)Removes Mesh 365.*Removes Mesh Unified.*Change it \(yes/no, Enter for no\): $`)
	d.answer("")
	d.expect(`Nothing changed\.`)
	d.answer(menuNumber(t, menu, "Quit"))
	if code := d.wait(); code != 0 {
		t.Fatalf("exit %d after quitting home", code)
	}
	if p := s.local().Progress; len(p.Products) != 3 {
		t.Fatalf("a No changed the products: %+v", p.Products)
	}
}
