package synthemu

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// The vendor API answers as the real one does: {"status", "data",
// "message"} on success, {"statusCode", "message"} on error.

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

func (e *Emulator) getVendor(w http.ResponseWriter, r *http.Request) {
	vendorOK(w, http.StatusOK, e.vendor, "vendor")
}

func (e *Emulator) postService(w http.ResponseWriter, r *http.Request) {
	var in gradient.ServiceInput
	if !decodeBody(w, r, &in, vendorError) {
		return
	}
	if strings.TrimSpace(in.Name) == "" {
		vendorError(w, http.StatusBadRequest, "name should not be empty")
		return
	}
	e.skuSeq++
	e.vendor.SKUs = append(e.vendor.SKUs, gradient.SKU{
		ID: fmt.Sprintf("sku-%04d", e.skuSeq), Name: in.Name, Description: in.Description,
		Category: in.Category, Subcategory: in.Subcategory,
	})
	vendorOK(w, http.StatusCreated, e.vendor, "service created")
}

func (e *Emulator) organization() gradient.Organization {
	return gradient.Organization{
		OrganizationID: "org-sandbox-msp", Name: "Sandbox MSP",
		VendorID: e.vendor.ID, VendorName: e.vendor.Name,
		IntegrationID: e.integ.id, Status: e.integ.status, LastSyncedAt: e.integ.lastSyncAt,
	}
}

func (e *Emulator) getOrganization(w http.ResponseWriter, r *http.Request) {
	vendorOK(w, http.StatusOK, e.organization(), "organization")
}

func (e *Emulator) patchStatus(w http.ResponseWriter, r *http.Request) {
	s := r.PathValue("status")
	if !gradient.ValidStatus(s) {
		vendorError(w, http.StatusBadRequest, "status must be one of active, inactive, pending, disabled, error")
		return
	}
	e.integ.status = s
	vendorOK(w, http.StatusOK, e.organization(), "status updated")
}

func (e *Emulator) getVendorAccounts(w http.ResponseWriter, r *http.Request) {
	out := make([]gradient.VendorAccount, 0, len(e.accounts))
	for _, id := range sortedKeys(e.accounts) {
		a := e.accounts[id].VendorAccount
		_, a.IsMapped = e.billable(id)
		out = append(out, a)
	}
	vendorOK(w, http.StatusOK, out, "accounts")
}

func (e *Emulator) postVendorAccounts(w http.ResponseWriter, r *http.Request) {
	var in []gradient.VendorAccount
	if !decodeBody(w, r, &in, vendorError) {
		return
	}
	for i, a := range in {
		if strings.TrimSpace(a.ID) == "" || strings.TrimSpace(a.Name) == "" {
			vendorError(w, http.StatusBadRequest, fmt.Sprintf("accounts[%d]: id and name are required", i))
			return
		}
	}
	for _, a := range in {
		if cur, ok := e.accounts[a.ID]; ok {
			cur.Name, cur.Description = a.Name, a.Description
			continue
		}
		e.accounts[a.ID] = &account{VendorAccount: gradient.VendorAccount{ID: a.ID, Name: a.Name, Description: a.Description}, active: true}
	}
	e.integ.lastSyncAt = e.stamp()
	vendorOK(w, http.StatusCreated, map[string]int{"received": len(in)}, "accounts saved")
}

func (e *Emulator) patchVendorAccount(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("accountId")
	a, ok := e.accounts[id]
	if !ok {
		vendorError(w, http.StatusNotFound, "No account found with id: "+id)
		return
	}
	var in gradient.AccountPatch
	if !decodeBody(w, r, &in, vendorError) {
		return
	}
	if in.Name != nil {
		a.Name = *in.Name
	}
	if in.Description != nil {
		a.Description = *in.Description
	}
	if in.IsActive != nil {
		a.active = *in.IsActive
	}
	vendorOK(w, http.StatusOK, a.VendorAccount, "account updated")
}

// checkIn marks the integration active at its first usage or alert.
func (e *Emulator) checkIn() {
	if e.integ.status == gradient.StatusInactive || e.integ.status == gradient.StatusPending {
		e.integ.status = gradient.StatusActive
	}
	e.integ.lastSyncAt = e.stamp()
}

func (e *Emulator) postCount(w http.ResponseWriter, r *http.Request) {
	sid := r.PathValue("serviceId")
	var in struct {
		AccountID string   `json:"accountId"`
		UnitCount *float64 `json:"unitCount"`
	}
	if !decodeBody(w, r, &in, vendorError) {
		return
	}
	if in.AccountID == "" || in.UnitCount == nil || *in.UnitCount < 0 {
		vendorError(w, http.StatusBadRequest, "accountId and a unitCount of 0 or more are required")
		return
	}
	if _, ok := e.skuByID(sid); !ok {
		vendorError(w, http.StatusNotFound, "No service found with id: "+sid)
		return
	}
	if _, ok := e.billable(in.AccountID); !ok || e.accounts[in.AccountID] == nil {
		vendorError(w, http.StatusNotFound, "No account map found with id: "+in.AccountID)
		return
	}
	e.usage[usageKey{in.AccountID, sid}] = snapshot{units: *in.UnitCount, at: *e.stamp()}
	e.checkIn()
	vendorOK(w, http.StatusCreated, map[string]any{"accountId": in.AccountID, "serviceId": sid, "unitCount": *in.UnitCount}, "count saved")
}

func (e *Emulator) hasType(t string) bool {
	for _, x := range e.integ.types {
		if x == t {
			return true
		}
	}
	return false
}

func (e *Emulator) postAlert(w http.ResponseWriter, r *http.Request) {
	if !e.hasType(gradient.TypeAlerts) {
		vendorError(w, http.StatusForbidden, "Alerts are not enabled for this integration")
		return
	}
	aid := r.PathValue("accountId")
	var in gradient.Alert
	if !decodeBody(w, r, &in, vendorError) {
		return
	}
	if strings.TrimSpace(in.Title) == "" || in.Priority < gradient.PriorityLow || in.Priority > gradient.PriorityVeryHigh {
		vendorError(w, http.StatusBadRequest, "title is required and priority must be 1 to 4")
		return
	}
	if _, ok := e.billable(aid); !ok || e.accounts[aid] == nil {
		vendorError(w, http.StatusNotFound, "No account map found with id: "+aid)
		return
	}
	msgID := "msg-" + randomToken(8)
	e.alerts[msgID] = alertRecord{accountID: aid, alert: in, ticketID: fmt.Sprintf("T-%d", 1000+len(e.alerts)+1)}
	e.checkIn()
	vendorOK(w, http.StatusCreated, gradient.AlertReceipt{MessageID: msgID, AlertID: in.AlertID, CorrelationID: "corr-" + randomToken(8)}, "alert received")
}

func (e *Emulator) getAlertDebug(w http.ResponseWriter, r *http.Request) {
	rec, ok := e.alerts[r.PathValue("messageId")]
	if !ok {
		vendorError(w, http.StatusNotFound, "No message found with id: "+r.PathValue("messageId"))
		return
	}
	vendorOK(w, http.StatusOK, gradient.AlertDebug{TicketID: rec.ticketID, Status: "created",
		Message: "Ticket created for " + rec.accountID, Errors: []string{}}, "alert debug")
}
