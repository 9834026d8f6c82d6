package meshemu

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/meshgradient/mesh-gradient/mesh"
)

// Customer states a scenario account may have.
const (
	StateActive    = "active"
	StateSuspended = "suspended"
	StateTrial     = "trial"
)

// checkCustomerFields says which of the customer fields is wrong and why.
func (a ScenarioAccount) checkCustomerFields() (field, reason string) {
	if a.ServiceName != "" {
		if _, ok := mesh.ProductByServiceName(a.ServiceName); !ok {
			return "service_name", fmt.Sprintf("%q is no Mesh product (use Mesh Gateway, Mesh 365 or Mesh Unified)", a.ServiceName)
		}
	}
	for _, c := range []struct {
		name string
		n    *int
	}{{"user_count", a.UserCount}, {"licenses_billed", a.LicensesBilled}} {
		if c.n != nil && (*c.n < 0 || *c.n > 10_000_000) {
			return c.name, fmt.Sprintf("%d is not a count from 0 to 10000000", *c.n)
		}
	}
	if d := a.NextInvoiceDate; d != "" && d != "N/A" {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return "next_invoice_date", fmt.Sprintf("%q is not a date like 2026-12-01, or N/A", d)
		}
	}
	switch a.State {
	case "", StateActive, StateSuspended, StateTrial:
	default:
		return "state", fmt.Sprintf("%q is not active, suspended or trial", a.State)
	}
	return "", ""
}

// product is the account's one Mesh product, as Mesh's API has one service
// per customer: service_name when given, else the product with the most
// usage (the catalog's order breaks ties); false when it has no usage.
func (a ScenarioAccount) product() (mesh.Product, bool) {
	if a.ServiceName != "" {
		return mesh.ProductByServiceName(a.ServiceName)
	}
	best, found := mesh.Product{}, false
	for _, p := range mesh.Products {
		if n, ok := a.Usage[p.Key]; ok && (!found || n > a.Usage[best.Key]) {
			best, found = p, true
		}
	}
	return best, found
}

// usage is what a Gradient Sync pushes: Usage, or when the file gives none
// the customer's user_count for its service.
func (a ScenarioAccount) usage() map[string]float64 {
	if len(a.Usage) > 0 || a.UserCount == nil {
		return a.Usage
	}
	if p, ok := a.product(); ok {
		return map[string]float64{p.Key: float64(*a.UserCount)}
	}
	return a.Usage
}

// customer is a scenario account as Mesh's API serves it. Missing fields
// are derived: user_count from usage of its product, licenses_billed from
// cycle_usage (else user_count; 0 for a trial), the state active, the
// domain from the name. next_invoice_date stays "" when the file gives
// none: it is the first of next month when it is served.
type customer struct {
	id, name, domain, service, platform, invoice, state string
	users, billed                                       int
	created                                             time.Time
}

func (a ScenarioAccount) customer(i int) customer {
	c := customer{id: a.ID, name: a.Name, domain: a.PrimaryDomain, invoice: a.NextInvoiceDate, state: a.State,
		created: time.Date(2024, 1, 1, 9, 30, 0, 0, time.UTC).Add(time.Duration(i) * 24 * time.Hour)}
	if c.state == "" {
		c.state = StateActive
	}
	if c.domain == "" {
		c.domain = domainOf(a.Name)
	}
	p, ok := a.product()
	if ok {
		c.service = p.ServiceName
		c.platform = "Microsoft 365"
		if p.Key == "gateway" {
			c.platform = "Other"
		}
	}
	switch {
	case a.UserCount != nil:
		c.users = *a.UserCount
	case ok:
		c.users = int(math.Round(a.Usage[p.Key]))
	}
	cycle, hasCycle := a.CycleUsage[p.Key]
	switch {
	case a.LicensesBilled != nil:
		c.billed = *a.LicensesBilled
	case c.state == StateTrial:
		c.billed = 0
	case ok && hasCycle:
		c.billed = int(math.Round(cycle))
	default:
		c.billed = c.users
	}
	return c
}

// domainOf makes a plausible primary domain from a company name.
func domainOf(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	d := strings.Trim(b.String(), "-")
	if len(d) > 50 {
		d = strings.Trim(d[:50], "-")
	}
	if d == "" {
		d = "customer"
	}
	return d + ".example"
}

// customerOut is a customer as Mesh's API writes it (API.md §7), with one
// field §7 does not list (is_trial), as the real API sends more than we
// read: clients must ignore what they do not know.
type customerOut struct {
	ID                string   `json:"id"`
	CompanyName       string   `json:"company_name"`
	Active            bool     `json:"active"`
	Suspended         bool     `json:"suspended"`
	PrimaryDomain     string   `json:"primary_domain"`
	SecondaryDomains  []string `json:"secondary_domains"`
	ServiceName       *string  `json:"service_name"`
	EmailPlatformName *string  `json:"email_platform_name"`
	UserCount         int      `json:"user_count"`
	LicensesBilled    int      `json:"licenses_billed"`
	LicensesService   int      `json:"licenses_service"`
	NextInvoiceDate   string   `json:"next_invoice_date"`
	TerminationDate   *string  `json:"termination_date"`
	DateCreated       string   `json:"date_created"`
	DateModified      string   `json:"date_modified"`
	IsTrial           bool     `json:"is_trial"`
}

func (c customer) out(now time.Time) customerOut {
	invoice := c.invoice
	if invoice == "" {
		y, m, _ := now.UTC().Date()
		invoice = time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	if c.service == "" {
		invoice = "N/A"
	}
	o := customerOut{ID: c.id, CompanyName: c.name, Active: c.state != StateSuspended, Suspended: c.state == StateSuspended,
		PrimaryDomain: c.domain, SecondaryDomains: []string{}, UserCount: c.users, LicensesBilled: c.billed,
		LicensesService: c.billed, NextInvoiceDate: invoice, DateCreated: c.created.Format(time.RFC3339),
		DateModified: c.created.Add(36 * time.Hour).Format(time.RFC3339), IsTrial: c.state == StateTrial}
	if c.service != "" {
		o.ServiceName, o.EmailPlatformName = &c.service, &c.platform
	}
	return o
}
