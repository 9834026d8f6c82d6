// Package gradient is the client for Gradient MSP's Synthesize: the vendor
// API that Mesh calls (VendorClient) and the partner API that the wizard
// calls (PartnerClient). Field names follow ../shared/API.md exactly.
package gradient

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Vendor statuses of an integration, as the vendor API spells them.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
	StatusPending  = "pending"
	StatusDisabled = "disabled"
	StatusError    = "error"
)

// ValidStatus reports whether s is one of the vendor API's statuses
// (case-sensitive, as the real service is).
func ValidStatus(s string) bool {
	switch s {
	case StatusActive, StatusInactive, StatusPending, StatusDisabled, StatusError:
		return true
	}
	return false
}

// Integration types a partner can choose at connect time.
const (
	TypeBilling = "billing"
	TypeAlerts  = "alerts"
)

// ---- vendor API (§1) ----

// Vendor is the answer of GET /vendor-api (and of PATCH /vendor-api and
// POST /vendor-api/service).
type Vendor struct {
	ID                        string   `json:"id"`
	Name                      string   `json:"name"`
	Description               string   `json:"description"`
	IntegrationType           string   `json:"integrationType"`
	IsDistributor             bool     `json:"isDistributor"`
	ExternalIntegrationStatus string   `json:"externalIntegrationStatus"`
	IntegrationPortalURL      string   `json:"integrationPortalUrl"`
	VendorSupportPageURL      string   `json:"vendorSupportPageUrl"`
	Modules                   []Module `json:"modules"`
	SKUs                      []SKU    `json:"skus"`
}

// UnmarshalJSON reads the deprecated _id when id is missing: the SDK's
// VendorData still carries both, and older answers only _id.
func (v *Vendor) UnmarshalJSON(b []byte) error {
	type plain Vendor // no methods: no recursion
	if err := json.Unmarshal(b, (*plain)(v)); err != nil {
		return err
	}
	v.ID = idOrLegacy(v.ID, b)
	return nil
}

// idOrLegacy is id, or when it is empty the deprecated _id of the object b.
func idOrLegacy(id string, b []byte) string {
	if id != "" {
		return id
	}
	var legacy struct {
		ID string `json:"_id"`
	}
	_ = json.Unmarshal(b, &legacy) // b has just decoded; a non-string _id leaves ""
	return legacy.ID
}

// Module is one of a vendor's integration variations (billing, alerts).
type Module struct {
	Variation string `json:"variation"`
}

// SKU is a vendor-wide service.
type SKU struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Description    string `json:"description"`
	Category       string `json:"category"`
	Subcategory    string `json:"subcategory"`
	Logo           string `json:"logo,omitempty"`
	SupportArticle string `json:"supportArticle,omitempty"`
	SupportContact string `json:"supportContact,omitempty"`
}

// UnmarshalJSON reads the deprecated _id when id is missing, as Vendor does.
func (s *SKU) UnmarshalJSON(b []byte) error {
	type plain SKU
	if err := json.Unmarshal(b, (*plain)(s)); err != nil {
		return err
	}
	s.ID = idOrLegacy(s.ID, b)
	return nil
}

// ServiceInput is the body of POST /vendor-api/service (the SDK's
// CreateServiceRequest). Category and Subcategory must be one of
// ServiceCategories and ServiceSubcategories.
type ServiceInput struct {
	Name           string `json:"name"`
	Description    string `json:"description"`
	Category       string `json:"category"`
	Subcategory    string `json:"subcategory"`
	SupportArticle string `json:"supportArticle,omitempty"`
	SupportContact string `json:"supportContact,omitempty"`
}

// ServiceCategories are the categories a service may have, as the SDK's
// CreateServiceRequest validates them (case-sensitive).
var ServiceCategories = []string{"security", "backup", "productivity", "infrastructure", "service delivery", "consulting", "other"}

