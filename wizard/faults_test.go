package wizard_test

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient/gradienttest"
	"github.com/meshgradient/mesh-gradient/mesh/meshtest"
	"github.com/meshgradient/mesh-gradient/store"
)

// faultConnect500: the connect call fails with a 500 that the client must
// not retry (a connect is not safe to repeat).
func faultConnect500() gradienttest.Fault {
	return gradienttest.Fault{Kind: gradienttest.FaultStatus, Status: 500, PathPrefix: "/api/partner/v1/integrations/mesh/connect"}
}

func keyBackspace() tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyBackspace} }

func newAccount() meshtest.ScenarioAccount {
	return meshtest.ScenarioAccount{ID: "m-900", Name: "Zzz Newco", Usage: map[string]float64{"gateway": 5}}
}

// loadState reads the state file while the program runs (bbolt allows a
// reader beside the writer only in-process, so it uses the run's store).
func loadState(t *testing.T, r *run) store.State {
	t.Helper()
	st, err := r.st.Load("mesh")
	if err != nil {
		t.Fatal(err)
	}
	return st
}
