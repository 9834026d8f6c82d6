package store

import "time"

// Progress is where the wizard is and what was chosen on the way.
type Progress struct {
	Step              string    `json:"step,omitempty"`
	Products          []string  `json:"products,omitempty"`
	Types             []string  `json:"types,omitempty"`
	Region            string    `json:"region,omitempty"`
	KeyHint           string    `json:"key_hint,omitempty"`   // last 4 characters
	KeySHA256         string    `json:"key_sha256,omitempty"` // first 16 hex digits
	KeyConfirmed      bool      `json:"key_confirmed,omitempty"`
	ConnectedAt       time.Time `json:"connected_at,omitzero"`
	MappingsWrittenAt time.Time `json:"mappings_written_at,omitzero"`
	UsageArrivedAt    time.Time `json:"usage_arrived_at,omitzero"`
	// SyncBeforeFinal is Synthesize's last-sync time when the mappings were
	// written: a later one means Mesh has run the final Gradient Sync.
	SyncBeforeFinal time.Time `json:"sync_before_final,omitzero"`
	// Onboarded: the first mappings are written and the final sync is past;
	// a start then opens the home screen.
	Onboarded bool `json:"onboarded,omitempty"`
	// Updating: the mapping screens are editing Synthesize's current
	// mappings from the home screen, not onboarding.
	Updating bool `json:"updating,omitempty"`
	// KnownAccounts are the vendor accounts that existed at the last write,
	// so accounts that arrive later can be marked new.
	KnownAccounts []string `json:"known_accounts,omitempty"`
	// Renewal is what Synthesize said when a new key was issued for a
	// connected integration: Mesh has taken the new key once that changes.
	Renewal *Renewal `json:"renewal,omitempty"`
	// MappingsVersion is the version of Synthesize's mappings the drafts
	// started from: a write sends it (If-Match), so it cannot undo a
	// change someone else made since.
	MappingsVersion string `json:"mappings_version,omitempty"`
	// Method is how Mesh is connected (gradient.MethodMeshAPIKey, or ""
	// for a Synthesize key pasted into Mesh); MeshHub is the Mesh hub
	// given with a Mesh API key. The Mesh key itself is never stored here;
	// KeyHint and KeySHA256 then fingerprint it.
	Method  string `json:"method,omitempty"`
	MeshHub string `json:"mesh_hub,omitempty"`
	// MeshKeyring: the user agreed to keep the Mesh API key in the OS
	// keyring (never in this file), so later runs can read Mesh's counts.
	MeshKeyring bool `json:"mesh_keyring,omitempty"`
}

// Renewal is the integration's vendor status and last sync (Synthesize's
// clock) when a new key was issued.
type Renewal struct {
	Status   string    `json:"status"`
	LastSync time.Time `json:"last_sync,omitzero"`
}

// Mapping is one account's or service's choice: a target (company or
// product id), or, for accounts, "do not bill".
type Mapping struct {
	Target  string `json:"target,omitempty"`
	Ignored bool   `json:"ignored,omitempty"`
}

// Change is one undoable step: the mappings it touched, before and after.
type Change struct {
	Kind  string       `json:"kind"`
	Items []ChangeItem `json:"items"`
}

// ChangeItem is one mapping's value before and after (nil: unmapped).
type ChangeItem struct {
	ID     string   `json:"id"`
	Before *Mapping `json:"before,omitempty"`
	After  *Mapping `json:"after,omitempty"`
}

// State is everything stored for one integration.
type State struct {
	Progress  Progress
	Accounts  map[string]Mapping
	Services  map[string]Mapping
	UndoDepth int
}
