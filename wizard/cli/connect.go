package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type connectOptions struct {
	products, types, keyFile string
}

func newConnectCmd(f *Factory, g *Globals) *cobra.Command {
	var o connectOptions
	cmd := &cobra.Command{
		Use:   "connect",
		Short: "connect Mesh in Synthesize and write the one-time API key to a file",
		Example: "  mesh-gradient connect --products gateway,m365 --types billing --key-file mesh.key\n" +
			"  mesh-gradient connect --products unified --types billing,alerts --key-file - | vault kv put secret/mesh key=-",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			products, types := commaList(o.products), commaList(o.types)
			if err := core.CheckChoice(products, types); err != nil {
				return err
			}
			ctx := cmd.Context()
			return keyCommand(f, g, o.keyFile, func(e *Env) (string, error) {
				return e.Session.Connect(ctx, products, types, true)
			}, func(e *Env, dest *keyDestination) {
				fmt.Fprintf(f.IO.ErrOut, "Connected Mesh (%s; %s). The one-time key went to %s; Synthesize will not show it again.\n"+
					"Next: in the Mesh portal (%s), Settings → Gradient: paste the key, Submit, then Gradient Sync.\n"+
					"Then run: mesh-gradient wait-sync\n", strings.Join(products, ", "), strings.Join(types, ", "), dest, portalHint(e))
			})
		},
	}
	cmd.Flags().StringVar(&o.products, "products", "", "Mesh products, comma-separated: gateway, m365, unified")
	cmd.Flags().StringVar(&o.types, "types", "billing", "integration types, comma-separated: billing, alerts")
	cmd.Flags().StringVar(&o.keyFile, "key-file", "", "write the one-time key to `FILE` (created 0600; never overwritten), or - for stdout")
	return cmd
}
