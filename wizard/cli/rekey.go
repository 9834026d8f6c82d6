package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

type rekeyOptions struct{ keyFile string }

func newRekeyCmd(f *Factory, g *Globals) *cobra.Command {
	var o rekeyOptions
	cmd := &cobra.Command{
		Use:     "rekey",
		Short:   "issue a new API key (the old one stops working at once) and write it to a file",
		Example: "  mesh-gradient rekey --key-file mesh-new.key",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return keyCommand(f, g, o.keyFile, func(e *Env) (string, error) {
				return e.Session.Rekey(ctx, true)
			}, func(e *Env, dest *keyDestination) {
				fmt.Fprintf(f.IO.ErrOut, "Issued a new key; the old one stopped working. It went to %s.\n"+
					"Next: in the Mesh portal (%s), Settings → Gradient: paste it and Submit.\n", dest, portalHint(e))
			})
		},
	}
	cmd.Flags().StringVar(&o.keyFile, "key-file", "", "write the new key to `FILE` (created 0600; never overwritten), or - for stdout")
	return cmd
}
