package synthemu

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// The partner API answers bare JSON; errors are {"error": {"code", "message"}}.

func partnerError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg}})
}

// partnerAuth checks the token and runs h under the lock.
func (e *Emulator) partnerAuth(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return e.partnerCheck(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		defer e.mu.Unlock()
		h(w, r)
	})
}

// partnerCheck checks the token and the vendor, then runs h.
func (e *Emulator) partnerCheck(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !equalSecret(tok, e.partnerToken) {
			partnerError(w, http.StatusUnauthorized, "unauthorized", "missing or wrong bearer token")
			return
		}
		if v := r.PathValue("vendor"); v != "" && v != "mesh" {
			partnerError(w, http.StatusNotFound, "not_found", "no integration "+strconv.Quote(v))
			return
		}
		h(w, r)
	}
}

// paged answers one page of items: ?cursor=&limit= (default 100, at most 1000).
func paged[T any](w http.ResponseWriter, r *http.Request, items []T) {
	pagedBy(w, r, len(items), func(i int) T { return items[i] })
}

// pagedBy is paged over n items made one at a time by item, only those of
// the page asked for: a list of 100,000 copied whole for each of its 100
// pages was most of the sandbox's time (under its lock) at that size.
func pagedBy[T any](w http.ResponseWriter, r *http.Request, n int, item func(int) T) {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		l, err := strconv.Atoi(s)
		if err != nil || l < 1 || l > 1000 {
			partnerError(w, http.StatusBadRequest, "bad_limit", "limit must be a whole number from 1 to 1000")
			return
		}
		limit = l
	}
	offset := 0
	if c := r.URL.Query().Get("cursor"); c != "" {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		at, err2 := strconv.Atoi(strings.TrimPrefix(string(raw), "o:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(raw), "o:") || at < 0 || at > n {
			partnerError(w, http.StatusBadRequest, "bad_cursor", "cursor is not one this server gave")
			return
		}
		offset = at
	}
	end := min(offset+limit, n)
	next := ""
	if end < n {
		next = base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(end)))
	}
	page := make([]T, 0, end-offset)
	for i := offset; i < end; i++ {
		page = append(page, item(i))
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": page, "next_cursor": next})
}

func (e *Emulator) card() gradient.Integration {
	products, types := e.integ.products, e.integ.types
	if products == nil {
		products = []string{}
	}
	if types == nil {
		types = []string{}
	}
	return gradient.Integration{Vendor: "mesh", Name: "Mesh", Connected: e.integ.connected, Status: e.integ.status,
		Products: products, Types: types, KeyHint: e.integ.keyHint,
		Method: e.integ.method, MeshAPIURL: e.integ.meshURL, MeshKeyHint: e.integ.meshKeyHint}
}

func (e *Emulator) detail() gradient.IntegrationDetail {
	return gradient.IntegrationDetail{
		Integration: e.card(),
		Counts: gradient.Counts{Accounts: len(e.accounts), Services: len(e.chosenServices()),
			Usage: len(e.usage), Alerts: len(e.latestAlert)},
		ConnectedAt: e.integ.connectedAt, LastSyncAt: e.integ.lastSyncAt, LastSyncError: e.integ.lastSyncError,
	}
}

func (e *Emulator) listIntegrations(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, []gradient.Integration{e.card()})
}

func (e *Emulator) getIntegration(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, e.detail())
}

var knownProducts = map[string]bool{"gateway": true, "m365": true, "unified": true}

