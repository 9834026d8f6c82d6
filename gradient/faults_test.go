package gradient_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
)

// TestRetriesAreReportedWithTheirReason: a screen waiting on a call hears
// every retry and why, for each kind of fault, and the call then succeeds.
func TestRetriesAreReportedWithTheirReason(t *testing.T) {
	c := newCounted(t)
	c.emu.Inject(
		synthemu.Fault{Kind: synthemu.FaultStatus, Status: 503},
		synthemu.Fault{Kind: synthemu.FaultRateLimit, RetryAfter: time.Second},
		synthemu.Fault{Kind: synthemu.FaultSlow, Delay: 2 * time.Second},
		synthemu.Fault{Kind: synthemu.FaultStatus, Status: 502},
	)
	opts := fast
	opts.Timeout = 200 * time.Millisecond
	opts.Retry.MaxAttempts = 6
	pc, err := gradient.NewPartnerClient(c.srv.URL, c.emu.PartnerToken(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		got []gradient.Retry
	)
	ctx := gradient.WithRetryReport(context.Background(), func(r gradient.Retry) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r)
	})
	if _, err := pc.Integration(ctx); err != nil {
		t.Fatalf("want success after four faults, got %v", err)
	}
	want := []string{
		"Synthesize answered 503 Service Unavailable",
		"Synthesize is limiting requests (429)",
		"no answer within 200ms",
		"Synthesize answered 502 Bad Gateway",
	}
	if len(got) != len(want) {
		t.Fatalf("want %d retry reports, got %+v", len(want), got)
	}
	for i, r := range got {
		if r.Reason != want[i] || r.Attempt != i+1 || r.MaxAttempts != 6 || r.Op != "get integration" {
			t.Errorf("report %d: want %q at attempt %d of 6, got %+v", i, want[i], i+1, r)
		}
	}
	if got[1].Wait != time.Second {
		t.Errorf("the 429 asked for 1s; the report says the wait is %s", got[1].Wait)
	}

	// net/http repeats a GET on a dropped keep-alive connection by itself,
	// so a dropped answer is tried on the mappings PUT.
	if _, err := pc.Connect(context.Background(), []string{"gateway"}, []string{"billing"}); err != nil {
		t.Fatal(err)
	}
	got = nil
	c.emu.Inject(synthemu.Fault{Kind: synthemu.FaultDrop, Method: http.MethodPut})
	if _, err := pc.PutMappings(ctx, gradient.Mappings{Version: "*"}); err != nil {
		t.Fatalf("want the PUT to succeed on its second attempt, got %v", err)
	}
	if len(got) != 1 || got[0].Reason != "the connection dropped before an answer" {
		t.Fatalf("want one report of a dropped connection, got %+v", got)
	}
}

// TestBadAnswersAreTypedErrors: answers that are not what the API
// promises end in a typed error that says what was wrong, never a panic
// or a silently short list.
func TestBadAnswersAreTypedErrors(t *testing.T) {
	huge := append([]byte(`{"data":[{"id":"c-1","name":"`), bytes.Repeat([]byte("x"), 40<<20)...)
	huge = append(huge, `"}],"next_cursor":""}`...)
	cases := []struct {
		name  string
		path  string
		body  []byte
		call  func(*gradient.PartnerClient) error
		check func(error) bool
		says  string
	}{
		{"40 MB page", "/api/partner/v1/psa/companies", huge, companies,
			func(err error) bool { return errors.Is(err, gradient.ErrTooLarge) }, "over 32 MiB"},
		{"duplicate ids", "/api/partner/v1/psa/companies",
			[]byte(`{"data":[{"id":"c-1","name":"A"},{"id":"c-1","name":"B"}],"next_cursor":""}`), companies,
			isInvalid, `id "c-1" comes twice`},
		{"missing id", "/api/partner/v1/psa/companies",
			[]byte(`{"data":[{"name":"A"}],"next_cursor":""}`), companies, isInvalid, "item 1 has no id"},
		{"wrong types", "/api/partner/v1/psa/companies",
			[]byte(`{"data":[{"id":7,"name":["A"]}],"next_cursor":""}`), companies, isDecode, "not the expected JSON"},
		{"invalid JSON", "/api/partner/v1/psa/companies", []byte(`{"data":[{"id":"c-1"`), companies, isDecode, "not the expected JSON"},
		{"account mapped twice", "/api/partner/v1/integrations/mesh/mappings",
			[]byte(`{"accounts":[{"account_id":"a","company_id":"c-1"},{"account_id":"a","company_id":"c-2"}],"services":[]}`),
			mappings, isInvalid, `account "a" is mapped twice`},
		{"duplicate billing rows", "/api/partner/v1/billing",
			[]byte(`{"data":[{"account_id":"a","service_id":"s"},{"account_id":"a","service_id":"s"}],"next_cursor":""}`),
			billing, isInvalid, `"a / s" comes twice`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCounted(t)
			c.emu.Inject(synthemu.Fault{Kind: synthemu.FaultBody, Body: tc.body, PathPrefix: tc.path})
			err := tc.call(partner(t, c))
			if err == nil || !tc.check(err) {
				t.Fatalf("want a typed error, got %T %v", err, err)
			}
			if !strings.Contains(err.Error(), tc.says) || len(err.Error()) > 600 {
				t.Fatalf("the message should say %q in a few lines, got %d bytes: %.300s", tc.says, len(err.Error()), err)
			}
			if n := c.calls.Load(); n != 1 {
				t.Fatalf("a bad answer is not a transient fault: want 1 request, got %d", n)
			}
		})
	}
}

