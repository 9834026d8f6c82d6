package synthemu

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// snapshotV1 is the emulator's state on disk, for a sandbox that outlives
// one run of the wizard. It holds the key's hash, never the key, and of a
// Mesh API key only its hub and hint. The fields after Agreements came
// later; files without them read as before.
type snapshotV1 struct {
	Version     int                       `json:"version"`
	MapVersion  int64                     `json:"map_version,omitempty"`
	SKUs        []gradient.SKU            `json:"skus"`
	SKUSeq      int                       `json:"sku_seq"`
	Connected   bool                      `json:"connected"`
	Status      string                    `json:"status"`
	Products    []string                  `json:"products"`
	Types       []string                  `json:"types"`
	KeySHA256   string                    `json:"key_sha256"`
	KeyHint     string                    `json:"key_hint"`
	ID          string                    `json:"integration_id"`
	ConnectedAt *time.Time                `json:"connected_at"`
	LastSyncAt  *time.Time                `json:"last_sync_at"`
	Accounts    []snapAccount             `json:"accounts"`
	AccountMap  []gradient.AccountMapping `json:"account_mappings"`
	ServiceMap  map[string]string         `json:"service_mappings"`
	Usage       []snapUsage               `json:"usage"`
	Agreements  []Agreement               `json:"agreements"`
	Method      string                    `json:"method,omitempty"`
	MeshAPIURL  string                    `json:"mesh_api_url,omitempty"`
	MeshKeyHint string                    `json:"mesh_key_hint,omitempty"`
	SyncError   string                    `json:"last_sync_error,omitempty"`
	Alerts      []snapAlert               `json:"alerts,omitempty"`
}

// snapAlert is an alert and what became of it, so a sandbox reopened on
// its file still shows which alerts became tickets.
type snapAlert struct {
	Seq       int       `json:"seq"`
	AccountID string    `json:"account_id"`
	CompanyID string    `json:"company_id,omitempty"`
	AlertID   string    `json:"alert_id"`
	Title     string    `json:"title"`
	Priority  int       `json:"priority"`
	MessageID string    `json:"message_id"`
	CreatedAt time.Time `json:"created_at"`
	TicketID  string    `json:"ticket_id,omitempty"`
	Errors    []string  `json:"errors,omitempty"`
	AtOnce    bool      `json:"at_once,omitempty"`
}

// snapAccount keeps the keys of version 1 as it was first written.
type snapAccount struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Active      bool   `json:"active"`
	Arrears     bool   `json:"arrears,omitempty"`
}

type snapUsage struct {
	Account      string    `json:"account"`
	Service      string    `json:"service"`
	Units        float64   `json:"units"`
	At           time.Time `json:"at"`
	VendorBilled *float64  `json:"vendor_billed,omitempty"`
	CycleEnds    string    `json:"cycle_ends,omitempty"`
}

// Snapshot returns the emulator's mutable state as JSON.
func (e *Emulator) Snapshot() ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := snapshotV1{Version: 1, SKUs: e.vendor.SKUs, SKUSeq: e.skuSeq, Connected: e.integ.connected,
		Status: e.integ.status, Products: e.integ.products, Types: e.integ.types, KeyHint: e.integ.keyHint,
		ID: e.integ.id, ConnectedAt: e.integ.connectedAt, LastSyncAt: e.integ.lastSyncAt, ServiceMap: e.serviceMap,
		Method: e.integ.method, MeshAPIURL: e.integ.meshURL, MeshKeyHint: e.integ.meshKeyHint, SyncError: e.integ.lastSyncError,
		MapVersion: e.mapVersion}
	if e.integ.connected && e.integ.method != gradient.MethodMeshAPIKey {
		s.KeySHA256 = hex.EncodeToString(e.integ.keyHash[:])
	}
	for _, id := range sortedKeys(e.accounts) {
		a := e.accounts[id]
		s.Accounts = append(s.Accounts, snapAccount{a.ID, a.Name, a.Description, a.active, a.arrears})
	}
	for _, id := range sortedKeys(e.accountMap) {
		s.AccountMap = append(s.AccountMap, e.accountMap[id])
	}
	for k, u := range e.usage {
		s.Usage = append(s.Usage, snapUsage{k.account, k.service, u.units, u.at, u.vendorBilled, u.cycleEnds})
	}
	for k, q := range e.agreements {
		s.Agreements = append(s.Agreements, Agreement{CompanyID: k.company, ProductID: k.product, Quantity: q})
	}
	for _, a := range e.alerts {
		s.Alerts = append(s.Alerts, snapAlert{a.seq, a.accountID, a.companyID, a.alertID, a.title, a.priority, a.messageID,
			a.createdAt, a.ticketID, a.errors, a.atOnce})
	}
	sort.Slice(s.Alerts, func(i, j int) bool { return s.Alerts[i].Seq < s.Alerts[j].Seq })
	return json.Marshal(s)
}

