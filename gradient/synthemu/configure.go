package synthemu

import (
	"net/http"
	"strings"
)

// configure is PATCH /integrations/mesh (API.md §2): the card's Configure
// after onboarding. A list left out stays as it is. Nothing else changes:
// accounts, mappings and usage stay, so a product removed and added back
// finds its service mapping again; Synthesize only stops listing (and
// billing) the services of products that are not chosen.
func (e *Emulator) configure(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Products *[]string `json:"products"`
		Types    *[]string `json:"types"`
	}
	if !decodeBody(w, r, &in, func(w http.ResponseWriter, s int, m string) { partnerError(w, s, "bad_request", m) }) {
		return
	}
	if !e.integ.connected {
		partnerError(w, http.StatusConflict, "not_connected", "Mesh is not connected; connect it first")
		return
	}
	if in.Products == nil && in.Types == nil {
		partnerError(w, http.StatusUnprocessableEntity, "invalid", "give products, types or both")
		return
	}
	products, types := e.integ.products, e.integ.types
	if in.Products != nil {
		products = *in.Products
	}
	if in.Types != nil {
		types = *in.Types
	}
	if problems := choiceProblems(products, types); len(problems) > 0 {
		partnerError(w, http.StatusUnprocessableEntity, "invalid", strings.Join(problems, "; "))
		return
	}
	e.integ.products = dedupe(products)
	e.integ.types = dedupe(types)
	writeJSON(w, http.StatusOK, e.detail())
}

// dedupe keeps the first of each value, in order.
func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
