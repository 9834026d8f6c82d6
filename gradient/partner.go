package gradient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/meshgradient/mesh-gradient/gradient/rest"
)

// PartnerClient calls the partner API (what the wizard does in Synthesize).
// Gradient publishes no such API; ours is in ../shared/API.md §2.
type PartnerClient struct {
	t      *rest.Client
	vendor string // the integration's slug, "mesh"
}

// NewPartnerClient talks to {baseURL}/api/partner/v1 with a bearer token.
func NewPartnerClient(baseURL, token string, opts Options) (*PartnerClient, error) {
	t, err := newTransport(baseURL, "/api/partner/v1", opts, func(h http.Header) {
		h.Set("Authorization", "Bearer "+token)
	}, []string{token})
	if err != nil {
		return nil, err
	}
	return &PartnerClient{t: t, vendor: "mesh"}, nil
}

// Forget adds a secret (an issued key) that must never appear in errors or logs.
func (c *PartnerClient) Forget(secret string) { c.t.AddSecret(secret) }

func (c *PartnerClient) integrationPath(suffix string) string {
	return "/integrations/" + url.PathEscape(c.vendor) + suffix
}

// Integrations lists every integration card.
func (c *PartnerClient) Integrations(ctx context.Context) ([]Integration, error) {
	var out []Integration
	err := c.t.Do(ctx, rest.Call{Op: "list integrations", Method: http.MethodGet, Path: "/integrations", Idempotent: true}, &out)
	return out, err
}

// Integration returns the Mesh card with counts; Connected is false when
// not connected.
func (c *PartnerClient) Integration(ctx context.Context) (IntegrationDetail, error) {
	var out IntegrationDetail
	err := c.t.Do(ctx, rest.Call{Op: "get integration", Method: http.MethodGet, Path: c.integrationPath(""), Idempotent: true}, &out)
	return out, err
}

// Connect connects the integration and returns the one-time key. It is not
// retried once the request may have reached the server: a second connect
// would answer 409 and the first key would be lost anyway.
func (c *PartnerClient) Connect(ctx context.Context, products, types []string) (Connection, error) {
	var out Connection
	err := c.t.Do(ctx, rest.Call{Op: "connect", Method: http.MethodPost, Secret: true, Path: c.integrationPath("/connect"),
		Body: ConnectRequest{Products: products, Types: types}}, &out)
	if err == nil {
		c.Forget(out.APIKey)
	}
	return out, err
}

// ConnectMeshKey connects by a Mesh API key (API.md §2a): Synthesize
// checks the key against Mesh, then reads Mesh itself; no Synthesize key
// is issued. A key Mesh refuses is a 422 (IsMeshKeyRejected); a Mesh that
// cannot be read, a 502. Like Connect it is not repeated once the request
// may have arrived.
func (c *PartnerClient) ConnectMeshKey(ctx context.Context, products, types []string, mesh MeshCredentials) (IntegrationDetail, error) {
	c.Forget(mesh.APIKey)
	var out struct {
		Integration IntegrationDetail `json:"integration"`
	}
	err := c.t.Do(ctx, rest.Call{Op: "connect", Method: http.MethodPost, Path: c.integrationPath("/connect"),
		Body: ConnectRequest{Products: products, Types: types, Method: MethodMeshAPIKey, Mesh: &mesh}}, &out)
	return out.Integration, err
}

// SyncNow asks Synthesize to read Mesh now (202): the pull flow's Gradient
// Sync. The pull may end after the answer: wait for the card's LastSyncAt
// to move, then read LastSyncError.
func (c *PartnerClient) SyncNow(ctx context.Context) error {
	return c.t.Do(ctx, rest.Call{Op: "sync now", Method: http.MethodPost, Path: c.integrationPath("/sync"), Idempotent: true}, nil)
}

// ReplaceMeshKey gives Synthesize a new Mesh API key (and hub), checked
// against Mesh first as at connect; it answers the card.
func (c *PartnerClient) ReplaceMeshKey(ctx context.Context, mesh MeshCredentials) (IntegrationDetail, error) {
	c.Forget(mesh.APIKey)
	var out IntegrationDetail
	err := c.t.Do(ctx, rest.Call{Op: "replace the Mesh API key", Method: http.MethodPut,
		Path: c.integrationPath("/mesh-credentials"), Body: mesh, Idempotent: true}, &out)
	return out, err
}

