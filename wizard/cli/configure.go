package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type configureOptions struct {
	products, types string
	dryRun          bool
}

func newConfigureCmd(f *Factory, g *Globals) *cobra.Command {
	var o configureOptions
	cmd := &cobra.Command{
		Use:   "configure",
		Short: "change the products and types of a connected integration (add Alerts, add or remove a product)",
		Long: "Changes what Synthesize integrates from Mesh, as the integration card's Configure does.\n" +
			"A flag left out keeps what is integrated now. It says what the change does: removing a\n" +
			"product stops its usage reaching billing (its service mapping is kept); adding Alerts makes\n" +
			"Mesh's alerts PSA tickets from the next sync.",
		Example: "  mesh-gradient configure --types billing,alerts\n" +
			"  mesh-gradient configure --products gateway,m365 --dry-run",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.products == "" && o.types == "" {
				return usage("give --products, --types or both (try --help)")
			}
			return withEnv(f, g, cmd, func(ctx context.Context, env *Env) error {
				now, err := env.Session.Configuration(ctx)
				if err != nil {
					return err
				}
				products, types := now.Products, now.Types
				if o.products != "" {
					products = commaList(o.products)
				}
				if o.types != "" {
					types = commaList(o.types)
				}
				if err := core.CheckChoice(products, types); err != nil {
					return err
				}
				change := core.PlanConfigure(now, products, types)
				out := f.IO.Data()
				if change.Empty() {
					_, err := fmt.Fprintf(out, "Nothing changed: Synthesize integrates %s already.\n", change.Summary())
					return err
				}
				for _, e := range change.Effects(now) {
					fmt.Fprintln(out, e)
				}
				if o.dryRun {
					_, err := fmt.Fprintln(out, "Nothing was changed: drop --dry-run to do it.")
					return err
				}
				if _, err := env.Session.Configure(ctx, change.Products, change.Types); err != nil {
					return err
				}
				_, err = fmt.Fprintf(out, "Changed in Synthesize: now %s.\n", change.Summary())
				return err
			})
		},
	}
	cmd.Flags().StringVar(&o.products, "products", "", "Mesh products, comma-separated: gateway, m365, unified (default: as now)")
	cmd.Flags().StringVar(&o.types, "types", "", "integration types, comma-separated: billing, alerts (default: as now)")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "say what the change would do, and change nothing")
	return cmd
}
