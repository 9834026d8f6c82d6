// Package mesh knows Mesh email security: its products, its regional
// portals, the steps a technician takes there, and the Gradient Sync that
// Mesh runs against Synthesize's vendor API.
package mesh

import (
	"net/url"
	"strings"
)

// Product is a Mesh product and the vendor service (SKU) it bills as.
type Product struct {
	Key         string // "gateway", "m365", "unified": the id the APIs use
	Name        string // what people call it
	ShortName   string // in counts: "Gateway 120, Mesh 365 280, Unified 12"
	Summary     string // one line for pickers
	ServiceName string // the SKU name Mesh creates in Synthesize, and a customer's service_name in Mesh's API
	FilterID    int    // filter_service in Mesh's API (API.md §7)
}

// Products are Mesh's products in the order the guide lists them.
var Products = []Product{
	{Key: "gateway", Name: "Mesh Gateway", ShortName: "Gateway", Summary: "MX-based filtering in front of any mail server", ServiceName: "Mesh Gateway", FilterID: 1},
	{Key: "m365", Name: "Mesh 365", ShortName: "Mesh 365", Summary: "API-based protection for Microsoft 365", ServiceName: "Mesh 365", FilterID: 2},
	{Key: "unified", Name: "Mesh Unified", ShortName: "Unified", Summary: "Gateway and 365 together", ServiceName: "Mesh Unified", FilterID: 3},
}

// ProductByServiceName finds the product a customer's service_name names.
// Mesh's documents spell products several ways ("Mesh Gateway",
// "Gateway", "Mesh 365", "M365", "Microsoft 365"), so the match ignores
// case, spacing and a leading "Mesh".
func ProductByServiceName(name string) (Product, bool) {
	n := strings.Join(strings.Fields(strings.ToLower(name)), " ")
	n = strings.TrimPrefix(n, "mesh ")
	key := map[string]string{
		"gateway": "gateway", "email gateway": "gateway", "secure email gateway": "gateway",
		"365": "m365", "m365": "m365", "microsoft 365": "m365", "office 365": "m365", "o365": "m365",
		"unified": "unified",
	}[n]
	return ProductByKey(key)
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

// HubURL is the base of Mesh's API for a region (API.md §7: the hub,
// without /api). With a portal override (MESH_PORTAL_URL, the sandbox)
// it is below the override, where the emulated Mesh serves each region.
func HubURL(region, portalOverride string) (string, bool) {
	for _, p := range Portals {
		if p.Region != region {
			continue
		}
		if portalOverride != "" {
			return strings.TrimRight(portalOverride, "/") + "/" + url.PathEscape(region), true
		}
		return p.URL, true
	}
	return "", false
}

// APIKeysPagePath is where Mesh's API keys are made below a portal (the
// emulated one; the real hub's page is its Settings → API Keys).
func APIKeysPagePath(region string) string { return "/" + region + "/settings/api-keys" }

// APIKeyPermission is the permission Gradient's Mesh page asks for.
const APIKeyPermission = "Analytics Default"

// APIKeySteps are what the technician does in Mesh to connect by API key
// (Gradient's current Mesh page; API.md §2a).
var APIKeySteps = []string{
	"Log in to the Mesh portal and open Settings → API Keys.",
	"Press New: name the key (for example Gradient), choose the permission " + APIKeyPermission + " and an expiry date.",
	"Copy the key: Mesh shows it only once.",
	"Come back here and press enter (a paste here goes there too): the next screen takes the key and checks it against Mesh before anything is sent to Synthesize.",
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
