package accessible

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// homeAlerts says home's alert facts: counts by ticket status, then each
// failed alert on a line of its own with its reason, so a failure is
// heard without opening Alerts.
func (a *Prompter) homeAlerts(st core.Status) {
	c := st.AlertTickets
	on := slices.Contains(st.Types, gradient.TypeAlerts)
	if c == nil || !on && c.Total() == 0 {
		return
	}
	off := ""
	if !on {
		off = " Alerts is off."
	}
	a.say("Alerts: %d from Mesh: %s.%s", c.Total(), strings.Join(core.AlertsSummary(*c), ", "), off)
	for _, l := range st.FailedAlerts {
		a.say("  Failed: %s: %s: %s.", l.Account, l.Title, l.OneLine())
	}
}

// alerts lists every alert, failed first, each with its ticket or why it
// has none, and Synthesize's own errors.
func (a *Prompter) alerts(ctx context.Context) error {
	al, err := a.sess.Alerts(ctx)
	if err != nil {
		return err
	}
	if !al.Enabled {
		a.say("Alerts is off for this integration: Synthesize refuses Mesh's alerts. Change products and types turns it on.")
	}
	if len(al.Lines) == 0 {
		a.say("No alerts from Mesh yet; they arrive with each sync from Mesh.")
		return nil
	}
	a.say("%d alerts: %s.", al.Counts.Total(), strings.Join(core.AlertsSummary(al.Counts), ", "))
	for _, l := range al.Lines {
		company := "no company"
		if l.Company != "" {
			company = l.Company
		}
		what := fmt.Sprintf("  %s, %s (%s), priority %s:", l.Title, l.Account, company, core.PriorityName(l.Priority))
		switch l.TicketStatus {
		case core.TicketSuccess:
			a.say("%s ticket %s created.", what, l.TicketID)
		case core.TicketPending:
			a.say("%s ticket pending.", what)
		default:
			a.say("%s ticket %s: %s.", what, l.TicketStatus, l.OneLine())
			for i, e := range l.Errors {
				if i > 0 || !l.ReasonIsTheirs() { // the reason said it already
					a.say("    Synthesize: %s", e)
				}
			}
		}
	}
	return nil
}

// configure asks for products and types (Enter keeps each as it is),
// says what the change does, and asks before sending it; default no.
func (a *Prompter) configure(ctx context.Context) error {
	now, err := a.sess.Configuration(ctx)
	if err != nil {
		return err
	}
	a.say("Integrated now: %s.", core.PlanConfigure(now, now.Products, now.Types).Summary())
	for i, p := range mesh.Products {
		a.say("  %d. %s: %s", i+1, p.Name, p.Summary)
	}
	products, err := a.pickKeys("Products (numbers, Enter keeps them): ", core.ProductKeys, now.Products)
	if err != nil {
		return err
	}
	for i, t := range core.IntegrationTypes {
		a.say("  %d. %s: %s", i+1, t.Name, t.Summary)
	}
	types, err := a.pickKeys("Types (numbers, Enter keeps them): ", core.TypeKeys, now.Types)
	if err != nil {
		return err
	}
	change := core.PlanConfigure(now, products, types)
	if change.Empty() {
		a.say("Nothing changed.")
		return nil
	}
	for _, e := range change.Effects(now) {
		a.say("%s", e)
	}
	ok, err := a.yes("Change it", false)
	if err != nil || !ok {
		if err == nil {
			a.say("Nothing changed.")
		}
		return err
	}
	if _, err := a.sess.Configure(ctx, change.Products, change.Types); err != nil {
		return err
	}
	a.say("Changed in Synthesize: now %s.", change.Summary())
	return nil
}

// pickKeys reads numbers into keys of order; Enter keeps now.
func (a *Prompter) pickKeys(prompt string, order, now []string) ([]string, error) {
	picked, err := a.numbers(prompt, len(order), []int{})
	if err != nil || len(picked) == 0 {
		return now, err
	}
	var out []string
	for _, i := range picked {
		out = core.Toggle(out, order[i-1], true, order)
	}
	return out, nil
}
