package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

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

type billingKeys struct {
	Reconcile, ReconcileAll, Sort, Filter, Export, Reload, Home, ClearFilter key.Binding
	KeepFilter, DropFilter, DoExport, CancelExport                           key.Binding
}

// billingScreen is step 9 and a home action: Mesh usage against the PSA's
// billed quantities, with reasons, reconcile and CSV export.
type billingScreen struct {
	c           *common
	keys        billingKeys
	data        *core.Data
	raw         []gradient.BillingRow
	lines       []core.BillingLine
	shown       []core.BillingLine
	grid        ui.Grid
	filter      textinput.Model
	path        textinput.Model
	sortDiff    bool
	meshCols    bool // the grid shows Mesh's own count
	confirm     ui.Confirm
	asking      string // "all" or "overwrite": what the open dialog is for
	items       []gradient.BillingKey
	loaded      bool
	named       bool // the last apply had names to sort by
	busy        string
	defaultPath string
	err         error
	w, h        int
}

func newBillingScreen(c *common) *billingScreen {
	f := textinput.New()
	f.Prompt = "Filter: "
	p := textinput.New()
	p.Prompt = "Export to: "
	return &billingScreen{c: c, grid: billingGrid(c.theme, false), filter: f, path: p, defaultPath: defaultExportPath(c), keys: billingKeys{
		Reconcile:    ui.Key("r", "reconcile row", "r"),
		ReconcileAll: ui.Key("R", "reconcile all", "R"),
		Sort:         ui.Key("s", "sort by difference", "s"),
		Filter:       ui.Key("/", "filter", "/"),
		Export:       ui.Key("e", "export CSV", "e"),
		Reload:       ui.Key("ctrl+r", "reload", "ctrl+r"),
		Home:         ui.Key("esc", "home", "esc", "n"),
		ClearFilter:  ui.Key("esc", "clear filter", "esc"),
		KeepFilter:   ui.Key("enter", "keep filter", "enter"),
		DropFilter:   ui.Key("esc", "clear filter", "esc"),
		DoExport:     ui.Key("enter", "export", "enter"),
		CancelExport: ui.Key("esc", "cancel", "esc"),
	}}
}

func (s *billingScreen) load() tea.Cmd {
	s.err = nil
	sess := s.c.sess
	return func() tea.Msg {
		rows, err := sess.BillingRows(context.Background())
		if err == nil {
			sess.ReadMesh(context.Background()) // Join adds what it read
		}
		return billingMsg{rows: rows, err: err}
	}
}

// billingGrid is the table's columns; with Mesh's own numbers, what Mesh
// bills this cycle comes before Synthesize's snapshot.
func billingGrid(t ui.Theme, withMesh bool) ui.Grid {
	cols := []ui.Column{{Title: " ", Width: 1}, {Title: "Company", Flex: 3}, {Title: "Mesh account", Flex: 3}, {Title: "Service → product", Flex: 4}}
	if withMesh {
		cols = append(cols, ui.Column{Title: "Mesh", Width: 5, Right: true}, ui.Column{Title: "Snap.", Width: 5, Right: true})
	} else {
		cols = append(cols, ui.Column{Title: "Usage", Width: 6, Right: true})
	}
	return ui.NewGrid(t, append(cols, ui.Column{Title: "PSA", Width: 6, Right: true}, ui.Column{Title: "Diff", Width: 6, Right: true}))
}

func (s *billingScreen) setData(d *core.Data) {
	s.data = d
	s.rebuild()
}

func (s *billingScreen) typing() bool { return s.filter.Focused() || s.path.Focused() }

// rebuild joins rows with names and cycle counts, then filters and sorts.
func (s *billingScreen) rebuild() {
	s.lines = s.c.sess.Join(s.raw, s.data)
	s.apply()
}

// apply filters and sorts the lines into the grid; the cursor stays with
// the row it was on, wherever the sort puts it now.
func (s *billingScreen) apply() {
	was, had := s.selected()
	// Before the names arrive the rows sort by id; the cursor's first row
	// then was not one the user saw named, so it starts at the top again.
	had = had && s.named
	s.named = s.data != nil
	q := strings.ToLower(strings.TrimSpace(s.filter.Value()))
	s.shown = s.shown[:0]
	for _, l := range s.lines {
		if q == "" || strings.Contains(strings.ToLower(l.Company+" "+l.Account+" "+l.Service+" "+l.Product), q) {
			s.shown = append(s.shown, l)
		}
	}
	core.SortLines(s.shown, s.sortDiff)
	withMesh := false
	for _, l := range s.lines {
		withMesh = withMesh || l.MeshBilled != nil
	}
	if withMesh != s.meshCols {
		s.meshCols, s.grid = withMesh, billingGrid(s.c.theme, withMesh)
	}
	rows := make([][]string, len(s.shown))
	cursor := 0
	for i, l := range s.shown {
		mark := " "
		if l.Difference != 0 {
			mark = "≠"
		}
		rows[i] = []string{mark, l.Company, l.Account, l.Service + " → " + l.Product}
		if withMesh {
			billed := "–"
			if l.MeshBilled != nil {
				billed = text.Qty(*l.MeshBilled)
			}
			rows[i] = append(rows[i], billed)
		}
		rows[i] = append(rows[i], text.Qty(l.Usage), text.Qty(l.BilledQuantity), text.Signed(l.Difference))
		if had && l.Key() == was.Key() {
			cursor = i
		}
	}
	t, shown := s.c.theme, s.shown
	diffCol := 6
	if withMesh {
		diffCol = 7
	}
	s.grid.SetRows(rows, func(r, c int) lipgloss.Style {
		if (c == 0 || c == diffCol) && shown[r].Difference != 0 {
			return t.Warn // the sign and ≠ stay for NO_COLOR
		}
		return lipgloss.Style{}
	})
	s.grid.SetCursor(cursor)
	s.layout()
}

