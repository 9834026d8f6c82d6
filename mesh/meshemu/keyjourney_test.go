package meshemu_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
)

// makeKey posts the API-keys form as a browser without JavaScript does and
// reads the key the page shows once.
func makeKey(t *testing.T, page string) string {
	t.Helper()
	resp, err := http.PostForm(page, url.Values{"name": {"Gradient"}, "permission": {mesh.APIKeyPermission},
		"expires": {time.Now().UTC().AddDate(0, 3, 0).Format(time.DateOnly)}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := shownKey.FindStringSubmatch(string(body))
	if resp.StatusCode != http.StatusCreated || m == nil {
		t.Fatalf("making a key: %d %s", resp.StatusCode, body)
	}
	return m[1]
}

var deleteForm = regexp.MustCompile(`action="(/us/settings/api-keys/[^"/]+/delete)"`)

// TestMeshKeyJourney is flow 1b's back end, in the order the wizard walks
// it, with the real clients against the sandbox over loopback: a key made
// on the emulated Mesh's API-keys page, checked against Mesh itself (the
// counts the wizard shows), handed to Synthesize, which pulls; map; sync
// now; billing with Mesh's own numbers beside the snapshot; the key
// deleted in Mesh, the next sync fails and says so; a new key recovers;
// disconnect.
func TestMeshKeyJourney(t *testing.T) {
	ctx := context.Background()
	sb := startSandbox(t, meshemu.Demo())
	page := sb.PortalURL + mesh.APIKeysPagePath("us")
	hub := sb.MeshHubURL("us")
	key := makeKey(t, page)
	wait := func() {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := sb.Emulator.WaitPulls(wctx); err != nil {
			t.Fatal(err)
		}
	}

	// The wizard checks the key against Mesh before Synthesize sees it.
	mc := must(mesh.NewClient(hub, key, gradient.Options{}))
	customers := must(mc.Customers(ctx))
	want := map[string]int{}
	for _, a := range sb.Scenario.Mesh.Accounts {
		top, best := "", -1.0
		for _, p := range mesh.Products {
			if n, ok := a.Usage[p.Key]; ok && n > best {
				top, best = p.Key, n
			}
		}
		want[top]++
	}
	sum := mesh.Summarize(customers)
	if sum.Customers != 40 || sum.ByProduct["gateway"] != want["gateway"] || sum.ByProduct["m365"] != want["m365"] || sum.ByProduct["unified"] != want["unified"] {
		t.Fatalf("the key sees %s, want 40 customers, %v", sum, want)
	}
	byID := map[string]mesh.Customer{}
	for _, c := range customers {
		byID[c.ID] = c
	}

	pc := must(gradient.NewPartnerClient(sb.GradientURL, sb.Emulator.PartnerToken(), gradient.Options{}))
	card := must(pc.ConnectMeshKey(ctx, []string{"gateway", "m365", "unified"}, []string{"billing"}, gradient.MeshCredentials{APIURL: hub, APIKey: key}))
	if card.Method != gradient.MethodMeshAPIKey || card.MeshKeyHint != key[len(key)-4:] {
		t.Fatalf("card %+v", card)
	}
	wait()
	accounts := must(pc.Accounts(ctx))
	services := must(pc.Services(ctx))
	if len(accounts) != 40 || len(services) != 3 {
		t.Fatalf("first pull: %d accounts, %d services", len(accounts), len(services))
	}

	// Map five accounts and every service, as the mapping screens would.
	products := map[string]string{"Mesh Gateway": "p-gw", "Mesh 365": "p-365", "Mesh Unified": "p-uni"}
	var m gradient.Mappings
	for i, a := range accounts[:5] {
		m.Accounts = append(m.Accounts, gradient.AccountMapping{AccountID: a.ID, CompanyID: sb.Scenario.PSA.Companies[i].ID})
	}
	for _, s := range services {
		m.Services = append(m.Services, gradient.ServiceMapping{ServiceID: s.ID, ProductID: products[s.Name]})
	}
	m.Version = "*" // whatever is there: this test is the only writer
	if _, err := pc.PutMappings(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := pc.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	wait()
	rows := must(pc.Billing(ctx))
	if len(rows) != 5 {
		t.Fatalf("want a billing row per mapped account, got %d", len(rows))
	}
	for _, r := range rows {
		c := byID[r.AccountID]
		if r.Usage != float64(c.UserCount) || r.VendorBilledQuantity == nil || *r.VendorBilledQuantity != float64(c.LicensesBilled) ||
			r.VendorCycleEnds != c.NextInvoiceDate.Format(time.DateOnly) {
			t.Errorf("row %+v does not carry Mesh's numbers %+v", r, c)
		}
	}
	if d := must(pc.Integration(ctx)); d.Status != gradient.StatusActive || d.LastSyncError != "" {
		t.Fatalf("after sync now: %+v", d)
	}

	// The key is deleted in Mesh: the next sync fails, and the card says why.
	form := deleteForm.FindStringSubmatch(get(t, page))
	if form == nil {
		t.Fatal("no delete button on the API-keys page")
	}
	postForm(t, sb.PortalURL+form[1], nil)
	if _, err := mc.Check(ctx); !mesh.IsKeyRejected(err) {
		t.Fatalf("the deleted key still works: %v", err)
	}
	if err := pc.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	wait()
	if d := must(pc.Integration(ctx)); d.Status != gradient.StatusError || !strings.Contains(d.LastSyncError, "401") {
		t.Fatalf("after the key was deleted: %+v", d)
	}

	// A new key recovers.
	fresh := makeKey(t, page)
	if _, err := pc.ReplaceMeshKey(ctx, gradient.MeshCredentials{APIURL: hub, APIKey: fresh}); err != nil {
		t.Fatal(err)
	}
	wait()
	if d := must(pc.Integration(ctx)); d.Status != gradient.StatusActive || d.LastSyncError != "" || d.MeshKeyHint != fresh[len(fresh)-4:] {
		t.Fatalf("after the new key: %+v", d)
	}
	if err := pc.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	if d := must(pc.Integration(ctx)); d.Connected || d.Counts.Accounts != 0 {
		t.Fatalf("after disconnect: %+v", d)
	}
}
