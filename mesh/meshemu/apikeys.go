package meshemu

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/meshgradient/mesh-gradient/mesh"
)

// APIKeyPermissions are the permissions the emulated Mesh offers; each of
// them may read customers.
var APIKeyPermissions = []string{mesh.APIKeyPermission, "Full Access"}

// APIKey is a Mesh API key as the API-keys page lists it: never the key
// itself, which is shown once when it is made and then kept only as a
// SHA-256.
type APIKey struct {
	ID         string
	Name       string
	Permission string
	Hint       string    // "…" and the last 4 characters
	Expires    time.Time // the last day it works (UTC midnight); it stops at the end of that day
	Created    time.Time
	hash       [32]byte
}

func (k APIKey) expired(now time.Time) bool { return !now.Before(k.Expires.Add(24 * time.Hour)) }

// CreateAPIKey makes a key as the API-keys page does (name, permission,
// the last day it works) and answers it: the only time it is seen.
func (p *Portal) CreateAPIKey(name, permission string, expires time.Time) (string, APIKey, error) {
	name = strings.TrimSpace(name)
	y, m, d := expires.UTC().Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	now := p.cfg.Now().UTC()
	switch {
	case name == "" || utf8.RuneCountInString(name) > 100:
		return "", APIKey{}, errors.New("give the key a name of 1 to 100 characters")
	case !slices.Contains(APIKeyPermissions, permission):
		return "", APIKey{}, fmt.Errorf("choose a permission: %s", strings.Join(APIKeyPermissions, " or "))
	case !day.Add(24 * time.Hour).After(now):
		return "", APIKey{}, errors.New("the expiry date is in the past")
	case day.After(now.AddDate(2, 0, 0)):
		return "", APIKey{}, errors.New("the expiry date is more than two years away")
	}
	key := "mk_" + random(32)
	k := APIKey{ID: "key-" + random(8), Name: name, Permission: permission, Hint: "…" + key[len(key)-4:],
		Expires: day, Created: now, hash: sha256.Sum256([]byte(key))}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys[k.ID] = &k
	return key, k, nil
}

// DeleteAPIKey deletes a key; from then on it gets Mesh's 401.
func (p *Portal) DeleteAPIKey(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.keys[id]
	delete(p.keys, id)
	return ok
}

// APIKeys lists the keys, newest first.
func (p *Portal) APIKeys() []APIKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]APIKey, 0, len(p.keys))
	for _, k := range p.keys {
		out = append(out, *k)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// authorize finds the key of a request: "" when it works, else Mesh's
// reason for the 401.
func (p *Portal) authorize(r *http.Request) string {
	key := r.Header.Get("API-KEY")
	if key == "" {
		return "Authentication credentials were not provided."
	}
	sum := sha256.Sum256([]byte(key))
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range p.keys {
		if subtle.ConstantTimeCompare(sum[:], k.hash[:]) == 1 {
			if k.expired(p.cfg.Now()) {
				return "API key has expired."
			}
			return ""
		}
	}
	return "Invalid API key."
}

func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("meshemu: no randomness: " + err.Error())
	}
	return strings.ToLower(strings.TrimRight(base32.StdEncoding.EncodeToString(b), "="))[:n]
}

// sameSite refuses a form post another site's page made: a key is a
// credential, and a hostile page must not be able to make or delete one.
func sameSite(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true // curl and scripts send none; browsers send one with every POST
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// apiKeysPage serves /{region}/settings/api-keys: GET lists the keys and
// the form; POST makes a key and shows it once; POST …/{id}/delete
// deletes one.
func (p *Portal) apiKeysPage(w http.ResponseWriter, r *http.Request, region string, rest []string) {
	page := mesh.APIKeysPagePath(region)
	if r.Method == http.MethodPost && !sameSite(r) {
		http.Error(w, "cross-site form posts are refused", http.StatusForbidden)
		return
	}
	switch {
	case len(rest) == 0 && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		p.renderKeys(w, http.StatusOK, region, "", "", nil)
	case len(rest) == 0 && r.Method == http.MethodPost:
		expires, err := time.Parse(time.DateOnly, strings.TrimSpace(r.PostFormValue("expires")))
		var key string
		var k APIKey
		if err == nil {
			key, k, err = p.CreateAPIKey(r.PostFormValue("name"), r.PostFormValue("permission"), expires)
		} else {
			err = errors.New("give an expiry date like 2026-12-31")
		}
		if err != nil {
			p.renderKeys(w, http.StatusBadRequest, region, "The key was not made: "+err.Error(), "", nil)
			return
		}
		p.renderKeys(w, http.StatusCreated, region, "", key, &k)
	case len(rest) == 2 && rest[1] == "delete" && r.Method == http.MethodPost:
		if !p.DeleteAPIKey(rest[0]) {
			p.renderKeys(w, http.StatusNotFound, region, "No such key; it may have been deleted already.", "", nil)
			return
		}
		http.Redirect(w, r, page, http.StatusSeeOther)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (p *Portal) renderKeys(w http.ResponseWriter, status int, region, problem, key string, made *APIKey) {
	now := p.cfg.Now()
	type row struct {
		APIKey
		Expired bool
	}
	var rows []row
	for _, k := range p.APIKeys() {
		rows = append(rows, row{k, k.expired(now)})
	}
	p.render(w, status, keysTmpl, map[string]any{
		"Region": region, "Portal": portalName(region), "Keys": rows, "Problem": problem, "Key": key, "Made": made,
		"Permissions": APIKeyPermissions, "Default": mesh.APIKeyPermission,
		"Expires": now.UTC().AddDate(0, 6, 0).Format(time.DateOnly), "Today": now.UTC().Format(time.DateOnly),
	})
}

var keysTmpl = template.Must(template.New("keys").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Settings · API Keys · Mesh {{.Portal}}</title>` + style + `</head><body>
<p><a href="/">All portals</a> › {{.Portal}} › Settings › API Keys</p>
<h1>API keys</h1>
{{with .Problem}}<p class="err" role="alert">{{.}}</p>{{end}}
{{with .Made}}<div class="ok" role="status"><p>Key <strong>{{.Name}}</strong> made ({{.Permission}}, works until the end of {{.Expires.Format "2006-01-02"}}).
Copy it now: Mesh shows it only this once.</p>
<p><code id="api-key">{{$.Key}}</code></p></div>{{end}}
<form method="post" action="/{{.Region}}/settings/api-keys">
<fieldset><legend>New API key</legend>
<label for="name">Name</label><br><input id="name" name="name" maxlength="100" required value="Gradient"><br>
<label for="permission">Permission</label><br><select id="permission" name="permission">
{{range .Permissions}}<option{{if eq . $.Default}} selected{{end}}>{{.}}</option>{{end}}</select><br>
<label for="expires">Expiry date</label><br><input id="expires" name="expires" type="date" min="{{.Today}}" value="{{.Expires}}" required><br>
<button type="submit">Create key</button>
</fieldset></form>
<h2>Keys</h2>
{{if .Keys}}<table id="keys"><tr><th>Name</th><th>Permission</th><th>Key</th><th>Expires</th><th></th></tr>
{{range .Keys}}<tr><td>{{.Name}}</td><td>{{.Permission}}</td><td>{{.Hint}}</td><td>{{.Expires.Format "2006-01-02"}}{{if .Expired}} (expired){{end}}</td>
<td><form method="post" action="/{{$.Region}}/settings/api-keys/{{.ID}}/delete"><button type="submit">Delete</button></form></td></tr>
{{end}}</table>{{else}}<p>No keys yet.</p>{{end}}
</body></html>`))