// setSize: the grid gets what the head, the filter line and the selected
// row's detail leave (see layout).
func (s *billingScreen) setSize(w, h int) {
	s.w, s.h = w, h
	s.layout()
}

// layout gives the grid every line the head (2), a gap and the selected
// row's detail do not need, so a tall terminal shows more rows.
func (s *billingScreen) layout() {
	detail := 0
	if l, ok := s.selected(); ok {
		detail = 1 + lipgloss.Height(s.explain(l, s.w))
	}
	head := 1
	if len(s.lines) > 0 {
		head = lipgloss.Height(s.head(s.w))
	}
	s.grid.SetSize(s.w, max(s.h-head-1-detail, 3)) // and the filter line
}

func (s *billingScreen) selected() (core.BillingLine, bool) {
	i := s.grid.Cursor()
	if i < 0 || i >= len(s.shown) {
		return core.BillingLine{}, false
	}
	return s.shown[i], true
}

func (s *billingScreen) reconcile(items []gradient.BillingKey, what string) tea.Cmd {
	s.busy = "Reconciling in Synthesize…"
	sess := s.c.sess
	return func() tea.Msg { return reconciledMsg{what: what, err: sess.Reconcile(context.Background(), items)} }
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
			return tea.Batch(s.c.failure("Reconcile failed: "+core.Explain(msg.err).String()+". No quantity was changed; r or R tries again."), s.load())
		}
		return tea.Batch(s.c.notice(msg.what), s.load()) // show what Synthesize now holds
	case exportedMsg:
		switch {
		case msg.exists:
			s.asking = "overwrite"
			s.confirm.Ask("Replace "+msg.path+"?", "The file exists. Replacing it loses what it holds.", "replace")
			return nil
		case msg.err != nil:
			return s.c.failure("Export failed: " + msg.err.Error())
		}
		return s.c.notice(fmt.Sprintf("Exported %s to %s.", text.Count(msg.rows, "row", "rows"), msg.path))
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

func (s *billingScreen) key(k tea.KeyMsg) tea.Cmd {
	if s.busy != "" {
		return nil
	}
	switch {
	case s.confirm.Open():
		return s.answer(k)
	case s.filter.Focused():
		return s.filterKey(k)
	case s.path.Focused():
		return s.pathKey(k)
	}
	s.setKeys()
	keys := s.keys
	switch {
	case key.Matches(k, keys.Reload):
		s.busy = "Loading the billing rows for Mesh from Synthesize…"
		return s.load()
	case key.Matches(k, keys.Filter), key.Matches(k, keys.ClearFilter):
		return startOrClearFilter(&s.filter, key.Matches(k, keys.Filter), s.apply)
	case key.Matches(k, keys.Sort):
		s.sortDiff = !s.sortDiff
		s.apply()
		if s.sortDiff {
			return s.c.notice("Sorted by difference, largest first (s: by company).")
		}
		return s.c.notice("Sorted by company (s: by difference).")
	case key.Matches(k, keys.Reconcile):
		return s.reconcileRow()
	case key.Matches(k, keys.ReconcileAll):
		// A bulk action acts on what is shown, and says so.
		items, units, money := core.Differing(s.shown)
		if len(items) == 0 {
			return s.c.notice("Every quantity shown already matches Mesh's usage.")
		}
		scope := ""
		if f := strings.TrimSpace(s.filter.Value()); f != "" {
			scope = fmt.Sprintf(" Only the %s shown by the filter %q; the others are left as they are.", text.Count(len(s.shown), "row", "rows"), f)
		}
		s.items, s.asking = items, "all"
		s.confirm.Ask(fmt.Sprintf("Reconcile %s?", text.Count(len(items), "quantity", "quantities")),
			fmt.Sprintf("Sets the PSA quantity to Mesh's usage for %s: %s units in total, %s a month at the products' prices.%s",
				text.Count(len(items), "agreement", "agreements"), text.Signed(units), text.Money(money), scope), "reconcile")
		return nil
	case key.Matches(k, keys.Export):
		if s.path.Value() == "" {
			s.path.SetValue(s.defaultPath)
		}
		s.path.CursorEnd()
		s.path.Focus()
		return textinput.Blink
	case key.Matches(k, keys.Home):
		return emit(core.Back)
	}
	s.grid.Update(k)
	s.layout()
	return nil
}