// connect connects by either method (API.md §2, §2a). It runs without the
// lock: a Mesh API key is checked against Mesh first, over HTTP.
func (e *Emulator) connect(w http.ResponseWriter, r *http.Request) {
	if e.isConnected() {
		partnerError(w, http.StatusConflict, "already_connected", "Mesh is already connected; disconnect it or issue a new key")
		return
	}
	var in gradient.ConnectRequest
	if !decodeBody(w, r, &in, func(w http.ResponseWriter, s int, m string) { partnerError(w, s, "bad_request", m) }) {
		return
	}
	problems := choiceProblems(in.Products, in.Types)
	switch {
	case in.Method != "" && in.Method != gradient.MethodGradientKey && in.Method != gradient.MethodMeshAPIKey:
		problems = append(problems, "method must be gradient_key or mesh_api_key")
	case in.Method == gradient.MethodMeshAPIKey && in.Mesh == nil:
		problems = append(problems, "method mesh_api_key needs mesh: {api_url, api_key}")
	case in.Method != gradient.MethodMeshAPIKey && in.Mesh != nil:
		problems = append(problems, "mesh is only for method mesh_api_key")
	}
	if len(problems) > 0 {
		partnerError(w, http.StatusUnprocessableEntity, "invalid", strings.Join(problems, "; "))
		return
	}
	if in.Method == gradient.MethodMeshAPIKey {
		e.connectMesh(w, r, in)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.integ.connected { // connected meanwhile
		partnerError(w, http.StatusConflict, "already_connected", "Mesh is already connected; disconnect it or issue a new key")
		return
	}
	key := e.issueKey()
	e.connected(in, gradient.MethodGradientKey)
	writeJSON(w, http.StatusCreated, gradient.Connection{Integration: e.detail(), APIKey: key})
}

// choiceProblems checks the products and types chosen at connect.
func choiceProblems(products, types []string) []string {
	var problems []string
	if len(products) == 0 {
		problems = append(problems, "choose at least one product")
	}
	for _, p := range products {
		if !knownProducts[p] {
			problems = append(problems, "unknown product "+strconv.Quote(p))
		}
	}
	if len(types) == 0 {
		problems = append(problems, "choose billing and/or alerts")
	}
	for _, t := range types {
		if t != gradient.TypeBilling && t != gradient.TypeAlerts {
			problems = append(problems, "unknown type "+strconv.Quote(t))
		}
	}
	return problems
}

// connected records a new connection; the caller holds the lock.
func (e *Emulator) connected(in gradient.ConnectRequest, method string) {
	e.integ.connected = true
	e.integ.status = gradient.StatusInactive
	e.integ.method = method
	e.integ.products = append([]string(nil), in.Products...)
	e.integ.types = append([]string(nil), in.Types...)
	e.integ.id = "int-" + randomToken(6)
	e.integ.connectedAt = e.stamp()
}

func (e *Emulator) isConnected() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.integ.connected
}

// issueKey makes a fresh key and keeps only its hash and hint.
func (e *Emulator) issueKey() string {
	key := "gsk_" + randomToken(24)
	e.integ.keyHash = hashKey(key)
	e.integ.keyHint = key[len(key)-4:]
	return key
}

func (e *Emulator) rotateKey(w http.ResponseWriter, r *http.Request) {
	if !e.integ.connected {
		partnerError(w, http.StatusConflict, "not_connected", "Mesh is not connected; connect it first")
		return
	}
	if e.integ.method == gradient.MethodMeshAPIKey {
		partnerError(w, http.StatusConflict, "wrong_method", "Mesh is connected by a Mesh API key: replace that key instead (PUT /integrations/mesh/mesh-credentials)")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"api_key": e.issueKey()})
}

func (e *Emulator) listAccounts(w http.ResponseWriter, r *http.Request) {
	// The ids are sorted once, not for every page: 100 pages of 100,000
	// accounts sorted them 100 times, seconds of the sandbox's time.
	if e.accountIDs == nil {
		e.accountIDs = sortedKeys(e.accounts)
	}
	pagedBy(w, r, len(e.accountIDs), func(i int) gradient.Account {
		a := e.accounts[e.accountIDs[i]]
		return gradient.Account{ID: a.ID, Name: a.Name, Description: a.Description}
	})
}

func (e *Emulator) listServices(w http.ResponseWriter, r *http.Request) {
	var out []gradient.Service
	if e.integ.connected {
		for _, s := range e.chosenServices() {
			out = append(out, gradient.Service{ID: s.ID, Name: s.Name, Category: s.Category, Subcategory: s.Subcategory})
		}
	}
	paged(w, r, out)
}

func (e *Emulator) listCompanies(w http.ResponseWriter, r *http.Request) {
	pagedBy(w, r, len(e.companyOrder), func(i int) gradient.Company { return e.companies[e.companyOrder[i]] })
}

