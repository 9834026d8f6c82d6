package meshemu_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
)

func startSandbox(t *testing.T, sc *meshemu.Scenario) *meshemu.Sandbox {
	t.Helper()
	sb, err := meshemu.StartSandbox(meshemu.SandboxOptions{Listen: "127.0.0.1:0", Scenario: sc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// postForm posts to the portal like a browser without JavaScript, follows
// the redirect and returns the page.
func postForm(t *testing.T, target string, form url.Values) string {
	t.Helper()
	resp, err := http.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d %s", target, resp.StatusCode, body)
	}
	return string(body)
}

// must unwraps a call's answer; a failure panics, which fails the test
// with the call's stack (Go cannot pass t alongside a multi-value call).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestVendorJourney walks the web guide's order with the real clients
// against both emulators over loopback HTTP.
func TestVendorJourney(t *testing.T) {
	ctx := context.Background()
	sc := meshemu.Demo()
	sb := startSandbox(t, sc)
	pc := must(gradient.NewPartnerClient(sb.GradientURL, sb.Emulator.PartnerToken(), gradient.Options{}))
	page := sb.PortalURL + "/us/settings/gradient"

	// Guide 1–4: connect; the key is issued once.
	conn := must(pc.Connect(ctx, []string{"gateway", "m365", "unified"}, []string{"billing", "alerts"}))
	key := conn.APIKey
	if len(key) < 20 || conn.Integration.KeyHint != key[len(key)-4:] || conn.Integration.Status != gradient.StatusInactive {
		t.Fatalf("connect answered %+v", conn.Integration)
	}
	if _, err := pc.Connect(ctx, []string{"gateway"}, []string{"billing"}); gradient.StatusOf(err) != 409 {
		t.Fatalf("second connect: want 409, got %v", err)
	}
	card := must(pc.Integration(ctx))
	if !card.Connected || card.KeyHint != key[len(key)-4:] {
		t.Fatalf("card after connect: %+v", card)
	}

	// Guide 6–7: paste the key in Mesh and Submit: status pending.
	html := postForm(t, page, url.Values{"api_key": {key}})
	if !strings.Contains(html, `<strong id="status">pending</strong>`) {
		t.Fatalf("portal after Submit:\n%s", html)
	}
	if must(pc.Integration(ctx)).Status != gradient.StatusPending {
		t.Fatal("Synthesize is not pending after Submit")
	}

	// First Gradient Sync: accounts and services arrive; counts skipped.
	html = postForm(t, page+"/sync", nil)
	if !strings.Contains(html, "Accounts sent: 40") || !strings.Contains(html, "Counts sent: 0") {
		t.Fatalf("first sync report:\n%s", html)
	}
	accounts := must(pc.Accounts(ctx))
	services := must(pc.Services(ctx))
	if len(accounts) != 40 || len(services) != 3 {
		t.Fatalf("after first sync: %d accounts, %d services", len(accounts), len(services))
	}
	if d := must(pc.Integration(ctx)); d.Counts.Usage != 0 || d.Status != gradient.StatusPending {
		t.Fatalf("counts for unmapped accounts landed: %+v", d)
	}

	// Guide 9–11: map accounts and services.
	companies := must(pc.Companies(ctx))
	products := must(pc.Products(ctx))
	svcProduct := map[string]string{"Mesh Gateway": "p-gw", "Mesh 365": "p-365", "Mesh Unified": "p-uni"}
	var m gradient.Mappings
	for i, a := range accounts {
		if i == 0 {
			m.Accounts = append(m.Accounts, gradient.AccountMapping{AccountID: a.ID, Ignored: true})
			continue
		}
		m.Accounts = append(m.Accounts, gradient.AccountMapping{AccountID: a.ID, CompanyID: companies[i%len(companies)].ID})
	}
	for _, s := range services {
		m.Services = append(m.Services, gradient.ServiceMapping{ServiceID: s.ID, ProductID: svcProduct[s.Name]})
	}
	if len(products) < 3 {
		t.Fatalf("PSA products: %v", products)
	}
	m.Version = "*" // whatever is there: this test is the only writer
	if _, err := pc.PutMappings(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.PutMappings(ctx, m); err != nil { // idempotent
		t.Fatal(err)
	}
	got := must(pc.Mappings(ctx))
	if len(got.Accounts) != 40 || len(got.Services) != 3 || !got.Accounts[0].Ignored {
		t.Fatalf("mappings read back: %+v", got)
	}
	bad := gradient.Mappings{Accounts: []gradient.AccountMapping{{AccountID: "nope", CompanyID: "c-none"}},
		Services: []gradient.ServiceMapping{{ServiceID: services[0].ID, ProductID: "p-none"}}}
	var ae *gradient.APIError
	bad.Version = "*" // whatever is there: this test is the only writer
	if _, err := pc.PutMappings(ctx, bad); gradient.StatusOf(err) != 422 || !asAPI(err, &ae) || len(ae.Unknown) != 3 {
		t.Fatalf("PUT with unknown ids: want 422 naming all 3, got %v", err)
	}

	// Guide 12: second Gradient Sync; counts land for mapped accounts.
	html = postForm(t, page+"/sync", nil)
	if !regexp.MustCompile(`Counts sent: [1-9]`).MatchString(html) {
		t.Fatalf("second sync report:\n%s", html)
	}
	d := must(pc.Integration(ctx))
	if d.Status != gradient.StatusActive || d.Counts.Usage == 0 || d.Counts.Alerts == 0 {
		t.Fatalf("after second sync: %+v", d)
	}

	// Guide 13–14: billing and reconcile.
	rows := must(pc.Billing(ctx))
	want := -countUsage(sc, accounts[0].ID) // the do-not-bill account's counts never land
	for _, a := range sc.Mesh.Accounts {
		want += len(a.Usage)
	}
	if len(rows) != want || d.Counts.Usage != want {
		t.Fatalf("billing rows: %d, usage count %d, want %d", len(rows), d.Counts.Usage, want)
	}
	var differing []gradient.BillingKey
	for _, r := range rows {
		if r.AccountID == accounts[0].ID {
			t.Fatalf("a do-not-bill account is billed: %+v", r)
		}
		if r.ProductID == "" || r.SnapshotAt.IsZero() {
			t.Fatalf("row not joined: %+v", r)
		}
		if r.Usage != r.BilledQuantity {
			differing = append(differing, gradient.BillingKey{AccountID: r.AccountID, ServiceID: r.ServiceID})
		}
	}
	if len(differing) == 0 {
		t.Fatal("the demo scenario should have differing quantities")
	}
	updated := must(pc.Reconcile(ctx, differing))
	if len(updated) != len(differing) {
		t.Fatalf("reconcile answered %d rows for %d items", len(updated), len(differing))
	}
	sums := map[[2]string]float64{}
	rows = must(pc.Billing(ctx))
	for _, r := range rows {
		sums[[2]string{r.CompanyID, r.ProductID}] += r.Usage
	}
	for _, r := range updated {
		if r.BilledQuantity != sums[[2]string{r.CompanyID, r.ProductID}] {
			t.Fatalf("reconciled row %+v: quantity is not the company's usage %v", r, sums[[2]string{r.CompanyID, r.ProductID}])
		}
	}

	// Re-key: the old key is refused, accounts stay.
	oldVendor := must(gradient.NewVendorClient(sb.GradientURL, sb.Emulator.VendorKey(), key, gradient.Options{}))
	newKey := must(pc.RotateKey(ctx))
	if newKey == key {
		t.Fatal("re-key returned the same key")
	}
	if _, err := oldVendor.Organization(ctx); !gradient.IsUnauthorized(err) {
		t.Fatalf("old key after re-key: want 401, got %v", err)
	}
	newVendor := must(gradient.NewVendorClient(sb.GradientURL, sb.Emulator.VendorKey(), newKey, gradient.Options{}))
	if va := must(newVendor.Accounts(ctx)); len(va) != 40 {
		t.Fatalf("accounts after re-key: %d", len(va))
	}

	// Disconnect: key refused, mappings and accounts gone; twice is fine.
	for range 2 {
		if err := pc.Disconnect(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := newVendor.Organization(ctx); !gradient.IsUnauthorized(err) {
		t.Fatalf("key after disconnect: want 401, got %v", err)
	}
	after := must(pc.Mappings(ctx))
	if len(after.Accounts)+len(after.Services) != 0 || len(must(pc.Accounts(ctx))) != 0 {
		t.Fatalf("disconnect left mappings %+v or accounts", after)
	}
	if d := must(pc.Integration(ctx)); d.Connected || d.KeyHint != "" {
		t.Fatalf("card after disconnect: %+v", d)
	}
}

func asAPI(err error, target **gradient.APIError) bool {
	ae, ok := err.(*gradient.APIError)
	*target = ae
	return ok
}

func countUsage(sc *meshemu.Scenario, accountID string) int {
	for _, a := range sc.Mesh.Accounts {
		if a.ID == accountID {
			return len(a.Usage)
		}
	}
	return 0
}

func TestPortalShowsSynthesizeErrorForWrongKey(t *testing.T) {
	sb := startSandbox(t, meshemu.Demo())
	html := postForm(t, sb.PortalURL+"/eu/settings/gradient", url.Values{"api_key": {"gsk_wrong<b>"}})
	if !strings.Contains(html, "Synthesize did not accept the key") || !strings.Contains(html, "401") || !strings.Contains(html, "Unauthorized") {
		t.Fatalf("wrong key page:\n%s", html)
	}
	if strings.Contains(html, "gsk_wrong") {
		t.Fatal("the page echoes the rejected key")
	}
	if !strings.Contains(html, `<strong id="status">not connected</strong>`) {
		t.Fatal("a rejected key was saved")
	}
	html = postForm(t, sb.PortalURL+"/eu/settings/gradient/sync", nil)
	if !strings.Contains(html, "Submit an API key before pressing Gradient Sync") {
		t.Fatalf("sync without key:\n%s", html)
	}
}

func TestPortalEscapesWhatItEchoes(t *testing.T) {
	sc, err := meshemu.ParseScenario("evil.json", []byte(`{"mesh":{"accounts":[
		{"id":"m-1","name":"<script>alert(1)</script> Corp","usage":{"gateway":3}}]},
		"psa":{"companies":[],"products":[],"agreements":[]}}`))
	if err != nil {
		t.Fatal(err)
	}
	sb := startSandbox(t, sc)
	pc := must(gradient.NewPartnerClient(sb.GradientURL, sb.Emulator.PartnerToken(), gradient.Options{}))
	conn := must(pc.Connect(context.Background(), []string{"gateway"}, []string{"billing"}))
	postForm(t, sb.PortalURL+"/us/settings/gradient", url.Values{"api_key": {conn.APIKey}})
	html := postForm(t, sb.PortalURL+"/us/settings/gradient/sync", url.Values{"product": {"gateway"}})
	if strings.Contains(html, "<script>") {
		t.Fatalf("unescaped script in page:\n%s", html)
	}
	if !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt; Corp") {
		t.Fatalf("skipped account name not shown escaped:\n%s", html)
	}
	if !strings.Contains(html, "Alerts: not enabled") && !strings.Contains(html, "Alerts sent: 0") {
		t.Fatalf("alerts line missing:\n%s", html)
	}
}

func TestPortalIndexAndUnknownRegion(t *testing.T) {
	sb := startSandbox(t, meshemu.Demo())
	resp := must(http.Get(sb.PortalURL + "/"))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `href="/us/settings/gradient"`) || !strings.Contains(string(body), `href="/eu/settings/gradient"`) {
		t.Fatalf("index:\n%s", body)
	}
	resp = must(http.Get(sb.PortalURL + "/mars/settings/gradient"))
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("unknown region: %d", resp.StatusCode)
	}
}

// TestJourneyAlertsForOddIDs walks Submit → Gradient Sync → mapping →
// second sync with Alerts on, for accounts whose ids hold a space, "é",
// "/" and "%": every mapped account's count and alert must arrive, and
// every alert must become a ticket.
func TestJourneyAlertsForOddIDs(t *testing.T) {
	ctx := context.Background()
	ids := []string{"m 1", "é3", "m/4", "50%", "m-5"}
	sc := &meshemu.Scenario{PSA: synthemu.PSA{Companies: []gradient.Company{{ID: "c-1", Name: "One"}}}}
	for i, id := range ids {
		sc.Mesh.Accounts = append(sc.Mesh.Accounts, meshemu.ScenarioAccount{ID: id, Name: "Tenant " + id,
			Usage: map[string]float64{"gateway": float64(10 + i)}})
		sc.Mesh.Alerts = append(sc.Mesh.Alerts, meshemu.ScenarioAlert{AccountID: id, Title: "Phishing blocked for " + id,
			Description: "quarantined", Severity: "high"})
	}
	sb, err := meshemu.StartSandbox(meshemu.SandboxOptions{Listen: "127.0.0.1:0", Scenario: sc,
		EmulatorOptions: []synthemu.Option{synthemu.WithTicketDelay(0)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	pc := must(gradient.NewPartnerClient(sb.GradientURL, sb.Emulator.PartnerToken(), gradient.Options{}))
	conn := must(pc.Connect(ctx, []string{"gateway"}, []string{"billing", "alerts"}))
	page := sb.PortalURL + "/us/settings/gradient"
	postForm(t, page, url.Values{"api_key": {conn.APIKey}})
	html := postForm(t, page+"/sync", url.Values{"product": {"gateway"}})
	// Alerts for accounts not mapped yet are taken, and fail saying why.
	if !strings.Contains(html, "Accounts sent: 5") || !strings.Contains(html, "Alerts sent: 5, skipped: 0") {
		t.Fatalf("first sync report:\n%s", html)
	}

	var m gradient.Mappings
	for _, a := range must(pc.Accounts(ctx)) {
		m.Accounts = append(m.Accounts, gradient.AccountMapping{AccountID: a.ID, CompanyID: "c-1"})
	}
	if len(m.Accounts) != len(ids) {
		t.Fatalf("accounts after the first sync: %+v", m.Accounts)
	}
	m.Version = "*" // whatever is there: this test is the only writer
	if _, err := pc.PutMappings(ctx, m); err != nil {
		t.Fatal(err)
	}
	html = postForm(t, page+"/sync", url.Values{"product": {"gateway"}})
	if !strings.Contains(html, "Counts sent: 5") || !strings.Contains(html, "Alerts sent: 5, skipped: 0") {
		t.Fatalf("second sync report:\n%s", html)
	}
	if d := must(pc.Integration(ctx)); d.Counts.Alerts != len(ids) || d.Counts.Usage != len(ids) {
		t.Fatalf("after the second sync: %+v", d.Counts)
	}
	// Each alert failed once (unmapped), then became a ticket at the second sync.
	byStatus := map[string]int{}
	for _, a := range must(pc.Alerts(ctx, false)) {
		byStatus[a.TicketStatus]++
	}
	if byStatus[gradient.TicketFailed] != len(ids) || byStatus[gradient.TicketSuccess] != len(ids) {
		t.Fatalf("alert records after two syncs: %v", byStatus)
	}

	// Mesh's own view: every account mapped, and an alert sent now for
	// each becomes a ticket.
	vc := must(gradient.NewVendorClient(sb.GradientURL, sb.Emulator.VendorKey(), conn.APIKey, gradient.Options{}))
	mapped := must(vc.ListAccounts(ctx, gradient.AccountFilter{IDs: ids, MappedOnly: true}))
	if len(mapped) != len(ids) {
		t.Fatalf("mapped accounts by id: %+v", mapped)
	}
	for _, id := range ids {
		r := must(vc.PostAlert(ctx, id, gradient.Alert{Title: "t", Description: "d", AlertID: "check-" + id}))
		if d := must(vc.AlertDebug(ctx, r.MessageID)); d.Status != gradient.TicketSuccess || d.TicketID == "" {
			t.Fatalf("alert for %q: %+v", id, d)
		}
	}
}
