package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

type waitSyncOptions struct{ timeout time.Duration }

func newWaitSyncCmd(f *Factory, g *Globals) *cobra.Command {
	var o waitSyncOptions
	cmd := &cobra.Command{
		Use:     "wait-sync",
		Short:   "wait until Mesh's first Gradient Sync has sent accounts and services",
		Example: "  mesh-gradient wait-sync --timeout 15m",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.timeout <= 0 {
				// It would give up before asking, and blame Synthesize.
				return usage(fmt.Sprintf("--timeout %s gives no time to wait; give a duration such as 10m", o.timeout))
			}
			return withEnv(f, g, cmd, func(ctx context.Context, env *Env) error {
				ctx, cancel := context.WithTimeout(ctx, o.timeout)
				defer cancel()
				return env.Session.WaitFirstSync(ctx, func(line string) { fmt.Fprintln(f.IO.ErrOut, line) })
			})
		},
	}
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up after `D`")
	return cmd
}
