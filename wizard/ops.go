package wizard

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
)

// remoteCheckMsg: what Synthesize says of the integration at start.
type remoteCheckMsg struct {
	detail gradient.IntegrationDetail
	err    error
}

// checkRemote asks Synthesize whether the integration still exists: it may
// have been disconnected in the web app since the last run.
func checkRemote(pc *gradient.PartnerClient) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		d, err := pc.Integration(ctx)
		return remoteCheckMsg{detail: d, err: err}
	}
}

// remoteDrafts turns Synthesize's mappings into the store's drafts.
func remoteDrafts(m gradient.Mappings) (accounts, services map[string]store.Mapping) {
	accounts, services = map[string]store.Mapping{}, map[string]store.Mapping{}
	for _, a := range m.Accounts {
		accounts[a.AccountID] = store.Mapping{Target: a.CompanyID, Ignored: a.Ignored}
	}
	for _, s := range m.Services {
		services[s.ServiceID] = store.Mapping{Target: s.ProductID}
	}
	return accounts, services
}

type disconnectedMsg struct{ err error }

// disconnect asks Synthesize to disconnect; the root wipes local state
// only once that succeeded.
func disconnect(pc *gradient.PartnerClient) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		return disconnectedMsg{err: pc.Disconnect(ctx)}
	}
}

// DisconnectWarning is what a disconnect loses, for every place that asks.
const DisconnectWarning = "Disconnecting removes the authentication settings (the API key stops working at once) " +
	"and every account and service mapping in Synthesize, and wipes this program's state for Mesh. " +
	"You can reconnect later, but you will need to remap your accounts and services."

// Disconnect disconnects Mesh in Synthesize, then wipes the local state
// for it in one transaction. If Synthesize fails, nothing local is touched
// and running it again finishes the job.
func Disconnect(ctx context.Context, pc *gradient.PartnerClient, st *store.Store) error {
	if err := pc.Disconnect(ctx); err != nil {
		return fmt.Errorf("Synthesize did not disconnect Mesh (%w); nothing was changed locally, run it again to finish", err)
	}
	if err := st.Wipe(vendor); err != nil {
		return fmt.Errorf("disconnected in Synthesize, but wiping %s failed: %w", st.Path(), err)
	}
	return nil
}

// Status is the home screen's facts, for `mesh-gradient status`.
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
	Local            LocalStatus     `json:"local"`
	Sandbox          bool            `json:"sandbox"`
}

// LocalStatus is what the state file says.
type LocalStatus struct {
	StateFile         string     `json:"state_file"`
	Step              string     `json:"step"`
	Onboarded         bool       `json:"onboarded"`
	KeyHint           string     `json:"key_hint"`
	MappingsWrittenAt *time.Time `json:"mappings_written_at"`
}

// CollectStatus asks Synthesize and reads the store.
func CollectStatus(ctx context.Context, pc *gradient.PartnerClient, st *store.Store) (Status, error) {
	local, err := st.Load(vendor)
	if err != nil {
		return Status{}, err
	}
	s := Status{Local: LocalStatus{StateFile: st.Path(), Step: local.Progress.Step, Onboarded: local.Progress.Onboarded,
		KeyHint: local.Progress.KeyHint}}
	if t := local.Progress.MappingsWrittenAt; !t.IsZero() {
		s.Local.MappingsWrittenAt = &t
	}
	d, err := pc.Integration(ctx)
	if err != nil {
		return s, err
	}
	s.Connected, s.Status, s.Products, s.Types, s.KeyHint = d.Connected, d.Status, d.Products, d.Types, d.KeyHint
	s.ConnectedAt, s.LastSyncAt, s.Counts = d.ConnectedAt, d.LastSyncAt, d.Counts
	if !d.Connected {
		return s, nil
	}
	facts, err := mappingFacts(ctx, pc)
	if err != nil {
		return s, err
	}
	s.MappedAccounts, s.IgnoredAccounts, s.UnmappedAccounts = facts.mapped, facts.ignored, facts.unmapped
	s.MappedServices, s.UnmappedServices = facts.servicesMapped, facts.servicesUnmapped
	return s, nil
}

type facts struct {
	mapped, ignored, unmapped        int
	servicesMapped, servicesUnmapped int
}

func mappingFacts(ctx context.Context, pc *gradient.PartnerClient) (facts, error) {
	var f facts
	accounts, err1 := pc.Accounts(ctx)
	services, err2 := pc.Services(ctx)
	m, err3 := pc.Mappings(ctx)
	if err := errors.Join(err1, err2, err3); err != nil {
		return f, err
	}
	byAccount := map[string]gradient.AccountMapping{}
	for _, a := range m.Accounts {
		byAccount[a.AccountID] = a
	}
	for _, a := range accounts {
		switch am, ok := byAccount[a.ID]; {
		case !ok:
			f.unmapped++
		case am.Ignored:
			f.ignored++
		default:
			f.mapped++
		}
	}
	byService := map[string]bool{}
	for _, s := range m.Services {
		byService[s.ServiceID] = s.ProductID != ""
	}
	for _, s := range services {
		if byService[s.ID] {
			f.servicesMapped++
		} else {
			f.servicesUnmapped++
		}
	}
	return f, nil
}
