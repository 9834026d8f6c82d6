package meshemu_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
)

func TestDemoScenarioIsRealistic(t *testing.T) {
	sc := meshemu.Demo()
	if n := len(sc.Mesh.Accounts); n < 35 || n > 45 {
		t.Fatalf("%d Mesh accounts, want about 40", n)
	}
	if n := len(sc.PSA.Companies); n < 45 || n > 55 {
		t.Fatalf("%d PSA companies, want about 50", n)
	}
	companies := map[string]bool{}
	for _, c := range sc.PSA.Companies {
		companies[strings.ToLower(c.Name)] = true
	}
	products := map[string]bool{}
	cycles := 0
	for _, a := range sc.Mesh.Accounts {
		if companies[strings.ToLower(a.Name)] {
			t.Errorf("account %q equals a company name; the demo should need fuzzy matching", a.Name)
		}
		for p := range a.Usage {
			products[p] = true
		}
		cycles += len(a.CycleUsage)
	}
	if len(products) != 3 || cycles == 0 {
		t.Fatalf("products used %v, cycle counts %d", products, cycles)
	}
}

func TestScenarioValidationNamesFileFieldAndReason(t *testing.T) {
	cases := []struct {
		name, json, field, reason string
	}{
		{"unknown field", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{},"colour":"red"}]}}`, "colour", "unknown field"},
		{"duplicate account", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{}},{"id":"a","name":"B","usage":{}}]}}`, "mesh.accounts[1].id", `duplicate id "a"`},
		{"negative usage", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{"gateway":-2}}]}}`, "mesh.accounts[0].usage.gateway", "negative count -2"},
		{"unknown product", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{"fax":1}}]}}`, "mesh.accounts[0].usage.fax", "unknown product"},
		{"alert to missing account", `{"mesh":{"accounts":[],"alerts":[{"account_id":"zz","title":"x","severity":"low"}]}}`, "mesh.alerts[0].account_id", `no Mesh account with id "zz"`},
		{"agreement to missing company", `{"psa":{"companies":[],"products":[{"id":"p","name":"P","unit_price":1}],"agreements":[{"company_id":"c-9","product_id":"p","quantity":1}]}}`, "psa.agreements[0].company_id", `no PSA company with id "c-9"`},
		{"agreement to missing product", `{"psa":{"companies":[{"id":"c","name":"C"}],"products":[],"agreements":[{"company_id":"c","product_id":"p-9","quantity":1}]}}`, "psa.agreements[0].product_id", `no PSA product with id "p-9"`},
		{"duplicate company", `{"psa":{"companies":[{"id":"c","name":"C"},{"id":"c","name":"D"}]}}`, "psa.companies[1].id", `duplicate id "c"`},
		{"negative quantity", `{"psa":{"companies":[{"id":"c","name":"C"}],"products":[{"id":"p","name":"P"}],"agreements":[{"company_id":"c","product_id":"p","quantity":-1}]}}`, "psa.agreements[0].quantity", "negative quantity"},
		{"wrong type", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{"gateway":"lots"}}]}}`, "usage", "expected float64"},
		{"syntax", "{\n  \"mesh\": {,\n}", "", "line 2, column"},
		{"account too large to list", `{"mesh":{"accounts":[{"id":"a","name":"A","description":"` + strings.Repeat("d", 16<<10) + `","usage":{}}]}}`, "mesh.accounts[0]", "over the limit of 16384"},
		{"company too large to list", `{"psa":{"companies":[{"id":"c","name":"` + strings.Repeat("<", 3000) + `"}]}}`, "psa.companies[0]", "over the limit of 16384"},
		{"unknown service", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{},"service_name":"Mesh Fax"}]}}`, "mesh.accounts[0].service_name", "no Mesh product"},
		{"negative user count", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{},"user_count":-1}]}}`, "mesh.accounts[0].user_count", "not a count"},
		{"fractional licences", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{},"licenses_billed":2.5}]}}`, "licenses_billed", "expected int"},
		{"bad invoice date", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{},"next_invoice_date":"1 Dec"}]}}`, "mesh.accounts[0].next_invoice_date", "not a date"},
		{"bad state", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{},"state":"paused"}]}}`, "mesh.accounts[0].state", "not active, suspended or trial"},
		{"bad severity", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{}}],"alerts":[{"account_id":"a","title":"t","severity":"meh"}]}}`, "mesh.alerts[0].severity", "not low, medium, high or critical"},
		{"priority out of range", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{}}],"alerts":[{"account_id":"a","title":"t","priority":5}]}}`, "mesh.alerts[0].priority", "not 1 (low) to 4 (very high)"},
		{"priority not whole", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{}}],"alerts":[{"account_id":"a","title":"t","priority":2.5}]}}`, "priority", "expected int"},
		{"no priority or severity", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{}}],"alerts":[{"account_id":"a","title":"t"}]}}`, "mesh.alerts[0]", "give a priority"},
		{"blank ticket failure", `{"mesh":{"accounts":[{"id":"a","name":"A","usage":{}}],"alerts":[{"account_id":"a","title":"t","priority":1,"ticket_fails":"  "}]}}`, "mesh.alerts[0].ticket_fails", "give the reason"},
		{"board-less company unknown", `{"psa":{"companies":[{"id":"c","name":"C"}],"no_ticket_board":["c-9"]}}`, "psa.no_ticket_board[0]", `no PSA company with id "c-9"`},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".json")
			if err := os.WriteFile(path, []byte(c.json), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := meshemu.LoadScenario(path)
			var se *meshemu.ScenarioError
			if !errors.As(err, &se) {
				t.Fatalf("want ScenarioError, got %v", err)
			}
			msg := err.Error()
			if se.File != path || !strings.Contains(se.Field, c.field) || !strings.Contains(msg, c.reason) {
				t.Fatalf("error %q: want file %s, field ~%q, reason ~%q", msg, path, c.field, c.reason)
			}
		})
	}
}