// ServiceSubcategories are the values of the SDK's ServiceSubCategoryEnum,
// spelling ("priviledged") and case as the service expects them.
var ServiceSubcategories = []string{
	"endpoint detection and response (EDR)", "email security", "virtual private network services (VPN)",
	"DNS filtering", "dark web monitoring", "password management", "single sign on (SSO)",
	"priviledged access and identity management (PAM/PIM)", "security information and event management (SIEM)",
	"mobile device management (MDM)", "application security", "mobile application management (MAM)",
	"multi factor authentication (MFA)", "cloud backup", "local backup", "desktop backup", "data archiving",
	"physical offsite storage", "business continuity", "hosted email", "video conferencing",
	"voice over IP services (VOIP)", "line of business application support",
	"unified communications as a service (UCaaS)", "customer relationship management", "cloud storage",
	"website hosting", "hardware as a service (HaaS)", "managed print services",
	"virtual desktop infrastructure (VDI)", "virtual server hosting", "infrastructure as a service (IaaS)",
	"end user support", "server management and support", "network management and support",
	"printer management and support", "desktop management and support",
	"hosted security operations centre (SOC)", "software development", "penetration testing",
	"project services", "governance and compliance", "business intelligence services / analytics",
	"phishing simulation", "privacy and security awareness training", "other",
}

// ValidServiceCategory reports whether category and subcategory are both
// among the service's values (case-sensitive).
func ValidServiceCategory(category, subcategory string) bool {
	return slices.Contains(ServiceCategories, category) && slices.Contains(ServiceSubcategories, subcategory)
}

// VendorUpdate is the body of PATCH /vendor-api (the SDK's
// UpdateVendorRequest); nil fields are left as they are, and at least one
// must be set.
type VendorUpdate struct {
	Name                 *string `json:"name,omitempty"`
	Description          *string `json:"description,omitempty"`
	VendorSupportPageURL *string `json:"vendorSupportPageUrl,omitempty"`
	IntegrationPortalURL *string `json:"integrationPortalUrl,omitempty"`
}

// Organization is the MSP's integration as the vendor sees it.
type Organization struct {
	OrganizationID string     `json:"organizationId"`
	Name           string     `json:"name"`
	VendorID       string     `json:"vendorId"`
	VendorName     string     `json:"vendorName"`
	IntegrationID  string     `json:"integrationId"`
	Status         string     `json:"status"`
	LastSyncedAt   *time.Time `json:"lastSyncedAt"`
}

// VendorAccount is one of the vendor's customer accounts for this MSP.
// IsMapped and MappingID come from the newer spec; the service always
// sends both (a false IsMapped included).
type VendorAccount struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	IsMapped    bool   `json:"isMapped"`
	MappingID   string `json:"mappingId"`
}

// AccountFilter narrows GET /vendor-api/organization/accounts (newer
// spec): only these ids (none: all), only mapped accounts.
type AccountFilter struct {
	IDs        []string
	MappedOnly bool
}

// AccountPatch is the body of PATCH /vendor-api/organization/accounts/{id}
// (the SDK's UpdateVendorAccountRequest) and an item of the bulk PATCH. ID
// is always sent, as the SDK does; nil fields are left out and unchanged.
type AccountPatch struct {
	ID          string  `json:"id"`
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	IsActive    *bool   `json:"isActive,omitempty"`
	IsArrears   *bool   `json:"isArrears,omitempty"` // newer spec
}

// Count is the body of POST /vendor-api/service/{serviceId}/count (the
// SDK's CreateBillingRequest without its deprecated clientOId).
type Count struct {
	AccountID string  `json:"accountId"`
	UnitCount float64 `json:"unitCount"`
}

// Alert priorities of the alerting API.
const (
	PriorityLow      = 1
	PriorityMedium   = 2
	PriorityHigh     = 3
	PriorityVeryHigh = 4
)

// Alert statuses are numbers 1 to 6 that map to the PSA's ticket statuses;
// the SDK sends 1 unless told otherwise.
const (
	AlertStatusDefault = 1
	AlertStatusMax     = 6
)

// Alert is the body of POST /vendor-api/alerting/{accountId} (the SDK's
// CreateAlertingDto). A zero Priority or Status is sent as the SDK's
// default, 1.
type Alert struct {
	Title       string
	Description string
	AlertID     string
	Priority    int
	Status      int
	DueDateTime *time.Time
	ServiceID   string
}

