package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type importOptions struct {
	format       string
	dryRun, json bool
}

func newImportCmd(f *Factory, g *Globals) *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "map accounts and services from an (edited) export; checks every row first, writes nothing if any is wrong",
		Example: "  mesh-gradient mappings import --dry-run mappings.csv\n" +
			"  mesh-gradient mappings import mappings.csv\n" +
			"  cat mappings.json | mesh-gradient mappings import -",
		Args: oneArg("give the FILE to import (- for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := formatFor(o.format, args)
			if err != nil {
				return err
			}
			in := f.IO.In
			if args[0] != "-" {
				file, err := os.Open(args[0])
				if err != nil {
					return core.Input("%v", err)
				}
				defer file.Close()
				in = file
			}
			rows, err := readRows(in, format, args[0])
			if err != nil {
				return err
			}
			return withData(f, g, cmd, core.LoadOptions{}, func(ctx context.Context, env *Env, d *core.Data) error {
				say := func(line string) { fmt.Fprintln(f.IO.ErrOut, line) }
				w, err := env.Session.Change(ctx, d, o.dryRun, say, func(accounts, services map[string]store.Mapping) error {
					return core.Import(d, rows, accounts, services)
				})
				if core.IsInputError(err) {
					return fmt.Errorf("%s: nothing was written: %w", args[0], err)
				}
				if err != nil {
					return err
				}
				nextSync(f.IO.ErrOut, env, w)
				return reportWrite(f.IO.Data(), o.json, w, o.dryRun)
			})
		},
	}
	cmd.Flags().StringVar(&o.format, "format", "", "csv or json (default: from FILE's extension or content)")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "check and report the changes; write nothing")
	cmd.Flags().BoolVar(&o.json, "json", false, "report as JSON")
	return cmd
}

func readRows(in io.Reader, format, name string) ([]core.MappingRow, error) {
	rows, err := core.ReadMappings(in, format)
	if err != nil {
		return nil, fmt.Errorf("%s: nothing was written: %w", name, err)
	}
	return rows, nil
}