func (s *billingScreen) reconcileRow() tea.Cmd {
	l, ok := s.selected()
	switch {
	case !ok:
		return nil
	case l.ProductID == "":
		return s.c.notice("This service has no PSA product: map it first (home → update service mappings).")
	case l.Difference == 0:
		return s.c.notice("Already matches: nothing to reconcile.")
	}
	return s.reconcile([]gradient.BillingKey{l.Key()}, fmt.Sprintf("%s · %s: PSA quantity %s → %s.",
		l.Company, l.Product, text.Qty(l.BilledQuantity), text.Qty(l.AgreementUsage)))
}

func (s *billingScreen) answer(k tea.KeyMsg) tea.Cmd {
	yes, done, cmd := s.c.answer(&s.confirm, k)
	switch {
	case !done || !yes:
		return cmd
	case s.asking == "all":
		_, units, money := core.Differing(s.shown)
		n := len(s.items)
		return s.reconcile(s.items, fmt.Sprintf("Reconciled %s: %s units, %s a month in total.", text.Count(n, "quantity", "quantities"), text.Signed(units), text.Money(money)))
	}
	return s.export(strings.TrimSpace(s.path.Value()), true)
}

func (s *billingScreen) filterKey(k tea.KeyMsg) tea.Cmd {
	return typeFilter(&s.filter, k, s.keys.KeepFilter, s.keys.DropFilter, s.apply)
}

// startOrClearFilter starts typing a table's filter, or clears it.
func startOrClearFilter(f *textinput.Model, start bool, apply func()) tea.Cmd {
	if start {
		f.Focus()
		return textinput.Blink
	}
	f.SetValue("")
	apply()
	return nil
}

// typeFilter takes a key while a table's filter is typed: keep ends the
// typing, drop clears the filter too, anything else edits it; apply
// re-filters the table after each change.
func typeFilter(f *textinput.Model, k tea.KeyMsg, keep, drop key.Binding, apply func()) tea.Cmd {
	switch {
	case key.Matches(k, keep):
		f.Blur()
	case key.Matches(k, drop):
		f.SetValue("")
		f.Blur()
		apply()
	default:
		var cmd tea.Cmd
		*f, cmd = f.Update(k)
		apply()
		return cmd
	}
	return nil
}

func (s *billingScreen) pathKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, s.keys.DoExport):
		s.path.Blur()
		return s.export(strings.TrimSpace(s.path.Value()), false)
	case key.Matches(k, s.keys.CancelExport):
		s.path.Blur()
		return s.c.notice("Export cancelled.")
	}
	var cmd tea.Cmd
	s.path, cmd = s.path.Update(k)
	return cmd
}

// setKeys enables what does something now: with no rows there is nothing
// to reconcile, filter or export, and r reloads; with a filter, esc
// clears it before it goes home.
func (s *billingScreen) setKeys() {
	k := &s.keys
	rows := len(s.raw) > 0
	for _, b := range []*key.Binding{&k.Reconcile, &k.ReconcileAll, &k.Sort, &k.Filter, &k.Export} {
		b.SetEnabled(rows)
	}
	if s.sortDiff {
		k.Sort.SetHelp("s", "sort by company")
	} else {
		k.Sort.SetHelp("s", "sort by difference")
	}
	if rows {
		ui.Rebind(&k.Reload, "ctrl+r")
	} else {
		ui.Rebind(&k.Reload, "r", "ctrl+r")
	}
	filtered := s.filter.Value() != ""
	k.ClearFilter.SetEnabled(filtered)
	if filtered {
		ui.Rebind(&k.Home, "n")
	} else {
		ui.Rebind(&k.Home, "esc", "n")
	}
}

// defaultExportPath is worked out once, when the screen is made, so the
// key handler does no I/O.
func defaultExportPath(c *common) string {
	dir, err := os.Getwd()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "mesh-billing-"+c.now().Format("2006-01-02")+".csv")
}

// export writes the shown rows in a command; an existing file comes back
// as exists, and is only replaced after a yes (overwrite).
func (s *billingScreen) export(path string, overwrite bool) tea.Cmd {
	if path == "" {
		return s.c.failure("Export: give a file name.")
	}
	lines := append([]core.BillingLine(nil), s.shown...)
	return func() tea.Msg {
		err := writeCSV(path, lines, overwrite)
		if errors.Is(err, fs.ErrExist) {
			return exportedMsg{path: path, exists: true}
		}
		return exportedMsg{path: path, rows: len(lines), err: err}
	}
}

// writeCSV writes a private file (0600) even over an existing one.
func writeCSV(path string, lines []core.BillingLine, overwrite bool) error {
	return store.WritePrivate(path, overwrite, func(w io.Writer) error { return core.WriteBillingCSV(w, lines) })
}
