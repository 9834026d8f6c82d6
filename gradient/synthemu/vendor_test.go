package synthemu_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
)

// fakeClock is the emulator's clock in a test: it moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// connected is an emulator with Mesh connected (billing and alerts), one
// service, account m-1 mapped and m-2 not.
type connected struct {
	srv *synthemu.Server
	vc  *gradient.VendorClient
	sku string
	tok string
}

func connect(t *testing.T, opts ...synthemu.Option) *connected {
	t.Helper()
	ctx := context.Background()
	srv := synthemu.NewServer(append([]synthemu.Option{synthemu.WithPSA(synthemu.PSA{Companies: []gradient.Company{{ID: "c-1", Name: "One"}}})}, opts...)...)
	t.Cleanup(srv.Close)
	pc, _ := gradient.NewPartnerClient(srv.URL, srv.PartnerToken(), gradient.Options{})
	conn, err := pc.Connect(ctx, []string{"gateway"}, []string{"billing", "alerts"})
	if err != nil {
		t.Fatal(err)
	}
	vc, _ := gradient.NewVendorClient(srv.URL, srv.VendorKey(), conn.APIKey, gradient.Options{})
	v, err := vc.CreateService(ctx, gradient.ServiceInput{Name: "Mesh Gateway", Description: "d", Category: "security", Subcategory: "email security"})
	if err != nil {
		t.Fatal(err)
	}
	if err := vc.UpsertAccounts(ctx, []gradient.VendorAccount{{ID: "m-1", Name: "One"}, {ID: "m-2", Name: "Two"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.PutMappings(ctx, gradient.Mappings{Version: "*", Accounts: []gradient.AccountMapping{{AccountID: "m-1", CompanyID: "c-1"}}}); err != nil {
		t.Fatal(err)
	}
	return &connected{srv: srv, vc: vc, sku: v.SKUs[0].ID, tok: gradient.VendorToken(srv.VendorKey(), conn.APIKey)}
}

// raw sends a body as it is, for what the client would never send.
func (c *connected) raw(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, c.srv.URL+"/api/vendor-api"+path, strings.NewReader(body))
	req.Header.Set("GRADIENT-TOKEN", c.tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAlertDebugMovesFromPendingToSuccessOrFailed(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{now: time.Date(2025, 1, 10, 9, 30, 0, 0, time.UTC)}
	c := connect(t, synthemu.WithClock(clock.Now), synthemu.WithTicketDelay(5*time.Second))
	ok := must(c.vc.PostAlert(ctx, "m-1", gradient.Alert{Title: "Phishing blocked", Description: "d", AlertID: "a-1", Priority: gradient.PriorityHigh}))
	long := must(c.vc.PostAlert(ctx, "m-1", gradient.Alert{Title: strings.Repeat("x", 101), Description: "d", AlertID: "a-2"}))
	for _, id := range []string{ok.MessageID, long.MessageID} {
		d := must(c.vc.AlertDebug(ctx, id))
		if d.Status != gradient.TicketPending || d.TicketID != "" || d.StatusCode != 0 || d.MessageID != id || d.CreatedAt == "" {
			t.Fatalf("before the delay: %+v", d)
		}
	}
	clock.Add(5 * time.Second)
	if d := must(c.vc.AlertDebug(ctx, ok.MessageID)); d.Status != gradient.TicketSuccess || d.TicketID == "" || d.StatusCode != 201 || len(d.Errors) != 0 {
		t.Fatalf("after the delay: %+v", d)
	}
	if d := must(c.vc.AlertDebug(ctx, long.MessageID)); d.Status != gradient.TicketFailed || d.StatusCode != 400 || len(d.Errors) != 1 || d.TicketID != "" {
		t.Fatalf("a summary the PSA refuses: %+v", d)
	}
	if _, err := c.vc.AlertDebug(ctx, "msg-none"); !gradient.IsNotFound(err) {
		t.Fatalf("unknown message: %v", err)
	}
}

func TestAlertBodiesAreChecked(t *testing.T) {
	c := connect(t)
	for body, want := range map[string]int{
		`{"title":"t","description":"d","alertId":"a","priority":2,"status":1}`:                             201,
		`{"title":"t","description":"d","alertId":"a","priority":2,"status":"open"}`:                        400,
		`{"title":"t","description":"d","alertId":"a","priority":2,"status":7}`:                             400,
		`{"title":"t","description":"d","alertId":"a","priority":2,"status":1.5}`:                           400,
		`{"title":"t","description":"d","alertId":"a","priority":5,"status":1}`:                             400,
		`{"title":"t","description":"d","alertId":"a","priority":2}`:                                        400,
		`{"title":"t","alertId":"a","priority":2,"status":1}`:                                               400,
		`{"title":"t","description":"d","alertId":"a","priority":2,"status":1,"severity":"high"}`:           400,
		`{"title":"t","description":"d","alertId":"a","priority":2,"status":1,"serviceId":"sku-none"}`:      404,
		`{"title":"t","description":"d","alertId":"a","priority":2,"status":1,"dueDateTime":"\/Date(0)\/"}`: 201,
	} {
		if got, msg := c.raw(t, "POST", "/alerting/m-1", body); got != want {
			t.Errorf("%s: want %d, got %d %s", body, want, got, msg)
		}
	}
	// An unmapped account's alert is taken, and fails saying why (see
	// alerts_test.go); an account Synthesize never had is not found.
	if got, _ := c.raw(t, "POST", "/alerting/m-2", `{"title":"t","description":"d","alertId":"a","priority":2,"status":1}`); got != 201 {
		t.Errorf("alert for an unmapped account: want 201, got %d", got)
	}
	if got, _ := c.raw(t, "POST", "/alerting/m-9", `{"title":"t","description":"d","alertId":"a","priority":2,"status":1}`); got != 404 {
		t.Errorf("alert for an unknown account: want 404, got %d", got)
	}
}

func TestServiceCategoriesAreEnforced(t *testing.T) {
	c := connect(t)
	if n := len(gradient.ServiceSubcategories); n != 46 {
		t.Fatalf("the SDK's ServiceSubCategoryEnum has 46 values, the list %d", n)
	}
	for _, sub := range gradient.ServiceSubcategories {
		if _, err := c.vc.CreateService(context.Background(), gradient.ServiceInput{Name: "S " + sub, Description: "d", Category: "other", Subcategory: sub}); err != nil {
			t.Errorf("subcategory %q: %v", sub, err)
		}
	}
	for _, in := range []gradient.ServiceInput{
		{Name: "S", Description: "d", Category: "Security", Subcategory: "email security"},
		{Name: "S", Description: "d", Category: "security", Subcategory: "Email security"},
		{Name: "S", Description: "d", Category: "security", Subcategory: "privileged access and identity management (PAM/PIM)"},
		{Name: "S", Description: "d", Category: "", Subcategory: "other"},
	} {
		if _, err := c.vc.CreateService(context.Background(), in); gradient.StatusOf(err) != 400 {
			t.Errorf("%+v: want 400, got %v", in, err)
		}
	}
	s := must(c.vc.Service(context.Background(), c.sku))
	if s.ID != c.sku || s.Subcategory != "email security" {
		t.Fatalf("service: %+v", s)
	}
}

func TestAccountFiltersAndPatches(t *testing.T) {
	ctx := context.Background()
	c := connect(t)
	all := must(c.vc.Accounts(ctx))
	if len(all) != 2 || !all[0].IsMapped || all[1].IsMapped || all[0].MappingID == "" || all[0].MappingID == all[1].MappingID {
		t.Fatalf("accounts: %+v", all)
	}
	if _, body := c.raw(t, "GET", "/organization/accounts", ""); !strings.Contains(body, `"isMapped":false`) {
		t.Fatalf("isMapped:false must be sent, not left out: %s", body)
	}
	for _, tc := range []struct {
		f    gradient.AccountFilter
		want int
	}{
		{gradient.AccountFilter{MappedOnly: true}, 1},
		{gradient.AccountFilter{IDs: []string{"m-2"}}, 1},
		{gradient.AccountFilter{IDs: []string{"m-1", "m-2", "m-9"}}, 2},
		{gradient.AccountFilter{IDs: []string{"m-2"}, MappedOnly: true}, 0},
	} {
		if got := must(c.vc.ListAccounts(ctx, tc.f)); len(got) != tc.want {
			t.Errorf("%+v: want %d accounts, got %+v", tc.f, tc.want, got)
		}
	}
	if got, _ := c.raw(t, "GET", "/organization/accounts?returnUnmapped=maybe", ""); got != 400 {
		t.Errorf("returnUnmapped=maybe: want 400, got %d", got)
	}

	created := must(c.vc.CreateAccounts(ctx, []gradient.VendorAccount{{ID: "m-1", Name: "One renamed"}, {ID: "m-3", Name: "Three"}}))
	if len(created) != 2 || created[0].MappingID != all[0].MappingID || created[1].MappingID == "" || created[0].Name != "One renamed" {
		t.Fatalf("post accounts answered %+v", created)
	}
	name := "Two renamed"
	if _, err := c.vc.UpdateAccounts(ctx, []gradient.AccountPatch{{ID: "m-2", Name: &name}, {ID: "m-9", Name: &name}}); !gradient.IsNotFound(err) {
		t.Fatalf("bulk patch with an unknown id: want 404, got %v", err)
	}
	if got := must(c.vc.ListAccounts(ctx, gradient.AccountFilter{IDs: []string{"m-2"}})); got[0].Name != "Two" {
		t.Fatalf("a refused bulk patch changed an account: %+v", got)
	}
	patched := must(c.vc.UpdateAccounts(ctx, []gradient.AccountPatch{{ID: "m-2", Name: &name}}))
	if len(patched) != 1 || patched[0].Name != name || patched[0].IsMapped {
		t.Fatalf("bulk patch answered %+v", patched)
	}
	if got, msg := c.raw(t, "PATCH", "/organization/accounts/m-2", `{"id":"m-2","name":"x","unknown":1}`); got != 400 {
		t.Errorf("an unknown field: want 400, got %d %s", got, msg)
	}
}

func TestVendorPatchAndShapes(t *testing.T) {
	ctx := context.Background()
	c := connect(t)
	desc := "Mesh email security for MSPs"
	v := must(c.vc.UpdateVendor(ctx, gradient.VendorUpdate{Description: &desc}))
	if v.Description != desc || v.Name != "Mesh" || len(v.SKUs) != 1 {
		t.Fatalf("vendor after patch: %+v", v)
	}
	if _, err := c.vc.UpdateVendor(ctx, gradient.VendorUpdate{}); gradient.StatusOf(err) != 400 {
		t.Fatalf("empty vendor patch: want 400, got %v", err)
	}
	// Wrapped where the real service wraps, bare where it answers bare.
	for path, wrapped := range map[string]bool{"": true, "/organization": false, "/organization/accounts": false, "/service/" + c.sku: true} {
		_, body := c.raw(t, "GET", path, "")
		var env struct {
			Status  *int            `json:"status"`
			Data    json.RawMessage `json:"data"`
			Message string          `json:"message"`
		}
		_ = json.Unmarshal([]byte(body), &env)
		if got := env.Status != nil && *env.Status == 200 && env.Data != nil && strings.HasPrefix(env.Message, "Success - "); got != wrapped {
			t.Errorf("GET %q: wrapped %v, want %v: %s", path, got, wrapped, body)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
