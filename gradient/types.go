// Package gradient is the client for Gradient MSP's Synthesize: the vendor
// API that Mesh calls (VendorClient) and the partner API that the wizard
// calls (PartnerClient). Field names follow ../shared/API.md exactly.
package gradient

import "time"

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

// Vendor is the answer of GET /vendor-api.
type Vendor struct {
	ID                   string   `json:"id"`
	Name                 string   `json:"name"`
	Description          string   `json:"description"`
	IntegrationPortalURL string   `json:"integrationPortalUrl"`
	VendorSupportPageURL string   `json:"vendorSupportPageUrl"`
	Modules              []Module `json:"modules"`
	SKUs                 []SKU    `json:"skus"`
}

// Module is one of a vendor's integration variations (billing, alerts).
type Module struct {
	Variation string `json:"variation"`
}

// SKU is a vendor-wide service.
type SKU struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Category    string `json:"category"`
	Subcategory string `json:"subcategory"`
}

// ServiceInput is the body of POST /vendor-api/service.
type ServiceInput struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Category    string `json:"category"`
	Subcategory string `json:"subcategory"`
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
type VendorAccount struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	IsMapped    bool   `json:"isMapped,omitempty"`
}

// AccountPatch is the body of PATCH /vendor-api/organization/accounts/{id}.
// Nil fields are left out of the request.
type AccountPatch struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	IsActive    *bool   `json:"isActive,omitempty"`
}

// Count is the body of POST /vendor-api/service/{serviceId}/count.
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

// Alert is the body of POST /vendor-api/alerting/{accountId}.
type Alert struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	AlertID     string `json:"alertId"`
	Priority    int    `json:"priority"`
	Status      string `json:"status"`
	ServiceID   string `json:"serviceId,omitempty"`
}

// AlertReceipt is the answer to an alert.
type AlertReceipt struct {
	MessageID     string `json:"messageId"`
	AlertID       string `json:"alertId"`
	CorrelationID string `json:"correlationID"`
}

// AlertDebug says whether an alert became a PSA ticket.
type AlertDebug struct {
	TicketID string   `json:"ticketId"`
	Status   string   `json:"status"`
	Message  string   `json:"message"`
	Errors   []string `json:"errors"`
}

// ---- partner API (§2) ----

// Integration is an integration card.
type Integration struct {
	Vendor    string   `json:"vendor"`
	Name      string   `json:"name"`
	Connected bool     `json:"connected"`
	Status    string   `json:"status"`
	Products  []string `json:"products"`
	Types     []string `json:"types"`
	KeyHint   string   `json:"key_hint"`
}

// Counts is what has arrived from the vendor so far.
type Counts struct {
	Accounts int `json:"accounts"`
	Services int `json:"services"`
	Usage    int `json:"usage"`
	Alerts   int `json:"alerts"`
}

// IntegrationDetail is the card plus counts and times.
type IntegrationDetail struct {
	Integration
	Counts      Counts     `json:"counts"`
	ConnectedAt *time.Time `json:"connected_at"`
	LastSyncAt  *time.Time `json:"last_sync_at"`
}

// ConnectRequest is the body of POST /integrations/{vendor}/connect.
type ConnectRequest struct {
	Products []string `json:"products"`
	Types    []string `json:"types"`
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
}

// BillingRow is one account × service line of the billing view.
type BillingRow struct {
	AccountID      string    `json:"account_id"`
	ServiceID      string    `json:"service_id"`
	CompanyID      string    `json:"company_id"`
	ProductID      string    `json:"product_id"`
	Usage          float64   `json:"usage"`
	BilledQuantity float64   `json:"billed_quantity"`
	UnitPrice      float64   `json:"unit_price"`
	SnapshotAt     time.Time `json:"snapshot_at"`
}

// BillingKey names one billing row.
type BillingKey struct {
	AccountID string `json:"account_id"`
	ServiceID string `json:"service_id"`
}
