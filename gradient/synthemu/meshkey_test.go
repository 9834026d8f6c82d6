package synthemu_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
)

var meshOpts = gradient.Options{Retry: gradient.RetryPolicy{MaxAttempts: 2, BaseDelay: 5 * time.Millisecond, MaxDelay: 10 * time.Millisecond}}

// pulling is Synthesize and an emulated Mesh, each on loopback, with a
// Mesh API key.
type pulling struct {
	emu    *synthemu.Server
	portal *meshemu.Portal
	hub    string
	key    string
	pc     *gradient.PartnerClient
	sc     *meshemu.Scenario
}

func newPulling(t *testing.T, opts ...synthemu.Option) *pulling {
	t.Helper()
	sc := meshemu.Demo()
	p := &pulling{sc: sc, portal: meshemu.NewPortal(meshemu.PortalConfig{Scenario: sc})}
	msrv := httptest.NewServer(p.portal)
	t.Cleanup(msrv.Close)
	p.hub, _ = mesh.HubURL("us", msrv.URL)
	p.emu = synthemu.NewServer(append([]synthemu.Option{synthemu.WithPSA(sc.PSA), synthemu.WithProductServices(mesh.ProductServices()),
		synthemu.WithMeshOptions(meshOpts)}, opts...)...)
	t.Cleanup(p.emu.Close)
	p.key = p.newKey(t)
	p.pc, _ = gradient.NewPartnerClient(p.emu.URL, p.emu.PartnerToken(), gradient.Options{})
	return p
}

