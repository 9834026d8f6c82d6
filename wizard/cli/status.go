package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type statusOptions struct{ json bool }

func newStatusCmd(f *Factory, g *Globals) *cobra.Command {
	var o statusOptions
	cmd := &cobra.Command{
		Use:     "status",
		Short:   "connection, last sync and counts; exit 0 connected, 3 not",
		Example: "  mesh-gradient status\n  mesh-gradient status --json | jq .last_sync_at",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withEnvReading(f, g, cmd, func(ctx context.Context, env *Env) error {
				st, err := env.Session.Status(ctx)
				if err != nil {
					return err
				}
				if env.Standin() { // nothing was read from the file: it is not there, or another's
					st.Local = core.LocalStatus{StateFile: env.StatePath, InUse: env.InUse}
				}
				st.Sandbox = env.Sandbox != nil
				if o.json {
					if err := encodeJSON(f.IO.Data(), st); err != nil {
						return err
					}
				} else {
					printStatus(f.IO.Data(), st)
				}
				if !st.Connected {
					return &ExitError{Code: ExitNotConnected}
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print the status as JSON (see README)")
	return cmd
}

// encodeJSON writes v indented; a failed write is the command's error.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printStatus(w io.Writer, st core.Status) {
	where := "Synthesize"
	if st.Sandbox {
		where = "Synthesize (SANDBOX)"
	}
	if !st.Connected {
		at := "at " + core.ParseStep(st.Local.Step).Title()
		if st.Local.InUse {
			at = "in use by another mesh-gradient"
		}
		fmt.Fprintf(w, "Mesh is not connected in %s.\nState: %s (%s)\nRun mesh-gradient to connect it.\n", where, st.Local.StateFile, at)
		return
	}
	stamp := func(t *time.Time) string {
		if t == nil {
			return "never"
		}
		return t.Local().Format("2006-01-02 15:04")
	}
	fmt.Fprintf(w, "Mesh is connected in %s, vendor status %s\n", where, text.Sanitize(st.Status))
	fmt.Fprintf(w, "Products:  %s\nTypes:     %s\n", text.Sanitize(strings.Join(st.Products, ", ")), text.Sanitize(strings.Join(st.Types, ", ")))
	if st.LastPull != nil {
		fmt.Fprintf(w, "Method:    Mesh API key …%s, Synthesize reads Mesh at %s\n", text.Sanitize(st.MeshKeyHint), text.Sanitize(st.MeshAPIURL))
		fmt.Fprintf(w, "Connected: %s\nLast pull: %s", stamp(st.ConnectedAt), stamp(st.LastPull.At))
		if st.LastPull.Error != "" {
			fmt.Fprintf(w, ", failed: %s\n           %s", text.Sanitize(st.LastPull.Error), core.PullAdvice(st.LastPull.Error))
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintf(w, "Method:    Synthesize key …%s, pasted into Mesh\n", text.Sanitize(st.KeyHint))
		fmt.Fprintf(w, "Connected: %s\nLast sync: %s\n", stamp(st.ConnectedAt), stamp(st.LastSyncAt))
	}
	fmt.Fprintf(w, "Accounts:  %d (%d mapped, %d do not bill, %d unmapped)\n", st.Counts.Accounts, st.MappedAccounts, st.IgnoredAccounts, st.UnmappedAccounts)
	fmt.Fprintf(w, "Services:  %d (%d mapped, %d without a product)\n", st.Counts.Services, st.MappedServices, st.UnmappedServices)
	fmt.Fprintf(w, "Usage:     %d rows\n", st.Counts.Usage)
	if a := st.AlertTickets; a != nil {
		fmt.Fprintf(w, "Alerts:    %d (%s)\n", a.Total(), strings.Join(core.AlertsSummary(*a), ", "))
		for _, l := range st.FailedAlerts {
			fmt.Fprintf(w, "  failed:  %s: %s: %s\n", l.Account, l.Title, l.OneLine())
		}
	}
	if st.Local.InUse {
		fmt.Fprintf(w, "State:     %s (in use by another mesh-gradient, not read)\n", st.Local.StateFile)
		return
	}
	fmt.Fprintf(w, "State:     %s\n", st.Local.StateFile)
}
