package wizard

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/table"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui"
)

// billingLine is a billing row with names, and the difference at the level
// the PSA bills: one agreement per company and product.
type billingLine struct {
	gradient.BillingRow
	company, account, service, product string
	groupUsage                         float64 // usage of every account on this agreement
	shared                             int     // how many accounts share the agreement
	diff                               float64 // groupUsage − billed quantity
	cycle                              float64
	hasCycle                           bool
}

func (l billingLine) key() gradient.BillingKey {
	return gradient.BillingKey{AccountID: l.AccountID, ServiceID: l.ServiceID}
}

type billingMsg struct {
	rows []gradient.BillingRow
	err  error
}

type reconciledMsg struct {
	what string
	err  error
}

type exportedMsg struct {
	path   string
	rows   int
	exists bool // not written: the file is there and no one said replace
	err    error
}

// billingScreen is step 9 and a home action: Mesh usage against the PSA's
// billed quantities, with reasons, reconcile and CSV export.
type billingScreen struct {
	c           *common
	data        *remoteData
	raw         []gradient.BillingRow
	lines       []billingLine
	shown       []billingLine
	table       table.Model
	filter      textinput.Model
	path        textinput.Model
	sortDiff    bool
	confirm     ui.Confirm
	asking      string // "all" or "overwrite": what the open dialog is for
	items       []gradient.BillingKey
	loaded      bool
	busy        string
	defaultPath string
	err         error
	w, h        int
}

func newBillingScreen(c *common) *billingScreen {
	t := table.New(table.WithFocused(true))
	st := table.DefaultStyles()
	st.Header, st.Selected, st.Cell = c.theme.TableHead, c.theme.TableSel, c.theme.TableCell
	t.SetStyles(st)
	f := textinput.New()
	f.Prompt = "Filter: "
	p := textinput.New()
	p.Prompt = "Export to: "
	return &billingScreen{c: c, table: t, filter: f, path: p, confirm: ui.NewConfirm(c.keys), defaultPath: defaultExportPath(c)}
}

func (s *billingScreen) load() tea.Cmd {
	s.err = nil
	pc := s.c.cfg.Partner
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		rows, err := pc.Billing(ctx)
		return billingMsg{rows: rows, err: err}
	}
}

func (s *billingScreen) setData(d *remoteData) {
	s.data = d
	s.rebuild()
}

func (s *billingScreen) typing() bool { return s.filter.Focused() || s.path.Focused() }

// rebuild joins rows with names and cycle counts, then filters and sorts.
func (s *billingScreen) rebuild() {
	s.lines = joinBilling(s.lines[:0], s.raw, s.data, s.c.cfg.CycleUsage)
	s.apply()
}

// joinBilling gives each billing row its names, the usage of every account
// on its agreement (the PSA bills one quantity per company and product),
// the difference at that level and, when known, Mesh's cycle count.
func joinBilling(dst []billingLine, raw []gradient.BillingRow, d *remoteData, cycle func(accountID, product string) (float64, bool)) []billingLine {
	if d == nil {
		d = &remoteData{}
	}
	type agreement struct{ company, product string }
	usage, shared := map[agreement]float64{}, map[agreement]int{}
	for _, r := range raw {
		a := agreement{r.CompanyID, r.ProductID}
		usage[a] += r.Usage
		shared[a]++
	}
	for _, r := range raw {
		a := agreement{r.CompanyID, r.ProductID}
		l := billingLine{BillingRow: r, company: name(d.companyNames, r.CompanyID), account: name(d.accountNames, r.AccountID),
			service: name(d.serviceNames, r.ServiceID), product: name(d.productNames, r.ProductID),
			groupUsage: usage[a], shared: shared[a]}
		l.diff = l.groupUsage - r.BilledQuantity
		if cycle != nil {
			if key, ok := d.serviceProduct[r.ServiceID]; ok {
				l.cycle, l.hasCycle = cycle(r.AccountID, key)
			}
		}
		dst = append(dst, l)
	}
	return dst
}

