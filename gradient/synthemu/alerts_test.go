package synthemu_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
)

// alertCase is an emulator where every way an alert can end is one
// account away: m-1 mapped to a company with a ticket board, m-2 to one
// without, m-3 unmapped, m-4 "do not bill".
func alertCase(t *testing.T, clock *fakeClock) (*connected, *gradient.PartnerClient) {
	t.Helper()
	psa := synthemu.PSA{Companies: []gradient.Company{{ID: "c-1", Name: "One"}, {ID: "c-2", Name: "Two"}}, NoTicketBoard: []string{"c-2"}}
	c := connect(t, synthemu.WithPSA(psa), synthemu.WithClock(clock.Now), synthemu.WithTicketDelay(2*time.Second),
		synthemu.WithTicketFailures(map[string]string{"a-psa": "PSA: the ticket needs a contact"}))
	ctx := context.Background()
	pc := must(gradient.NewPartnerClient(c.srv.URL, c.srv.PartnerToken(), gradient.Options{}))
	if err := c.vc.UpsertAccounts(ctx, []gradient.VendorAccount{{ID: "m-3", Name: "Three"}, {ID: "m-4", Name: "Four"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.PutMappings(ctx, gradient.Mappings{Accounts: []gradient.AccountMapping{
		{AccountID: "m-1", CompanyID: "c-1"}, {AccountID: "m-2", CompanyID: "c-2"}, {AccountID: "m-4", Ignored: true}}, Version: "*"}); err != nil {
		t.Fatal(err)
	}
	return c, pc
}

func byAlert(list []gradient.AlertRecord) map[string]gradient.AlertRecord {
	out := map[string]gradient.AlertRecord{}
	for _, a := range list {
		out[a.AccountID+"/"+a.AlertID] = a
	}
	return out
}

// TestEveryAlertBecomesATicketOrSaysWhy: §2b lists every alert with its
// ticket status; a failure carries Synthesize's reason; the same alert
// is one ticket however often it is sent, and is tried again after a
// failure.
func TestEveryAlertBecomesATicketOrSaysWhy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)}
	c, pc := alertCase(t, clock)
	send := func(account, id, title string, prio int) gradient.AlertReceipt {
		t.Helper()
		return must(c.vc.PostAlert(ctx, account, gradient.Alert{Title: title, Description: "d", AlertID: id, Priority: prio, ServiceID: c.sku}))
	}
	first := send("m-1", "a-ok", "Phishing blocked", gradient.PriorityHigh)
	send("m-2", "a-board", "Link clicked", gradient.PriorityVeryHigh)
	send("m-3", "a-unmapped", "Impersonation", gradient.PriorityMedium)
	send("m-4", "a-dnb", "Spam", gradient.PriorityLow)
	send("m-1", "a-psa", "Outbound spam", gradient.PriorityVeryHigh)
	if _, err := c.vc.PostAlert(ctx, "m-9", gradient.Alert{Title: "t", Description: "d", AlertID: "x"}); !gradient.IsNotFound(err) {
		t.Fatalf("an account Synthesize never had: want 404, got %v", err)
	}

	got := byAlert(must(pc.Alerts(ctx, false)))
	if len(got) != 5 {
		t.Fatalf("want 5 alerts listed, got %+v", got)
	}
	// Before the PSA has had them: pending, except those that never reach it.
	for key, want := range map[string]string{"m-1/a-ok": "pending", "m-2/a-board": "pending", "m-3/a-unmapped": "failed", "m-4/a-dnb": "failed", "m-1/a-psa": "pending"} {
		if got[key].TicketStatus != want {
			t.Errorf("%s before the ticket delay: %s, want %s", key, got[key].TicketStatus, want)
		}
	}
	clock.Add(2 * time.Second)
	got = byAlert(must(pc.Alerts(ctx, false)))
	ok := got["m-1/a-ok"]
	if ok.TicketStatus != gradient.TicketSuccess || ok.TicketID == "" || ok.CompanyID != "c-1" || ok.Priority != 3 ||
		ok.MessageID != first.MessageID || ok.Title != "Phishing blocked" || len(ok.Errors) != 0 || !ok.CreatedAt.Equal(clock.now.Add(-2*time.Second)) {
		t.Fatalf("the ticketed alert: %+v", ok)
	}
	for key, why := range map[string]string{"m-2/a-board": "no ticket board", "m-3/a-unmapped": "No account map found with id: m-3",
		"m-4/a-dnb": "do not bill", "m-1/a-psa": "PSA: the ticket needs a contact"} {
		a := got[key]
		if a.TicketStatus != gradient.TicketFailed || a.TicketID != "" || len(a.Errors) != 1 || !strings.Contains(a.Errors[0], why) {
			t.Errorf("%s: want failed with %q, got %+v", key, why, a)
		}
	}
	if got["m-3/a-unmapped"].CompanyID != "" || got["m-2/a-board"].CompanyID != "c-2" {
		t.Errorf("company ids: unmapped %q, board-less %q", got["m-3/a-unmapped"].CompanyID, got["m-2/a-board"].CompanyID)
	}
	if failed := must(pc.Alerts(ctx, true)); len(failed) != 4 {
		t.Fatalf("?status=failed: want 4, got %d", len(failed))
	}
	// The debug record says the same as the list.
	if d := must(c.vc.AlertDebug(ctx, got["m-3/a-unmapped"].MessageID)); d.Status != gradient.TicketFailed || d.StatusCode != 400 || len(d.Errors) != 1 {
		t.Fatalf("debug of the unmapped alert: %+v", d)
	}

	// Sent again: the ticketed one is the same message; the failed one is
	// tried again, and once m-3 is mapped it becomes a ticket.
	if again := send("m-1", "a-ok", "Phishing blocked", 3); again.MessageID != first.MessageID {
		t.Fatalf("a ticketed alert sent again made a new message %s", again.MessageID)
	}
	if _, err := pc.PutMappings(ctx, gradient.Mappings{Accounts: []gradient.AccountMapping{
		{AccountID: "m-1", CompanyID: "c-1"}, {AccountID: "m-2", CompanyID: "c-2"}, {AccountID: "m-3", CompanyID: "c-1"}}, Version: "*"}); err != nil {
		t.Fatal(err)
	}
	retry := send("m-3", "a-unmapped", "Impersonation", 2)
	clock.Add(2 * time.Second)
	list := must(pc.Alerts(ctx, false))
	if len(list) != 6 || list[5].MessageID != retry.MessageID || list[5].TicketStatus != gradient.TicketSuccess || list[5].CompanyID != "c-1" {
		t.Fatalf("after the retry: %+v", list)
	}
	if d := must(pc.Integration(ctx)); d.Counts.Alerts != 5 {
		t.Fatalf("counts.alerts counts alerts, not messages: %d", d.Counts.Alerts)
	}
	if status := getRaw(t, c.srv, "/integrations/mesh/alerts?status=open"); status != http.StatusBadRequest {
		t.Fatalf("?status=open: want 400, got %d", status)
	}

	// A sandbox reopened on its file still knows every alert and its ticket.
	snap := must(c.srv.Snapshot())
	other := synthemu.NewServer(synthemu.WithClock(clock.Now))
	t.Cleanup(other.Close)
	if err := other.Restore(snap); err != nil {
		t.Fatal(err)
	}
	opc := must(gradient.NewPartnerClient(other.URL, other.PartnerToken(), gradient.Options{}))
	restored := must(opc.Alerts(ctx, false))
	if len(restored) != len(list) || restored[5].TicketID != list[5].TicketID || restored[3].Errors[0] != list[3].Errors[0] {
		t.Fatalf("restored alerts: %+v", restored)
	}
}

