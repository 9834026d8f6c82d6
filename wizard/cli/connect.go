package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type connectOptions struct {
	products, types, keyFile string
	method, meshKeyFile, hub string
	keyring                  bool
}

func newConnectCmd(f *Factory, g *Globals) *cobra.Command {
	var o connectOptions
	cmd := &cobra.Command{
		Use:   "connect",
		Short: "connect Mesh in Synthesize: write its one-time API key to a file, or give it a Mesh API key",
		Long: "connect connects Mesh in Synthesize, in the way your Synthesize's Mesh card shows:\n\n" +
			"  --method gradient-key (the default): Synthesize issues a key, written to --key-file, that you paste\n" +
			"      into Mesh (Settings → Gradient), then press Gradient Sync there.\n" +
			"  --method mesh-api-key: you make an API key in Mesh (Settings → API Keys → New, permission\n" +
			"      Analytics Default, an expiry date); it is checked against Mesh, then given to Synthesize,\n" +
			"      which reads Mesh itself.",
		Example: "  mesh-gradient connect --products gateway,m365 --types billing --key-file mesh.key\n" +
			"  mesh-gradient connect --products unified --types billing,alerts --key-file - | vault kv put secret/mesh key=-\n" +
			"  mesh-gradient connect --method mesh-api-key --products gateway,m365 --mesh-key-file mesh-api.key --hub eu",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			products, types := commaList(o.products), commaList(o.types)
			if err := core.CheckChoice(products, types); err != nil {
				return err
			}
			switch o.method {
			case "mesh-api-key":
				return connectMeshKey(cmd, f, g, o, products, types)
			case "gradient-key", "":
			default:
				return core.Input("--method %q: want gradient-key or mesh-api-key", o.method)
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
	fl := cmd.Flags()
	fl.StringVar(&o.products, "products", "", "Mesh products, comma-separated: gateway, m365, unified")
	fl.StringVar(&o.types, "types", "billing", "integration types, comma-separated: billing, alerts")
	fl.StringVar(&o.method, "method", "gradient-key", "how to connect: gradient-key or mesh-api-key (as your Synthesize's Mesh card shows)")
	fl.StringVar(&o.keyFile, "key-file", "", "gradient-key: write the one-time key to `FILE` (created 0600; never overwritten), or - for stdout")
	fl.StringVar(&o.meshKeyFile, "mesh-key-file", "", "mesh-api-key: read the Mesh API key from `FILE`, or - for stdin (default: MESH_API_KEY)")
	fl.StringVar(&o.hub, "hub", "us", "mesh-api-key: the Mesh hub, us, eu, or its address")
	fl.BoolVar(&o.keyring, "keyring", false, "mesh-api-key: also keep the key in the OS keyring, so billing and reconcile show Mesh's own numbers later")
	return cmd
}

// connectMeshKey checks the key against Mesh, as the wizard does, and
// only then gives it to Synthesize.
func connectMeshKey(cmd *cobra.Command, f *Factory, g *Globals, o connectOptions, products, types []string) error {
	if o.keyFile != "" {
		return core.Input("--key-file is for --method gradient-key; a Mesh API key is read with --mesh-key-file")
	}
	key, err := readMeshKey(f, o.meshKeyFile)
	if err != nil {
		return err
	}
	return withEnv(f, g, cmd, func(ctx context.Context, env *Env) error {
		hub, err := env.Session.HubURL(o.hub)
		if err != nil {
			return err
		}
		if err := checkMeshKey(ctx, f, env, hub, key); err != nil {
			return err
		}
		d, err := env.Session.ConnectMeshKey(ctx, products, types, hub, key)
		if err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "Connected Mesh by Mesh API key …%s (%s; %s); Synthesize is reading Mesh now, status %s.\n"+
			"Then run: mesh-gradient wait-sync\n", text.Sanitize(d.MeshKeyHint), strings.Join(products, ", "), strings.Join(types, ", "), text.Sanitize(d.Status))
		keepInKeyring(f, env, o.keyring)
		return nil
	})
}
