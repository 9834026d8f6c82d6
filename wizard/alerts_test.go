package wizard_test

import (
	"context"
	"net/url"
	"slices"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// demoHomes are the PSA companies of the demo's alerting accounts;
// Zephyr Trial Account (m-011) has none, Woodgrove's company has no
// ticket board and Franklin's ticket fails in the PSA.
var demoHomes = map[string]string{"m-001": "c-046", "m-004": "c-003", "m-008": "c-012", "m-016": "c-050", "m-020": "c-018"}

// connectedWithAlerts is an onboarded integration (as the state file has
// it) with Billing and Alerts, whose Mesh has synced twice: once before
// the mappings (every alert fails, unmapped) and once after.
func connectedWithAlerts(t *testing.T, types ...string) *harness {
	t.Helper()
	ctx := context.Background()
	h := newHarness(t, synthemu.WithTicketDelay(0))
	conn, err := h.pc.Connect(ctx, []string{"gateway", "m365", "unified"}, types)
	if err != nil {
		t.Fatal(err)
	}
	h.portal("us", "submit", url.Values{"api_key": {conn.APIKey}})
	h.portal("us", "sync", nil)
	services, err := h.pc.Services(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m := gradient.Mappings{Version: "*"}
	for account, company := range demoHomes {
		m.Accounts = append(m.Accounts, gradient.AccountMapping{AccountID: account, CompanyID: company})
	}
	products := map[string]string{"Mesh Gateway": "p-gw", "Mesh 365": "p-365", "Mesh Unified": "p-uni"}
	for _, s := range services {
		m.Services = append(m.Services, gradient.ServiceMapping{ServiceID: s.ID, ProductID: products[s.Name]})
	}
	if _, err := h.pc.PutMappings(ctx, m); err != nil {
		t.Fatal(err)
	}
	h.portal("us", "sync", nil)
	st, err := store.Open(h.path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.UpdateProgress(core.Vendor, func(p *store.Progress) {
		p.Step, p.Onboarded, p.KeyHint, p.KeyConfirmed = core.StepHome.String(), true, conn.Integration.KeyHint, true
		p.Products, p.Types, p.MappingsWrittenAt = conn.Integration.Products, types, clock
	}); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestAlertsScreenShowsEveryTicketOrWhyNot: alerts for mapped, unmapped
// and failing accounts give exactly the expected ticket statuses on home
// and on the Alerts screen, failed first, each failure with its reason;
// the fix of an unmapped account's alert opens that account's picker.
func TestAlertsScreenShowsEveryTicketOrWhyNot(t *testing.T) {
	t.Parallel()
	h := connectedWithAlerts(t, "billing", "alerts")
	r := h.start(t, 110, 34)
	home := r.waitFor(`Alerts: 6 alerts · 3 tickets made · 3 failed(?s:.*)Disconnect`)
	contains(t, home, "✗ Zephyr Trial Account · account not mapped: map it on Update account mappings",
		"✗ Woodgrove Bank · company has no ticket board in the PSA", "✗ Franklin Auto Repair · PSA: the ticket needs a contact")

	r.keys("down", "down", "down", "enter")
	r.waitFor(`Mesh alerts · 6 alerts: 3 tickets made · 3 failed(?s:.*)Synthesize: PSA: the ticket needs a contact`)
	screen := r.model.View()
	requireGolden(t, screen)

	// Zephyr's is the third failure (newest first); m maps its account.
	r.keys("down", "down")
	r.waitFor(`Fix: map it on Update account mappings \(m\)`)
	r.keys("f")
	r.waitFor(`failed only`)
	r.keys("/", "w", "o", "o", "d", "enter")
	r.waitFor(`Filter: wood\s+1 of 3`) // of the failed ones f shows
	r.keys("esc", "f")
	r.waitFor(`Showing every alert`)
	r.keys("x", "Z")                 // keys this screen does not take change nothing
	r.keys("g", "down", "down", "m") // the cursor stayed on Woodgrove: back to the top first
	r.waitFor(`Choose the company for Zephyr Trial Account`)
	r.waitFor(`Choose the company for Zephyr Trial Account(?s:.*)then n reviews the change`)
	if p := r.model.Step(); p != core.StepAccounts {
		t.Fatalf("the fix led to %s", p)
	}
	r.stop()
}

// TestChangeProductsAndTypes: from home, remove a product and add Alerts;
// the dialog says what each change does and defaults to No; yes sends it
// and the card, home and the state file agree.
func TestChangeProductsAndTypes(t *testing.T) {
	t.Parallel()
	h := connectedWithAlerts(t, "billing")
	r := h.start(t, 110, 34)
	r.waitFor(`Types: Billing(?s:.*)Disconnect`)
	r.keys("down", "down", "down", "down", "enter")
	r.waitFor(`What should Synthesize integrate from Mesh`)
	r.keys("enter")
	r.waitFor(`Nothing changed: these are the products and types integrated now`)
	r.keys("down", "space", "down", "down", "down", "space")
	r.waitFor(`removes(?s:.*)adds`)
	r.keys("enter")
	out := r.waitFor(`Change what is integrated\?(?s:.*)y change it`)
	contains(t, out, "Removes Mesh 365", "Adds Alerts") // the golden holds the rest, wrapped
	requireGolden(t, r.model.View())
	r.keys("enter") // the default: No
	r.waitFor(`Cancelled: nothing changed`)
	if d, _ := h.pc.Integration(context.Background()); slices.Contains(d.Types, "alerts") {
		t.Fatal("No changed the integration")
	}
	r.keys("enter", "y")
	r.waitFor(`Changed in Synthesize: now Mesh Gateway, Mesh Unified · Billing, Alerts`)
	r.waitFor(`Types: Billing, Alerts`)
	d, err := h.pc.Integration(context.Background())
	if err != nil || !slices.Equal(d.Products, []string{"gateway", "unified"}) || !slices.Equal(d.Types, []string{"billing", "alerts"}) {
		t.Fatalf("the card after the change: %+v %v", d.Integration, err)
	}
	r.stop()
	if p := loadProgress(t, h); !slices.Equal(p.Types, []string{"billing", "alerts"}) || !slices.Equal(p.Products, []string{"gateway", "unified"}) {
		t.Fatalf("the state file after the change: %+v", p)
	}
}

func loadProgress(t *testing.T, h *harness) store.Progress {
	t.Helper()
	st, err := store.Open(h.path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := st.Load(core.Vendor)
	if err != nil {
		t.Fatal(err)
	}
	return s.Progress
}