func (e *Emulator) listProducts(w http.ResponseWriter, r *http.Request) {
	out := make([]gradient.Product, 0, len(e.productOrder))
	for _, id := range e.productOrder {
		out = append(out, e.products[id])
	}
	paged(w, r, out)
}

func (e *Emulator) mappings() gradient.Mappings {
	m := gradient.Mappings{Accounts: []gradient.AccountMapping{}, Services: []gradient.ServiceMapping{}}
	for _, id := range sortedKeys(e.accountMap) {
		m.Accounts = append(m.Accounts, e.accountMap[id])
	}
	for _, id := range sortedKeys(e.serviceMap) {
		m.Services = append(m.Services, gradient.ServiceMapping{ServiceID: id, ProductID: e.serviceMap[id]})
	}
	m.Version = gradient.Version(strconv.FormatInt(e.mapVersion, 10))
	return m
}

// etag is the mappings' version as an HTTP entity tag.
func (e *Emulator) etag() string { return `"` + strconv.FormatInt(e.mapVersion, 10) + `"` }

func (e *Emulator) getMappings(w http.ResponseWriter, r *http.Request) {
	if e.mappingsBody == nil || e.mappingsAt != e.mapVersion {
		var b bytes.Buffer
		_ = json.NewEncoder(&b).Encode(e.mappings()) // as writeJSON writes it
		e.mappingsBody, e.mappingsAt = b.Bytes(), e.mapVersion
	}
	w.Header().Set("ETag", e.etag())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(e.mappingsBody)
}

// preconditionFailed answers a write that did not start from the current
// version: 428 without If-Match, 412 with the current set otherwise.
func (e *Emulator) preconditionFailed(w http.ResponseWriter, r *http.Request) bool {
	match := r.Header.Get("If-Match")
	switch {
	case match == "":
		partnerError(w, http.StatusPreconditionRequired, "precondition_required",
			"send If-Match with the version you read (GET /integrations/mesh/mappings answers it as ETag)")
		return true
	case match != e.etag() && match != "*":
		w.Header().Set("ETag", e.etag())
		m := e.mappings()
		writeJSON(w, http.StatusPreconditionFailed, map[string]any{"error": map[string]any{"code": "version_mismatch",
			"message": fmt.Sprintf("the mappings are at version %s, not %s: someone else wrote them since", m.Version, strings.Trim(match, `"`))},
			"accounts": m.Accounts, "services": m.Services, "version": m.Version})
		return true
	}
	return false
}

func (e *Emulator) putMappings(w http.ResponseWriter, r *http.Request) {
	if !e.integ.connected {
		partnerError(w, http.StatusConflict, "not_connected", "Mesh is not connected")
		return
	}
	if e.preconditionFailed(w, r) {
		return
	}
	var in gradient.Mappings
	if !decodeBody(w, r, &in, func(w http.ResponseWriter, s int, m string) { partnerError(w, s, "bad_request", m) }) {
		return
	}
	var unknown []string
	seen := map[string]bool{}
	accounts := map[string]gradient.AccountMapping{}
	for _, a := range in.Accounts {
		if e.accounts[a.AccountID] == nil {
			unknown = append(unknown, "account "+a.AccountID)
		}
		if a.CompanyID != "" {
			if _, ok := e.companies[a.CompanyID]; !ok && !seen["c"+a.CompanyID] {
				seen["c"+a.CompanyID] = true
				unknown = append(unknown, "company "+a.CompanyID)
			}
		}
		if a.Ignored {
			a.CompanyID = ""
		}
		if a.CompanyID != "" || a.Ignored {
			accounts[a.AccountID] = a
		}
	}
	services := map[string]string{}
	for _, s := range in.Services {
		if _, ok := e.skuByID(s.ServiceID); !ok {
			unknown = append(unknown, "service "+s.ServiceID)
		}
		if s.ProductID != "" {
			if _, ok := e.products[s.ProductID]; !ok && !seen["p"+s.ProductID] {
				seen["p"+s.ProductID] = true
				unknown = append(unknown, "product "+s.ProductID)
			}
			services[s.ServiceID] = s.ProductID
		}
	}
	if len(unknown) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": map[string]any{
			"code": "unknown_ids", "message": "unknown ids: " + strings.Join(unknown, ", "), "unknown": unknown}})
		return
	}
	e.accountMap, e.serviceMap = accounts, services
	e.mapVersion++
	w.Header().Set("ETag", e.etag())
	// Usage of accounts that are no longer billable leaves the billing view.
	for k := range e.usage {
		if _, ok := e.billable(k.account); !ok {
			delete(e.usage, k)
		}
	}
	writeJSON(w, http.StatusOK, e.mappings())
}

