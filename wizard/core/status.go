package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// Status is the home screen's facts, and `mesh-gradient status`'s.
type Status struct {
	Connected        bool            `json:"connected"`
	Status           string          `json:"status"`
	Products         []string        `json:"products"`
	Types            []string        `json:"types"`
	KeyHint          string          `json:"key_hint"`
	ConnectedAt      *time.Time      `json:"connected_at"`
	LastSyncAt       *time.Time      `json:"last_sync_at"`
	Counts           gradient.Counts `json:"counts"`
	MappedAccounts   int             `json:"mapped_accounts"`
	IgnoredAccounts  int             `json:"do_not_bill_accounts"`
	UnmappedAccounts int             `json:"unmapped_accounts"`
	MappedServices   int             `json:"mapped_services"`
	UnmappedServices int             `json:"unmapped_services"`
	// AlertTickets counts Mesh's alerts by what became of their latest
	// attempt (null when not connected); FailedAlerts are the failed ones.
	AlertTickets *AlertCounts `json:"alert_tickets"`
	FailedAlerts []AlertLine  `json:"-"`
	Local        LocalStatus  `json:"local"`
	Sandbox      bool         `json:"sandbox"`
	// How Mesh is connected (gradient_key or mesh_api_key) and, by Mesh
	// API key, the hub, the key's last 4 characters and the last pull.
	Method        string    `json:"method"`
	MeshAPIURL    string    `json:"mesh_api_url,omitempty"`
	MeshKeyHint   string    `json:"mesh_key_hint,omitempty"`
	LastPull      *LastPull `json:"last_pull,omitempty"`
	MeshInKeyring bool      `json:"mesh_key_in_keyring"`
}

// LastPull is Synthesize's last read of Mesh (connected by Mesh API key).
type LastPull struct {
	At          *time.Time `json:"at"`
	OK          bool       `json:"ok"`
	Error       string     `json:"error"`
	KeyRejected bool       `json:"key_rejected"` // Mesh answered 401: the key expired or was deleted
}

// LocalStatus is what the state file says.
type LocalStatus struct {
	StateFile         string     `json:"state_file"`
	Step              string     `json:"step"`
	Onboarded         bool       `json:"onboarded"`
	KeyHint           string     `json:"key_hint"`
	MappingsWrittenAt *time.Time `json:"mappings_written_at"`
	// InUse: another mesh-gradient held the file, so nothing here was read.
	InUse bool `json:"in_use_elsewhere,omitempty"`
}

// Status asks Synthesize and reads the progress record. The mapping
// counts are Synthesize's: its accounts and services against its mappings.
func (s *Session) Status(ctx context.Context) (Status, error) {
	p := s.Progress()
	st := Status{Local: LocalStatus{StateFile: s.StatePath(), Step: p.Step, Onboarded: p.Onboarded, KeyHint: p.KeyHint}}
	if t := p.MappingsWrittenAt; !t.IsZero() {
		st.Local.MappingsWrittenAt = &t
	}
	ctx, cancel := CallContext(ctx)
	defer cancel()
	pc := s.cfg.Partner
	d, err := pc.Integration(ctx)
	if err != nil {
		return st, err
	}
	st.Connected, st.Status, st.Products, st.Types, st.KeyHint = d.Connected, d.Status, d.Products, d.Types, d.KeyHint
	st.ConnectedAt, st.LastSyncAt, st.Counts = d.ConnectedAt, d.LastSyncAt, d.Counts
	st.Method, st.MeshAPIURL, st.MeshKeyHint, st.MeshInKeyring = d.Method, d.MeshAPIURL, d.MeshKeyHint, p.MeshKeyring
	if st.Method == "" && d.Connected {
		st.Method = gradient.MethodGradientKey
	}
	if d.Method == gradient.MethodMeshAPIKey {
		st.LastPull = &LastPull{At: d.LastSyncAt, OK: d.LastSyncAt != nil && d.LastSyncError == "", Error: d.LastSyncError,
			KeyRejected: PullKeyRejected(d.LastSyncError)}
	}
	if !d.Connected {
		return st, nil
	}
	// The four lists are fetched at once (at most concurrentLists, as a
	// load does): one after another, their round trips and the server's
	// time add up, most of the command's time at 10,000 accounts.
	var (
		accounts               []gradient.Account
		services               []gradient.Service
		m                      gradient.Mappings
		records                []gradient.AlertRecord
		err1, err2, err3, err4 error
		wg                     sync.WaitGroup
	)
	slots := make(chan struct{}, concurrentLists)
	fetch := func(f func()) {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			f()
		})
	}
	fetch(func() { accounts, err1 = pc.Accounts(ctx) })
	fetch(func() { m, err3 = pc.Mappings(ctx) })
	fetch(func() { services, err2 = pc.Services(ctx) })
	fetch(func() { records, err4 = pc.Alerts(ctx, false) })
	wg.Wait()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return st, err
	}
	lines, counts := BuildAlerts(records, accounts, nil, m)
	st.AlertTickets = &counts
	st.FailedAlerts = Alerts{Lines: lines}.Failed()
	ra, rs := RemoteDrafts(m)
	a := TallyOf(itemsOf(accounts, func(a gradient.Account) string { return a.ID }), in(ra))
	v := TallyOf(itemsOf(services, func(s gradient.Service) string { return s.ID }), in(rs))
	st.MappedAccounts, st.IgnoredAccounts, st.UnmappedAccounts = a.Mapped, a.Ignored, a.Unmapped
	st.MappedServices, st.UnmappedServices = v.Mapped, v.Unmapped
	return st, nil
}