// MarshalJSON writes every key the SDK writes, null where unset.
func (a Alert) MarshalJSON() ([]byte, error) {
	var service *string
	if a.ServiceID != "" {
		service = &a.ServiceID
	}
	return json.Marshal(struct {
		Title       string     `json:"title"`
		Description string     `json:"description"`
		AlertID     string     `json:"alertId"`
		Priority    int        `json:"priority"`
		Status      int        `json:"status"`
		DueDateTime *time.Time `json:"dueDateTime"`
		ServiceID   *string    `json:"serviceId"`
	}{a.Title, a.Description, a.AlertID, orDefault(a.Priority, PriorityLow), orDefault(a.Status, AlertStatusDefault), a.DueDateTime, service})
}

func orDefault(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// AlertReceipt is the answer to an alert.
type AlertReceipt struct {
	MessageID     string `json:"messageId"`
	AlertID       string `json:"alertId"`
	CorrelationID string `json:"correlationID"`
}

// Ticket statuses of an alert's debug record.
const (
	TicketPending = "pending"
	TicketSuccess = "success"
	TicketFailed  = "failed"
)

// AlertDebug says whether an alert became a PSA ticket: pending, then
// success (with TicketID) or failed (with StatusCode and Errors).
type AlertDebug struct {
	TicketID   string   `json:"ticketId"`
	CreatedAt  string   `json:"createdAt"` // as the service writes it
	Message    string   `json:"message"`
	MessageID  string   `json:"messageId"`
	Status     string   `json:"status"`
	StatusCode int      `json:"statusCode"` // 0 when the service sent none
	Errors     []string `json:"errors"`
}

// ---- partner API (§2) ----

// Integration is an integration card. Method says how it was connected
// (API.md §2a); MeshAPIURL and MeshKeyHint are set when by Mesh API key.
type Integration struct {
	Vendor      string   `json:"vendor"`
	Name        string   `json:"name"`
	Connected   bool     `json:"connected"`
	Status      string   `json:"status"`
	Products    []string `json:"products"`
	Types       []string `json:"types"`
	KeyHint     string   `json:"key_hint"`
	Method      string   `json:"method,omitempty"`
	MeshAPIURL  string   `json:"mesh_api_url,omitempty"`
	MeshKeyHint string   `json:"mesh_key_hint,omitempty"` // the Mesh key's last 4 characters
}

// Ways to connect (API.md §2a): Synthesize issues a key that is pasted
// into Mesh, or Synthesize is given a Mesh API key and reads Mesh itself.
const (
	MethodGradientKey = "gradient_key"
	MethodMeshAPIKey  = "mesh_api_key"
)

// Error codes of the Mesh API key flow (API.md §2a).
const (
	CodeMeshKeyRejected = "mesh_key_rejected" // 422: Mesh answered 401 to the key
	CodeMeshUnreachable = "mesh_unreachable"  // 502: Synthesize could not read Mesh
)

// MeshCredentials are what Synthesize needs to read Mesh: the hub
// (without /api) and an API key. They format without the key, so a
// logged or printed value does not leak it.
type MeshCredentials struct {
	APIURL string `json:"api_url"`
	APIKey string `json:"api_key"`
}

// String shows the hub and the key's last 4 characters.
func (m MeshCredentials) String() string {
	hint := "none"
	if len(m.APIKey) > 4 {
		hint = "…" + m.APIKey[len(m.APIKey)-4:]
	}
	return "Mesh API key " + hint + " for " + m.APIURL
}

// GoString is String, so %#v does not print the key either.
func (m MeshCredentials) GoString() string { return m.String() }

// LogValue is String, for slog.
func (m MeshCredentials) LogValue() slog.Value { return slog.StringValue(m.String()) }

// Counts is what has arrived from the vendor so far.
type Counts struct {
	Accounts int `json:"accounts"`
	Services int `json:"services"`
	Usage    int `json:"usage"`
	Alerts   int `json:"alerts"`
}

// IntegrationDetail is the card plus counts and times. When connected by
// Mesh API key, LastSyncAt moves at every pull, failed or not, and
// LastSyncError says why the last one failed ("" when it worked).
type IntegrationDetail struct {
	Integration
	Counts        Counts     `json:"counts"`
	ConnectedAt   *time.Time `json:"connected_at"`
	LastSyncAt    *time.Time `json:"last_sync_at"`
	LastSyncError string     `json:"last_sync_error,omitempty"`
}

// ConnectRequest is the body of POST /integrations/{vendor}/connect.
// Method "" is gradient_key; mesh_api_key needs Mesh.
type ConnectRequest struct {
	Products []string         `json:"products"`
	Types    []string         `json:"types"`
	Method   string           `json:"method,omitempty"`
	Mesh     *MeshCredentials `json:"mesh,omitempty"`
}

// Connection is the answer to connect: the only answer that holds the key.
type Connection struct {
	Integration IntegrationDetail `json:"integration"`
	APIKey      string            `json:"api_key"`
}

// Account is a vendor account as the partner sees it.
type Account struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Service is a vendor service (SKU) as the partner sees it.
type Service struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Subcategory string `json:"subcategory"`
}

