package mesh_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
)

const hostileKey = "mk_live_0123456789abcdef"

var fastMesh = gradient.Options{Retry: gradient.RetryPolicy{MaxAttempts: 3, BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond}}

// hostile serves h as a Mesh hub and counts the requests that reach it.
func hostile(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func meshClient(t *testing.T, hub string, opts gradient.Options) *mesh.Client {
	t.Helper()
	c, err := mesh.NewClient(hub, hostileKey, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMeshErrorsAreTypedAndKeyless: Mesh's {"errors": [...]} bodies become
// APIErrors with Mesh's words (strings or objects), a 401 is
// ErrKeyRejected, and a key the server echoes is never in the error or
// the log.
func TestMeshErrorsAreTypedAndKeyless(t *testing.T) {
	srv, calls := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("API-KEY")
		switch {
		case strings.HasSuffix(r.URL.Path, "/gone/"):
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"errors":[{"detail":"Not found."}]}`)
		case strings.HasSuffix(r.URL.Path, "/bad/"):
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"errors":["_size must be a number","key %s\u001b[2J is odd"]}`, key)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"errors":["Invalid API key: %s"]}`, key)
		}
	})
	var logged bytes.Buffer
	opts := fastMesh
	opts.Logger = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := meshClient(t, srv.URL, opts)
	ctx := context.Background()

	_, err := c.Customers(ctx)
	var ae *gradient.APIError
	if !mesh.IsKeyRejected(err) || !errors.Is(err, mesh.ErrKeyRejected) || !errors.As(err, &ae) || ae.Status != 401 {
		t.Fatalf("want a 401 that is ErrKeyRejected and an APIError, got %T %v", err, err)
	}
	if calls.Load() != 1 {
		t.Fatalf("a 401 was retried: %d requests", calls.Load())
	}
	if !strings.HasPrefix(err.Error(), "mesh list customers") || !strings.Contains(err.Error(), "Invalid API key") {
		t.Fatalf("the error should name Mesh's call and words: %s", err)
	}
	if _, err := c.Check(ctx); !mesh.IsKeyRejected(err) {
		t.Fatalf("Check: want ErrKeyRejected, got %v", err)
	}
	_, err = c.Customer(ctx, "gone")
	if !gradient.IsNotFound(err) || mesh.IsKeyRejected(err) || !strings.Contains(err.Error(), "Not found.") {
		t.Fatalf("want a 404 with Mesh's detail, got %v", err)
	}
	_, err = c.Customer(ctx, "bad")
	if !errors.As(err, &ae) || len(ae.Errors) != 2 || ae.Errors[0] != "_size must be a number" {
		t.Fatalf("want both of Mesh's errors, got %#v", err)
	}
	for _, text := range []string{err.Error(), logged.String()} {
		if strings.Contains(text, hostileKey) || strings.ContainsRune(text, '\x1b') {
			t.Fatalf("the key or an escape reached an error or the log: %q", text)
		}
	}
}

// TestCustomersDecodeLeniently: fields Mesh adds are ignored; ids and
// counts may be numbers or strings, nulls are empty, "N/A" is no date; a
// count that is no count refuses the page.
func TestCustomersDecodeLeniently(t *testing.T) {
	body := `{"count":3,"next":null,"previous":null,"results":[
	 {"id":"6f1c","company_name":"Acme","active":true,"suspended":false,"primary_domain":"acme.example",
	  "secondary_domains":["a.example","b.example"],"service_name":"Mesh 365","email_platform_name":"Microsoft 365",
	  "user_count":145,"licenses_billed":148,"licenses_service":"150","next_invoice_date":"2026-12-01",
	  "termination_date":null,"date_created":"2024-01-02T03:04:05Z","msp_notes":{"any":"thing"},"tags":[1,2]},
	 {"id":42,"company_name":null,"active":null,"service_name":"Gateway","user_count":"7","licenses_billed":null,
	  "next_invoice_date":"N/A","secondary_domains":"c.example, d.example"},
	 {"id":"u-3","company_name":"Three","service_name":"Mesh Archiving","next_invoice_date":"soon"}]}`
	srv, _ := hostile(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
	got, err := meshClient(t, srv.URL, fastMesh).Customers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := got[0], got[1], got[2]
	if a.ID != "6f1c" || a.UserCount != 145 || a.LicensesBilled != 148 || a.LicensesService != 150 || !a.Active ||
		a.NextInvoiceDate != time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) || len(a.SecondaryDomains) != 2 || a.DateCreated.Year() != 2024 {
		t.Errorf("first customer: %+v", a)
	}
	if b.ID != "42" || b.UserCount != 7 || b.LicensesBilled != 0 || !b.NextInvoiceDate.IsZero() || b.Active ||
		strings.Join(b.SecondaryDomains, "|") != "c.example|d.example" {
		t.Errorf("second customer: %+v", b)
	}
	if !c.NextInvoiceDate.IsZero() {
		t.Errorf("an unreadable date should be no date: %+v", c)
	}
	if s := mesh.Summarize(got).String(); s != "3 customers — Gateway 1, Mesh 365 1, other 1" {
		t.Errorf("summary: %q", s)
	}
	for _, bad := range []string{`-1`, `1.5`, `"lots"`, `1e12`, `true`} {
		var cu mesh.Customer
		if err := json.Unmarshal([]byte(`{"id":"x","user_count":`+bad+`}`), &cu); err == nil {
			t.Errorf("user_count %s was accepted as %d", bad, cu.UserCount)
		}
	}
}

// TestCustomerPagingNeverLoops: a count that never arrives (an empty page
// before it) stops at once; a count that grows without end stops at the
// list cap; a customer listed twice is refused.
func TestCustomerPagingNeverLoops(t *testing.T) {
	cases := []struct {
		name, says string
		maxCalls   int64
		page       func(from int) string
	}{
		{"empty page before the count", "sent none from 2", 2, func(from int) string {
			if from > 0 {
				return `{"count":10,"results":[]}`
			}
			return `{"count":10,"results":[{"id":"a"},{"id":"b"}]}`
		}},
		{"a customer twice", `id "b" comes twice`, 2, func(from int) string {
			return `{"count":4,"results":[{"id":"b"},{"id":"c` + fmt.Sprint(from) + `"}]}`
		}},
		{"endless new customers", "passed 1,000,000 items", 1001, func(from int) string {
			var b strings.Builder
			b.WriteString(`{"count":999999999,"results":[`)
			for i := range 1000 {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `{"id":"c%d"}`, from+i)
			}
			b.WriteString(`]}`)
			return b.String()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, calls := hostile(t, func(w http.ResponseWriter, r *http.Request) {
				var from int
				fmt.Sscan(r.URL.Query().Get("_from"), &from)
				fmt.Fprint(w, tc.page(from))
			})
			_, err := meshClient(t, srv.URL, fastMesh).Customers(context.Background())
			var ie *gradient.InvalidAnswerError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "mesh list customers") {
				t.Fatalf("want an invalid answer saying %q, got %v", tc.says, err)
			}
			if n := calls.Load(); n > tc.maxCalls {
				t.Fatalf("%d requests", n)
			}
		})
	}
}

// TestMeshRedirectsKeepTheKeyHome: the API-KEY header (a custom header Go
// never strips) does not follow a redirect to another port.
func TestMeshRedirectsKeepTheKeyHome(t *testing.T) {
	elsewhere, reached := hostile(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"count":0,"results":[]}`) })
	srv, _ := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	_, err := meshClient(t, srv.URL, fastMesh).Check(context.Background())
	var re *gradient.RedirectError
	if !errors.As(err, &re) || reached.Load() != 0 || !strings.HasPrefix(err.Error(), "mesh check the API key") {
		t.Fatalf("want a refused redirect before the key left, got %v (%d requests elsewhere)", err, reached.Load())
	}
}