func companies(pc *gradient.PartnerClient) error {
	_, err := pc.Companies(context.Background())
	return err
}

func mappings(pc *gradient.PartnerClient) error {
	_, err := pc.Mappings(context.Background())
	return err
}

func billing(pc *gradient.PartnerClient) error {
	_, err := pc.Billing(context.Background())
	return err
}

func isInvalid(err error) bool {
	var e *gradient.InvalidAnswerError
	return errors.As(err, &e)
}

func isDecode(err error) bool {
	var e *gradient.DecodeError
	return errors.As(err, &e)
}

// TestEmulatorIsStrict: the emulator refuses what the real API would
// refuse and what could exhaust it, so the client is tested against a
// server that is no more lenient than Synthesize.
func TestEmulatorIsStrict(t *testing.T) {
	c := newCounted(t)
	pc := partner(t, c)
	if _, err := pc.Connect(context.Background(), []string{"gateway"}, []string{"billing"}); err != nil {
		t.Fatal(err)
	}
	put := func(body []byte, ifMatch string) int {
		req, _ := http.NewRequest(http.MethodPut, c.srv.URL+"/api/partner/v1/integrations/mesh/mappings", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+c.emu.PartnerToken())
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	cases := []struct {
		name, ifMatch string
		body          []byte
		want          int
	}{
		{"valid", "*", []byte(`{"accounts":[],"services":[]}`), 204},
		{"unknown field", "*", []byte(`{"accounts":[],"services":[],"acounts":[]}`), 400},
		{"two values", "*", []byte(`{"accounts":[],"services":[]} {}`), 400},
		{"17 MB", "*", append([]byte(`{"accounts":[],"services":[],"x":"`), bytes.Repeat([]byte("x"), 17<<20)...), 413},
		{"no If-Match", "", []byte(`{"accounts":[],"services":[]}`), 428},
		{"an old version", `"0"`, []byte(`{"accounts":[],"services":[]}`), 412},
	}
	for _, tc := range cases {
		if got := put(tc.body, tc.ifMatch); got != tc.want && !(tc.want == 204 && got == 200) {
			t.Errorf("%s: want %d, got %d", tc.name, tc.want, got)
		}
	}
}

// TestErrorAfterALostAnswerSaysSo: an error answer after an attempt whose
// answer was lost does not prove nothing happened, and the error says so.
func TestErrorAfterALostAnswerSaysSo(t *testing.T) {
	c := newCounted(t)
	pc := partner(t, c)
	if _, err := pc.Connect(context.Background(), []string{"gateway"}, []string{"billing"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		faults []synthemu.Fault
		lost   bool
	}{
		{"refused every time", []synthemu.Fault{{Kind: synthemu.FaultStatus, Status: 503, Times: 4, Method: http.MethodPut}}, false},
		{"answer lost, then refused", []synthemu.Fault{{Kind: synthemu.FaultDrop, AfterWork: true, Method: http.MethodPut},
			{Kind: synthemu.FaultStatus, Status: 503, Times: 3, Method: http.MethodPut}}, true},
	} {
		c.emu.Inject(tc.faults...)
		_, err := pc.PutMappings(context.Background(), gradient.Mappings{Version: "*"})
		var ae *gradient.APIError
		if !errors.As(err, &ae) || ae.Status != 503 || ae.AfterLostAnswer != tc.lost {
			t.Errorf("%s: want a 503 with AfterLostAnswer %v, got %#v", tc.name, tc.lost, err)
		}
	}
}