// Restore replaces the emulator's mutable state with a Snapshot.
func (e *Emulator) Restore(data []byte) error {
	var s snapshotV1
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("sandbox state: %w", err)
	}
	if s.Version != 1 {
		return fmt.Errorf("sandbox state: version %d is not 1", s.Version)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.resetIntegration()
	e.vendor.SKUs, e.skuSeq = s.SKUs, s.SKUSeq
	if e.vendor.SKUs == nil {
		e.vendor.SKUs = []gradient.SKU{}
	}
	e.integ = integration{connected: s.Connected, status: s.Status, products: s.Products, types: s.Types,
		keyHint: s.KeyHint, id: s.ID, connectedAt: s.ConnectedAt, lastSyncAt: s.LastSyncAt,
		method: s.Method, meshURL: s.MeshAPIURL, meshKeyHint: s.MeshKeyHint, lastSyncError: s.SyncError}
	if s.Connected && s.Method == "" {
		e.integ.method = gradient.MethodGradientKey // written before there were two methods
	}
	if s.Connected && s.Method != gradient.MethodMeshAPIKey {
		h, err := hex.DecodeString(s.KeySHA256)
		if err != nil || len(h) != 32 {
			return fmt.Errorf("sandbox state: bad key hash")
		}
		copy(e.integ.keyHash[:], h)
	}
	for _, a := range s.Accounts {
		e.accounts[a.ID], e.accountIDs = &account{ID: a.ID, Name: a.Name, Description: a.Description, active: a.Active, arrears: a.Arrears}, nil
	}
	e.accountIDs = nil
	for _, m := range s.AccountMap {
		e.accountMap[m.AccountID] = m
	}
	e.mapVersion, e.mappingsBody = max(e.mapVersion, s.MapVersion), nil // the version may not move
	for k, v := range s.ServiceMap {
		e.serviceMap[k] = v
	}
	for _, u := range s.Usage {
		e.usage[usageKey{u.Account, u.Service}] = snapshot{units: u.Units, at: u.At, vendorBilled: u.VendorBilled, cycleEnds: u.CycleEnds}
	}
	for _, a := range s.Agreements {
		e.agreements[agreementKey{a.CompanyID, a.ProductID}] = a.Quantity
	}
	for _, a := range s.Alerts { // in order: the last of an alert's messages is its latest
		e.alerts[a.MessageID] = alertRecord{seq: a.Seq, accountID: a.AccountID, companyID: a.CompanyID, alertID: a.AlertID,
			title: a.Title, priority: a.Priority, messageID: a.MessageID, createdAt: a.CreatedAt, ticketID: a.TicketID,
			errors: a.Errors, atOnce: a.AtOnce}
		e.latestAlert[alertKey{a.AccountID, a.AlertID}] = a.MessageID
		e.alertSeq = max(e.alertSeq, a.Seq)
	}
	return nil
}
