package gradient_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
)

// oddIDs are account ids that must each stay one path segment, escaped once.
var oddIDs = map[string]string{
	"m 1":   "m%201",
	"a/b":   "a%2Fb",
	"50%":   "50%25",
	"é3":    "%C3%A93",
	"why?":  "why%3F",
	"plain": "plain",
}

// TestVendorPathsEscapedOnce looks at the raw paths the client sends.
func TestVendorPathsEscapedOnce(t *testing.T) {
	var mu sync.Mutex // net I/O is no synchronisation the race detector sees
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r.URL.EscapedPath())
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	vc, _ := gradient.NewVendorClient(srv.URL, "vk", "pk", fast)
	ctx := context.Background()
	for id, escaped := range oddIDs {
		mu.Lock()
		got = nil
		mu.Unlock()
		_, _ = vc.PostAlert(ctx, id, gradient.Alert{Title: "t", Description: "d", AlertID: "a"})
		_, _ = vc.UpdateAccount(ctx, id, gradient.AccountPatch{})
		_ = vc.PostCount(ctx, id, "x", 1, false)
		_, _ = vc.Service(ctx, id)
		_, _ = vc.AlertDebug(ctx, id)
		want := []string{"/api/vendor-api/alerting/" + escaped, "/api/vendor-api/organization/accounts/" + escaped,
			"/api/vendor-api/service/" + escaped + "/count", "/api/vendor-api/service/" + escaped, "/api/vendor-api/alerting/debug/" + escaped}
		mu.Lock()
		paths := append([]string(nil), got...)
		mu.Unlock()
		if len(paths) != len(want) {
			t.Fatalf("id %q: paths %q", id, paths)
		}
		for i := range want {
			if paths[i] != want[i] {
				t.Errorf("id %q: want %s, got %s", id, want[i], paths[i])
			}
		}
	}
}

// TestOddIDsReachTheirAccounts runs counts, patches and alerts for every
// odd id against the emulator: a double-escaped path would name another
// account and answer 404.
func TestOddIDsReachTheirAccounts(t *testing.T) {
	ctx := context.Background()
	srv := synthemu.NewServer(synthemu.WithPSA(synthemu.PSA{Companies: []gradient.Company{{ID: "c-1", Name: "One"}}}),
		synthemu.WithTicketDelay(0))
	defer srv.Close()
	pc, _ := gradient.NewPartnerClient(srv.URL, srv.PartnerToken(), fast)
	conn, err := pc.Connect(ctx, []string{"gateway"}, []string{"billing", "alerts"})
	if err != nil {
		t.Fatal(err)
	}
	vc, _ := gradient.NewVendorClient(srv.URL, srv.VendorKey(), conn.APIKey, fast)
	v, err := vc.CreateService(ctx, gradient.ServiceInput{Name: "Mesh Gateway", Description: "d", Category: "security", Subcategory: "email security"})
	if err != nil {
		t.Fatal(err)
	}
	var accounts []gradient.VendorAccount
	var m gradient.Mappings
	for id := range oddIDs {
		accounts = append(accounts, gradient.VendorAccount{ID: id, Name: "Tenant " + id})
		m.Accounts = append(m.Accounts, gradient.AccountMapping{AccountID: id, CompanyID: "c-1"})
	}
	if _, err := vc.CreateAccounts(ctx, accounts); err != nil {
		t.Fatal(err)
	}
	m.Version = "*" // whatever is there: this test is the only writer
	if _, err := pc.PutMappings(ctx, m); err != nil {
		t.Fatal(err)
	}
	sku := v.SKUs[0].ID
	for id := range oddIDs {
		if err := vc.PostCount(ctx, sku, id, 3, false); err != nil {
			t.Errorf("count for %q: %v", id, err)
		}
		a, err := vc.UpdateAccount(ctx, id, gradient.AccountPatch{Name: ptr("Renamed " + id)})
		if err != nil || a.ID != id || a.Name != "Renamed "+id || !a.IsMapped {
			t.Errorf("patch of %q: %v %+v", id, err, a)
		}
		r, err := vc.PostAlert(ctx, id, gradient.Alert{Title: "t", Description: "d", AlertID: "alert-" + id})
		if err != nil {
			t.Errorf("alert for %q: %v", id, err)
			continue
		}
		if d, err := vc.AlertDebug(ctx, r.MessageID); err != nil || d.Status != gradient.TicketSuccess {
			t.Errorf("debug of %q's alert: %v %+v", id, err, d)
		}
	}
	got, err := vc.ListAccounts(ctx, gradient.AccountFilter{IDs: []string{"m 1", "é3"}})
	if err != nil || len(got) != 2 {
		t.Fatalf("filter by odd ids: %v %+v", err, got)
	}
}

func ptr[T any](v T) *T { return &v }
