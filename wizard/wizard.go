// Package wizard is the bubbletea state machine that walks a technician
// through connecting Mesh to Synthesize.
package wizard

import (
	tea "github.com/charmbracelet/bubbletea"
)

// Config is what main hands the wizard.
type Config struct {
	GradientURL string
	PortalURL   string
	Sandbox     bool
}

// Model is the root model.
type Model struct {
	cfg Config
}

// New builds the root model.
func New(cfg Config) Model { return Model{cfg: cfg} }

func (m Model) Init() tea.Cmd { return nil }

func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && (k.String() == "q" || k.String() == "ctrl+c") {
		return m, tea.Quit
	}
	return m, nil
}

func (m Model) View() string {
	badge := ""
	if m.cfg.Sandbox {
		badge = " [SANDBOX]"
	}
	return "mesh-gradient" + badge + ": connect Mesh billing to Gradient Synthesize.\n\n" +
		"Synthesize: " + m.cfg.GradientURL + "\nMesh portal: " + m.cfg.PortalURL + "\n\nq quit\n"
}