// TestHubURLsAndKeysAreChecked: a hub with /api, user info or a query, and
// a key that is empty or holds spaces, are refused before any request.
func TestHubURLsAndKeysAreChecked(t *testing.T) {
	for _, tc := range []struct{ hub, key, says string }{
		{"https://hub-us.emailsecurity.app/api", hostileKey, "ends in /api"},
		{"https://hub-us.emailsecurity.app/api/", hostileKey, "ends in /api"},
		{"https://me:hunter2@hub-us.emailsecurity.app", hostileKey, "user name or password"},
		{"https://hub-us.emailsecurity.app?x=1", hostileKey, "query"},
		{"https://hub-us.emailsecurity.app", "  ", "empty"},
		{"https://hub-us.emailsecurity.app", "mk_one two", "spaces"},
	} {
		_, err := mesh.NewClient(tc.hub, tc.key, fastMesh)
		if err == nil || !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s %q: want an error saying %q, got %v", tc.hub, tc.key, tc.says, err)
		}
	}
	if hub, ok := mesh.HubURL("eu", ""); !ok || hub != "https://hub-eu.emailsecurity.app" {
		t.Errorf("the EU hub: %q", hub)
	}
	if hub, _ := mesh.HubURL("us", "http://127.0.0.1:9/"); hub != "http://127.0.0.1:9/us" {
		t.Errorf("an emulated hub: %q", hub)
	}
}

// TestServiceNamesMapToProducts: the spellings Mesh's documents use.
func TestServiceNamesMapToProducts(t *testing.T) {
	for name, key := range map[string]string{"Mesh Gateway": "gateway", "gateway": "gateway", "Mesh 365": "m365",
		"Microsoft 365": "m365", " MESH  UNIFIED ": "unified", "M365": "m365"} {
		if p, ok := mesh.ProductByServiceName(name); !ok || p.Key != key {
			t.Errorf("%q: want %s, got %v %v", name, key, p.Key, ok)
		}
	}
	if _, ok := mesh.ProductByServiceName("Mesh Archiving"); ok {
		t.Error("an unknown service became a product")
	}
	s := mesh.Summarize([]mesh.Customer{{ServiceName: "Mesh Gateway"}})
	if s.String() != "1 customer — Gateway 1" {
		t.Errorf("one customer: %q", s)
	}
}
