package gradient

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
)

// VendorClient calls the vendor API as Mesh does: Gradient's public Vendor
// API, authenticated by GRADIENT-TOKEN = base64(vendorKey ":" partnerKey).
type VendorClient struct {
	t *transport
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

// Vendor returns the vendor and its services (SKUs).
func (c *VendorClient) Vendor(ctx context.Context) (Vendor, error) {
	var out Vendor
	err := c.t.do(ctx, call{op: "get vendor", method: http.MethodGet, path: "/vendor-api", idempotent: true}, &out)
	return out, err
}

// CreateService creates a vendor-wide service and answers the vendor.
func (c *VendorClient) CreateService(ctx context.Context, s ServiceInput) (Vendor, error) {
	var out Vendor
	err := c.t.do(ctx, call{op: "create service", method: http.MethodPost, path: "/vendor-api/service", body: s}, &out)
	return out, err
}

// Organization returns the MSP's integration; the way to check a key.
func (c *VendorClient) Organization(ctx context.Context) (Organization, error) {
	var out Organization
	err := c.t.do(ctx, call{op: "get organization", method: http.MethodGet, path: "/vendor-api/organization", idempotent: true}, &out)
	return out, err
}

// SetStatus sets the integration's vendor status.
func (c *VendorClient) SetStatus(ctx context.Context, status string) error {
	return c.t.do(ctx, call{op: "set status", method: http.MethodPatch,
		path: "/vendor-api/organization/status/" + url.PathEscape(status), idempotent: true}, nil)
}

// Accounts lists the vendor's accounts for this MSP.
func (c *VendorClient) Accounts(ctx context.Context) ([]VendorAccount, error) {
	var out []VendorAccount
	err := c.t.do(ctx, call{op: "list accounts", method: http.MethodGet, path: "/vendor-api/organization/accounts", idempotent: true}, &out)
	return out, err
}

// UpsertAccounts creates the missing accounts and renames existing ones.
func (c *VendorClient) UpsertAccounts(ctx context.Context, accounts []VendorAccount) error {
	type in struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	body := make([]in, len(accounts))
	for i, a := range accounts {
		body[i] = in{a.ID, a.Name, a.Description}
	}
	return c.t.do(ctx, call{op: "post accounts", method: http.MethodPost, path: "/vendor-api/organization/accounts", body: body, idempotent: true}, nil)
}

// UpdateAccount changes one account's name, description or activity.
func (c *VendorClient) UpdateAccount(ctx context.Context, id string, p AccountPatch) error {
	return c.t.do(ctx, call{op: "update account", method: http.MethodPatch,
		path: "/vendor-api/organization/accounts/" + url.PathEscape(id), body: p, idempotent: true}, nil)
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
	return c.t.do(ctx, call{op: "post count", method: http.MethodPost,
		path: "/vendor-api/service/" + url.PathEscape(serviceID) + "/count", query: q,
		body: Count{AccountID: accountID, UnitCount: units}, idempotent: true}, nil)
}

// PostAlert raises an alert for an account; 403 when the integration does
// not include Alerts.
func (c *VendorClient) PostAlert(ctx context.Context, accountID string, a Alert) (AlertReceipt, error) {
	var out AlertReceipt
	err := c.t.do(ctx, call{op: "post alert", method: http.MethodPost,
		path: "/vendor-api/alerting/" + url.PathEscape(accountID), body: a}, &out)
	return out, err
}

// AlertDebug says whether an alert became a PSA ticket.
func (c *VendorClient) AlertDebug(ctx context.Context, messageID string) (AlertDebug, error) {
	var out AlertDebug
	err := c.t.do(ctx, call{op: "alert debug", method: http.MethodGet,
		path: "/vendor-api/alerting/debug/" + url.PathEscape(messageID), idempotent: true}, &out)
	return out, err
}