func (s *billingScreen) apply() {
	q := strings.ToLower(strings.TrimSpace(s.filter.Value()))
	s.shown = s.shown[:0]
	for _, l := range s.lines {
		if q == "" || strings.Contains(strings.ToLower(l.company+" "+l.account+" "+l.service+" "+l.product), q) {
			s.shown = append(s.shown, l)
		}
	}
	sort.SliceStable(s.shown, func(i, j int) bool {
		a, b := s.shown[i], s.shown[j]
		if s.sortDiff && math.Abs(a.diff) != math.Abs(b.diff) {
			return math.Abs(a.diff) > math.Abs(b.diff)
		}
		if a.company != b.company {
			return strings.ToLower(a.company) < strings.ToLower(b.company)
		}
		return a.account+a.service < b.account+b.service
	})
	rows := make([]table.Row, len(s.shown))
	for i, l := range s.shown {
		mark := " "
		if l.diff != 0 {
			mark = "≠"
		}
		rows[i] = table.Row{mark, l.company, l.account, l.service + " → " + l.product, qty(l.Usage), qty(l.BilledQuantity),
			signed(l.diff), l.SnapshotAt.Local().Format("01-02 15:04")}
	}
	s.table.SetRows(rows)
	// An empty table leaves the cursor at -1; rows arriving later must not
	// start with nothing selected.
	if c := s.table.Cursor(); c < 0 || c >= len(rows) {
		s.table.SetCursor(max(min(c, len(rows)-1), 0))
	}
}

func qty(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func signed(f float64) string {
	switch {
	case f > 0:
		return "+" + qty(f)
	case f < 0:
		return "−" + qty(-f)
	}
	return "0"
}

func (s *billingScreen) setSize(w, h int) {
	s.w, s.h = w, h
	fixed := 1 + 7 + 7 + 7 + 12 + 8*2 // mark, numbers, snapshot, cell padding
	rest := max(w-fixed, 24)
	s.table.SetColumns([]table.Column{
		{Title: " ", Width: 1}, {Title: "Company", Width: rest * 3 / 10}, {Title: "Mesh account", Width: rest * 3 / 10},
		{Title: "Service → product", Width: rest - 2*(rest*3/10)}, {Title: "Usage", Width: 7}, {Title: "PSA", Width: 7},
		{Title: "Diff", Width: 7}, {Title: "Snapshot", Width: 12},
	})
	// head, filter line, table header (2), a gap and up to four lines of explanation
	s.table.SetHeight(max(h-10, 3))
}

func (s *billingScreen) selected() (billingLine, bool) {
	i := s.table.Cursor()
	if i < 0 || i >= len(s.shown) {
		return billingLine{}, false
	}
	return s.shown[i], true
}

func (s *billingScreen) reconcile(items []gradient.BillingKey, what string) tea.Cmd {
	s.busy = "Reconciling in Synthesize…"
	pc := s.c.cfg.Partner
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		_, err := pc.Reconcile(ctx, items)
		return reconciledMsg{what: what, err: err}
	}
}

// differing returns one item per agreement that differs, the number of
// quantities that change, and the total change in units and money.
func (s *billingScreen) differing() (items []gradient.BillingKey, units, money float64) {
	return differing(s.lines)
}

func differing(lines []billingLine) (items []gradient.BillingKey, units, money float64) {
	seen := map[[2]string]bool{}
	for _, l := range lines {
		a := [2]string{l.CompanyID, l.ProductID}
		if l.diff == 0 || l.ProductID == "" || seen[a] {
			continue
		}
		seen[a] = true
		items = append(items, l.key())
		units += l.diff
		money += l.diff * l.UnitPrice
	}
	return items, units, money
}

