package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/ui/text"
)

type syncOptions struct{ timeout time.Duration }

func newSyncCmd(f *Factory, g *Globals) *cobra.Command {
	var o syncOptions
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "ask Synthesize to read Mesh now (connected by Mesh API key) and wait until it has",
		Example: "  mesh-gradient sync\n" +
			"  mesh-gradient sync --timeout 2m && mesh-gradient reconcile --only-differences",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withEnv(f, g, cmd, func(ctx context.Context, env *Env) error {
				ctx, cancel := context.WithTimeout(ctx, o.timeout)
				defer cancel()
				d, err := env.Session.SyncNow(ctx, func(line string) { fmt.Fprintln(f.IO.ErrOut, line) })
				if err != nil {
					return err
				}
				fmt.Fprintf(f.IO.ErrOut, "Synthesize read Mesh: status %s, %s, %s, %s.\n", text.Sanitize(d.Status),
					text.Count(d.Counts.Accounts, "account", "accounts"), text.Count(d.Counts.Services, "service", "services"),
					text.Count(d.Counts.Usage, "usage row", "usage rows"))
				return nil
			})
		},
	}
	cmd.Flags().DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up waiting after `D`")
	return cmd
}