// IsMeshKeyRejected reports whether err is Synthesize saying Mesh refused
// the key it was given (422 mesh_key_rejected).
func IsMeshKeyRejected(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusUnprocessableEntity && ae.Code == CodeMeshKeyRejected
}

// RotateKey issues a new key; the old one stops working.
func (c *PartnerClient) RotateKey(ctx context.Context) (string, error) {
	var out struct {
		APIKey string `json:"api_key"`
	}
	err := c.t.Do(ctx, rest.Call{Op: "issue new key", Method: http.MethodPost, Secret: true, Path: c.integrationPath("/key")}, &out)
	if err == nil {
		c.Forget(out.APIKey)
	}
	return out.APIKey, err
}

// Accounts lists every vendor account, all pages.
func (c *PartnerClient) Accounts(ctx context.Context) ([]Account, error) {
	return listAll[Account](ctx, c.t, "list accounts", c.integrationPath("/accounts"), nil, func(a Account) string { return a.ID })
}

// Services lists the vendor services of the chosen products, all pages.
func (c *PartnerClient) Services(ctx context.Context) ([]Service, error) {
	return listAll[Service](ctx, c.t, "list services", c.integrationPath("/services"), nil, func(s Service) string { return s.ID })
}

// Companies lists every PSA company, all pages.
func (c *PartnerClient) Companies(ctx context.Context) ([]Company, error) {
	return listAll[Company](ctx, c.t, "list PSA companies", "/psa/companies", nil, func(c Company) string { return c.ID })
}

// Products lists every PSA product, all pages.
func (c *PartnerClient) Products(ctx context.Context) ([]Product, error) {
	out, err := listAll[Product](ctx, c.t, "list PSA products", "/psa/products", nil, func(p Product) string { return p.ID })
	if problem := checkRows(out); err == nil && problem != "" {
		return nil, c.t.Invalid("list PSA products", "/psa/products", problem)
	}
	return out, err
}

// Mappings returns the current account and service mappings.
func (c *PartnerClient) Mappings(ctx context.Context) (Mappings, error) {
	var out Mappings
	path := c.integrationPath("/mappings")
	if err := c.t.Do(ctx, rest.Call{Op: "get mappings", Method: http.MethodGet, Path: path, Idempotent: true, Fast: fastMappings(&out)}, &out); err != nil {
		return Mappings{}, err
	}
	if problem := checkMappings(out); problem != "" {
		return Mappings{}, c.t.Invalid("get mappings", path, problem)
	}
	return out, nil
}

// PutMappings replaces the whole mapping set (idempotent), if Synthesize
// still holds m.Version (If-Match): it answers the set as written, with
// its new version. When someone else wrote since, the error is a
// *MappingsChangedError holding what Synthesize holds now. A 422 names
// every unknown id in APIError.Unknown.
func (c *PartnerClient) PutMappings(ctx context.Context, m Mappings) (Mappings, error) {
	if m.Accounts == nil {
		m.Accounts = []AccountMapping{}
	}
	if m.Services == nil {
		m.Services = []ServiceMapping{}
	}
	var hdr http.Header
	switch m.Version {
	case "":
	case "*": // whatever Synthesize holds: for a sole writer (tests, a sandbox)
		hdr = http.Header{"If-Match": {"*"}}
	default:
		hdr = http.Header{"If-Match": {`"` + string(m.Version) + `"`}}
	}
	var out, current Mappings
	err := c.t.Do(ctx, rest.Call{Op: "write mappings", Method: http.MethodPut, Path: c.integrationPath("/mappings"), Body: m,
		Idempotent: true, Header: hdr, ErrorInto: &current}, &out)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusPreconditionFailed {
		if problem := checkMappings(current); problem != "" || current.Version == "" {
			return Mappings{}, err // a 412 without the current set: say what Synthesize said
		}
		return Mappings{}, &MappingsChangedError{Current: current, Err: ae}
	}
	return out, err
}

