package gradient_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
)

const (
	sampleVendorID = "64b7f0c2e4b0a1b2c3d4e5f6"
	sampleSKUID    = "65a0c1d2e3f4a5b6c7d8e9f0"
	sampleMessage  = "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
)

// answerCase calls the client against one answer fixture and checks what
// it decoded. sent names the request fixture the client's body must fit:
// no key the SDK does not send, the same JSON types; exact: every key too.
type answerCase struct {
	call  func(ctx context.Context, vc *gradient.VendorClient) error
	sent  string
	exact bool
}

func want(ok bool, format string, args ...any) error {
	if ok {
		return nil
	}
	return fmt.Errorf(format, args...)
}

func checkSampleVendor(v gradient.Vendor, err error) error {
	if err != nil {
		return err
	}
	return want(v.ID == sampleVendorID && v.Name == "Mesh" && len(v.SKUs) == 1 && v.SKUs[0].ID == sampleSKUID &&
		v.SKUs[0].Category == "security" && v.SKUs[0].Subcategory == "email security", "vendor decoded as %+v", v)
}

func checkSampleDebug(status, ticket string, code int) func(context.Context, *gradient.VendorClient) error {
	return func(ctx context.Context, vc *gradient.VendorClient) error {
		d, err := vc.AlertDebug(ctx, sampleMessage)
		if err != nil {
			return err
		}
		return want(d.Status == status && d.TicketID == ticket && d.StatusCode == code && d.MessageID == sampleMessage &&
			d.CreatedAt != "" && d.Errors != nil && (status != gradient.TicketFailed || len(d.Errors) == 1), "debug decoded as %+v", d)
	}
}

var answerCases = map[string]answerCase{
	"get-vendor.json": {call: func(ctx context.Context, vc *gradient.VendorClient) error {
		return checkSampleVendor(vc.Vendor(ctx))
	}},
	"get-vendor-legacy-id.json": {call: func(ctx context.Context, vc *gradient.VendorClient) error {
		return checkSampleVendor(vc.Vendor(ctx))
	}},
	"update-vendor.json": {sent: "update-vendor-request.json", call: func(ctx context.Context, vc *gradient.VendorClient) error {
		v, err := vc.UpdateVendor(ctx, gradient.VendorUpdate{Description: ptr("Mesh email security for MSPs")})
		if err != nil {
			return err
		}
		return want(v.ID == sampleVendorID && v.Description == "Mesh email security for MSPs", "vendor decoded as %+v", v)
	}},
	"create-service.json": {sent: "create-service-request-support.json", call: func(ctx context.Context, vc *gradient.VendorClient) error {
		v, err := vc.CreateService(ctx, gradient.ServiceInput{Name: "Mesh 365", Description: "API-based protection for Microsoft 365",
			Category: "security", Subcategory: "email security", SupportArticle: "https://emailsecurity.app/support/gradient"})
		if err != nil {
			return err
		}
		return want(v.ID == sampleVendorID && len(v.SKUs) == 1 && v.SKUs[0].ID == sampleSKUID && v.SKUs[0].Name == "Mesh 365", "vendor decoded as %+v", v)
	}},
	"get-service.json": {call: func(ctx context.Context, vc *gradient.VendorClient) error {
		s, err := vc.Service(ctx, sampleSKUID)
		if err != nil {
			return err
		}
		return want(s.ID == sampleSKUID && s.SupportArticle != "" && s.Subcategory == "email security", "service decoded as %+v", s)
	}},
	"get-organization.json": {call: func(ctx context.Context, vc *gradient.VendorClient) error {
		o, err := vc.Organization(ctx)
		if err != nil {
			return err
		}
		return want(o.Status == gradient.StatusPending && o.VendorName == "Mesh" && o.LastSyncedAt != nil, "organization decoded as %+v", o)
	}},
	"update-integration-status.json": {call: func(ctx context.Context, vc *gradient.VendorClient) error {
		return vc.SetStatus(ctx, gradient.StatusPending)
	}},
	"get-accounts.json": {call: func(ctx context.Context, vc *gradient.VendorClient) error {
		a, err := vc.Accounts(ctx)
		if err != nil {
			return err
		}
		return want(len(a) == 2 && a[0].IsMapped && a[0].MappingID != "" && !a[1].IsMapped && a[1].MappingID != "", "accounts decoded as %+v", a)
	}},
	"create-accounts.json": {sent: "create-mapping-property.json", call: func(ctx context.Context, vc *gradient.VendorClient) error {
		a, err := vc.CreateAccounts(ctx, []gradient.VendorAccount{{ID: "m-001", Name: "Acme Corp"}, {ID: "m-009", Name: "Fabrikam", Description: "Mesh 365"}})
		if err != nil {
			return err
		}
		return want(len(a) == 2 && a[0].ID == "m-001" && a[0].MappingID != "" && a[1].MappingID != "", "accounts decoded as %+v", a)
	}},
	"update-accounts-bulk.json": {sent: "update-accounts-bulk.json", call: func(ctx context.Context, vc *gradient.VendorClient) error {
		a, err := vc.UpdateAccounts(ctx, []gradient.AccountPatch{{ID: "m-001", IsActive: ptr(true), IsArrears: ptr(false)}, {ID: "m-002", Name: ptr("Quantum Analytics")}})
		if err != nil {
			return err
		}
		return want(len(a) == 2 && a[0].IsMapped && !a[1].IsMapped, "accounts decoded as %+v", a)
	}},
	"update-account.json": {sent: "update-account-newer.json", call: func(ctx context.Context, vc *gradient.VendorClient) error {
		a, err := vc.UpdateAccount(ctx, "m-001", gradient.AccountPatch{Name: ptr("Acme Corporation"), IsArrears: ptr(true)})
		if err != nil {
			return err
		}
		return want(a.ID == "m-001" && a.Name == "Acme Corporation" && a.IsMapped && a.MappingID != "", "account decoded as %+v", a)
	}},
	"create-billing.json": {sent: "create-billing-request.json", call: func(ctx context.Context, vc *gradient.VendorClient) error {
		return vc.PostCount(ctx, sampleSKUID, "m-001", 25, true)
	}},
	"count-unmapped-404.json": {sent: "create-billing-request.json", call: func(ctx context.Context, vc *gradient.VendorClient) error {
		err := vc.PostCount(ctx, sampleSKUID, "m-002", 7, false)
		return want(gradient.IsNotFound(err), "want a 404 the sync can skip, got %v", err)
	}},
	"alert-created.json": {sent: "create-alerting-dto.json", exact: true, call: func(ctx context.Context, vc *gradient.VendorClient) error {
		r, err := vc.PostAlert(ctx, "m-001", gradient.Alert{Title: "Phishing campaign blocked", Description: "42 messages quarantined",
			AlertID: "mesh-alert-1", Priority: gradient.PriorityHigh})
		if err != nil {
			return err
		}
		return want(r.MessageID == sampleMessage && r.AlertID == "mesh-alert-1" && r.CorrelationID != "", "receipt decoded as %+v", r)
	}},
	"alert-debug-pending.json": {call: checkSampleDebug(gradient.TicketPending, "", 0)},
	"alert-debug-success.json": {call: checkSampleDebug(gradient.TicketSuccess, "48213", 201)},
	"alert-debug-failed.json":  {call: checkSampleDebug(gradient.TicketFailed, "", 400)},
	"unauthorized-401.json": {call: func(ctx context.Context, vc *gradient.VendorClient) error {
		_, err := vc.Organization(ctx)
		return want(gradient.IsUnauthorized(err) && strings.Contains(err.Error(), "Unauthorized"), "want 401, got %v", err)
	}},
	"anomaly-403.json": {call: func(ctx context.Context, vc *gradient.VendorClient) error {
		_, err := vc.Organization(ctx)
		return want(gradient.StatusOf(err) == 403 && strings.Contains(err.Error(), "anomaly"), "want the anomaly 403, got %v", err)
	}},
	"rate-limited-429.json": {call: func(ctx context.Context, vc *gradient.VendorClient) error {
		_, err := vc.Organization(ctx)
		return want(gradient.StatusOf(err) == 429, "want 429 after the retries, got %v", err)
	}},
	"alerts-not-enabled-403.json": {sent: "create-alerting-dto.json", exact: true, call: func(ctx context.Context, vc *gradient.VendorClient) error {
		_, err := vc.PostAlert(ctx, "m-001", gradient.Alert{Title: "t", Description: "d", AlertID: "a"})
		return want(gradient.StatusOf(err) == 403 && strings.Contains(err.Error(), "did not choose Alerts"), "want the alerts 403, got %v", err)
	}},
}

