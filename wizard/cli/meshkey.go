package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/wizard/core"
)

func newMeshKeyCmd(f *Factory, g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "mesh-key",
		Short:   "replace the Mesh API key Synthesize reads Mesh with, or forget the one kept in the OS keyring",
		Example: "  mesh-gradient mesh-key replace --mesh-key-file new.key\n  mesh-gradient mesh-key forget",
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usage("mesh-key needs replace or forget (try mesh-gradient mesh-key replace --help)")
		},
	}
	cmd.AddCommand(newMeshKeyReplaceCmd(f, g), newMeshKeyForgetCmd(f, g))
	return cmd
}

type meshKeyReplaceOptions struct {
	keyFile, hub string
	keyring      bool
}

func newMeshKeyReplaceCmd(f *Factory, g *Globals) *cobra.Command {
	var o meshKeyReplaceOptions
	cmd := &cobra.Command{
		Use:   "replace",
		Short: "give Synthesize a new Mesh API key (for one that expired or was deleted); checked against Mesh first",
		Example: "  mesh-gradient mesh-key replace --mesh-key-file new.key\n" +
			"  vault kv get -field=key secret/mesh | mesh-gradient mesh-key replace --mesh-key-file - --hub eu",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, err := readMeshKey(f, o.keyFile)
			if err != nil {
				return err
			}
			return withEnv(f, g, cmd, func(ctx context.Context, env *Env) error {
				hub, err := replaceHub(env, o.hub)
				if err != nil {
					return err
				}
				if err := checkMeshKey(ctx, f, env, hub, key); err != nil {
					return err
				}
				before, _ := env.Session.PollIntegration(ctx)
				if _, err := env.Session.ReplaceMeshKey(ctx, hub, key); err != nil {
					return err
				}
				fmt.Fprintln(f.IO.ErrOut, "Synthesize has the new Mesh API key; it is reading Mesh with it…")
				var since time.Time
				if before.LastSyncAt != nil {
					since = *before.LastSyncAt
				}
				wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
				defer cancel()
				d, err := env.Session.WaitPull(wctx, since)
				if err != nil {
					return err
				}
				fmt.Fprintf(f.IO.ErrOut, "Synthesize read Mesh: status %s, %d accounts, %d services.\n", d.Status, d.Counts.Accounts, d.Counts.Services)
				keepInKeyring(f, env, o.keyring)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&o.keyFile, "mesh-key-file", "", "read the new Mesh API key from `FILE`, or - for stdin (default: MESH_API_KEY)")
	cmd.Flags().StringVar(&o.hub, "hub", "", "Mesh hub: us, eu, or its address (default: the one connected)")
	cmd.Flags().BoolVar(&o.keyring, "keyring", false, "also keep the key in the OS keyring, so billing and reconcile can show Mesh's own numbers later")
	return cmd
}

// replaceHub is --hub, else the hub the integration was connected with.
func replaceHub(env *Env, hub string) (string, error) {
	if hub == "" {
		if h := env.Session.Progress().MeshHub; h != "" {
			return h, nil
		}
		hub = "us"
	}
	return env.Session.HubURL(hub)
}

func newMeshKeyForgetCmd(f *Factory, g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:     "forget",
		Short:   "remove the Mesh API key from the OS keyring (Synthesize keeps its own copy)",
		Example: "  mesh-gradient mesh-key forget",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withEnv(f, g, cmd, func(ctx context.Context, env *Env) error {
				if err := env.Session.ForgetMeshKey(); err != nil && !errors.Is(err, core.ErrNoKeyring) {
					return err
				}
				fmt.Fprintln(f.IO.ErrOut, "No Mesh API key is kept in the OS keyring for this state file.")
				return nil
			})
		},
	}
}