// getRaw sends a partner GET as it is.
func getRaw(t *testing.T, srv *synthemu.Server, path string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/partner/v1"+path, nil)
	req.Header.Set("Authorization", "Bearer "+srv.PartnerToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestConfigureChangesProductsAndTypes: PATCH /integrations/mesh adds
// Alerts and removes a product; what it leaves out stays; bad lists are
// refused and change nothing.
func TestConfigureChangesProductsAndTypes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := synthemu.NewServer(synthemu.WithProductServices(map[string]string{"gateway": "Mesh Gateway", "m365": "Mesh 365"}))
	t.Cleanup(srv.Close)
	pc := must(gradient.NewPartnerClient(srv.URL, srv.PartnerToken(), gradient.Options{}))
	if _, err := pc.Configure(ctx, gradient.Configuration{Types: []string{"alerts"}}); gradient.StatusOf(err) != http.StatusConflict {
		t.Fatalf("before connect: want 409, got %v", err)
	}
	conn := must(pc.Connect(ctx, []string{"gateway", "m365"}, []string{"billing"}))
	vc := must(gradient.NewVendorClient(srv.URL, srv.VendorKey(), conn.APIKey, gradient.Options{}))
	for _, name := range []string{"Mesh Gateway", "Mesh 365"} {
		must(vc.CreateService(ctx, gradient.ServiceInput{Name: name, Description: "d", Category: "security", Subcategory: "email security"}))
	}
	if err := vc.UpsertAccounts(ctx, []gradient.VendorAccount{{ID: "m-1", Name: "One"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := vc.PostAlert(ctx, "m-1", gradient.Alert{Title: "t", Description: "d", AlertID: "a"}); gradient.StatusOf(err) != http.StatusForbidden {
		t.Fatalf("an alert before Alerts is chosen: want 403, got %v", err)
	}
	card := must(pc.Configure(ctx, gradient.Configuration{Products: []string{"gateway"}, Types: []string{"billing", "alerts"}}))
	if strings.Join(card.Products, ",") != "gateway" || strings.Join(card.Types, ",") != "billing,alerts" || card.Counts.Services != 1 {
		t.Fatalf("after configure: %+v", card)
	}
	if _, err := vc.PostAlert(ctx, "m-1", gradient.Alert{Title: "t", Description: "d", AlertID: "a"}); err != nil {
		t.Fatalf("an alert once Alerts is chosen: %v", err)
	}
	if card := must(pc.Configure(ctx, gradient.Configuration{Products: []string{"gateway", "m365"}})); strings.Join(card.Types, ",") != "billing,alerts" || card.Counts.Services != 2 {
		t.Fatalf("products only: types must stay, services come back: %+v", card)
	}
	for _, bad := range []gradient.Configuration{{}, {Products: []string{"fax"}}, {Types: []string{"tickets"}}} {
		if _, err := pc.Configure(ctx, bad); gradient.StatusOf(err) != http.StatusUnprocessableEntity {
			t.Errorf("%+v: want 422, got %v", bad, err)
		}
	}
	if d := must(pc.Integration(ctx)); strings.Join(d.Products, ",") != "gateway,m365" {
		t.Fatalf("a refused change changed the card: %+v", d)
	}
}

// TestAlertsFlowOnEachPull: connected by Mesh API key, Synthesize takes
// Mesh's alerts at every pull, under each customer's service; once the
// accounts are mapped, the next pull's alerts become tickets, or fail for
// the PSA's own reasons.
func TestAlertsFlowOnEachPull(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	demo := meshemu.Demo()
	p := newPulling(t, synthemu.WithTicketDelay(0), synthemu.WithMeshAlerts(demo.PulledAlerts),
		synthemu.WithTicketFailures(demo.TicketFailures()), synthemu.WithPSA(demo.PSA))
	if _, err := p.pc.ConnectMeshKey(ctx, []string{"gateway", "m365", "unified"}, []string{"billing", "alerts"},
		gradient.MeshCredentials{APIURL: p.hub, APIKey: p.key}); err != nil {
		t.Fatal(err)
	}
	p.waitPulls(t)
	first := must(p.pc.Alerts(ctx, false))
	if len(first) != len(p.sc.Mesh.Alerts) {
		t.Fatalf("first pull: %d alerts, want %d", len(first), len(p.sc.Mesh.Alerts))
	}
	for _, a := range first {
		if a.TicketStatus != gradient.TicketFailed || !strings.Contains(a.Errors[0], "not mapped") {
			t.Fatalf("an alert for an account not mapped yet: %+v", a)
		}
	}
	m := gradient.Mappings{Version: "*"}
	for _, a := range p.sc.Mesh.Alerts {
		if a.AccountID != "m-011" { // Zephyr stays unmapped
			m.Accounts = append(m.Accounts, gradient.AccountMapping{AccountID: a.AccountID, CompanyID: demoCompany[a.AccountID]})
		}
	}
	if _, err := p.pc.PutMappings(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := p.pc.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	p.waitPulls(t)
	latest := map[string]gradient.AlertRecord{}
	for _, a := range must(p.pc.Alerts(ctx, false)) {
		latest[a.AccountID] = a
	}
	for account, want := range map[string]string{"m-001": "success", "m-004": "success", "m-008": "success",
		"m-011": "failed", "m-016": "failed", "m-020": "failed"} {
		if latest[account].TicketStatus != want {
			t.Errorf("%s after mapping and a pull: %+v, want %s", account, latest[account], want)
		}
	}
	if e := latest["m-016"].Errors; len(e) != 1 || !strings.Contains(e[0], "no ticket board") {
		t.Errorf("the board-less company's alert: %v", e)
	}
	if e := latest["m-020"].Errors; len(e) != 1 || !strings.Contains(e[0], "default contact") {
		t.Errorf("the scenario's failing ticket: %v", e)
	}
}

// demoCompany is where the demo's alerting accounts belong in its PSA.
var demoCompany = map[string]string{"m-001": "c-046", "m-004": "c-003", "m-008": "c-012", "m-016": "c-050", "m-020": "c-018"}