func (s *billingScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case billingMsg:
		s.busy, s.loaded = "", true
		if msg.err != nil {
			s.err = msg.err
			return nil
		}
		s.raw, s.err = msg.rows, nil
		s.rebuild()
		return nil
	case reconciledMsg:
		s.busy = ""
		if msg.err != nil {
			return tea.Batch(failure("Reconcile failed: "+clean(msg.err.Error())+". No quantity was changed; r or R tries again."), s.load())
		}
		return tea.Batch(notice(msg.what), s.load()) // show what Synthesize now holds
	case exportedMsg:
		switch {
		case msg.exists:
			s.asking = "overwrite"
			s.confirm.Ask("Replace "+msg.path+"?", "The file exists. Replacing it loses what it holds.", "replace")
			return nil
		case msg.err != nil:
			return failure("Export failed: " + msg.err.Error())
		}
		return notice(fmt.Sprintf("Exported %d rows to %s.", msg.rows, msg.path))
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

func (s *billingScreen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.c.keys
	if s.busy != "" {
		return nil
	}
	if s.confirm.Open() {
		answered, yes := s.confirm.Update(k)
		switch {
		case !answered:
			return nil
		case !yes:
			return notice("Cancelled: nothing changed.")
		case s.asking == "all":
			n := len(s.items)
			_, units, money := s.differing()
			return s.reconcile(s.items, fmt.Sprintf("Reconciled %d %s: %s units, %s a month in total.", n, plural(n, "quantity", "quantities"), signed(units), money2(money)))
		default:
			return s.export(strings.TrimSpace(s.path.Value()), true)
		}
	}
	if s.filter.Focused() {
		switch k.Type {
		case tea.KeyEnter:
			s.filter.Blur()
		case tea.KeyEsc:
			s.filter.SetValue("")
			s.filter.Blur()
			s.apply()
		default:
			var cmd tea.Cmd
			s.filter, cmd = s.filter.Update(k)
			s.apply()
			return cmd
		}
		return nil
	}
	if s.path.Focused() {
		switch k.Type {
		case tea.KeyEnter:
			s.path.Blur()
			return s.export(strings.TrimSpace(s.path.Value()), false)
		case tea.KeyEsc:
			s.path.Blur()
			return notice("Export cancelled.")
		}
		var cmd tea.Cmd
		s.path, cmd = s.path.Update(k)
		return cmd
	}
	switch {
	case key.Matches(k, keys.Filter):
		s.filter.Focus()
		return textinput.Blink
	case key.Matches(k, keys.Sort):
		s.sortDiff = !s.sortDiff
		s.apply()
		if s.sortDiff {
			return notice("Sorted by difference, largest first (s: by company).")
		}
		return notice("Sorted by company (s: by difference).")
	case key.Matches(k, keys.Reconcile):
		l, ok := s.selected()
		switch {
		case !ok:
			return nil
		case l.ProductID == "":
			return notice("This service has no PSA product: map it first (home → update service mappings).")
		case l.diff == 0:
			return notice("Already matches: nothing to reconcile.")
		}
		return s.reconcile([]gradient.BillingKey{l.key()}, fmt.Sprintf("%s · %s: PSA quantity %s → %s.",
			l.company, l.product, qty(l.BilledQuantity), qty(l.groupUsage)))
	case key.Matches(k, keys.ReconcileAll):
		items, units, money := s.differing()
		if len(items) == 0 {
			return notice("Every quantity already matches Mesh's usage.")
		}
		s.items, s.asking = items, "all"
		s.confirm.Ask(fmt.Sprintf("Reconcile %d %s?", len(items), plural(len(items), "quantity", "quantities")),
			fmt.Sprintf("Sets the PSA quantity to Mesh's usage for %d %s: %s units in total, %s a month at the products' prices.",
				len(items), plural(len(items), "agreement", "agreements"), signed(units), money2(money)), "reconcile")
		return nil
	case key.Matches(k, keys.Export):
		if s.path.Value() == "" {
			s.path.SetValue(s.defaultPath)
		}
		s.path.CursorEnd()
		s.path.Focus()
		return textinput.Blink
	case key.Matches(k, keys.Back), key.Matches(k, keys.Next):
		return goStep(stepHome)
	case key.Matches(k, keys.Retry) && s.err != nil:
		return s.load()
	}
	var cmd tea.Cmd
	s.table, cmd = s.table.Update(k)
	return cmd
}

func money2(f float64) string {
	if f < 0 {
		return "−$" + strconv.FormatFloat(-f, 'f', 2, 64)
	}
	return "+$" + strconv.FormatFloat(f, 'f', 2, 64)
}

// defaultExportPath is worked out once, when the screen is made, so the
// key handler does no I/O.
func defaultExportPath(c *common) string {
	dir, err := os.Getwd()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "mesh-billing-"+c.cfg.Now().Format("2006-01-02")+".csv")
}

// export writes the shown rows in a command; an existing file comes back
// as exists, and is only replaced after a yes (overwrite).
func (s *billingScreen) export(path string, overwrite bool) tea.Cmd {
	if path == "" {
		return failure("Export: give a file name.")
	}
	lines := append([]billingLine(nil), s.shown...)
	return func() tea.Msg {
		n, err := writeCSV(path, lines, overwrite)
		if errors.Is(err, fs.ErrExist) {
			return exportedMsg{path: path, exists: true}
		}
		return exportedMsg{path: path, rows: n, err: err}
	}
}

func writeCSV(path string, lines []billingLine, overwrite bool) (int, error) {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if overwrite {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return 0, err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"company", "company_id", "mesh_account", "account_id", "service", "service_id", "product", "product_id",
		"usage", "billed_quantity", "difference", "unit_price", "snapshot_at", "cycle_usage"})
	for _, l := range lines {
		cycle := ""
		if l.hasCycle {
			cycle = qty(l.cycle)
		}
		_ = w.Write([]string{cell(l.company), cell(l.CompanyID), cell(l.account), cell(l.AccountID), cell(l.service), cell(l.ServiceID),
			cell(l.product), cell(l.ProductID), qty(l.Usage), qty(l.BilledQuantity), qty(l.diff), qty(l.UnitPrice),
			l.SnapshotAt.UTC().Format("2006-01-02T15:04:05Z"), cycle})
	}
	w.Flush()
	if err := errors.Join(w.Error(), f.Close()); err != nil {
		return 0, err
	}
	return len(lines), nil
}