// billingRows joins usage with mappings and PSA agreements, in a stable
// order. Only the services of the products chosen at connect are billed.
func (e *Emulator) billingRows() []gradient.BillingRow {
	rows := []gradient.BillingRow{}
	if !e.hasType(gradient.TypeBilling) {
		return rows // usage still arrives, but is not billed: adding Billing back brings it back
	}
	chosen := map[string]bool{}
	for _, s := range e.chosenServices() {
		chosen[s.ID] = true
	}
	for k, s := range e.usage {
		m, ok := e.billable(k.account)
		if !ok || !chosen[k.service] {
			continue
		}
		pid := e.serviceMap[k.service]
		rows = append(rows, gradient.BillingRow{
			AccountID: k.account, ServiceID: k.service, CompanyID: m.CompanyID, ProductID: pid,
			Usage: s.units, BilledQuantity: e.agreements[agreementKey{m.CompanyID, pid}],
			UnitPrice: e.products[pid].UnitPrice, SnapshotAt: s.at,
			VendorBilledQuantity: s.vendorBilled, VendorCycleEnds: s.cycleEnds,
		})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].AccountID != rows[j].AccountID {
			return rows[i].AccountID < rows[j].AccountID
		}
		return rows[i].ServiceID < rows[j].ServiceID
	})
	return rows
}

func (e *Emulator) listBilling(w http.ResponseWriter, r *http.Request) {
	if v := r.URL.Query().Get("vendor"); v != "" && v != "mesh" {
		paged(w, r, []gradient.BillingRow{})
		return
	}
	paged(w, r, e.billingRows())
}

// reconcile sets each named row's PSA quantity to the usage. An agreement
// is per company and product, so when several accounts map to one company
// its quantity becomes the sum of their usage.
func (e *Emulator) reconcile(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Items []gradient.BillingKey `json:"items"`
	}
	if !decodeBody(w, r, &in, func(w http.ResponseWriter, s int, m string) { partnerError(w, s, "bad_request", m) }) {
		return
	}
	rows := e.billingRows()
	byKey := map[gradient.BillingKey]gradient.BillingRow{}
	total := map[agreementKey]float64{}
	for _, row := range rows {
		byKey[gradient.BillingKey{AccountID: row.AccountID, ServiceID: row.ServiceID}] = row
		total[agreementKey{row.CompanyID, row.ProductID}] += row.Usage
	}
	var problems []string
	for _, it := range in.Items {
		row, ok := byKey[it]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("no billing row for account %s and service %s", it.AccountID, it.ServiceID))
		case row.ProductID == "":
			problems = append(problems, fmt.Sprintf("service %s has no PSA product", it.ServiceID))
		}
	}
	if len(problems) > 0 {
		partnerError(w, http.StatusUnprocessableEntity, "not_reconcilable", strings.Join(problems, "; "))
		return
	}
	for _, it := range in.Items {
		row := byKey[it]
		k := agreementKey{row.CompanyID, row.ProductID}
		e.agreements[k] = total[k]
	}
	asked := map[gradient.BillingKey]bool{}
	for _, it := range in.Items {
		asked[it] = true
	}
	out := []gradient.BillingRow{}
	for _, row := range e.billingRows() {
		if asked[gradient.BillingKey{AccountID: row.AccountID, ServiceID: row.ServiceID}] {
			out = append(out, row)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) disconnect(w http.ResponseWriter, r *http.Request) {
	e.resetIntegration()
	w.WriteHeader(http.StatusNoContent)
}
