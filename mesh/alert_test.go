package mesh_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/mesh"
)

// TestSyncSendsTheAlertBodyTheAPITakes: a Gradient Sync's alerts go as
// the SDK's body: numeric priority (the alert's own, else from its
// severity) and status 1, an alertId that stays the same from sync to
// sync, and the service of the account's product.
func TestSyncSendsTheAlertBodyTheAPITakes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emu := synthemu.New(synthemu.WithProductServices(mesh.ProductServices()),
		synthemu.WithPSA(synthemu.PSA{Companies: []gradient.Company{{ID: "c-1", Name: "One"}}}))
	var mu sync.Mutex
	var bodies []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/vendor-api/alerting/") {
			b, _ := io.ReadAll(r.Body)
			var body map[string]any
			_ = json.Unmarshal(b, &body)
			mu.Lock()
			bodies = append(bodies, body)
			mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		emu.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(emu.Close)
	pc, _ := gradient.NewPartnerClient(srv.URL, emu.PartnerToken(), gradient.Options{})
	conn, err := pc.Connect(ctx, []string{"gateway", "m365"}, []string{"billing", "alerts"})
	if err != nil {
		t.Fatal(err)
	}
	vc, _ := gradient.NewVendorClient(srv.URL, emu.VendorKey(), conn.APIKey, gradient.Options{})
	in := mesh.SyncInput{Products: []string{"gateway", "m365"},
		Accounts: []mesh.Account{{ID: "m-1", Name: "One", Usage: map[string]float64{"m365": 4}}},
		Alerts: []mesh.Alert{{AccountID: "m-1", Title: "Phishing", Description: "d", Priority: 4, Severity: "low"},
			{AccountID: "m-1", Title: "Spam", Description: "d", Severity: "medium"}}}
	for range 2 {
		if rep, err := mesh.Sync(ctx, vc, in); err != nil || rep.AlertsSent != 2 {
			t.Fatalf("sync: %+v %v", rep, err)
		}
	}
	services, _ := pc.Services(ctx)
	m365 := ""
	for _, s := range services {
		if s.Name == "Mesh 365" {
			m365 = s.ID
		}
	}
	if len(bodies) != 4 || m365 == "" {
		t.Fatalf("%d alert bodies, Mesh 365 service %q", len(bodies), m365)
	}
	for i, b := range bodies {
		want := []float64{4, 2}[i%2]
		if b["priority"] != want || b["status"] != float64(1) || b["serviceId"] != m365 || b["alertId"] == "" || b["alertId"] != bodies[(i+2)%4]["alertId"] {
			t.Errorf("body %d: %v (want priority %v, status 1, service %s, the same alertId at both syncs)", i, b, want, m365)
		}
	}
}
