package meshemu_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
)

var fastOpts = gradient.Options{Retry: gradient.RetryPolicy{MaxAttempts: 3, BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond}}

// clock is a settable clock for the portal.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// emulatedMesh serves a portal on loopback and counts the API requests.
type emulatedMesh struct {
	portal *meshemu.Portal
	srv    *httptest.Server
	calls  atomic.Int64
	clock  *clock
}

func newEmulatedMesh(t *testing.T, sc *meshemu.Scenario) *emulatedMesh {
	t.Helper()
	m := &emulatedMesh{clock: &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}}
	m.portal = meshemu.NewPortal(meshemu.PortalConfig{Scenario: sc, Now: m.clock.now})
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/api/") {
			m.calls.Add(1)
		}
		m.portal.ServeHTTP(w, r)
	}))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *emulatedMesh) hub(region string) string {
	u, _ := mesh.HubURL(region, m.srv.URL)
	return u
}

func (m *emulatedMesh) key(t *testing.T) string {
	t.Helper()
	key, _, err := m.portal.CreateAPIKey("test", mesh.APIKeyPermission, m.clock.now().AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func ptr[T any](v T) *T { return &v }

// TestMeshClientPagesTheEmulatedCustomers: 2,345 customers (UUID ids, as
// Mesh's) arrive in 3 requests of 1,000, whole and in Mesh's order, with
// the fields derived from the scenario; the emulator's extra field is
// ignored; both hubs and the portal's own address serve them.
func TestMeshClientPagesTheEmulatedCustomers(t *testing.T) {
	sc := &meshemu.Scenario{}
	services := []string{"Mesh Gateway", "Mesh 365", "Mesh Unified"}
	for i := range 2345 {
		a := meshemu.ScenarioAccount{ID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i), Name: fmt.Sprintf("Customer %04d", i),
			ServiceName: services[i%3], UserCount: ptr(i % 50)}
		if i%7 == 0 {
			a.State = meshemu.StateTrial
		}
		sc.Mesh.Accounts = append(sc.Mesh.Accounts, a)
	}
	m := newEmulatedMesh(t, sc)
	key := m.key(t)
	for _, hub := range []string{m.hub("us"), m.hub("eu"), m.srv.URL} {
		m.calls.Store(0)
		c, err := mesh.NewClient(hub, key, fastOpts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Customers(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2345 || m.calls.Load() != 3 {
			t.Fatalf("%s: %d customers in %d requests, want 2,345 in 3", hub, len(got), m.calls.Load())
		}
		if got[0].CompanyName != "Customer 0000" || got[2344].CompanyName != "Customer 2344" {
			t.Fatalf("not in company_name order: %q … %q", got[0].CompanyName, got[2344].CompanyName)
		}
		c7 := got[7]
		if c7.ID != sc.Mesh.Accounts[7].ID || c7.ServiceName != "Mesh 365" || c7.UserCount != 7 || c7.LicensesBilled != 0 || !c7.Active ||
			c7.NextInvoiceDate != time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) || c7.PrimaryDomain != "customer-0007.example" {
			t.Fatalf("a trial customer: %+v", c7)
		}
		if s := mesh.Summarize(got).String(); s != "2345 customers — Gateway 782, Mesh 365 782, Unified 781" {
			t.Fatalf("summary %q", s)
		}
	}
}

// TestScenarioCustomerFields: explicit fields win; missing ones come from
// usage and cycle_usage; states, "N/A" and filters as Mesh's API has them.
func TestScenarioCustomerFields(t *testing.T) {
	sc, err := meshemu.ParseScenario("fields.json", []byte(`{"mesh":{"accounts":[
	 {"id":"m-1","name":"Acme Corp","usage":{"gateway":22,"m365":145},"cycle_usage":{"m365":148}},
	 {"id":"m 2/é","name":"Bravo","usage":{},"service_name":"Mesh Unified","user_count":30,"licenses_billed":28,
	  "next_invoice_date":"2027-01-15","state":"suspended","primary_domain":"bravo.test"},
	 {"id":"m-3","name":"Charlie","usage":{},"next_invoice_date":"N/A","state":"trial"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	m := newEmulatedMesh(t, sc)
	c, _ := mesh.NewClient(m.hub("us"), m.key(t), fastOpts)
	ctx := context.Background()
	acme, err := c.Customer(ctx, "m-1")
	if err != nil {
		t.Fatal(err)
	}
	if acme.ServiceName != "Mesh 365" || acme.UserCount != 145 || acme.LicensesBilled != 148 || acme.NextInvoiceDate.Format(time.DateOnly) != "2026-12-01" {
		t.Errorf("derived from usage and cycle_usage: %+v", acme)
	}
	bravo, err := c.Customer(ctx, "m 2/é")
	if err != nil {
		t.Fatal(err)
	}
	if bravo.UserCount != 30 || bravo.LicensesBilled != 28 || bravo.Active || !bravo.Suspended ||
		bravo.NextInvoiceDate.Format(time.DateOnly) != "2027-01-15" || bravo.PrimaryDomain != "bravo.test" {
		t.Errorf("explicit fields: %+v", bravo)
	}
	if _, err := c.Customer(ctx, "m-404"); !gradient.IsNotFound(err) {
		t.Errorf("an unknown id: want 404, got %v", err)
	}
	if got := sc.MeshAccounts()[1].Usage; got["unified"] != 30 || len(got) != 1 {
		t.Errorf("a Gradient Sync pushes user_count when usage is empty: %v", got)
	}
	for query, want := range map[string]string{
		"filter_service=2":              "Acme Corp",
		"filter_switch=inactive":        "Bravo",
		"filter_switch=trial":           "Charlie",
		"filter=BRAV":                   "Bravo",
		"filter=acme-corp":              "Acme Corp",
		"sorting=-company_name&_size=1": "Charlie",
		"sorting=user_count&_size=1":    "Charlie",
	} {
		status, body := getAPI(t, m, "/us/api/customers/?"+query)
		if status != 200 || !strings.Contains(body, `"company_name":"`+want+`"`) || strings.Count(body, `"company_name"`) != 1 {
			t.Errorf("%s: want only %s, got %d %s", query, want, status, body)
		}
	}
	for _, query := range []string{"_size=0", "_size=1001", "_from=-1", "filter_service=4", "filter_switch=gone", "sorting=colour"} {
		if status, body := getAPI(t, m, "/us/api/customers/?"+query); status != 400 || !strings.Contains(body, `"errors":[`) {
			t.Errorf("%s: want 400 {\"errors\"}, got %d %s", query, status, body)
		}
	}
	if status, body := getAPI(t, m, "/us/api/customers?_size=1"); status != 200 || !strings.Contains(body, `"count":3`) {
		t.Errorf("without the slash: want Django's redirect to the list, got %d %s", status, body)
	}
	if status, body := getAPI(t, m, "/us/api/customers/?_size=1"); !strings.Contains(body, `"next":"http://`) || status != 200 {
		t.Errorf("next should be a full URL: %s", body)
	}
}

// getAPI reads an API path with a fresh key, following redirects.
func getAPI(t *testing.T, m *emulatedMesh, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, m.srv.URL+path, nil)
	req.Header.Set("API-KEY", m.key(t))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestWrongKeysGetMeshs401: no key, a wrong key, a deleted key and an
// expired key each get {"errors": [...]} with 401, typed by the client as
// ErrKeyRejected, and no error holds the key.
func TestWrongKeysGetMeshs401(t *testing.T) {
	m := newEmulatedMesh(t, meshemu.Demo())
	ctx := context.Background()
	check := func(key, says string) {
		t.Helper()
		c, err := mesh.NewClient(m.hub("eu"), key, fastOpts)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Check(ctx)
		if !mesh.IsKeyRejected(err) || !strings.Contains(err.Error(), says) || strings.Contains(err.Error(), key) {
			t.Fatalf("want a 401 saying %q without the key, got %v", says, err)
		}
	}
	check("mk_not_a_key_at_all", "Invalid API key.")
	deleted, k, _ := m.portal.CreateAPIKey("to delete", mesh.APIKeyPermission, m.clock.now())
	if !m.portal.DeleteAPIKey(k.ID) || m.portal.DeleteAPIKey(k.ID) {
		t.Fatal("a key deletes once")
	}
	check(deleted, "Invalid API key.")
	expiring, _, _ := m.portal.CreateAPIKey("expiring", mesh.APIKeyPermission, m.clock.now())
	c, _ := mesh.NewClient(m.hub("eu"), expiring, fastOpts)
	if n, err := c.Check(ctx); err != nil || n != 40 {
		t.Fatalf("a key works to the end of its expiry date: %d %v", n, err)
	}
	m.clock.add(12 * time.Hour)
	check(expiring, "API key has expired.")
	if _, _, err := m.portal.CreateAPIKey("late", mesh.APIKeyPermission, m.clock.now().AddDate(0, 0, -1)); err == nil {
		t.Fatal("a key that expired yesterday was made")
	}
	if status, body := getAPI(t, m, "/api/nothing/"); status != 404 || body != "{\"errors\":[\"Not found.\"]}\n" {
		t.Fatalf("an unknown path: %d %q", status, body)
	}
	req, _ := http.NewRequest(http.MethodGet, m.srv.URL+"/api/customers/", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(body), "Authentication credentials were not provided.") {
		t.Fatalf("no key: %d %s", resp.StatusCode, body)
	}
}

var shownKey = regexp.MustCompile(`<code id="api-key">([^<]+)</code>`)

// TestAPIKeysPage: the plain-HTML page makes a key (name, permission,
// expiry) and shows it once; the key works; the page lists it by its hint
// only; deleting it from the page makes Mesh answer 401; another site's
// page cannot post the form; a bad form says why.
func TestAPIKeysPage(t *testing.T) {
	m := newEmulatedMesh(t, meshemu.Demo())
	page := m.srv.URL + mesh.APIKeysPagePath("us")
	resp, err := http.PostForm(page, url.Values{"name": {"Gradient <sync>"}, "permission": {mesh.APIKeyPermission}, "expires": {"2027-05-31"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	found := shownKey.FindStringSubmatch(string(body))
	if resp.StatusCode != http.StatusCreated || found == nil || !strings.Contains(string(body), "Gradient &lt;sync&gt;") {
		t.Fatalf("want the new key shown once, escaped page: %d %s", resp.StatusCode, body)
	}
	key := found[1]
	c, _ := mesh.NewClient(m.hub("us"), key, fastOpts)
	if n, err := c.Check(context.Background()); err != nil || n != 40 {
		t.Fatalf("the new key: %d %v", n, err)
	}
	listed := get(t, page)
	if strings.Contains(listed, key) || !strings.Contains(listed, "…"+key[len(key)-4:]) || !strings.Contains(listed, "2027-05-31") {
		t.Fatalf("the page lists the key by its hint and expiry, never whole: %s", listed)
	}
	keys := m.portal.APIKeys()
	if len(keys) != 1 || keys[0].Name != "Gradient <sync>" || keys[0].Permission != mesh.APIKeyPermission {
		t.Fatalf("keys %+v", keys)
	}
	del := page + "/" + keys[0].ID + "/delete"
	cross, _ := http.NewRequest(http.MethodPost, del, nil)
	cross.Header.Set("Origin", "https://evil.example")
	if resp, err := http.DefaultClient.Do(cross); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-site delete: want 403, got %v %v", resp.StatusCode, err)
	}
	if after := postForm(t, del, nil); !strings.Contains(after, "No keys yet.") {
		t.Fatalf("after delete: %s", after)
	}
	if _, err := c.Check(context.Background()); !mesh.IsKeyRejected(err) {
		t.Fatalf("a deleted key: want ErrKeyRejected, got %v", err)
	}
	for _, form := range []url.Values{
		{"name": {""}, "permission": {mesh.APIKeyPermission}, "expires": {"2027-01-01"}},
		{"name": {"x"}, "permission": {"God Mode"}, "expires": {"2027-01-01"}},
		{"name": {"x"}, "permission": {mesh.APIKeyPermission}, "expires": {"2020-01-01"}},
		{"name": {"x"}, "permission": {mesh.APIKeyPermission}, "expires": {"soon"}},
	} {
		resp, err := http.PostForm(page, form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), "The key was not made") || shownKey.Match(body) {
			t.Errorf("%v: want 400 and no key, got %d", form, resp.StatusCode)
		}
	}
}

func get(t *testing.T, target string) string {
	t.Helper()
	resp, err := http.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// TestSandboxMakesAMeshKey: the sandbox's MESH_API_KEY works on both
// emulated hubs.
func TestSandboxMakesAMeshKey(t *testing.T) {
	sb := startSandbox(t, meshemu.Demo())
	for _, region := range []string{"us", "eu"} {
		c, err := mesh.NewClient(sb.MeshHubURL(region), sb.MeshAPIKey, gradient.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := c.Check(context.Background()); err != nil || n != len(sb.Scenario.Mesh.Accounts) {
			t.Fatalf("%s: %d customers, %v", region, n, err)
		}
	}
	if sb.MeshAPIKey == "" || strings.ContainsAny(sb.MeshAPIKey, " '\"$;&|`\\") {
		t.Fatalf("MESH_API_KEY=%s is not safe for a shell's eval", sb.MeshAPIKey)
	}
}

// TestSandboxNeverWritesTheMeshKey: connected by the sandbox's own Mesh
// key, the emulated Synthesize pulls the emulated Mesh; the state file it
// keeps holds neither that key nor its base64; a sandbox restarted on the
// file shows the connection and, at the next sync, that the key must be
// replaced (the emulated Mesh forgot its keys too).
func TestSandboxNeverWritesTheMeshKey(t *testing.T) {
	ctx := context.Background()
	state := t.TempDir() + "/sandbox-synthesize.json"
	sb, err := meshemu.StartSandbox(meshemu.SandboxOptions{StateFile: state})
	if err != nil {
		t.Fatal(err)
	}
	pc, _ := gradient.NewPartnerClient(sb.GradientURL, sb.Emulator.PartnerToken(), gradient.Options{})
	if _, err := pc.ConnectMeshKey(ctx, []string{"gateway", "m365"}, []string{"billing"},
		gradient.MeshCredentials{APIURL: sb.MeshHubURL("eu"), APIKey: sb.MeshAPIKey}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Emulator.WaitPulls(ctx); err != nil {
		t.Fatal(err)
	}
	if d, _ := pc.Integration(ctx); d.Counts.Accounts != len(sb.Scenario.Mesh.Accounts) || d.LastSyncError != "" {
		t.Fatalf("after the first pull: %+v", d)
	}
	key := sb.MeshAPIKey
	sb.Close()
	data, err := os.ReadFile(state)
	if err != nil || !strings.Contains(string(data), `"method":"mesh_api_key"`) {
		t.Fatalf("the state file: %v %s", err, data)
	}
	for _, form := range []string{key, base64.StdEncoding.EncodeToString([]byte(key))} {
		if strings.Contains(string(data), form) {
			t.Fatal("the state file holds the Mesh key")
		}
	}
	again, err := meshemu.StartSandbox(meshemu.SandboxOptions{StateFile: state})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	pc, _ = gradient.NewPartnerClient(again.GradientURL, again.Emulator.PartnerToken(), gradient.Options{})
	if err := pc.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if err := again.Emulator.WaitPulls(ctx); err != nil {
		t.Fatal(err)
	}
	d, _ := pc.Integration(ctx)
	if d.Status != gradient.StatusError || !strings.Contains(d.LastSyncError, "replace the key") || d.Counts.Accounts == 0 {
		t.Fatalf("restarted: %+v", d)
	}
}