// cell keeps a spreadsheet from reading a name as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (s *billingScreen) explain(l billingLine, w int) string {
	t := s.c.theme
	out := fmt.Sprintf("%s → %s · %s → %s", l.account, l.company, l.service, l.product)
	if l.UnitPrice > 0 {
		out += fmt.Sprintf(" · $%.2f a unit", l.UnitPrice)
	}
	out += "\n"
	usage := "Mesh usage " + qty(l.Usage)
	if l.shared > 1 {
		usage = fmt.Sprintf("Mesh usage %s (%s for the %d accounts on this company's %s)", qty(l.Usage), qty(l.groupUsage), l.shared, l.product)
	}
	out += fmt.Sprintf("%s, snapshot %s · PSA billed %s", usage, l.SnapshotAt.Local().Format("2006-01-02 15:04"), qty(l.BilledQuantity))
	if l.diff == 0 {
		return out + " · " + t.OK.Render("matches")
	}
	out += " · difference " + t.Warn.Render(signed(l.diff))
	if l.UnitPrice > 0 {
		out += fmt.Sprintf(" (%s a month)", money2(l.diff*l.UnitPrice))
	}
	out += "\n"
	why := mesh.DiscrepancyNote
	if l.hasCycle {
		why = fmt.Sprintf("Mesh's own portal shows %s: the count at the start of this billing cycle. Synthesize got a snapshot of %s, so the two differ.",
			qty(l.cycle), qty(l.Usage))
	}
	return out + t.Muted.Render(wrap(why+" r sets the PSA quantity to the snapshot.", w))
}

func (s *billingScreen) view(w int) string {
	t := s.c.theme
	switch {
	case s.busy != "":
		return s.c.spinner.View() + s.busy
	case !s.loaded:
		return s.c.spinner.View() + "Loading the billing rows for Mesh from Synthesize…"
	case s.err != nil && len(s.raw) == 0:
		return t.Error.Render("Could not load billing from Synthesize: ") + wrap(clean(s.err.Error()), w) + "\n\nr tries again."
	case len(s.raw) == 0:
		return wrap("Synthesize has no Mesh usage yet. Press Gradient Sync in Mesh (Settings → Gradient), then come back (r reloads).", w)
	}
	_, units, money := s.differing()
	differ := 0
	for _, l := range s.lines {
		if l.diff != 0 {
			differ++
		}
	}
	head := fmt.Sprintf("Vendor Mesh · %d rows · %s differ (%s units, %s a month)", len(s.lines),
		t.Warn.Render(strconv.Itoa(differ)), signed(units), money2(money))
	if s.sortDiff {
		head += t.Muted.Render(" · by difference")
	}
	out := head + "\n"
	switch {
	case s.filter.Focused() || s.filter.Value() != "":
		out += s.filter.View() + t.Muted.Render(fmt.Sprintf("  %d of %d", len(s.shown), len(s.lines))) + "\n"
	case s.path.Focused():
		out += s.path.View() + "\n"
	default:
		out += "\n"
	}
	if s.confirm.Open() {
		return out + s.confirm.View(t, w)
	}
	out += s.table.View() + "\n"
	if l, ok := s.selected(); ok {
		out += "\n" + s.explain(l, w)
	}
	return out
}

func (s *billingScreen) help() ui.Help {
	if s.confirm.Open() {
		return s.confirm.Help()
	}
	k := s.c.keys
	if s.filter.Focused() {
		return ui.Help{Short: []key.Binding{ui.With(k.Enter, "keep filter"), ui.With(k.Back, "clear filter")}}
	}
	if s.path.Focused() {
		return ui.Help{Short: []key.Binding{ui.With(k.Enter, "export"), ui.With(k.Back, "cancel")}}
	}
	short := []key.Binding{k.Reconcile, k.ReconcileAll, k.Sort, k.Filter, k.Export, ui.With(k.Back, "home")}
	return ui.Help{Short: short, Full: [][]key.Binding{{k.Up, k.Down, k.Filter, k.Sort}, {k.Reconcile, k.ReconcileAll, k.Export}, {ui.With(k.Back, "home"), ui.With(k.Next, "home")}}}
}
