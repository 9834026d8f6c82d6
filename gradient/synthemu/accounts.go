package synthemu

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// accountOut is an account as GET lists it and the PATCHes answer it:
// isMapped and mappingId always present (newer spec).
type accountOut struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	IsMapped    bool   `json:"isMapped"`
	MappingID   string `json:"mappingId"`
}

// mappingID is the id of an account's mapping record in Synthesize. It is
// derived, not stored: the same account of the same connection always has
// the same one, a new connection new ones.
func (e *Emulator) mappingID(accountID string) string {
	sum := sha256.Sum256([]byte(e.integ.id + "\x00" + accountID))
	return "map-" + hex.EncodeToString(sum[:12])
}

func (e *Emulator) accountOut(a *account) accountOut {
	_, mapped := e.billable(a.ID)
	return accountOut{ID: a.ID, Name: a.Name, Description: a.Description, IsMapped: mapped, MappingID: e.mappingID(a.ID)}
}

// getVendorAccounts answers every account, or (newer spec) those named by
// accountIds, and only mapped ones when returnUnmapped is false. The SDK
// sends one id as accountIds and several as accountIds[].
func (e *Emulator) getVendorAccounts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ids := append(q["accountIds"], q["accountIds[]"]...)
	all := true
	if v := q.Get("returnUnmapped"); v != "" {
		switch {
		case strings.EqualFold(v, "true"):
		case strings.EqualFold(v, "false"):
			all = false
		default:
			vendorError(w, http.StatusBadRequest, "returnUnmapped must be true or false")
			return
		}
	}
	keys := ids
	if len(ids) == 0 {
		keys = sortedKeys(e.accounts)
	}
	out := make([]accountOut, 0, len(keys))
	seen := map[string]bool{}
	for _, id := range keys {
		a, ok := e.accounts[id]
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		if o := e.accountOut(a); all || o.IsMapped {
			out = append(out, o)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// postVendorAccounts creates the missing accounts and renames existing
// ones; it answers every account of the request with its mappingId.
func (e *Emulator) postVendorAccounts(w http.ResponseWriter, r *http.Request) {
	var in []struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
		IsArrears   *bool  `json:"isArrears"`
	}
	if !decodeBody(w, r, &in, vendorError) {
		return
	}
	for i, a := range in {
		if strings.TrimSpace(a.ID) == "" || strings.TrimSpace(a.Name) == "" {
			vendorError(w, http.StatusBadRequest, fmt.Sprintf("accounts[%d]: id and name are required", i))
			return
		}
		if msg := e.oversize(&account{ID: a.ID, Name: a.Name, Description: a.Description}); msg != "" {
			vendorError(w, http.StatusBadRequest, fmt.Sprintf("accounts[%d]: %s", i, msg))
			return
		}
	}
	type created struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
		MappingID   string `json:"mappingId"`
	}
	out := make([]created, 0, len(in))
	for _, a := range in {
		cur, ok := e.accounts[a.ID]
		if !ok {
			cur = &account{ID: a.ID, active: true}
			e.accounts[a.ID], e.accountIDs = cur, nil
		}
		cur.Name, cur.Description = a.Name, a.Description
		if a.IsArrears != nil {
			cur.arrears = *a.IsArrears
		}
		out = append(out, created{a.ID, a.Name, a.Description, e.mappingID(a.ID)})
	}
	e.integ.lastSyncAt = e.stamp()
	writeJSON(w, http.StatusCreated, out)
}

// accountPatch is the SDK's UpdateVendorAccountRequest with the newer
// spec's isActive and isArrears. Null or absent fields change nothing.
type accountPatch struct {
	ID          *string `json:"id"`
	Name        *string `json:"name"`
	Description *string `json:"description"`
	IsActive    *bool   `json:"isActive"`
	IsArrears   *bool   `json:"isArrears"`
}

func (p accountPatch) valid() string {
	if p.Name != nil && strings.TrimSpace(*p.Name) == "" {
		return "name should not be empty"
	}
	return ""
}

// oversize says why an account is too large to list, or "". Every list
// page holds at most gradient.PageSize items of at most
// gradient.MaxItemBytes each, so clients can cap what they read (our
// assumption: API.md is silent on sizes).
func (e *Emulator) oversize(a *account) string {
	b, _ := json.Marshal(e.accountOut(a)) // strings and bools: cannot fail
	if len(b) > gradient.MaxItemBytes {
		return fmt.Sprintf("the account would list as %d bytes of JSON, over the limit of %d", len(b), gradient.MaxItemBytes)
	}
	return ""
}

// patched is a without changing it: a with p applied.
func (p accountPatch) patched(a *account) *account {
	c := *a
	p.apply(&c)
	return &c
}

func (p accountPatch) apply(a *account) {
	if p.Name != nil {
		a.Name = *p.Name
	}
	if p.Description != nil {
		a.Description = *p.Description
	}
	if p.IsActive != nil {
		a.active = *p.IsActive
	}
	if p.IsArrears != nil {
		a.arrears = *p.IsArrears
	}
}

// patchVendorAccount changes one account. The body's id, which the SDK
// always sends, is ignored: the path names the account.
func (e *Emulator) patchVendorAccount(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("accountId")
	a, ok := e.accounts[id]
	if !ok {
		vendorError(w, http.StatusNotFound, "No account found with id: "+id)
		return
	}
	var in accountPatch
	if !decodeBody(w, r, &in, vendorError) {
		return
	}
	msg := in.valid()
	if msg == "" {
		msg = e.oversize(in.patched(a))
	}
	if msg != "" {
		vendorError(w, http.StatusBadRequest, msg)
		return
	}
	in.apply(a)
	writeJSON(w, http.StatusOK, e.accountOut(a))
}

// patchVendorAccounts is the bulk PATCH (newer spec): all or nothing, so
// an unknown id changes no account.
func (e *Emulator) patchVendorAccounts(w http.ResponseWriter, r *http.Request) {
	var in []accountPatch
	if !decodeBody(w, r, &in, vendorError) {
		return
	}
	for i, p := range in {
		switch {
		case p.ID == nil || *p.ID == "":
			vendorError(w, http.StatusBadRequest, fmt.Sprintf("accounts[%d]: id is required", i))
			return
		case e.accounts[*p.ID] == nil:
			vendorError(w, http.StatusNotFound, "No account found with id: "+*p.ID)
			return
		case p.valid() != "":
			vendorError(w, http.StatusBadRequest, fmt.Sprintf("accounts[%d]: %s", i, p.valid()))
			return
		case e.oversize(p.patched(e.accounts[*p.ID])) != "":
			vendorError(w, http.StatusBadRequest, fmt.Sprintf("accounts[%d]: %s", i, e.oversize(p.patched(e.accounts[*p.ID]))))
			return
		}
	}
	out := make([]accountOut, 0, len(in))
	for _, p := range in {
		a := e.accounts[*p.ID]
		p.apply(a)
		out = append(out, e.accountOut(a))
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) postCount(w http.ResponseWriter, r *http.Request) {
	sid := r.PathValue("serviceId")
	var in struct {
		AccountID string          `json:"accountId"`
		UnitCount *float64        `json:"unitCount"`
		ClientOID json.RawMessage `json:"clientOId"` // deprecated: accepted, ignored
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
	// The SDK's ResponseDto: status and message, no data.
	writeJSON(w, http.StatusCreated, map[string]any{"status": http.StatusCreated, "message": "Success - Created Billing"})
}
