package wizard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// explain is the selected line's detail, wrapped, never cut: the price
// and the difference in money first, then names and counts, then why
// Mesh's count and Synthesize's can differ.
func (s *billingScreen) explain(l core.BillingLine, w int) string {
	t := s.c.theme
	money := "PSA billed " + text.Qty(l.BilledQuantity)
	if l.UnitPrice > 0 {
		money += " at " + text.Price(l.UnitPrice) + " a unit"
	}
	if l.Difference == 0 {
		money += " · " + t.OK.Render("matches Mesh's usage")
	} else {
		money += " · difference " + t.Warn.Render(text.Signed(l.Difference))
		if l.UnitPrice > 0 {
			money += " (" + text.Money(l.Difference*l.UnitPrice) + " a month)"
		}
	}
	usage := "Mesh usage " + text.Qty(l.Usage)
	if l.Shared > 1 {
		usage = fmt.Sprintf("Mesh usage %s (%s for the %d accounts on this company's %s)", text.Qty(l.Usage), text.Qty(l.AgreementUsage), l.Shared, l.Product)
	}
	out := wrap(money, w) + "\n" + wrapItems([]string{l.Account + " → " + l.Company, l.Service + " → " + l.Product, usage,
		"snapshot " + l.SnapshotAt.Local().Format("2006-01-02 15:04")}, w)
	note := core.MeshNoteFor(s.c.sess.MeshNumbers(), s.lines)
	if s.c.sess.MeshNumbers().Read() {
		note = "" // the numbers say it: no need to say where they came from on every row
	}
	if l.Difference == 0 {
		if l.MeshBilled == nil {
			return out // the row needs no explaining
		}
		return out + "\n" + t.Muted.Render(wrap(strings.TrimSpace(core.Why(l)+" "+note), w))
	}
	fix := " r sets the PSA quantity to the snapshot. "
	if l.ProductID == "" {
		fix = " Its service has no PSA product, so there is no quantity to set: map it on Update service mappings. "
	}
	return out + "\n" + t.Muted.Render(wrap(strings.TrimSpace(core.Why(l)+fix+note), w))
}

func (s *billingScreen) view(w int) string {
	t := s.c.theme
	switch {
	case s.busy != "":
		return s.c.spinner.View() + s.busy
	case !s.loaded:
		return s.c.spinner.View() + "Loading the billing rows for Mesh from Synthesize…"
	case s.err != nil && len(s.raw) == 0:
		return t.Error.Render("Could not load billing from Synthesize: ") + wrap(core.Explain(s.err).String(), w) + "\n\nr tries again."
	case len(s.raw) == 0:
		return wrap("Synthesize has no Mesh usage yet. Press Gradient Sync in Mesh (Settings → Gradient), then come back (r reloads).", w)
	}
	out := s.head(w) + "\n"
	switch { // the file name being typed comes first, even over a filter
	case s.path.Focused():
		out += s.path.View() + "\n"
	case s.filter.Focused() || s.filter.Value() != "":
		out += s.filter.View() + t.Muted.Render(fmt.Sprintf("  %d of %d", len(s.shown), len(s.lines))) + "\n"
	default:
		out += "\n"
	}
	if s.confirm.Open() {
		return out + s.confirm.View(t, w)
	}
	out += s.grid.View() + "\n"
	if l, ok := s.selected(); ok {
		out += "\n" + s.explain(l, w)
	}
	return out
}

func (s *billingScreen) help() ui.Help {
	k := s.keys
	switch {
	case s.busy != "":
		return ui.Help{}
	case s.confirm.Open():
		return s.confirm.Help()
	case s.filter.Focused():
		return ui.ShortOnly(k.KeepFilter, k.DropFilter)
	case s.path.Focused():
		return ui.ShortOnly(k.DoExport, k.CancelExport)
	}
	s.setKeys()
	tk := s.grid.Keys
	main, short := k.Home, ui.Enabled(k.Reconcile, k.Filter, k.ClearFilter, k.Sort, k.Export, k.Reload)
	if items, _, _ := core.Differing(s.shown); len(items) > 0 {
		main = ui.With(k.ReconcileAll, fmt.Sprintf("reconcile %s shown", text.Count(len(items), "quantity", "quantities")))
		short = append(short, k.Home)
	}
	full := [][]key.Binding{ui.Enabled(tk.Up, tk.Down, tk.PageDown, k.Filter, k.ClearFilter, k.Sort), ui.Enabled(k.Reconcile, k.ReconcileAll, k.Export), {k.Reload, k.Home}}
	return ui.Help{Main: main, Short: short, Full: full}
}

func (s *billingScreen) bindings() []key.Binding {
	k := s.keys
	switch {
	case s.busy != "":
		return nil
	case s.confirm.Open():
		return s.confirm.Keys().Bindings()
	case s.filter.Focused():
		return []key.Binding{k.KeepFilter, k.DropFilter}
	case s.path.Focused():
		return []key.Binding{k.DoExport, k.CancelExport}
	}
	s.setKeys()
	return append(s.grid.Bindings(), ui.Enabled(k.Reconcile, k.ReconcileAll, k.Sort, k.Filter, k.ClearFilter, k.Export, k.Reload, k.Home)...)
}

// head is the totals line, wrapped between its parts on a narrow screen.
func (s *billingScreen) head(w int) string {
	t := s.c.theme
	// Counted as R reconciles: PSA quantities (company × product), and
	// apart, the rows no reconcile can reach.
	differing, units, money := core.Differing(s.lines)
	noProduct := 0
	for _, l := range s.lines {
		if l.ProductID == "" {
			noProduct++
		}
	}
	items := []string{"Vendor Mesh", text.Count(len(s.lines), "row", "rows"),
		fmt.Sprintf("%s differ (%s units, %s a month)", t.Warn.Render(text.Count(len(differing), "quantity", "quantities")), text.Signed(units), text.Money(money))}
	if noProduct > 0 {
		items = append(items, t.Warn.Render(text.Count(noProduct, "row", "rows")+" without a PSA product (map the service)"))
	}
	if s.sortDiff {
		items = append(items, t.Muted.Render("by difference"))
	}
	return wrapItems(items, w)
}
