package gradient_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
)

// counted serves the emulator and counts the requests that reach it.
type counted struct {
	emu   *synthemu.Emulator
	srv   *httptest.Server
	calls atomic.Int64
}

func newCounted(t *testing.T, opts ...synthemu.Option) *counted {
	t.Helper()
	c := &counted{emu: synthemu.New(opts...)}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.calls.Add(1)
		c.emu.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

var fast = gradient.Options{Retry: gradient.RetryPolicy{MaxAttempts: 4, BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond}}

func partner(t *testing.T, c *counted) *gradient.PartnerClient {
	t.Helper()
	pc, err := gradient.NewPartnerClient(c.srv.URL, c.emu.PartnerToken(), fast)
	if err != nil {
		t.Fatal(err)
	}
	return pc
}

func TestRetriesOn503ThenSucceeds(t *testing.T) {
	c := newCounted(t)
	c.emu.Inject(synthemu.Fault{Kind: synthemu.FaultStatus, Status: 503, Times: 2})
	d, err := partner(t, c).Integration(context.Background())
	if err != nil {
		t.Fatalf("want success after two 503s, got %v", err)
	}
	if d.Connected || d.Status != gradient.StatusInactive {
		t.Fatalf("unexpected card %+v", d)
	}
	if got := c.calls.Load(); got != 3 {
		t.Fatalf("want 3 requests (two 503 then 200), got %d", got)
	}
}

func TestRetriesDroppedConnectionForIdempotentCall(t *testing.T) {
	c := newCounted(t)
	c.emu.Inject(synthemu.Fault{Kind: synthemu.FaultDrop})
	if _, err := partner(t, c).Companies(context.Background()); err != nil {
		t.Fatalf("want success after a dropped connection, got %v", err)
	}
	if got := c.calls.Load(); got != 2 {
		t.Fatalf("want 2 requests, got %d", got)
	}
}

func TestConnectIsNotRepeatedAfterLostAnswer(t *testing.T) {
	c := newCounted(t)
	// The server connects, then the answer is lost: retrying would get 409
	// and hide what happened, so the client must stop and say so.
	c.emu.Inject(synthemu.Fault{Kind: synthemu.FaultDrop, AfterWork: true, PathPrefix: "/api/partner/v1/integrations/mesh/connect"})
	_, err := partner(t, c).Connect(context.Background(), []string{"gateway"}, []string{"billing"})
	var re *gradient.RequestError
	if !errors.As(err, &re) || re.Attempts != 1 {
		t.Fatalf("want a RequestError after 1 attempt, got %#v", err)
	}
	if got := c.calls.Load(); got != 1 {
		t.Fatalf("connect was sent %d times", got)
	}
}

func TestHonoursRetryAfterOn429(t *testing.T) {
	c := newCounted(t)
	c.emu.Inject(synthemu.Fault{Kind: synthemu.FaultRateLimit, RetryAfter: time.Second})
	start := time.Now()
	if _, err := partner(t, c).Products(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Our own backoff here is at most 20ms; only Retry-After explains a
	// wait of a second.
	if waited := time.Since(start); waited < 950*time.Millisecond {
		t.Fatalf("retried after %v, before the server's Retry-After of 1s", waited)
	}
	if got := c.calls.Load(); got != 2 {
		t.Fatalf("want 2 requests, got %d", got)
	}
}

func TestNoRetryOn422(t *testing.T) {
	c := newCounted(t)
	_, err := partner(t, c).Connect(context.Background(), []string{"nonsense"}, []string{"billing"})
	var ae *gradient.APIError
	if !errors.As(err, &ae) || ae.Status != 422 {
		t.Fatalf("want 422 APIError, got %v", err)
	}
	if !strings.Contains(ae.Message, `unknown product "nonsense"`) || ae.Op != "connect" {
		t.Fatalf("error does not carry the call and the server's message: %v", err)
	}
	if got := c.calls.Load(); got != 1 {
		t.Fatalf("a 422 was retried: %d requests", got)
	}
}

func TestCancelStopsRetryLoopAtOnce(t *testing.T) {
	c := newCounted(t)
	c.emu.Inject(synthemu.Fault{Kind: synthemu.FaultRateLimit, RetryAfter: 30 * time.Second, Times: 10})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := partner(t, c).Integration(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("cancel did not stop the wait for Retry-After (took %v)", took)
	}
	if got := c.calls.Load(); got != 1 {
		t.Fatalf("want 1 request before the cancel, got %d", got)
	}
}

func TestPaginationFollowsCursor(t *testing.T) {
	var psa synthemu.PSA
	for i := range 2345 {
		psa.Companies = append(psa.Companies, gradient.Company{ID: fmt.Sprintf("c-%05d", i), Name: fmt.Sprintf("Company %d", i)})
	}
	c := newCounted(t, synthemu.WithPSA(psa))
	got, err := partner(t, c).Companies(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2345 || got[0].ID != "c-00000" || got[2344].ID != "c-02344" {
		t.Fatalf("got %d companies, first %v last %v", len(got), got[0], got[len(got)-1])
	}
	if calls := c.calls.Load(); calls != 3 {
		t.Fatalf("want 3 pages of at most 1000, got %d requests", calls)
	}
}

func TestNonJSONBodyIsTypedError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>Maintenance\x1b[31m</body></html>")
	}))
	defer srv.Close()
	pc, _ := gradient.NewPartnerClient(srv.URL, "secret-token", fast)
	_, err := pc.Integration(context.Background())
	var de *gradient.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("want DecodeError, got %T %v", err, err)
	}
	if de.Status != 200 || de.ContentType != "text/html" || !strings.Contains(de.Snippet, "Maintenance") {
		t.Fatalf("decode error lacks detail: %+v", de)
	}
	if strings.ContainsRune(err.Error(), '\x1b') {
		t.Fatalf("escape sequence reached the error text: %q", err.Error())
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	// A server that echoes the credentials it was sent in its error.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"statusCode":400,"message":"bad token %s / %s"}`, r.Header.Get("GRADIENT-TOKEN"), r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	vc, _ := gradient.NewVendorClient(srv.URL, "vendor-secret-1", "partner-secret-2", fast)
	err := vc.SetStatus(context.Background(), "pending")
	token := gradient.VendorToken("vendor-secret-1", "partner-secret-2")
	for _, s := range []string{"vendor-secret-1", "partner-secret-2", token} {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("error %q contains a secret", err)
		}
	}
	pc, _ := gradient.NewPartnerClient(srv.URL, "bearer-secret-3", fast)
	_, err = pc.Integration(context.Background())
	if strings.Contains(err.Error(), "bearer-secret-3") {
		t.Fatalf("error %q contains the bearer token", err)
	}
}

func TestWrongTokenIs401(t *testing.T) {
	c := newCounted(t)
	pc, _ := gradient.NewPartnerClient(c.srv.URL, "not-the-token", fast)
	_, err := pc.Integration(context.Background())
	if !gradient.IsUnauthorized(err) || c.calls.Load() != 1 {
		t.Fatalf("want one 401, got %v after %d calls", err, c.calls.Load())
	}
}
