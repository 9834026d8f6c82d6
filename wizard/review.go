package wizard

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/table"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
)

// reviewScreen is step 7: what will be written, counts, warnings; enter
// writes the mappings to Synthesize. After it, the done screen.
type reviewScreen struct {
	c          *common
	table      table.Model
	summary    string
	warnings   []string
	pending    gradient.Mappings
	updating   bool
	diff       mappingDiff
	accountIDs []string
	writing    bool
	err        error
	w, h       int
}

func newReviewScreen(c *common) *reviewScreen {
	t := table.New(table.WithFocused(true))
	st := table.DefaultStyles()
	st.Header = c.theme.TableHead
	st.Selected = c.theme.TableSel
	st.Cell = c.theme.TableCell
	t.SetStyles(st)
	return &reviewScreen{c: c, table: t}
}

type writtenMsg struct {
	lastSync *time.Time // Synthesize's last sync time right after the write
	err      error
}

func (s *reviewScreen) build(d *remoteData, accounts, services *mappingScreen) {
	if d == nil {
		return
	}
	s.pending = mappingsFor(accounts, services)
	s.updating = s.c.progress.Updating
	s.accountIDs = s.accountIDs[:0]
	for _, r := range accounts.rows {
		s.accountIDs = append(s.accountIDs, r.id)
	}
	var unmappedAccounts, unmappedServices []string
	companies := map[string]bool{}
	mapped, ignored := 0, 0
	for _, r := range accounts.rows {
		switch {
		case r.cur == nil:
			unmappedAccounts = append(unmappedAccounts, r.name)
		case r.cur.Ignored:
			ignored++
		default:
			mapped++
			companies[r.cur.Target] = true
		}
	}
	servicesMapped := 0
	for _, r := range services.rows {
		if r.cur == nil || r.cur.Target == "" {
			unmappedServices = append(unmappedServices, r.name)
			continue
		}
		servicesMapped++
	}
	var rows []table.Row
	if s.updating {
		rows, s.diff = diffRows(d, accounts, services)
	} else {
		rows = allRows(accounts, services)
	}
	s.table.SetRows(rows)
	s.summary = fmt.Sprintf("%d accounts: %d mapped to %d companies, %d do not bill, %d unmapped · %d services: %d mapped, %d without a product",
		len(accounts.rows), mapped, len(companies), ignored, len(unmappedAccounts), len(services.rows), servicesMapped, len(unmappedServices))
	s.warnings = nil
	if n := len(unmappedAccounts); n > 0 {
		s.warnings = append(s.warnings, fmt.Sprintf("%d %s unmapped, so not billed: %s", n, plural(n, "account", "accounts"), sample(unmappedAccounts, 4)))
	}
	if n := len(unmappedServices); n > 0 {
		s.warnings = append(s.warnings, fmt.Sprintf("%d %s no PSA product, so cannot be reconciled: %s", n, plural(n, "service has", "services have"), sample(unmappedServices, 4)))
	}
	s.setSize(s.w, s.h)
}

func target(m *store.Mapping, names func(string) string) string {
	switch {
	case m == nil:
		return "(unmapped)"
	case m.Ignored:
		return "do not bill"
	}
	return names(m.Target)
}

// allRows is every mapping that will be written (onboarding).
func allRows(accounts, services *mappingScreen) []table.Row {
	var rows []table.Row
	for _, sc := range []*mappingScreen{accounts, services} {
		for _, r := range sc.rows {
			if r.cur != nil {
				rows = append(rows, table.Row{sc.k.noun, r.name, target(r.cur, sc.targetName)})
			}
		}
	}
	return rows
}

// mappingDiff counts what an update changes against Synthesize.
type mappingDiff struct{ added, changed, removed int }

func (d mappingDiff) String() string {
	return fmt.Sprintf("%d added, %d changed, %d removed", d.added, d.changed, d.removed)
}

// diffRows is what an update changes against what Synthesize holds.
func diffRows(d *remoteData, accounts, services *mappingScreen) ([]table.Row, mappingDiff) {
	remoteAccounts, remoteServices := remoteDrafts(d.mappings)
	var rows []table.Row
	var diff mappingDiff
	for _, sc := range []struct {
		s      *mappingScreen
		remote map[string]store.Mapping
	}{{accounts, remoteAccounts}, {services, remoteServices}} {
		for _, r := range sc.s.rows {
			old, had := sc.remote[r.id]
			var before *store.Mapping
			if had {
				before = &old
			}
			switch {
			case before == nil && r.cur == nil:
				continue
			case before == nil:
				diff.added++
				rows = append(rows, table.Row{"+ added", sc.s.k.noun + " " + r.name, target(r.cur, sc.s.targetName)})
			case r.cur == nil:
				diff.removed++
				rows = append(rows, table.Row{"− removed", sc.s.k.noun + " " + r.name, "was " + target(before, sc.s.targetName)})
			case *before != *r.cur:
				diff.changed++
				rows = append(rows, table.Row{"~ changed", sc.s.k.noun + " " + r.name,
					target(before, sc.s.targetName) + " → " + target(r.cur, sc.s.targetName)})
			}
		}
	}
	return rows, diff
}

