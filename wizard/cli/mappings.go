package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

func newMappingsCmd(f *Factory, g *Globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "mappings",
		Short:   "export, import or suggest account and service mappings",
		Example: "  mesh-gradient mappings export mappings.csv\n  mesh-gradient mappings import mappings.csv",
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return usage("mappings needs export, import or suggest (try mesh-gradient mappings export --help)")
		},
	}
	cmd.AddCommand(newExportCmd(f, g), newImportCmd(f, g), newSuggestCmd(f, g))
	return cmd
}

// withData opens the environment, checks that Mesh is connected, loads
// what the mapping and billing commands need (suggestions only when o asks:
// a command that shows none should not wait for them), and runs fn on it.
func withData(f *Factory, g *Globals, cmd *cobra.Command, o core.LoadOptions, fn func(ctx context.Context, env *Env, d *core.Data) error) error {
	return withEnv(f, g, cmd, func(ctx context.Context, env *Env) error {
		if err := env.Session.RequireConnected(ctx); err != nil {
			return err
		}
		d, err := env.Session.LoadWith(ctx, o, nil)
		if err != nil {
			return err
		}
		return fn(ctx, env, d)
	})
}

// formatFor picks csv or json from the flag, else the file's extension.
func formatFor(flagValue string, args []string) (string, error) {
	switch f := strings.ToLower(flagValue); {
	case f == "csv" || f == "json":
		return f, nil
	case f != "":
		return "", core.Input("--format %q: want csv or json", flagValue)
	case len(args) > 0 && strings.EqualFold(filepath.Ext(args[0]), ".json"):
		return "json", nil
	case len(args) > 0 && strings.EqualFold(filepath.Ext(args[0]), ".csv"):
		return "csv", nil
	}
	return "", nil
}

// nextSync says, after mappings were written, that their usage comes with
// the next Gradient Sync.
func nextSync(w io.Writer, env *Env, wr core.Written) {
	if wr.Wrote && wr.Added+wr.Changed > 0 && core.MethodOf(env.Session.Progress()) == gradient.MethodMeshAPIKey {
		fmt.Fprintln(w, "Next: mesh-gradient sync (Synthesize reads Mesh again: the usage of the newly mapped accounts arrives with it).")
	} else if wr.Wrote && wr.Added+wr.Changed > 0 {
		fmt.Fprintln(w, "Next: press Gradient Sync in Mesh (Settings → Gradient): the usage of the newly mapped accounts arrives with it.")
	}
}

// reportWrite says what a mapping write did.
func reportWrite(w io.Writer, asJSON bool, wr core.Written, dryRun bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{"added": wr.Added, "changed": wr.Changed, "removed": wr.Removed, "written": wr.Wrote})
	}
	var err error
	switch {
	case wr.Diff.Empty():
		_, err = fmt.Fprintln(w, "Nothing to change: Synthesize already holds these mappings.")
	case dryRun:
		_, err = fmt.Fprintf(w, "Dry run: would write %s. Nothing was written.\n", wr.Diff)
	default:
		_, err = fmt.Fprintf(w, "Wrote to Synthesize: %s.\n", wr.Diff)
	}
	return err
}
