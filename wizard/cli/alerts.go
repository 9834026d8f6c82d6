package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type alertsOptions struct {
	json, failed bool
	since        time.Duration
}

func newAlertsCmd(f *Factory, g *Globals) *cobra.Command {
	var o alertsOptions
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "Mesh's alerts and whether each became a PSA ticket; --failed exits 1 when any did not",
		Long: "Lists every alert Mesh sent to Synthesize, failed ones first, with its ticket or the reason it has none.\n" +
			"An alert Mesh sent again after a failure is one line: its latest attempt.\n\n" +
			"With --failed only the failed ones are listed, and the exit status is 1 when there are any\n" +
			"(0 when none), so a monitoring job can run it.",
		Example: "  mesh-gradient alerts\n  mesh-gradient alerts --failed --since 24h || notify-team\n" +
			"  mesh-gradient alerts --json | jq '.alerts[] | select(.ticket_status == \"failed\") | .reason'",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.since < 0 {
				return usage("--since must be a positive duration, for example 24h")
			}
			return withEnvReading(f, g, cmd, func(ctx context.Context, env *Env) error {
				al, err := env.Session.Alerts(ctx)
				if err != nil {
					return err
				}
				since := time.Time{}
				if o.since > 0 {
					since = env.Session.Config().Now().Add(-o.since)
				}
				all := al.Counts
				al = al.Only(o.failed, since)
				if err := printAlerts(f, o, al, all); err != nil {
					return err
				}
				if o.failed && al.Counts.Failed > 0 {
					return &ExitError{Code: ExitFailed, Message: text.Count(al.Counts.Failed, "alert", "alerts") +
						" did not become a PSA ticket (see the reasons above; mesh-gradient opens the Alerts screen)"}
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print as JSON (see README)")
	cmd.Flags().BoolVar(&o.failed, "failed", false, "only the alerts whose ticket failed; exit 1 when there are any")
	cmd.Flags().DurationVar(&o.since, "since", 0, "only alerts raised within this `DURATION` (for example 24h)")
	return cmd
}

// printAlerts lists al; all counts every alert, before --failed and
// --since kept some, so the summary says what the list leaves out.
func printAlerts(f *Factory, o alertsOptions, al core.Alerts, all core.AlertCounts) error {
	out := f.IO.Data()
	if o.json {
		return encodeJSON(out, al)
	}
	if !al.Enabled {
		fmt.Fprintln(f.IO.ErrOut, "Alerts is off for this integration: Synthesize refuses Mesh's alerts. Turn it on with: mesh-gradient configure --types billing,alerts")
	}
	if len(al.Lines) == 0 {
		what := "No alerts from Mesh"
		if o.failed {
			what = "No failed alerts"
		}
		_, err := fmt.Fprintln(out, what+".")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Ticket\tPriority\tAccount\tCompany\tAlert\tTicket id or reason")
	for _, l := range al.Lines {
		company, detail := l.Company, l.TicketID
		if company == "" {
			company = "-"
		}
		switch l.TicketStatus {
		case core.TicketFailed:
			detail = l.OneLine()
		case core.TicketPending:
			detail = "waiting for the PSA"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", core.TicketWord(l.TicketStatus), core.PriorityName(l.Priority), l.Account, company, l.Title, detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if al.Counts.Total() == all.Total() {
		_, err := fmt.Fprintf(out, "%s: %s.\n", text.Count(all.Total(), "alert", "alerts"), strings.Join(core.AlertsSummary(all), ", "))
		return err
	}
	_, err := fmt.Fprintf(out, "%d of %s shown; all of them: %s.\n", al.Counts.Total(), text.Count(all.Total(), "alert", "alerts"),
		strings.Join(core.AlertsSummary(all), ", "))
	return err
}