func (p *pulling) newKey(t *testing.T) string {
	key, _, err := p.portal.CreateAPIKey("gradient", mesh.APIKeyPermission, time.Now().AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func (p *pulling) connect(t *testing.T) gradient.IntegrationDetail {
	t.Helper()
	d, err := p.pc.ConnectMeshKey(context.Background(), []string{"gateway", "m365", "unified"}, []string{"billing"},
		gradient.MeshCredentials{APIURL: p.hub, APIKey: p.key})
	if err != nil {
		t.Fatal(err)
	}
	p.waitPulls(t)
	return d
}

func (p *pulling) waitPulls(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.emu.WaitPulls(ctx); err != nil {
		t.Fatal("the pull did not end: ", err)
	}
}

func (p *pulling) card(t *testing.T) gradient.IntegrationDetail {
	t.Helper()
	d, err := p.pc.Integration(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestConnectByMeshKeyPullsMesh: Synthesize checks the key against the
// emulated Mesh over HTTP, answers 201 with no key of its own, and pulls
// at once: accounts from customers, services from service_name; after the
// mappings, a sync brings usage (user_count) with what Mesh bills this
// cycle and when the cycle ends.
func TestConnectByMeshKeyPullsMesh(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	p := newPulling(t, synthemu.WithClock(clock.Now))
	d := p.connect(t)
	if !d.Connected || d.Method != gradient.MethodMeshAPIKey || d.MeshAPIURL != p.hub || d.MeshKeyHint != p.key[len(p.key)-4:] ||
		d.Status != gradient.StatusPending || d.KeyHint != "" {
		t.Fatalf("card after connect: %+v", d)
	}
	accounts, err := p.pc.Accounts(ctx)
	if err != nil || len(accounts) != len(p.sc.Mesh.Accounts) {
		t.Fatalf("%d accounts (%v), want one per customer", len(accounts), err)
	}
	services, err := p.pc.Services(ctx)
	if err != nil || len(services) != 3 {
		t.Fatalf("services %v %v", services, err)
	}
	first := p.card(t)
	if first.LastSyncAt == nil || first.LastSyncError != "" || first.Counts.Usage != 0 {
		t.Fatalf("after the first pull: %+v", first)
	}
	sku := map[string]string{}
	for _, s := range services {
		sku[s.Name] = s.ID
	}
	if _, err := p.pc.PutMappings(ctx, gradient.Mappings{Version: "*",
		Accounts: []gradient.AccountMapping{{AccountID: "m-012", CompanyID: "c-001"}},
		Services: []gradient.ServiceMapping{{ServiceID: sku["Mesh 365"], ProductID: "p-365"}},
	}); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Minute)
	if err := p.pc.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	p.waitPulls(t)
	after := p.card(t)
	if !after.LastSyncAt.Equal(clock.Now()) || after.Status != gradient.StatusActive || after.Counts.Usage != 1 {
		t.Fatalf("after sync now, last_sync_at should be %v: %+v", clock.Now(), after)
	}
	rows, err := p.pc.Billing(ctx)
	if err != nil || len(rows) != 1 {
		t.Fatalf("billing %+v %v", rows, err)
	}
	r := rows[0]
	wantEnds := time.Date(time.Now().UTC().Year(), time.Now().UTC().Month()+1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	if r.AccountID != "m-012" || r.Usage != 145 || r.VendorBilledQuantity == nil || *r.VendorBilledQuantity != 148 ||
		r.VendorCycleEnds != wantEnds || r.BilledQuantity != 147 {
		t.Fatalf("Acme's row: %+v (vendor billed %v)", r, r.VendorBilledQuantity)
	}
}

// TestConnectAnswersNoKey: the raw 201 holds no api_key, and the Mesh key
// is nowhere in it.
func TestConnectAnswersNoKey(t *testing.T) {
	p := newPulling(t)
	body := `{"products":["gateway"],"types":["billing"],"method":"mesh_api_key","mesh":{"api_url":"` + p.hub + `","api_key":"` + p.key + `"}}`
	req, _ := http.NewRequest(http.MethodPost, p.emu.URL+"/api/partner/v1/integrations/mesh/connect", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+p.emu.PartnerToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	p.waitPulls(t)
	if resp.StatusCode != 201 || strings.Contains(string(answer), `"api_key"`) || strings.Contains(string(answer), p.key) ||
		!strings.Contains(string(answer), `"method":"mesh_api_key"`) {
		t.Fatalf("%d %s", resp.StatusCode, answer)
	}
}

// TestMeshKeyCheckedBeforeConnecting: a key Mesh refuses is a 422
// mesh_key_rejected; a Mesh that does not answer, a 502; a hub with /api
// or no mesh part, a 422; none connects, and no error holds the key.
func TestMeshKeyCheckedBeforeConnecting(t *testing.T) {
	ctx := context.Background()
	p := newPulling(t)
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadURL := "http://" + dead.Addr().String()
	dead.Close()
	for _, tc := range []struct {
		name   string
		cred   gradient.MeshCredentials
		status int
		code   string
	}{
		{"refused key", gradient.MeshCredentials{APIURL: p.hub, APIKey: "mk_wrong_key_0000"}, 422, gradient.CodeMeshKeyRejected},
		{"Mesh unreachable", gradient.MeshCredentials{APIURL: deadURL, APIKey: p.key}, 502, gradient.CodeMeshUnreachable},
		{"hub with /api", gradient.MeshCredentials{APIURL: p.hub + "/api", APIKey: p.key}, 422, "invalid"},
		{"empty key", gradient.MeshCredentials{APIURL: p.hub, APIKey: " "}, 422, "invalid"},
	} {
		_, err := p.pc.ConnectMeshKey(ctx, []string{"gateway"}, []string{"billing"}, tc.cred)
		var ae *gradient.APIError
		if !errors.As(err, &ae) || ae.Status != tc.status || ae.Code != tc.code {
			t.Errorf("%s: want %d %s, got %v", tc.name, tc.status, tc.code, err)
		}
		if tc.code == gradient.CodeMeshKeyRejected && !gradient.IsMeshKeyRejected(err) {
			t.Errorf("%s: IsMeshKeyRejected is false", tc.name)
		}
		if err != nil && len(tc.cred.APIKey) > 4 && strings.Contains(err.Error(), tc.cred.APIKey) {
			t.Errorf("%s: the key is in the error: %v", tc.name, err)
		}
	}
	if d := p.card(t); d.Connected {
		t.Fatalf("a refused connect connected: %+v", d)
	}
	req := `{"products":["gateway"],"types":["billing"],"method":"mesh_api_key"}`
	if status := rawPost(t, p, "/integrations/mesh/connect", req); status != 422 {
		t.Fatalf("mesh_api_key without mesh: %d", status)
	}
}

func rawPost(t *testing.T, p *pulling, path, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.emu.URL+"/api/partner/v1"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+p.emu.PartnerToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestDeletedMeshKeyFailsThePullUntilReplaced: once the key is deleted in
// Mesh, a sync sets status error with the reason; a replacement Mesh also
// refuses changes nothing; a good one is checked, taken, and pulled.
func TestDeletedMeshKeyFailsThePullUntilReplaced(t *testing.T) {
	ctx := context.Background()
	p := newPulling(t)
	p.connect(t)
	for _, k := range p.portal.APIKeys() {
		p.portal.DeleteAPIKey(k.ID)
	}
	if err := p.pc.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	p.waitPulls(t)
	d := p.card(t)
	if d.Status != gradient.StatusError || !strings.Contains(d.LastSyncError, "401") || !strings.Contains(d.LastSyncError, "replace") {
		t.Fatalf("after the key was deleted: status %q, last_sync_error %q", d.Status, d.LastSyncError)
	}
	if _, err := p.pc.ReplaceMeshKey(ctx, gradient.MeshCredentials{APIURL: p.hub, APIKey: p.key}); !gradient.IsMeshKeyRejected(err) {
		t.Fatalf("replacing with the deleted key: want 422 mesh_key_rejected, got %v", err)
	}
	fresh := p.newKey(t)
	d, err := p.pc.ReplaceMeshKey(ctx, gradient.MeshCredentials{APIURL: p.hub, APIKey: fresh})
	if err != nil || d.MeshKeyHint != fresh[len(fresh)-4:] || d.LastSyncError != "" {
		t.Fatalf("replace: %+v %v", d, err)
	}
	p.waitPulls(t)
	if d := p.card(t); d.Status == gradient.StatusError || d.LastSyncError != "" {
		t.Fatalf("after the replacement's pull: %+v", d)
	}
}

// TestMeshKeyIsNeverInTheSnapshot: the state a sandbox writes to disk
// holds the hub and the hint, never the key (plain or base64); restored,
// the card still says how it is connected, and the next pull says the key
// must be replaced.
func TestMeshKeyIsNeverInTheSnapshot(t *testing.T) {
	ctx := context.Background()
	p := newPulling(t)
	p.connect(t)
	data, err := p.emu.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range []string{p.key, base64.StdEncoding.EncodeToString([]byte(p.key)), base64.RawURLEncoding.EncodeToString([]byte(p.key))} {
		if strings.Contains(string(data), form) {
			t.Fatalf("the snapshot holds the key: %s", data)
		}
	}
	again := synthemu.NewServer(synthemu.WithMeshOptions(meshOpts))
	defer again.Close()
	if err := again.Restore(data); err != nil {
		t.Fatal(err)
	}
	pc, _ := gradient.NewPartnerClient(again.URL, again.PartnerToken(), gradient.Options{})
	if err := pc.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if err := again.WaitPulls(ctx); err != nil {
		t.Fatal(err)
	}
	d, _ := pc.Integration(ctx)
	if d.Method != gradient.MethodMeshAPIKey || d.MeshKeyHint != p.key[len(p.key)-4:] || d.Status != gradient.StatusError ||
		!strings.Contains(d.LastSyncError, "forgot the Mesh API key") {
		t.Fatalf("restored: %+v", d)
	}
}

// TestMethodsDoNotMix: the push flow's card says gradient_key and has no
// sync or Mesh key; the pull flow issues no Synthesize key.
func TestMethodsDoNotMix(t *testing.T) {
	ctx := context.Background()
	c := connect(t)
	pc, _ := gradient.NewPartnerClient(c.srv.URL, c.srv.PartnerToken(), gradient.Options{})
	if d, _ := pc.Integration(ctx); d.Method != gradient.MethodGradientKey || d.MeshKeyHint != "" {
		t.Fatalf("push flow card: %+v", d)
	}
	if err := pc.SyncNow(ctx); gradient.StatusOf(err) != 409 {
		t.Fatalf("sync on the push flow: want 409, got %v", err)
	}
	if _, err := pc.ReplaceMeshKey(ctx, gradient.MeshCredentials{APIURL: "http://127.0.0.1:1", APIKey: "mk_1234"}); gradient.StatusOf(err) != 409 {
		t.Fatalf("a Mesh key for the push flow: want 409, got %v", err)
	}
	p := newPulling(t)
	p.connect(t)
	if _, err := p.pc.RotateKey(ctx); gradient.StatusOf(err) != 409 {
		t.Fatalf("a Synthesize key for the pull flow: want 409, got %v", err)
	}
	if _, err := p.pc.ConnectMeshKey(ctx, []string{"gateway"}, []string{"billing"}, gradient.MeshCredentials{APIURL: p.hub, APIKey: p.key}); gradient.StatusOf(err) != 409 {
		t.Fatalf("a second connect: want 409, got %v", err)
	}
	if err := p.pc.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	if d := p.card(t); d.Connected || d.Method != "" || d.MeshAPIURL != "" || d.Counts.Accounts != 0 {
		t.Fatalf("after disconnect: %+v", d)
	}
}