// Company is a PSA company.
type Company struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Product is a PSA product.
type Product struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	UnitPrice float64 `json:"unit_price"`
}

// AccountMapping maps a vendor account to a PSA company, or marks it
// "do not bill" (Ignored, with no company).
type AccountMapping struct {
	AccountID string `json:"account_id"`
	CompanyID string `json:"company_id"`
	Ignored   bool   `json:"ignored"`
}

// ServiceMapping maps a vendor service to a PSA product.
type ServiceMapping struct {
	ServiceID string `json:"service_id"`
	ProductID string `json:"product_id"`
}

// Mappings is the whole mapping set of an integration.
type Mappings struct {
	Accounts []AccountMapping `json:"accounts"`
	Services []ServiceMapping `json:"services"`
	// Version changes with every write, by anyone (the ETag). A write
	// sends the version it started from (If-Match), so it can never undo
	// a change it did not see.
	Version Version `json:"version,omitempty"`
}

// Version is the mapping set's version: a JSON string, or a number that
// is read as its decimal text.
type Version string

func (v *Version) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*v = Version(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("version %s is neither a string nor a number", b)
	}
	*v = Version(n.String())
	return nil
}

// BillingRow is one account × service line of the billing view. When
// connected by Mesh API key, a row also has what Mesh bills this cycle
// (VendorBilledQuantity, Mesh's licenses_billed) and when the cycle ends
// (VendorCycleEnds, "2026-12-01"; "" when Mesh says N/A); nil and "" in
// the other flow.
type BillingRow struct {
	AccountID            string    `json:"account_id"`
	ServiceID            string    `json:"service_id"`
	CompanyID            string    `json:"company_id"`
	ProductID            string    `json:"product_id"`
	Usage                float64   `json:"usage"`
	BilledQuantity       float64   `json:"billed_quantity"`
	UnitPrice            float64   `json:"unit_price"`
	SnapshotAt           time.Time `json:"snapshot_at"`
	VendorBilledQuantity *float64  `json:"vendor_billed_quantity,omitempty"`
	VendorCycleEnds      string    `json:"vendor_cycle_ends,omitempty"`
}

// AlertRecord is one alert the vendor sent, as GET /integrations/mesh/alerts
// lists it (API.md §2b): whether it became a PSA ticket, and Synthesize's
// errors when it did not. CompanyID is the company the account was mapped
// to when the alert came ("" when it was not mapped).
type AlertRecord struct {
	MessageID    string    `json:"message_id"`
	AlertID      string    `json:"alert_id"`
	AccountID    string    `json:"account_id"`
	CompanyID    string    `json:"company_id"`
	Title        string    `json:"title"`
	Priority     float64   `json:"priority"`      // 1 low … 4 very high; a number, checked by whoever shows it
	TicketStatus string    `json:"ticket_status"` // TicketPending, TicketSuccess or TicketFailed
	TicketID     string    `json:"ticket_id"`
	Errors       []string  `json:"errors"`
	CreatedAt    time.Time `json:"created_at"`
}

// Configuration is the body of PATCH /integrations/mesh: what is
// integrated after onboarding. A nil list is left as it is.
type Configuration struct {
	Products []string `json:"products,omitempty"`
	Types    []string `json:"types,omitempty"`
}

// BillingKey names one billing row.
type BillingKey struct {
	AccountID string `json:"account_id"`
	ServiceID string `json:"service_id"`
}
