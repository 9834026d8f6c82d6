package synthemu

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// The vendor API answers as the real one does, which differs per
// endpoint (API.md §1): some wrapped as {"status", "data", "message"},
// others bare; errors are {"statusCode", "message"}.

// vendorOK answers wrapped; msg follows "Success - ".
func vendorOK(w http.ResponseWriter, status int, data any, msg string) {
	writeJSON(w, status, map[string]any{"status": status, "data": data, "message": "Success - " + msg})
}

func vendorError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"statusCode": status, "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// maxRequestBody caps what the emulator reads of a request: 100,000
// counts or mappings fit well below it.
const maxRequestBody = 16 << 20

// decodeBody reads strict JSON into v: one value, no field v does not
// know, at most maxRequestBody. On failure it answers 400 (413 when too
// large) itself.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, fail func(http.ResponseWriter, int, string)) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON value")
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooLarge.Limit))
		return false
	case err != nil:
		fail(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return false
	}
	return true
}

// vendorAuth checks GRADIENT-TOKEN = base64(vendorKey:partnerKey) and the
// rate limit, then runs h under the lock.
func (e *Emulator) vendorAuth(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(r.Header.Get("GRADIENT-TOKEN")))
		vendorKey, partnerKey, found := strings.Cut(string(raw), ":")
		e.mu.Lock()
		defer e.mu.Unlock()
		if err != nil || !found || !equalSecret(vendorKey, e.vendorKey) || !e.integ.connected ||
			hashesDiffer(hashKey(partnerKey), e.integ.keyHash) {
			vendorError(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		if e.rateLimit > 0 {
			sec := time.Now().Unix()
			if sec != e.rateSecond {
				e.rateSecond, e.rateCount = sec, 0
			}
			e.rateCount++
			if e.rateCount > e.rateLimit {
				e.throttled++
				w.Header().Set("Retry-After", "1")
				vendorError(w, http.StatusTooManyRequests, "ThrottlerException: Too Many Requests")
				return
			}
		}
		h(w, r)
	}
}

// hashesDiffer reports whether two hashes differ, in constant time.
func hashesDiffer(a, b [32]byte) bool { return !equalSecret(string(a[:]), string(b[:])) }

// vendorOut is the vendor as the service writes it (the SDK's VendorData):
// every key, the deprecated _id beside id, null for what is unset.
type vendorOut struct {
	LegacyID                  string            `json:"_id"`
	ID                        string            `json:"id"`
	Name                      string            `json:"name"`
	Description               string            `json:"description"`
	IntegrationType           string            `json:"integrationType"`
	ImageURI                  *string           `json:"imageUri"`
	SKUs                      []skuOut          `json:"skus"`
	IsDistributor             bool              `json:"isDistributor"`
	IntegrationPortalURL      string            `json:"integrationPortalUrl"`
	VendorSupportPageURL      string            `json:"vendorSupportPageUrl"`
	ExternalIntegrationStatus string            `json:"externalIntegrationStatus"`
	MappingResponsibilities   []string          `json:"mappingResponsibilities"`
	Modules                   []gradient.Module `json:"modules"`
	OrganizationID            *string           `json:"organizationId"`
	UpdatedAt                 time.Time         `json:"updatedAt"`
	CreatedAt                 time.Time         `json:"createdAt"`
}

// skuOut is a service as the service writes it (the SDK's VendorSkuData).
type skuOut struct {
	LegacyID       string  `json:"_id"`
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	Description    string  `json:"description"`
	Logo           *string `json:"logo"`
	Category       string  `json:"category"`
	Subcategory    string  `json:"subcategory"`
	SupportArticle *string `json:"supportArticle"`
	SupportContact *string `json:"supportContact"`
}

// orNull is s, or JSON null when s is empty.
func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toSKUOut(s gradient.SKU) skuOut {
	return skuOut{LegacyID: s.ID, ID: s.ID, Name: s.Name, Description: s.Description, Logo: orNull(s.Logo),
		Category: s.Category, Subcategory: s.Subcategory, SupportArticle: orNull(s.SupportArticle), SupportContact: orNull(s.SupportContact)}
}

func (e *Emulator) vendorOut() vendorOut {
	v := e.vendor
	skus := make([]skuOut, len(v.SKUs))
	for i, s := range v.SKUs {
		skus[i] = toSKUOut(s)
	}
	return vendorOut{LegacyID: v.ID, ID: v.ID, Name: v.Name, Description: v.Description, IntegrationType: v.IntegrationType,
		SKUs: skus, IsDistributor: v.IsDistributor, IntegrationPortalURL: v.IntegrationPortalURL,
		VendorSupportPageURL: v.VendorSupportPageURL, ExternalIntegrationStatus: v.ExternalIntegrationStatus,
		MappingResponsibilities: []string{"accounts", "services"}, Modules: v.Modules,
		CreatedAt: e.vendorTimes[0], UpdatedAt: e.vendorTimes[1]}
}

