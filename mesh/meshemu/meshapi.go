package meshemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/meshgradient/mesh-gradient/mesh"
)

// The emulated Mesh API (API.md §7): /api/customers/ and
// /api/customers/{id}/, for every region under /{region}/api/ (what
// mesh.HubURL gives for an emulated portal) and once more at /api/ for a
// hub given as the portal's own address. Customers are the scenario's
// accounts; their ids are the scenario's, so the customer an API-key
// connection creates is the account a Gradient Sync pushes.

// meshErrors answers Mesh's error shape, {"errors": [...]}.
func meshErrors(w http.ResponseWriter, status int, msgs ...string) {
	writeJSON(w, status, map[string][]string{"errors": msgs})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// serveAPI answers r when its path is the API's; false when it is not.
func (p *Portal) serveAPI(w http.ResponseWriter, r *http.Request) bool {
	// Escaped, so that an id holding "/" stays one segment.
	path := r.URL.EscapedPath()
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		for _, pt := range mesh.Portals {
			if rest, ok = strings.CutPrefix(path, "/"+pt.Region+"/api/"); ok {
				break
			}
		}
	}
	if !ok {
		return false
	}
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		meshErrors(w, http.StatusMethodNotAllowed, fmt.Sprintf("Method %q not allowed.", r.Method))
	case p.authorize(r) != "":
		meshErrors(w, http.StatusUnauthorized, p.authorize(r))
	case rest == "customers":
		// As Django does without the slash: a redirect within the origin.
		target := *r.URL
		target.Path += "/"
		http.Redirect(w, r, target.RequestURI(), http.StatusMovedPermanently)
	case rest == "customers/":
		p.listCustomers(w, r)
	case strings.HasPrefix(rest, "customers/") && strings.Count(rest, "/") == 2 && strings.HasSuffix(rest, "/"):
		p.getCustomer(w, strings.TrimSuffix(strings.TrimPrefix(rest, "customers/"), "/"))
	default:
		meshErrors(w, http.StatusNotFound, "Not found.")
	}
	return true
}

// listCustomers pages the customers: _from, _size (1 to 1000, default
// 25), filter, filter_service, filter_switch, sorting, format=json.
func (p *Portal) listCustomers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var problems []string
	num := func(name string, def, lo, hi int) int {
		v := q.Get(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			problems = append(problems, fmt.Sprintf("%s must be a whole number from %d to %d.", name, lo, hi))
		}
		return n
	}
	from, size := num("_from", 0, 0, 1<<30), num("_size", 25, 1, 1000)
	service := num("filter_service", 0, 1, 3)
	sw := q.Get("filter_switch")
	if sw != "" && sw != "active" && sw != "inactive" && sw != StateTrial {
		problems = append(problems, "filter_switch must be active, inactive or trial.")
	}
	sorting := q.Get("sorting")
	less, ok := sortings[strings.TrimPrefix(sorting, "-")]
	if sorting == "" {
		less, ok = sortings["company_name"], true
	}
	if !ok {
		problems = append(problems, "sorting must be company_name or user_count, - for descending.")
	}
	if f := q.Get("format"); f != "" && f != "json" {
		meshErrors(w, http.StatusNotFound, "Not found.")
		return
	}
	if len(problems) > 0 {
		meshErrors(w, http.StatusBadRequest, problems...)
		return
	}
	filter := strings.ToLower(q.Get("filter"))
	var picked []customer
	for _, c := range p.customers {
		if filter != "" && !strings.Contains(strings.ToLower(c.name), filter) && !strings.Contains(c.domain, filter) {
			continue
		}
		if pr, _ := mesh.ProductByServiceName(c.service); service != 0 && pr.FilterID != service {
			continue
		}
		if sw == "active" && c.state != StateActive || sw == "inactive" && c.state != StateSuspended || sw == StateTrial && c.state != StateTrial {
			continue
		}
		picked = append(picked, c)
	}
	desc := strings.HasPrefix(sorting, "-")
	sort.SliceStable(picked, func(i, j int) bool {
		if desc {
			i, j = j, i
		}
		return less(picked[i], picked[j])
	})
	now := p.cfg.Now()
	results := []customerOut{}
	for _, c := range picked[min(from, len(picked)):min(from+size, len(picked))] {
		results = append(results, c.out(now))
	}
	link := func(at int) *string {
		if at < 0 || at >= len(picked) || at == from {
			return nil
		}
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		v := r.URL.Query()
		v.Set("_from", strconv.Itoa(at))
		u.RawQuery = v.Encode()
		s := u.String()
		return &s
	}
	var prev *string
	if from > 0 {
		prev = link(max(from-size, 0))
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(picked), "next": link(from + size), "previous": prev, "results": results})
}

// sortings compare customers; ids break ties so pages never overlap.
var sortings = map[string]func(a, b customer) bool{
	"company_name": func(a, b customer) bool {
		x, y := strings.ToLower(a.name), strings.ToLower(b.name)
		return x < y || x == y && a.id < b.id
	},
	"user_count": func(a, b customer) bool { return a.users < b.users || a.users == b.users && a.id < b.id },
}

func (p *Portal) getCustomer(w http.ResponseWriter, escaped string) {
	id, err := url.PathUnescape(escaped)
	if err == nil {
		for _, c := range p.customers {
			if c.id == id {
				writeJSON(w, http.StatusOK, c.out(p.cfg.Now()))
				return
			}
		}
	}
	meshErrors(w, http.StatusNotFound, "Not found.")
}
