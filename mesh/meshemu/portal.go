// Package meshemu emulates Mesh's side for tests and the sandbox: the MSP
// portal's Gradient and API-keys pages (plain HTML, no JavaScript), Mesh's
// API (customers, from the scenario), scenario files, and a sandbox that
// runs it beside the Synthesize emulator.
package meshemu

import (
	"context"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
)

// PortalConfig says which Synthesize the portal calls and with what data.
type PortalConfig struct {
	GradientURL string // Synthesize base URL (vendor API below /api)
	VendorKey   string // Mesh's vendor key, the first half of GRADIENT-TOKEN
	Scenario    *Scenario
	// VendorOptions tune the vendor client; MaxPerSecond defaults to 90 to
	// stay under the API's 100 requests a second.
	VendorOptions gradient.Options
	// SyncTimeout bounds one Submit or Gradient Sync; default 10 minutes.
	SyncTimeout time.Duration
	// Now is the portal's clock (API keys expire by it); default time.Now.
	Now func() time.Time
}

// Portal is the emulated Mesh MSP portal and Mesh API. It keeps the
// pasted Synthesize key in memory only, per region, and Mesh's own API
// keys as SHA-256 hashes, in memory only.
type Portal struct {
	cfg       PortalConfig
	customers []customer // the scenario's accounts as Mesh's API serves them
	mu        sync.Mutex
	regions   map[string]*regionState
	keys      map[string]*APIKey // by id
}

type regionState struct {
	key     string
	keyHint string
	status  string // what Synthesize last said the integration's status is
	flash   []flash
	report  *mesh.SyncReport
	skipped []string // names of skipped accounts in the last sync
	syncAt  time.Time
}

type flash struct {
	OK   bool
	Text string
}