func itemsOf[T any](list []T, id func(T) string) []Item {
	out := make([]Item, len(list))
	for i, x := range list {
		out[i] = Item{ID: id(x)}
	}
	return out
}

// DisconnectWarning is what a disconnect loses, for every face that asks.
const DisconnectWarning = "Disconnecting removes the authentication settings (the API key stops working at once) " +
	"and every account and service mapping in Synthesize, and wipes this program's state for Mesh. " +
	"You can reconnect later, but you will need to remap your accounts and services."

// Disconnect disconnects Mesh in Synthesize, then wipes the local state
// for it in one transaction. If Synthesize fails, nothing local is
// touched and running it again finishes the job. wasConnected says
// whether there was a connection to end (a second run finds none).
func (s *Session) Disconnect(ctx context.Context) (wasConnected bool, err error) {
	ctx, cancel := CallContext(ctx)
	defer cancel()
	d, err := s.cfg.Partner.Integration(ctx)
	if err == nil && d.Connected {
		err = s.cfg.Partner.Disconnect(ctx)
	}
	if err != nil {
		return false, fmt.Errorf("Synthesize did not disconnect Mesh (%w); nothing was changed locally, run it again to finish", err)
	}
	if s.Progress().MeshKeyring && s.cfg.Keyring != nil {
		_ = s.cfg.Keyring.Delete(s.keyringName()) // the connection it read is gone
	}
	s.mu.Lock()
	s.meshKey, s.meshKeyHub = "", ""
	s.mu.Unlock()
	if err := s.forget()(); err != nil {
		return d.Connected, fmt.Errorf("disconnected in Synthesize, but wiping %s failed: %w", s.StatePath(), err)
	}
	return d.Connected, nil
}

// DisconnectedElsewhere is news for the faces: Mesh was disconnected in
// Synthesize since the last run, and local progress was cleared.
const DisconnectedElsewhere = "Mesh was disconnected in Synthesize (from elsewhere), so nothing kept here is valid any more: local progress was cleared. Connect again below."

// CheckStillConnected asks Synthesize whether the integration this state
// file connected still exists: it may have been disconnected in the web
// app since. If it is gone, local progress is cleared (gone is true).
// Without a local connection there is nothing to check.
func (s *Session) CheckStillConnected(ctx context.Context) (gone bool, err error) {
	if s.Progress().KeyHint == "" {
		return false, nil
	}
	ctx, cancel := CallContext(ctx)
	defer cancel()
	d, err := s.cfg.Partner.Integration(ctx)
	if err != nil || d.Connected {
		return false, err
	}
	return true, s.forget()()
}

// RequireConnected fails with ErrNotConnected unless Synthesize says Mesh
// is connected.
func (s *Session) RequireConnected(ctx context.Context) error {
	_, err := s.PollIntegration(ctx)
	return err
}
