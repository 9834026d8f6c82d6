package gradient

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/meshgradient/mesh-gradient/gradient/rest"
)

// VendorClient calls the vendor API as Mesh does: Gradient's public Vendor
// API, authenticated by GRADIENT-TOKEN = base64(vendorKey ":" partnerKey).
// It sends the bodies the official SDK sends and reads answers wrapped or
// bare, as the real service answers differently per endpoint.
type VendorClient struct {
	t *rest.Client
}

// VendorToken is the GRADIENT-TOKEN header value for a vendor and partner key.
func VendorToken(vendorKey, partnerKey string) string {
	return base64.StdEncoding.EncodeToString([]byte(vendorKey + ":" + partnerKey))
}

// NewVendorClient talks to {baseURL}/api. baseURL is GRADIENT_URL (for the
// real service https://app.usegradient.com).
func NewVendorClient(baseURL, vendorKey, partnerKey string, opts Options) (*VendorClient, error) {
	token := VendorToken(vendorKey, partnerKey)
	t, err := newTransport(baseURL, "/api", opts, func(h http.Header) {
		h.Set("GRADIENT-TOKEN", token)
	}, []string{token, vendorKey, partnerKey})
	if err != nil {
		return nil, err
	}
	return &VendorClient{t: t}, nil
}

// vendorPath joins fixed path parts and ids; each id is escaped here, once,
// so an id holding a space, "/", "%", "?" or "é" stays one path segment.
func vendorPath(fixed string, ids ...string) string {
	var b strings.Builder
	b.WriteString("/vendor-api")
	b.WriteString(fixed)
	for _, id := range ids {
		b.WriteString("/")
		b.WriteString(url.PathEscape(id))
	}
	return b.String()
}

// Vendor returns the vendor and its services (SKUs).
func (c *VendorClient) Vendor(ctx context.Context) (Vendor, error) {
	var out Vendor
	err := c.t.Do(ctx, rest.Call{Op: "get vendor", Method: http.MethodGet, Path: vendorPath(""), Idempotent: true}, &out)
	return out, err
}

// UpdateVendor changes the vendor's name, description or links.
func (c *VendorClient) UpdateVendor(ctx context.Context, u VendorUpdate) (Vendor, error) {
	var out Vendor
	err := c.t.Do(ctx, rest.Call{Op: "update vendor", Method: http.MethodPatch, Path: vendorPath(""), Body: u, Idempotent: true}, &out)
	return out, err
}

// CreateService creates a vendor-wide service and answers the vendor.
func (c *VendorClient) CreateService(ctx context.Context, s ServiceInput) (Vendor, error) {
	var out Vendor
	err := c.t.Do(ctx, rest.Call{Op: "create service", Method: http.MethodPost, Path: vendorPath("/service"), Body: s}, &out)
	return out, err
}

// Service returns one of the vendor's services.
func (c *VendorClient) Service(ctx context.Context, id string) (SKU, error) {
	var out SKU
	err := c.t.Do(ctx, rest.Call{Op: "get service", Method: http.MethodGet, Path: vendorPath("/service", id), Idempotent: true}, &out)
	return out, err
}

// Organization returns the MSP's integration; the way to check a key.
func (c *VendorClient) Organization(ctx context.Context) (Organization, error) {
	var out Organization
	err := c.t.Do(ctx, rest.Call{Op: "get organization", Method: http.MethodGet, Path: vendorPath("/organization"), Idempotent: true}, &out)
	return out, err
}

// SetStatus sets the integration's vendor status.
func (c *VendorClient) SetStatus(ctx context.Context, status string) error {
	return c.t.Do(ctx, rest.Call{Op: "set status", Method: http.MethodPatch,
		Path: vendorPath("/organization/status", status), Idempotent: true}, nil)
}

// Accounts lists the vendor's accounts for this MSP.
func (c *VendorClient) Accounts(ctx context.Context) ([]VendorAccount, error) {
	return c.ListAccounts(ctx, AccountFilter{})
}

