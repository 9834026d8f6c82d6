package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type exportOptions struct {
	format               string
	force, noSuggestions bool
}

func newExportCmd(f *Factory, g *Globals) *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:   "export [FILE]",
		Short: "write every account and service, its mapping, suggestion and confidence (CSV or JSON)",
		Example: "  mesh-gradient mappings export mappings.csv\n" +
			"  mesh-gradient mappings export --format json | jq '.[] | select(.mapped_id == \"\")'",
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := formatFor(o.format, args)
			if err != nil {
				return err
			}
			return withData(f, g, cmd, core.LoadOptions{Suggestions: !o.noSuggestions}, func(ctx context.Context, env *Env, d *core.Data) error {
				rows := env.Session.Export(d, !o.noSuggestions)
				if len(args) == 0 || args[0] == "-" {
					return core.WriteMappings(f.IO.Data(), rows, format)
				}
				err := store.WritePrivate(args[0], o.force, func(w io.Writer) error { return core.WriteMappings(w, rows, format) })
				if errors.Is(err, fs.ErrExist) {
					return core.Input("%s exists; add --force to replace it", args[0])
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(f.IO.ErrOut, "Wrote %d rows to %s.\n", len(rows), args[0])
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&o.format, "format", "", "csv or json (default: from FILE's extension, else csv)")
	cmd.Flags().BoolVar(&o.force, "force", false, "replace FILE if it exists")
	cmd.Flags().BoolVar(&o.noSuggestions, "no-suggestions", false, "leave the suggestion columns empty (faster: nothing is matched)")
	return cmd
}
