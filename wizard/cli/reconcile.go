package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type reconcileOptions struct {
	json, apply, onlyDifferences bool
}

func newReconcileCmd(f *Factory, g *Globals) *cobra.Command {
	var o reconcileOptions
	cmd := &cobra.Command{
		Use:     "reconcile",
		Short:   "compare Mesh usage with PSA quantities; --apply sets every differing quantity to the usage",
		Example: "  mesh-gradient reconcile --only-differences\n  mesh-gradient reconcile --apply --json > reconciled.json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withData(f, g, cmd, core.LoadOptions{}, func(ctx context.Context, env *Env, d *core.Data) error {
				r, err := env.Session.ReconcileAll(ctx, d, o.apply)
				if err != nil {
					return err
				}
				return printReconciled(f, o, r)
			})
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print as JSON")
	cmd.Flags().BoolVar(&o.apply, "apply", false, "set each differing PSA quantity to Mesh's usage")
	cmd.Flags().BoolVar(&o.onlyDifferences, "only-differences", false, "list only the rows whose quantity differs")
	return cmd
}

func printReconciled(f *Factory, o reconcileOptions, r core.Reconciled) error {
	lines := r.Lines[:0:0]
	for _, l := range r.Lines {
		if !o.onlyDifferences || l.Difference != 0 {
			lines = append(lines, l)
		}
	}
	out := f.IO.Data()
	if o.json {
		r.Lines = lines
		if r.Lines == nil {
			r.Lines = []core.BillingLine{}
		}
		return encodeJSON(out, r)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	withMesh := false
	for _, l := range lines {
		withMesh = withMesh || l.MeshBilled != nil
	}
	head := "Company\tMesh account\tService → product\tSnapshot\t   PSA\t  Diff"
	if withMesh {
		head += "\tMesh bills\tUsers now\tCycle ends"
	}
	fmt.Fprintln(tw, head)
	for _, l := range lines {
		row := fmt.Sprintf("%s\t%s\t%s → %s\t%8s\t%6s\t%6s", text.Sanitize(l.Company), text.Sanitize(l.Account), text.Sanitize(l.Service),
			text.Sanitize(l.Product), text.Qty(l.Usage), text.Qty(l.BilledQuantity), text.Signed(l.Difference))
		if withMesh {
			row += fmt.Sprintf("\t%10s\t%9s\t%s", optQty(l.MeshBilled), optQty(l.MeshUsers), orDash(l.CycleEnds))
		}
		fmt.Fprintln(tw, row)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	differ := text.Count(r.Differ, "PSA quantity", "PSA quantities")
	var err error
	switch {
	case r.Differ == 0:
		_, err = fmt.Fprintln(out, "Every PSA quantity matches Mesh's usage.")
	case o.apply:
		_, err = fmt.Fprintf(out, "Set %s to Mesh's usage (%s units, %s a month).\n",
			text.Count(r.Applied, "PSA quantity", "PSA quantities"), text.Signed(r.UnitSet), text.Money(r.MoneySet))
	default:
		_, err = fmt.Fprintf(out, "%s %s from Mesh's usage (%s units, %s a month). Nothing was changed: add --apply to set them.\n",
			differ, text.Plural(r.Differ, "differs", "differ"), text.Signed(r.Units), text.Money(r.Money))
	}
	fmt.Fprintln(f.IO.ErrOut, mesh.DiscrepancyNote)
	fmt.Fprintln(f.IO.ErrOut, r.Mesh)
	return err
}

// optQty is a count that may be unknown (–).
func optQty(n *float64) string {
	if n == nil {
		return "–"
	}
	return text.Qty(*n)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return text.Sanitize(s)
}
