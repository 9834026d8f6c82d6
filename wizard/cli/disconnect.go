package cli

import (
	"context"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type disconnectOptions struct{ yes bool }

func newDisconnectCmd(f *Factory, g *Globals) *cobra.Command {
	var o disconnectOptions
	cmd := &cobra.Command{
		Use:     "disconnect",
		Short:   "disconnect Mesh in Synthesize and wipe its local state (asks first)",
		Example: "  mesh-gradient disconnect\n  mesh-gradient disconnect --yes",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !o.yes && !f.IO.Terminal {
				return usage("--yes is required when not running interactively (it removes the key and every mapping).")
			}
			return withEnv(f, g, cmd, func(ctx context.Context, env *Env) error {
				if !o.yes {
					answer, err := tea.NewProgram(ui.NewConfirmProgram("Disconnect Mesh from Synthesize?", core.DisconnectWarning, "disconnect"),
						tea.WithInput(f.IO.In), tea.WithOutput(f.IO.Out), tea.WithContext(ctx)).Run()
					if err != nil {
						return err
					}
					if !ui.Confirmed(answer) {
						_, err := fmt.Fprintln(f.IO.Out, "Not disconnected: nothing changed.")
						return err
					}
				}
				was, err := env.Session.Disconnect(ctx)
				if err != nil {
					return err
				}
				if !was {
					_, err = fmt.Fprintln(f.IO.Out, "Mesh was not connected in Synthesize: nothing to revoke. Local state for Mesh is wiped.")
					return err
				}
				_, err = fmt.Fprintln(f.IO.Out, "Disconnected: Synthesize revoked the key and deleted every mapping and Mesh account; local state for Mesh is wiped.")
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&o.yes, "yes", false, "disconnect without asking (needed without a terminal)")
	return cmd
}