// TestSDKAnswersDecode serves every answer sample over loopback, calls
// the client method for its route, and checks what the client read, and
// that the request it made has the SDK's route and body shape.
func TestSDKAnswersDecode(t *testing.T) {
	answers := loadFixtures(t, "answers")
	requests := loadFixtures(t, "requests")
	for name := range answers {
		if _, ok := answerCases[name]; !ok {
			t.Errorf("answer fixture %s has no case here", name)
		}
	}
	for name, tc := range answerCases {
		t.Run(name, func(t *testing.T) {
			fx, ok := answers[name]
			if !ok {
				t.Fatalf("no answer fixture %s", name)
			}
			var mu sync.Mutex // net I/O is no synchronisation the race detector sees
			var sent []byte
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				sent = b
				mu.Unlock()
				if r.Method != fx.Method || r.URL.EscapedPath() != fx.Path {
					http.Error(w, fmt.Sprintf("the client called %s %s, the sample answers %s %s", r.Method, r.URL.EscapedPath(), fx.Method, fx.Path), http.StatusTeapot)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(fx.Status)
				_, _ = w.Write(fx.Body)
			}))
			defer srv.Close()
			vc, err := gradient.NewVendorClient(srv.URL, "vk", "pk", fast)
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.call(context.Background(), vc); err != nil {
				t.Fatalf("%s (%s): %v", name, fx.Source, err)
			}
			if tc.sent == "" {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			req, ok := requests[tc.sent]
			if !ok {
				t.Fatalf("no request fixture %s", tc.sent)
			}
			if problems := bodyFits(t, req.Body, sent, tc.exact); len(problems) > 0 {
				t.Fatalf("the client's body does not fit the SDK's %s:\n  %s\nsent %s", tc.sent, strings.Join(problems, "\n  "), sent)
			}
		})
	}
}

// bodyFits checks the client's body against the SDK's: shapeDiff, except
// that keys the SDK sends and the client leaves out are fine unless exact.
func bodyFits(t *testing.T, sdk, sent []byte, exact bool) []string {
	t.Helper()
	var out []string
	for _, p := range shapeDiff(t, sdk, sent) {
		if !exact && strings.HasSuffix(p, ": missing") {
			continue
		}
		out = append(out, p)
	}
	var probe any
	if json.Unmarshal(sent, &probe) != nil {
		out = append(out, "the client sent no JSON body")
	}
	return out
}