// NewPortal builds the portal; serve it as an http.Handler.
func NewPortal(cfg PortalConfig) *Portal {
	if cfg.Scenario == nil {
		cfg.Scenario = Demo()
	}
	if cfg.VendorOptions.MaxPerSecond == 0 {
		cfg.VendorOptions.MaxPerSecond = 90
	}
	if cfg.SyncTimeout <= 0 {
		cfg.SyncTimeout = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Portal{cfg: cfg, regions: map[string]*regionState{}, keys: map[string]*APIKey{}}
	for i, a := range cfg.Scenario.Mesh.Accounts {
		p.customers = append(p.customers, a.customer(i))
	}
	for _, r := range mesh.Portals {
		p.regions[r.Region] = &regionState{}
	}
	return p
}

// HasKey says whether the portal holds a submitted key for region: it
// forgets keys when the process that serves it stops.
func (p *Portal) HasKey(region string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	st, ok := p.regions[region]
	return ok && st.key != ""
}

const maxFormBody = 64 << 10

func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	if p.serveAPI(w, r) {
		return
	}
	// The portal's forms are a key and a few product boxes.
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	path := strings.TrimSuffix(r.URL.Path, "/")
	if path == "" {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p.render(w, http.StatusOK, indexTmpl, map[string]any{"Portals": mesh.Portals})
		return
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if _, ok := p.regions[parts[0]]; !ok || len(parts) < 3 || parts[1] != "settings" {
		http.NotFound(w, r)
		return
	}
	region := parts[0]
	if parts[2] == "api-keys" && len(parts) <= 5 {
		p.apiKeysPage(w, r, region, parts[3:])
		return
	}
	if parts[2] != "gradient" || len(parts) > 4 {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodPost && !sameSite(r) {
		// Another site's page must not submit a key or start a sync.
		http.Error(w, "cross-site form posts are refused", http.StatusForbidden)
		return
	}
	switch {
	case len(parts) == 3 && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		p.page(w, region)
	case len(parts) == 3 && r.Method == http.MethodPost:
		p.submit(w, r, region)
	case len(parts) == 4 && parts[3] == "sync" && r.Method == http.MethodPost:
		p.sync(w, r, region)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (p *Portal) vendorClient(key string) (*gradient.VendorClient, error) {
	return gradient.NewVendorClient(p.cfg.GradientURL, p.cfg.VendorKey, key, p.cfg.VendorOptions)
}

// submit stores the key once Synthesize accepts it and marks the
// integration pending, as Mesh's Submit does.
func (p *Portal) submit(w http.ResponseWriter, r *http.Request, region string) {
	key := strings.TrimSpace(r.PostFormValue("api_key"))
	if key == "" {
		p.addFlash(region, false, "Paste the API key from Synthesize first.")
		p.redirect(w, r, region)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), p.cfg.SyncTimeout)
	defer cancel()
	vc, err := p.vendorClient(key)
	var org gradient.Organization
	if err == nil {
		org, err = mesh.Submit(ctx, vc)
	}
	p.mu.Lock()
	st := p.regions[region]
	if err != nil {
		st.flash = append(st.flash, flash{false, "Synthesize did not accept the key: " + err.Error()})
	} else {
		st.key, st.keyHint, st.status = key, hint(key), org.Status
		st.flash = append(st.flash, flash{true, "Connected to Gradient for " + org.Name + ". Status: " + org.Status + ". Now press Gradient Sync."})
	}
	p.mu.Unlock()
	p.redirect(w, r, region)
}

// sync runs a Gradient Sync with the stored key.
func (p *Portal) sync(w http.ResponseWriter, r *http.Request, region string) {
	p.mu.Lock()
	key := p.regions[region].key
	p.mu.Unlock()
	if key == "" {
		p.addFlash(region, false, "Submit an API key before pressing Gradient Sync.")
		p.redirect(w, r, region)
		return
	}
	_ = r.ParseForm() // a malformed form is treated as "no products chosen": all of them
	products := r.PostForm["product"]
	if len(products) == 0 {
		for _, pr := range mesh.Products {
			products = append(products, pr.Key)
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), p.cfg.SyncTimeout)
	defer cancel()
	vc, err := p.vendorClient(key)
	var rep mesh.SyncReport
	if err == nil {
		rep, err = mesh.Sync(ctx, vc, mesh.SyncInput{Accounts: p.cfg.Scenario.MeshAccounts(),
			Products: products, Alerts: p.cfg.Scenario.MeshAlerts()})
	}
	var org gradient.Organization
	if err == nil {
		org, err = vc.Organization(ctx)
	}
	names := map[string]string{}
	for _, a := range p.cfg.Scenario.Mesh.Accounts {
		names[a.ID] = a.Name
	}
	p.mu.Lock()
	st := p.regions[region]
	if err != nil {
		st.flash = append(st.flash, flash{false, "Gradient Sync failed: " + err.Error()})
	} else {
		st.status = org.Status
		st.flash = append(st.flash, flash{true, "Gradient Sync done: " + rep.String() + "."})
	}
	st.report, st.syncAt, st.skipped = &rep, time.Now(), nil
	for _, id := range rep.SkippedAccounts {
		st.skipped = append(st.skipped, names[id])
	}
	p.mu.Unlock()
	p.redirect(w, r, region)
}

func (p *Portal) addFlash(region string, ok bool, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.regions[region].flash = append(p.regions[region].flash, flash{ok, text})
}

// redirect after a POST, so reloading the page does not post again.
func (p *Portal) redirect(w http.ResponseWriter, r *http.Request, region string) {
	http.Redirect(w, r, mesh.GradientPagePath(region), http.StatusSeeOther)
}

func (p *Portal) page(w http.ResponseWriter, region string) {
	p.mu.Lock()
	st := p.regions[region]
	data := map[string]any{
		"Region": region, "Portal": portalName(region), "KeyHint": st.keyHint, "Status": st.status,
		"Flash": st.flash, "Report": st.report, "Skipped": st.skipped, "SyncAt": st.syncAt,
		"Products": mesh.Products, "Steps": mesh.ConnectSteps,
	}
	st.flash = nil
	p.mu.Unlock()
	p.render(w, http.StatusOK, pageTmpl, data)
}

func (p *Portal) render(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}

func portalName(region string) string {
	for _, p := range mesh.Portals {
		if p.Region == region {
			return p.Name
		}
	}
	return region
}

func hint(key string) string {
	if len(key) <= 4 {
		return "…"
	}
	return "…" + key[len(key)-4:]
}

const style = `<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b2733}
.ok{background:#e6f6ea;border-left:4px solid #2e8b57;padding:.5rem 1rem}.err{background:#fdecea;border-left:4px solid #c0392b;padding:.5rem 1rem}
fieldset{margin:1rem 0}button{padding:.4rem 1rem}code{background:#eef}</style>`

var indexTmpl = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mesh portal (sandbox)</title>` + style + `</head><body>
<h1>Mesh MSP portal <small>(sandbox)</small></h1>
<p>Choose your correct portal:</p>
<ul>{{range .Portals}}<li><a href="/{{.Region}}/settings/gradient">{{.Name}} ({{.Region}})</a> — stands in for {{.URL}};
<a href="/{{.Region}}/settings/api-keys">API keys</a>, API at <code>/{{.Region}}/api/</code></li>{{end}}</ul>
</body></html>`))

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Settings · Gradient · Mesh {{.Portal}}</title>` + style + `</head><body>
<p><a href="/">All portals</a> › {{.Portal}} › Settings › Gradient</p>
<h1>Gradient integration</h1>
{{range .Flash}}<p class="{{if .OK}}ok{{else}}err{{end}}" role="status">{{.Text}}</p>{{end}}
<p>Status: {{if .KeyHint}}API key {{.KeyHint}} saved; Synthesize says <strong id="status">{{.Status}}</strong>{{else}}<strong id="status">not connected</strong>{{end}}</p>
<form method="post" action="/{{.Region}}/settings/gradient">
<fieldset><legend>Connect</legend>
<label for="api_key">API key from Synthesize</label><br>
<input id="api_key" name="api_key" type="password" size="48" autocomplete="off" required>
<button type="submit">Submit</button>
</fieldset></form>
<form method="post" action="/{{.Region}}/settings/gradient/sync">
<fieldset><legend>Gradient Sync</legend>
{{range .Products}}<label><input type="checkbox" name="product" value="{{.Key}}" checked> {{.Name}}</label><br>{{end}}
<button type="submit">Gradient Sync</button>
</fieldset></form>
{{with .Report}}<h2>Last Gradient Sync</h2>
<ul id="report"><li>Accounts sent: {{.AccountsSent}}</li><li>Counts sent: {{.CountsSent}}</li>
<li>Counts skipped (accounts not mapped in Synthesize yet): {{.CountsSkipped}}</li>
{{if .ServicesCreated}}<li>Services created: {{range $i, $s := .ServicesCreated}}{{if $i}}, {{end}}{{$s}}{{end}}</li>{{end}}
{{if .AlertsDisabled}}<li>Alerts: not enabled for this integration</li>{{else}}<li>Alerts sent: {{.AlertsSent}}, skipped: {{.AlertsSkipped}}</li>{{end}}
</ul>{{end}}
{{if .Skipped}}<details><summary>Unmapped accounts ({{len .Skipped}})</summary><ul>{{range .Skipped}}<li>{{.}}</li>{{end}}</ul></details>{{end}}
<h2>Steps</h2><ol>{{range .Steps}}<li>{{.}}</li>{{end}}</ol>
</body></html>`))