// ListAccounts lists the accounts that f lets through. The query is built
// as the SDK builds it: one id as accountIds, several as accountIds[].
func (c *VendorClient) ListAccounts(ctx context.Context, f AccountFilter) ([]VendorAccount, error) {
	q := url.Values{}
	switch len(f.IDs) {
	case 0:
	case 1:
		q["accountIds"] = f.IDs
	default:
		q["accountIds[]"] = f.IDs
	}
	if f.MappedOnly {
		q.Set("returnUnmapped", "false")
	}
	var out []VendorAccount
	err := c.t.Do(ctx, rest.Call{Op: "list accounts", Method: http.MethodGet, Path: vendorPath("/organization/accounts"),
		Query: q, Idempotent: true}, &out)
	return out, err
}

// CreateAccounts creates the missing accounts and renames existing ones;
// the answer holds each account with its mappingId.
func (c *VendorClient) CreateAccounts(ctx context.Context, accounts []VendorAccount) ([]VendorAccount, error) {
	// The SDK's CreateMappingProperty: id, name, description and nothing
	// else; isMapped and mappingId are the service's to say.
	type in struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	body := make([]in, len(accounts))
	for i, a := range accounts {
		body[i] = in{a.ID, a.Name, a.Description}
	}
	var out []VendorAccount
	err := c.t.Do(ctx, rest.Call{Op: "post accounts", Method: http.MethodPost, Path: vendorPath("/organization/accounts"),
		Body: body, Idempotent: true}, &out)
	return out, err
}

// UpsertAccounts is CreateAccounts for callers that need no answer.
func (c *VendorClient) UpsertAccounts(ctx context.Context, accounts []VendorAccount) error {
	_, err := c.CreateAccounts(ctx, accounts)
	return err
}

// UpdateAccount changes one account's name, description, activity or
// arrears; p.ID is set to id, as the SDK always sends it.
func (c *VendorClient) UpdateAccount(ctx context.Context, id string, p AccountPatch) (VendorAccount, error) {
	p.ID = id
	var out VendorAccount
	err := c.t.Do(ctx, rest.Call{Op: "update account", Method: http.MethodPatch,
		Path: vendorPath("/organization/accounts", id), Body: p, Idempotent: true}, &out)
	return out, err
}

// UpdateAccounts patches several accounts in one request (newer spec).
func (c *VendorClient) UpdateAccounts(ctx context.Context, patches []AccountPatch) ([]VendorAccount, error) {
	var out []VendorAccount
	err := c.t.Do(ctx, rest.Call{Op: "update accounts", Method: http.MethodPatch,
		Path: vendorPath("/organization/accounts"), Body: patches, Idempotent: true}, &out)
	return out, err
}

// PostCount sends the usage of one service by one account, now. A 404
// (IsNotFound) means the MSP has not mapped the account. noBuild defers
// Synthesize's billing rebuild, for all but the last count of a sync.
func (c *VendorClient) PostCount(ctx context.Context, serviceID, accountID string, units float64, noBuild bool) error {
	var q url.Values
	if noBuild {
		q = url.Values{"no_build": {"true"}}
	}
	// A count is a snapshot: sending it twice leaves the same state.
	return c.t.Do(ctx, rest.Call{Op: "post count", Method: http.MethodPost,
		Path: vendorPath("/service", serviceID) + "/count", Query: q,
		Body: Count{AccountID: accountID, UnitCount: units}, Idempotent: true}, nil)
}

// PostAlert raises an alert for an account; 403 when the integration does
// not include Alerts.
func (c *VendorClient) PostAlert(ctx context.Context, accountID string, a Alert) (AlertReceipt, error) {
	var out AlertReceipt
	err := c.t.Do(ctx, rest.Call{Op: "post alert", Method: http.MethodPost,
		Path: vendorPath("/alerting", accountID), Body: a}, &out)
	return out, err
}

// AlertDebug says whether an alert became a PSA ticket.
func (c *VendorClient) AlertDebug(ctx context.Context, messageID string) (AlertDebug, error) {
	var out AlertDebug
	err := c.t.Do(ctx, rest.Call{Op: "alert debug", Method: http.MethodGet,
		Path: vendorPath("/alerting/debug", messageID), Idempotent: true}, &out)
	return out, err
}
