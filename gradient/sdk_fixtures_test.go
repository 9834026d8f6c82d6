package gradient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
)

// sdkFixture is one request the official SDK builds, or one answer the
// real service gives, written from the SDK's model files (see
// testdata/sdk/README.md; each file names its source).
type sdkFixture struct {
	Model  string          `json:"model"`
	Source string          `json:"source"`
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body"`
	Status int             `json:"status"`
	Answer string          `json:"answer"` // requests: the answer fixture whose shape the emulator must give
	Error  string          `json:"error"`  // requests: what a refusal's message must say (a 400 for another reason is no pass)
}

func loadFixtures(t *testing.T, dir string) map[string]sdkFixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "sdk", dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in %s: %v", dir, err)
	}
	out := map[string]sdkFixture{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var fx sdkFixture
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fx); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if fx.Source == "" || fx.Method == "" || fx.Path == "" || fx.Status == 0 {
			t.Fatalf("%s: source, method, path and status are required", f)
		}
		out[filepath.Base(f)] = fx
	}
	return out
}

// replayEnv is an emulator in the state every request fixture assumes: a
// connection with billing and alerts, one service ({serviceId}), account
// m-001 mapped and m-002 not.
type replayEnv struct {
	url, token string
	vars       map[string]string
}

func newReplayEnv(t *testing.T) *replayEnv {
	t.Helper()
	ctx := context.Background()
	srv := synthemu.NewServer(synthemu.WithPSA(synthemu.PSA{Companies: []gradient.Company{{ID: "c-1", Name: "Acme"}}}))
	t.Cleanup(srv.Close)
	pc, err := gradient.NewPartnerClient(srv.URL, srv.PartnerToken(), fast)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pc.Connect(ctx, []string{"gateway"}, []string{"billing", "alerts"})
	if err != nil {
		t.Fatal(err)
	}
	vc, err := gradient.NewVendorClient(srv.URL, srv.VendorKey(), conn.APIKey, fast)
	if err != nil {
		t.Fatal(err)
	}
	v, err := vc.CreateService(ctx, gradient.ServiceInput{Name: "Mesh Gateway", Description: "MX-based filtering",
		Category: "security", Subcategory: "email security"})
	if err != nil || len(v.SKUs) != 1 {
		t.Fatalf("create service: %v %+v", err, v)
	}
	if err := vc.UpsertAccounts(ctx, []gradient.VendorAccount{{ID: "m-001", Name: "Acme Corp"}, {ID: "m-002", Name: "Quantum Analytics"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.PutMappings(ctx, gradient.Mappings{Version: "*", Accounts: []gradient.AccountMapping{{AccountID: "m-001", CompanyID: "c-1"}}}); err != nil {
		t.Fatal(err)
	}
	return &replayEnv{url: srv.URL, token: gradient.VendorToken(srv.VendorKey(), conn.APIKey),
		vars: map[string]string{"{serviceId}": v.SKUs[0].ID}}
}

func (e *replayEnv) fill(s string) string {
	for k, v := range e.vars {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

// send makes the request as the SDK's Invoke-PSApiClient does: header
// Gradient-Token, JSON in and out.
func (e *replayEnv) send(t *testing.T, fx sdkFixture) (int, []byte) {
	t.Helper()
	var body io.Reader
	if len(fx.Body) > 0 {
		body = strings.NewReader(e.fill(string(fx.Body)))
	}
	req, err := http.NewRequest(fx.Method, e.url+e.fill(fx.Path), body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Gradient-Token", e.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestSDKRequestsLandInEmulator replays every request the SDK builds
// against the emulator over loopback and expects the documented status;
// where the fixture names an answer, the emulator's answer must have that
// answer's shape (wrapped or bare, the same keys, the same JSON types).
func TestSDKRequestsLandInEmulator(t *testing.T) {
	requests := loadFixtures(t, "requests")
	answers := loadFixtures(t, "answers")
	for name, fx := range requests {
		t.Run(name, func(t *testing.T) {
			env := newReplayEnv(t)
			if strings.Contains(fx.Path, "{messageId}") {
				status, b := env.send(t, requests["create-alerting-dto.json"])
				var receipt struct {
					MessageID string `json:"messageId"`
				}
				if status != 201 || json.Unmarshal(b, &receipt) != nil || receipt.MessageID == "" {
					t.Fatalf("posting the alert to debug: %d %s", status, b)
				}
				env.vars["{messageId}"] = receipt.MessageID
			}
			status, got := env.send(t, fx)
			if status != fx.Status {
				t.Fatalf("%s %s (%s): want %d, got %d %s", fx.Method, fx.Path, fx.Source, fx.Status, status, got)
			}
			if fx.Error != "" && !strings.Contains(string(got), fx.Error) {
				t.Fatalf("%s %s: the refusal does not say %q: %s", fx.Method, fx.Path, fx.Error, got)
			}
			if fx.Answer == "" {
				return
			}
			want, ok := answers[fx.Answer]
			if !ok {
				t.Fatalf("answer fixture %s is missing", fx.Answer)
			}
			if problems := shapeDiff(t, want.Body, got); len(problems) > 0 {
				t.Fatalf("the emulator's answer differs in shape from %s:\n  %s\ngot %s", fx.Answer, strings.Join(problems, "\n  "), got)
			}
		})
	}
}

// shapeDiff compares two JSON documents by shape: the same kind at every
// place, the same keys in every object; null matches anything (the SDK's
// optional fields are null when unset) and arrays compare first items.
func shapeDiff(t *testing.T, want, got []byte) []string {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var out []string
	var walk func(at string, w, g any)
	walk = func(at string, w, g any) {
		if w == nil || g == nil {
			return
		}
		switch wv := w.(type) {
		case map[string]any:
			gv, ok := g.(map[string]any)
			if !ok {
				out = append(out, fmt.Sprintf("%s: want an object, got %T", at, g))
				return
			}
			keys := map[string]bool{}
			for k := range wv {
				keys[k] = true
			}
			for k := range gv {
				keys[k] = true
			}
			sorted := make([]string, 0, len(keys))
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			for _, k := range sorted {
				wk, inW := wv[k]
				gk, inG := gv[k]
				switch {
				case !inG:
					out = append(out, fmt.Sprintf("%s.%s: missing", at, k))
				case !inW:
					out = append(out, fmt.Sprintf("%s.%s: not in the sample", at, k))
				default:
					walk(at+"."+k, wk, gk)
				}
			}
		case []any:
			gv, ok := g.([]any)
			if !ok {
				out = append(out, fmt.Sprintf("%s: want an array, got %T", at, g))
				return
			}
			if len(wv) > 0 && len(gv) > 0 {
				walk(at+"[0]", wv[0], gv[0])
			}
		default:
			if fmt.Sprintf("%T", w) != fmt.Sprintf("%T", g) {
				out = append(out, fmt.Sprintf("%s: want %T, got %T", at, w, g))
			}
		}
	}
	walk("$", w, g)
	return out
}