func sample(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}

func (s *reviewScreen) setSize(w, h int) {
	s.w, s.h = w, h
	first, rest := 8, max(w-8-6, 20)
	title := "Kind"
	if s.updating {
		first, rest, title = 10, max(w-10-6, 20), "Change"
	}
	s.table.SetColumns([]table.Column{{Title: title, Width: first}, {Title: "Mesh", Width: rest * 2 / 5}, {Title: "Synthesize", Width: rest - rest*2/5}})
	s.table.SetHeight(max(h-4-len(s.warnings)*2, 3))
}

func (s *reviewScreen) write() tea.Cmd {
	s.writing, s.err = true, nil
	pc, m := s.c.cfg.Partner, s.pending
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		if err := pc.PutMappings(ctx, m); err != nil {
			return writtenMsg{err: err}
		}
		// Synthesize's own clock marks "before the final sync"; ours may be skewed.
		d, err := pc.Integration(ctx)
		if err != nil {
			return writtenMsg{}
		}
		return writtenMsg{lastSync: d.LastSyncAt}
	}
}

func (s *reviewScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case writtenMsg:
		s.writing = false
		if msg.err != nil {
			s.err = msg.err
			return nil
		}
		now := s.c.cfg.Now().UTC()
		known := append([]string(nil), s.accountIDs...)
		var before time.Time
		if msg.lastSync != nil {
			before = *msg.lastSync
		}
		save := s.c.save(func(p *store.Progress) {
			p.MappingsWrittenAt, p.KnownAccounts, p.SyncBeforeFinal = now, known, before
			p.Updating = false
		})
		if s.updating {
			return tea.Batch(save, goStepWith(stepHome, "Mappings updated in Synthesize: "+s.diff.String()+"."))
		}
		return tea.Batch(save, goStep(stepFinalSync))
	case tea.KeyMsg:
		if s.writing {
			return nil
		}
		switch {
		case key.Matches(msg, s.c.keys.Enter):
			if s.updating && s.diff == (mappingDiff{}) {
				return tea.Batch(s.c.save(func(p *store.Progress) { p.Updating = false }), goStepWith(stepHome, "Nothing changed, so nothing was written."))
			}
			return s.write()
		case key.Matches(msg, s.c.keys.Back):
			if s.updating {
				return goStep(stepHome)
			}
			return goStep(stepServices)
		}
		var cmd tea.Cmd
		s.table, cmd = s.table.Update(msg)
		return cmd
	}
	return nil
}

func (s *reviewScreen) view(w int) string {
	t := s.c.theme
	out := wrap(s.summary, w) + "\n"
	if s.updating {
		out = wrap("Changes against what Synthesize holds now: "+s.diff.String()+".", w) + "\n" + out
	}
	for _, warn := range s.warnings {
		out += t.Warn.Render(wrap("! "+warn, w)) + "\n"
	}
	out += "\n" + s.table.View() + "\n"
	switch {
	case s.writing:
		out += s.c.spinner.View() + "Writing mappings to Synthesize…"
	case s.err != nil:
		out += t.Error.Render("Nothing was written: ") + wrap(clean(describeWriteError(s.err)), w)
	case s.updating && s.diff == (mappingDiff{}):
		out += "Nothing changed. " + t.Strong.Render("enter") + " returns home."
	case s.updating:
		out += t.Strong.Render("enter") + " writes these changes to Synthesize · esc returns home without writing (your draft is kept)."
	default:
		out += t.Strong.Render("enter") + " writes these mappings to Synthesize (it replaces the whole set; you can update them later)."
	}
	return out
}

func describeWriteError(err error) string {
	var ae *gradient.APIError
	if ok := asAPIError(err, &ae); ok && ae.Status == 422 && len(ae.Unknown) > 0 {
		return "Synthesize no longer knows " + strings.Join(ae.Unknown, ", ") + ". Go back (esc) and map those rows again; your choices are saved."
	}
	return err.Error() + ". Your choices are saved: press enter to try again."
}

func (s *reviewScreen) help() ui.Help {
	k := s.c.keys
	short := []key.Binding{k.Up, k.Down, ui.With(k.Enter, "write mappings"), k.Back}
	return ui.Help{Short: short, Full: [][]key.Binding{short}}
}
