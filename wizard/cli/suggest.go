package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type suggestOptions struct {
	minConfidence float64
	apply, json   bool
}

func newSuggestCmd(f *Factory, g *Globals) *cobra.Command {
	var o suggestOptions
	cmd := &cobra.Command{
		Use:     "suggest",
		Short:   "list (or with --apply, accept) the suggestions for unmapped accounts and services",
		Example: "  mesh-gradient mappings suggest\n  mesh-gradient mappings suggest --min-confidence 0.9 --apply",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := core.CheckConfidence(o.minConfidence); err != nil {
				return err
			}
			return withData(f, g, cmd, core.LoadOptions{Suggestions: true}, func(ctx context.Context, env *Env, d *core.Data) error {
				var sugg []core.Suggestion
				say := func(line string) { fmt.Fprintln(f.IO.ErrOut, line) }
				w, err := env.Session.Change(ctx, d, !o.apply, say, func(accounts, services map[string]store.Mapping) error {
					sugg = core.Suggest(d, o.minConfidence, accounts, services)
					return nil
				})
				if err != nil {
					return err
				}
				nextSync(f.IO.ErrOut, env, w)
				return printSuggestions(f, o, sugg, w)
			})
		},
	}
	cmd.Flags().Float64Var(&o.minConfidence, "min-confidence", 0.8, "accept suggestions at or above `X` (0 to 1)")
	cmd.Flags().BoolVar(&o.apply, "apply", false, "write the accepted suggestions to Synthesize")
	cmd.Flags().BoolVar(&o.json, "json", false, "report as JSON")
	return cmd
}

func printSuggestions(f *Factory, o suggestOptions, sugg []core.Suggestion, w core.Written) error {
	out := f.IO.Data()
	if o.json {
		if sugg == nil {
			sugg = []core.Suggestion{}
		}
		added, wouldAdd := w.Added, 0
		if !w.Wrote { // a dry run adds nothing
			added, wouldAdd = 0, w.Added
		}
		return json.NewEncoder(out).Encode(map[string]any{"suggestions": sugg, "added": added, "would_add": wouldAdd, "written": w.Wrote})
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, s := range sugg {
		fmt.Fprintf(tw, "%s\t%s\t→ %s\t%s\n", s.Kind, text.Sanitize(s.MeshName), text.Sanitize(s.TargetName), text.Percent(s.Confidence))
	}
	tw.Flush()
	at := text.Percent(o.minConfidence)
	var err error
	switch {
	case len(sugg) == 0:
		_, err = fmt.Fprintf(out, "No unmapped account or service has a suggestion at or above %s.\n", at)
	case o.apply:
		_, err = fmt.Fprintf(out, "Accepted %s at or above %s; wrote to Synthesize: %s.\n", text.Count(len(sugg), "suggestion", "suggestions"), at, w.Diff)
	default:
		_, err = fmt.Fprintf(out, "%s at or above %s. Nothing was written: add --apply to accept them.\n", text.Count(len(sugg), "suggestion", "suggestions"), at)
	}
	return err
}