func (e *Emulator) getVendor(w http.ResponseWriter, r *http.Request) {
	vendorOK(w, http.StatusOK, e.vendorOut(), "Retrieved Vendor")
}

func (e *Emulator) patchVendor(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name                 *string `json:"name"`
		Description          *string `json:"description"`
		VendorSupportPageURL *string `json:"vendorSupportPageUrl"`
		IntegrationPortalURL *string `json:"integrationPortalUrl"`
	}
	if !decodeBody(w, r, &in, vendorError) {
		return
	}
	switch {
	case in.Name == nil && in.Description == nil && in.VendorSupportPageURL == nil && in.IntegrationPortalURL == nil:
		vendorError(w, http.StatusBadRequest, "Must provide at least one property value for updating")
		return
	case in.Name != nil && strings.TrimSpace(*in.Name) == "":
		vendorError(w, http.StatusBadRequest, "name should not be empty")
		return
	}
	for _, f := range []struct {
		in  *string
		out *string
	}{{in.Name, &e.vendor.Name}, {in.Description, &e.vendor.Description},
		{in.VendorSupportPageURL, &e.vendor.VendorSupportPageURL}, {in.IntegrationPortalURL, &e.vendor.IntegrationPortalURL}} {
		if f.in != nil {
			*f.out = *f.in
		}
	}
	e.vendorTimes[1] = e.now().UTC()
	vendorOK(w, http.StatusOK, e.vendorOut(), "Updated Vendor")
}

func (e *Emulator) postService(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name           string  `json:"name"`
		Description    *string `json:"description"`
		Category       string  `json:"category"`
		Subcategory    string  `json:"subcategory"`
		SupportArticle *string `json:"supportArticle"`
		SupportContact *string `json:"supportContact"`
	}
	if !decodeBody(w, r, &in, vendorError) {
		return
	}
	switch {
	case strings.TrimSpace(in.Name) == "" || in.Description == nil:
		vendorError(w, http.StatusBadRequest, "name should not be empty and description is required")
		return
	case !slices.Contains(gradient.ServiceCategories, in.Category):
		vendorError(w, http.StatusBadRequest, "category must be one of: "+strings.Join(gradient.ServiceCategories, ", "))
		return
	case !gradient.ValidServiceCategory(in.Category, in.Subcategory):
		vendorError(w, http.StatusBadRequest, "subcategory must be one of the ServiceSubCategoryEnum values (case-sensitive)")
		return
	}
	e.addSKU(gradient.SKU{Name: in.Name, Description: *in.Description, Category: in.Category, Subcategory: in.Subcategory,
		SupportArticle: deref(in.SupportArticle), SupportContact: deref(in.SupportContact)})
	writeJSON(w, http.StatusCreated, e.vendorOut())
}

// addSKU gives s the next id and adds it to the vendor's services.
func (e *Emulator) addSKU(s gradient.SKU) gradient.SKU {
	e.skuSeq++
	s.ID = fmt.Sprintf("sku-%04d", e.skuSeq)
	e.vendor.SKUs = append(e.vendor.SKUs, s)
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (e *Emulator) getService(w http.ResponseWriter, r *http.Request) {
	s, ok := e.skuByID(r.PathValue("serviceId"))
	if !ok {
		vendorError(w, http.StatusNotFound, "No service found with id: "+r.PathValue("serviceId"))
		return
	}
	vendorOK(w, http.StatusOK, toSKUOut(s), "Retrieved Service")
}

func (e *Emulator) organization() gradient.Organization {
	return gradient.Organization{
		OrganizationID: "org-sandbox-msp", Name: "Sandbox MSP",
		VendorID: e.vendor.ID, VendorName: e.vendor.Name,
		IntegrationID: e.integ.id, Status: e.integ.status, LastSyncedAt: e.integ.lastSyncAt,
	}
}

func (e *Emulator) getOrganization(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, e.organization())
}

func (e *Emulator) patchStatus(w http.ResponseWriter, r *http.Request) {
	s := r.PathValue("status")
	if !gradient.ValidStatus(s) {
		vendorError(w, http.StatusBadRequest, "status must be one of active, inactive, pending, disabled, error")
		return
	}
	e.integ.status = s
	vendorOK(w, http.StatusOK, e.organization(), "Updated Integration Status")
}

// checkIn marks the integration active at its first usage or alert.
func (e *Emulator) checkIn() {
	if e.integ.status == gradient.StatusInactive || e.integ.status == gradient.StatusPending {
		e.integ.status = gradient.StatusActive
	}
	e.integ.lastSyncAt = e.stamp()
}
