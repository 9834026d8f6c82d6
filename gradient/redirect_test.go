package gradient_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// catcher is a server that should never be reached: it counts the
// requests that reach it and keeps the credentials they carried.
type catcher struct {
	srv  *httptest.Server
	hits atomic.Int64
	got  atomic.Value // string: the credential headers of the last request
}

func newCatcher(t *testing.T, l net.Listener) *catcher {
	c := &catcher{}
	c.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		c.got.Store(r.Header.Get("Authorization") + "|" + r.Header.Get("Gradient-Token"))
		_, _ = w.Write([]byte(`{"data":[],"next_cursor":""}`))
	}))
	if l != nil {
		c.srv.Listener.Close()
		c.srv.Listener = l
	}
	c.srv.Start()
	t.Cleanup(c.srv.Close)
	return c
}

// redirector answers every request with a 307 to target (plus the path).
func redirector(tls bool, target func() string) *httptest.Server {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", target()+r.URL.Path)
		w.WriteHeader(http.StatusTemporaryRedirect)
	})
	if tls {
		return httptest.NewTLSServer(h)
	}
	return httptest.NewServer(h)
}

// TestRedirectsAcrossOriginsAreRefused: a redirect to another port,
// another host, or from https to http would carry the Bearer token or the
// vendor's GRADIENT-TOKEN (a custom header Go never strips) to someone
// else. Every client refuses it, says so, and never reaches the target.
func TestRedirectsAcrossOriginsAreRefused(t *testing.T) {
	const token, vendorKey, partnerKey = "bearer-secret-aaaa", "vendor-secret-bbbb", "partner-secret-cccc"
	clients := map[string]func(base string, opts gradient.Options) error{
		"partner": func(base string, opts gradient.Options) error {
			pc, err := gradient.NewPartnerClient(base, token, opts)
			if err != nil {
				return err
			}
			_, err = pc.Companies(context.Background())
			return err
		},
		"vendor": func(base string, opts gradient.Options) error {
			vc, err := gradient.NewVendorClient(base, vendorKey, partnerKey, opts)
			if err != nil {
				return err
			}
			_, err = vc.Organization(context.Background())
			return err
		},
	}
	cases := []struct {
		name   string
		tls    bool
		host   string // the target's host name, as the Location names it
		reason string
	}{
		{"same host, another port", false, "127.0.0.1", "another port"},
		{"another host", false, "localhost", "another host"},
		{"https to http", true, "127.0.0.1", "https to http"},
	}
	for cname, call := range clients {
		for _, tc := range cases {
			t.Run(cname+"/"+tc.name, func(t *testing.T) {
				target := newCatcher(t, nil)
				_, port, _ := net.SplitHostPort(target.srv.Listener.Addr().String())
				// The Location also holds user info and a query that must not be shown.
				loc := "http://intruder:pa55word@" + net.JoinHostPort(tc.host, port)
				origin := redirector(tc.tls, func() string { return loc })
				defer origin.Close()
				var logged bytes.Buffer
				opts := fast
				opts.Logger = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
				if tc.tls {
					opts.HTTPClient = origin.Client()
				}
				err := call(origin.URL, opts)
				if n := target.hits.Load(); n != 0 {
					t.Fatalf("the target was reached %d times, carrying %q", n, target.got.Load())
				}
				if err == nil {
					t.Fatal("the redirect was followed to a success")
				}
				t.Log(err)
				msg := err.Error()
				for _, want := range []string{"redirect refused", "307", net.JoinHostPort(tc.host, port), tc.reason} {
					if !strings.Contains(msg, want) {
						t.Errorf("the error should say %q: %s", want, msg)
					}
				}
				var re *gradient.RedirectError
				if !errors.As(err, &re) || re.Status != 307 {
					t.Errorf("want a *gradient.RedirectError for the 307, got %T", err)
				}
				for _, secret := range []string{token, vendorKey, partnerKey, "pa55word", "intruder"} {
					if strings.Contains(msg, secret) || strings.Contains(logged.String(), secret) {
						t.Errorf("%q in the error or the log: %s\n%s", secret, msg, logged.String())
					}
				}
			})
		}
	}
}

// TestRedirectWithinTheOriginIsFollowed: the same scheme, host and port
// may move a resource, and the credentials go along.
func TestRedirectWithinTheOriginIsFollowed(t *testing.T) {
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/moved/") {
			http.Redirect(w, r, "/moved"+r.URL.Path, http.StatusPermanentRedirect)
			return
		}
		auth.Store(r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`{"data":[{"id":"c-1","name":"One"}],"next_cursor":""}`))
	}))
	defer srv.Close()
	pc, err := gradient.NewPartnerClient(srv.URL, "tok-1234", fast)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pc.Companies(context.Background())
	if err != nil || len(got) != 1 {
		t.Fatalf("want the moved list, got %v %v", got, err)
	}
	if auth.Load() != "Bearer tok-1234" {
		t.Fatalf("the moved resource got Authorization %q", auth.Load())
	}
}

// TestBaseURLWithUserInfoIsRefusedUnshown: GRADIENT_URL holding
// user:password is refused, and no error shows the password, whether or
// not the rest of the URL parses.
func TestBaseURLWithUserInfoIsRefusedUnshown(t *testing.T) {
	for _, base := range []string{
		"https://admin:s3cr3t-pw@127.0.0.1:1",
		"https://admin:s3cr3t-pw@",
		"ftp://admin:s3cr3t-pw@example.com",
		"https://admin:s3cr3t-pw@exa mple.com/",
		"https://admin:s3cr3t-pw%zz@example.com/",
	} {
		_, perr := gradient.NewPartnerClient(base, "tok-1234", fast)
		_, verr := gradient.NewVendorClient(base, "vk-1234", "pk-1234", fast)
		for _, err := range []error{perr, verr} {
			if err == nil {
				t.Errorf("%s: accepted", base)
				continue
			}
			if strings.Contains(err.Error(), "s3cr3t-pw") {
				t.Errorf("the password is in the error: %s", err)
			}
		}
	}
}

// TestBaseURLWithQueryOrFragmentIsRefused: a base URL is joined with the
// API's paths; a query or fragment would swallow them, so it is refused
// with an error that says why (and does not repeat the query: it may be
// a token).
func TestBaseURLWithQueryOrFragmentIsRefused(t *testing.T) {
	for _, base := range []string{
		"https://synth.example.com/tenant?sig=q-secret-1",
		"https://synth.example.com/tenant?",
		"https://synth.example.com/tenant#q-secret-1",
	} {
		_, err := gradient.NewPartnerClient(base, "tok-1234", fast)
		if err == nil {
			t.Errorf("%s: accepted", base)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "query") || !strings.Contains(msg, "fragment") || strings.Contains(msg, "q-secret-1") {
			t.Errorf("%s: want a refusal naming query and fragment, without their text: %s", base, msg)
		}
	}
}

// TestBaseURLPathIsKept: a Synthesize behind a path prefix gets its
// requests below that prefix, with or without a trailing slash.
func TestBaseURLPathIsKept(t *testing.T) {
	var path atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.URL.EscapedPath())
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	for _, base := range []string{srv.URL + "/tenant%20a", srv.URL + "/tenant%20a/"} {
		pc, err := gradient.NewPartnerClient(base, "tok-1234", fast)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pc.Integration(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := path.Load(); got != "/tenant%20a/api/partner/v1/integrations/mesh" {
			t.Errorf("%s: request went to %v", base, got)
		}
	}
}