func TestScenarioMissingFile(t *testing.T) {
	_, err := meshemu.LoadScenario(filepath.Join(t.TempDir(), "nope.json"))
	if err == nil || !strings.Contains(err.Error(), "nope.json") {
		t.Fatalf("want an error naming the file, got %v", err)
	}
}

// FuzzParseScenario: any bytes give a scenario or a *ScenarioError naming
// the file, never a panic.
func FuzzParseScenario(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"mesh":{"accounts":[{"id":"m-1","name":"A","usage":{"gateway":3}}]}}`))
	f.Add([]byte(`{"mesh":{"accounts":[{"id":"m-1","name":"A"},{"id":"m-1","name":"B"}]}}`))
	f.Add([]byte("{\"mesh\":\n{\"accounts\": 7}}"))
	f.Add([]byte(`{"psa":{"companies":[{"id":"c","name":"\u001b]52;c;x\u0007"}]}} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := meshemu.ParseScenario("fuzz.json", data)
		if err == nil {
			if s == nil {
				t.Fatal("no scenario and no error")
			}
			return
		}
		var se *meshemu.ScenarioError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "fuzz.json") {
			t.Fatalf("want a *ScenarioError naming the file, got %T %v", err, err)
		}
	})
}

// TestSandboxListensOnLoopbackByDefault: the sandbox is reachable from
// this machine only, unless --listen says otherwise.
func TestSandboxListensOnLoopbackByDefault(t *testing.T) {
	sb, err := meshemu.StartSandbox(meshemu.SandboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	for _, u := range []string{sb.GradientURL, sb.PortalURL} {
		if !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Fatalf("sandbox address %s is not loopback", u)
		}
	}
}

// TestGradientPageRefusesCrossSitePosts: another site's page cannot submit
// a key or start a Gradient Sync in the emulated portal; the portal's own
// form (same origin, or a script without Origin) can.
func TestGradientPageRefusesCrossSitePosts(t *testing.T) {
	t.Parallel()
	sb, err := meshemu.StartSandbox(meshemu.SandboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	page := sb.PortalURL + mesh.GradientPagePath("us")
	for _, target := range []string{page, page + "/sync"} {
		for _, c := range []struct {
			origin, site string
			refused      bool
		}{{"https://evil.example", "", true}, {"", "cross-site", true}, {sb.PortalURL, "same-origin", false}, {"", "", false}} {
			req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader("api_key=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if c.origin != "" {
				req.Header.Set("Origin", c.origin)
			}
			if c.site != "" {
				req.Header.Set("Sec-Fetch-Site", c.site)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if refused := resp.StatusCode == http.StatusForbidden; refused != c.refused {
				t.Errorf("POST %s from origin %q (%s): status %d", target, c.origin, c.site, resp.StatusCode)
			}
		}
	}
}