// MappingsChangedError: the mappings changed in Synthesize since the
// version a write started from; nothing was written.
type MappingsChangedError struct {
	Current Mappings // what Synthesize holds now, with its version
	Err     *APIError
}

func (e *MappingsChangedError) Error() string {
	return fmt.Sprintf("the mappings changed in Synthesize since they were read (now version %s); nothing was written", e.Current.Version)
}

func (e *MappingsChangedError) Unwrap() error { return e.Err }

// Billing returns the billing rows of this vendor, all pages.
func (c *PartnerClient) Billing(ctx context.Context) ([]BillingRow, error) {
	out, err := listAll[BillingRow](ctx, c.t, "list billing", "/billing", url.Values{"vendor": {c.vendor}}, func(b BillingRow) string {
		if b.AccountID == "" || b.ServiceID == "" {
			return ""
		}
		return b.AccountID + " / " + b.ServiceID
	})
	if problem := checkRows(out); err == nil && problem != "" {
		return nil, c.t.Invalid("list billing", "/billing", problem)
	}
	return out, err
}

// Reconcile sets the PSA quantity of each row to its usage and answers the
// updated rows. Setting a quantity to a value is idempotent, so it retries.
func (c *PartnerClient) Reconcile(ctx context.Context, items []BillingKey) ([]BillingRow, error) {
	var out []BillingRow
	err := c.t.Do(ctx, rest.Call{Op: "reconcile", Method: http.MethodPost, Path: "/billing/reconcile",
		Body: struct {
			Items []BillingKey `json:"items"`
		}{items}, Idempotent: true}, &out)
	if problem := checkRows(out); err == nil && problem != "" {
		return nil, &InvalidAnswerError{Op: "reconcile", Method: http.MethodPost, Path: "/billing/reconcile",
			Problem: problem + " (the reconcile was sent; reload billing to see what Synthesize holds)"}
	}
	return out, err
}

// Alerts lists every alert the vendor sent and whether it became a PSA
// ticket (API.md §2b), all pages; failedOnly asks for the failed ones.
func (c *PartnerClient) Alerts(ctx context.Context, failedOnly bool) ([]AlertRecord, error) {
	var q url.Values
	if failedOnly {
		q = url.Values{"status": {TicketFailed}}
	}
	return listAll[AlertRecord](ctx, c.t, "list alerts", c.integrationPath("/alerts"), q, func(a AlertRecord) string { return a.MessageID })
}

// Configure changes the products and types of a connected integration
// (the card's Configure, API.md §2) and answers the card. Setting the same
// lists twice leaves the same card, so it retries.
func (c *PartnerClient) Configure(ctx context.Context, cfg Configuration) (IntegrationDetail, error) {
	var out IntegrationDetail
	err := c.t.Do(ctx, rest.Call{Op: "change products and types", Method: http.MethodPatch, Path: c.integrationPath(""),
		Body: cfg, Idempotent: true}, &out)
	return out, err
}

// Disconnect revokes the key and deletes every mapping and vendor account.
// Doing it twice is harmless.
func (c *PartnerClient) Disconnect(ctx context.Context) error {
	return c.t.Do(ctx, rest.Call{Op: "disconnect", Method: http.MethodDelete, Path: c.integrationPath(""), Idempotent: true}, nil)
}

// checkMappings finds what would make the mappings ambiguous: a row with
// no id, or one account or service mapped twice.
func checkMappings(m Mappings) string {
	accounts := make([]string, len(m.Accounts))
	for i, a := range m.Accounts {
		accounts[i] = a.AccountID
	}
	services := make([]string, len(m.Services))
	for i, s := range m.Services {
		services[i] = s.ServiceID
	}
	if problem := uniqueIDs("account", accounts); problem != "" {
		return problem
	}
	return uniqueIDs("service", services)
}

func uniqueIDs(kind string, ids []string) string {
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		switch {
		case id == "":
			return fmt.Sprintf("%s mapping %d has no %s_id", kind, i+1, kind)
		case seen[id]:
			return fmt.Sprintf("%s %q is mapped twice", kind, id)
		}
		seen[id] = true
	}
	return ""
}
