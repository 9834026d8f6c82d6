package mesh_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/mesh"
)

// TestSyncSkipsUnmappedAndSurvivesRateLimit runs two Gradient Syncs with
// more counts than the API's 100 requests a second allow and the client's
// pacing off, so the emulator's 429s must be waited out.
func TestSyncSkipsUnmappedAndSurvivesRateLimit(t *testing.T) {
	ctx := context.Background()
	srv := synthemu.NewServer(synthemu.WithProductServices(mesh.ProductServices()),
		synthemu.WithPSA(synthemu.PSA{Companies: []gradient.Company{{ID: "c-1", Name: "One"}}}))
	defer srv.Close()
	pc, _ := gradient.NewPartnerClient(srv.URL, srv.PartnerToken(), gradient.Options{})
	conn, err := pc.Connect(ctx, []string{"gateway", "m365"}, []string{"billing"})
	if err != nil {
		t.Fatal(err)
	}
	vc, _ := gradient.NewVendorClient(srv.URL, srv.VendorKey(), conn.APIKey, gradient.Options{})
	if org, err := mesh.Submit(ctx, vc); err != nil || org.Status != gradient.StatusPending {
		t.Fatalf("submit: %v %+v", err, org)
	}
	var accounts []mesh.Account
	for i := range 150 {
		accounts = append(accounts, mesh.Account{ID: fmt.Sprintf("a-%03d", i), Name: fmt.Sprintf("Tenant %d", i),
			Usage: map[string]float64{"gateway": float64(i), "m365": 1}})
	}
	in := mesh.SyncInput{Accounts: accounts, Products: []string{"gateway", "m365"},
		Alerts: []mesh.Alert{{AccountID: "a-001", Title: "t", Severity: "high"}}, Workers: 8}
	rep, err := mesh.Sync(ctx, vc, in)
	if err != nil {
		t.Fatal(err)
	}
	if rep.AccountsSent != 150 || rep.CountsSent != 0 || rep.CountsSkipped != 300 || len(rep.SkippedAccounts) != 150 ||
		len(rep.ServicesCreated) != 2 || !rep.AlertsDisabled {
		t.Fatalf("first sync: %+v", rep)
	}

	m := gradient.Mappings{}
	for _, a := range accounts[:100] {
		m.Accounts = append(m.Accounts, gradient.AccountMapping{AccountID: a.ID, CompanyID: "c-1"})
	}
	m.Version = "*" // whatever is there: this test is the only writer
	if _, err := pc.PutMappings(ctx, m); err != nil {
		t.Fatal(err)
	}
	rep, err = mesh.Sync(ctx, vc, in)
	if err != nil {
		t.Fatal(err)
	}
	if rep.CountsSent != 200 || rep.CountsSkipped != 100 || len(rep.SkippedAccounts) != 50 || len(rep.ServicesCreated) != 0 {
		t.Fatalf("second sync: %+v", rep)
	}
	if srv.Throttled() == 0 {
		t.Log("the emulator answered no 429 (the machine was slow); the retry path went untested this run")
	}
	d, _ := pc.Integration(ctx)
	if d.Status != gradient.StatusActive || d.Counts.Usage != 200 {
		t.Fatalf("after second sync: %+v", d)
	}
}

func TestSyncStopsOnRealError(t *testing.T) {
	ctx := context.Background()
	srv := synthemu.NewServer(synthemu.WithProductServices(mesh.ProductServices()))
	defer srv.Close()
	pc, _ := gradient.NewPartnerClient(srv.URL, srv.PartnerToken(), gradient.Options{})
	conn, _ := pc.Connect(ctx, []string{"gateway"}, []string{"billing"})
	vc, _ := gradient.NewVendorClient(srv.URL, srv.VendorKey(), conn.APIKey,
		gradient.Options{Retry: gradient.RetryPolicy{MaxAttempts: 2, BaseDelay: 1, MaxDelay: 1}})
	srv.Inject(synthemu.Fault{Kind: synthemu.FaultStatus, Status: 500, Times: 5, PathPrefix: "/api/vendor-api/organization/accounts"})
	_, err := mesh.Sync(ctx, vc, mesh.SyncInput{Accounts: []mesh.Account{{ID: "a", Name: "A"}}, Products: []string{"gateway"}})
	if gradient.StatusOf(err) != 500 {
		t.Fatalf("want the 500 reported, got %v", err)
	}
}

// The category Mesh creates its services with must be one the service
// takes, spelled as it spells it: it refuses others with 400.
func TestServiceCategoryIsOneTheAPITakes(t *testing.T) {
	if !gradient.ValidServiceCategory(mesh.ServiceCategory, mesh.ServiceSubcategory) {
		t.Fatalf("%q / %q is not among the SDK's categories", mesh.ServiceCategory, mesh.ServiceSubcategory)
	}
}
