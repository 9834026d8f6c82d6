// Package mesh knows Mesh email security: its products, its regional
// portals, the steps a technician takes there, and the Gradient Sync that
// Mesh runs against Synthesize's vendor API.
package mesh

// Product is a Mesh product and the vendor service (SKU) it bills as.
type Product struct {
	Key         string // "gateway", "m365", "unified": the id the APIs use
	Name        string // what people call it
	Summary     string // one line for pickers
	ServiceName string // the SKU name Mesh creates in Synthesize
}

// Products are Mesh's products in the order the guide lists them.
var Products = []Product{
	{Key: "gateway", Name: "Mesh Gateway", Summary: "MX-based filtering in front of any mail server", ServiceName: "Mesh Gateway"},
	{Key: "m365", Name: "Mesh 365", Summary: "API-based protection for Microsoft 365", ServiceName: "Mesh 365"},
	{Key: "unified", Name: "Mesh Unified", Summary: "Gateway and 365 together", ServiceName: "Mesh Unified"},
}

// ProductByKey finds a product by its key.
func ProductByKey(key string) (Product, bool) {
	for _, p := range Products {
		if p.Key == key {
			return p, true
		}
	}
	return Product{}, false
}

// ProductServices maps product keys to their SKU names (for emulators and
// for telling which service a count belongs to).
func ProductServices() map[string]string {
	m := make(map[string]string, len(Products))
	for _, p := range Products {
		m[p.Key] = p.ServiceName
	}
	return m
}

// Service category of every Mesh SKU in Synthesize.
const (
	ServiceCategory    = "security"
	ServiceSubcategory = "email security"
)

// Portal is a regional Mesh MSP portal.
type Portal struct {
	Region string // "us", "eu"
	Name   string
	URL    string
}

// Portals are the real Mesh portals ("choose your correct portal").
var Portals = []Portal{
	{Region: "us", Name: "United States", URL: "https://hub-us.emailsecurity.app"},
	{Region: "eu", Name: "Europe", URL: "https://hub-eu.emailsecurity.app"},
}

// GradientPagePath is where Mesh's Gradient settings live below a portal.
func GradientPagePath(region string) string { return "/" + region + "/settings/gradient" }

// ConnectSteps are what the technician does in Mesh after copying the key
// (guide steps 6–7).
var ConnectSteps = []string{
	"Log in to the Mesh portal and open Settings → Gradient.",
	"Paste the API key into the API key field.",
	"Press Submit.",
	"Press Gradient Sync: Mesh sends your customer accounts and services to Synthesize.",
}

// RenewSteps are what Mesh needs after a new key: only the key.
var RenewSteps = ConnectSteps[:3]

// FinalSyncSteps are the guide's step 12, after the mappings are written.
var FinalSyncSteps = []string{
	"Return to the Mesh portal, Settings → Gradient.",
	"Press Gradient Sync again: Mesh now sends the usage of every mapped account.",
}

// DiscrepancyNote is the guide's explanation of why counts can differ.
const DiscrepancyNote = "Mesh shows the licence count from the start of the billing cycle; " +
	"Synthesize receives snapshot counts, so the two can differ."

// SupportURL is Mesh's support page for this integration: the vendor
// record's vendorSupportPageUrl (§1), which the partner API's card does
// not carry.
const SupportURL = "https://emailsecurity.app/support"
