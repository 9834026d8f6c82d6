package wizard

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/table"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
)

// reviewScreen is step 7: what will be written, counts, warnings; enter
// writes the mappings to Synthesize. After it, the done screen.
type reviewScreen struct {
	c        *common
	table    table.Model
	summary  string
	warnings []string
	pending  gradient.Mappings
	writing  bool
	err      error
	w, h     int
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

type writtenMsg struct{ err error }

func (s *reviewScreen) build(d *remoteData, accounts, services *mappingScreen) {
	if d == nil {
		return
	}
	s.pending = mappingsFor(accounts, services)
	var rows []table.Row
	var unmappedAccounts, unmappedServices []string
	companies := map[string]bool{}
	mapped, ignored := 0, 0
	for _, r := range accounts.rows {
		switch {
		case r.cur == nil:
			unmappedAccounts = append(unmappedAccounts, r.name)
		case r.cur.Ignored:
			ignored++
			rows = append(rows, table.Row{"account", r.name, "do not bill"})
		default:
			mapped++
			companies[r.cur.Target] = true
			rows = append(rows, table.Row{"account", r.name, accounts.targetName(r.cur.Target)})
		}
	}
	servicesMapped := 0
	for _, r := range services.rows {
		if r.cur == nil || r.cur.Target == "" {
			unmappedServices = append(unmappedServices, r.name)
			continue
		}
		servicesMapped++
		rows = append(rows, table.Row{"service", r.name, services.targetName(r.cur.Target)})
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

func sample(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}

func (s *reviewScreen) setSize(w, h int) {
	s.w, s.h = w, h
	kindW, rest := 8, max(w-8-6, 20)
	s.table.SetColumns([]table.Column{{Title: "Kind", Width: kindW}, {Title: "Mesh", Width: rest / 2}, {Title: "Synthesize", Width: rest - rest/2}})
	s.table.SetHeight(max(h-4-len(s.warnings)*2, 3))
}

func (s *reviewScreen) write() tea.Cmd {
	s.writing, s.err = true, nil
	pc, m := s.c.cfg.Partner, s.pending
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		return writtenMsg{err: pc.PutMappings(ctx, m)}
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
		return tea.Batch(s.c.save(func(p *store.Progress) { p.MappingsWrittenAt = now }), goStep(stepDone))
	case tea.KeyMsg:
		if s.writing || s.c.progress.Step == stepDone.String() {
			return nil
		}
		switch {
		case key.Matches(msg, s.c.keys.Enter):
			return s.write()
		case key.Matches(msg, s.c.keys.Back):
			return goStep(stepServices)
		}
		var cmd tea.Cmd
		s.table, cmd = s.table.Update(msg)
		return cmd
	}
	return nil
}

func (s *reviewScreen) view(w int, done bool) string {
	t := s.c.theme
	if done {
		p := s.c.progress
		out := t.OK.Render("✓ Mappings written to Synthesize") + fmt.Sprintf(" at %s: %d accounts, %d services.\n\n",
			p.MappingsWrittenAt.Local().Format("15:04"), len(s.pending.Accounts), len(s.pending.Services))
		out += "Next, in Mesh:\n"
		for i, st := range mesh.FinalSyncSteps {
			out += fmt.Sprintf("  %d. %s\n", i+1, st)
		}
		out += "\n" + wrap(mesh.DiscrepancyNote, w)
		return out
	}
	out := wrap(s.summary, w) + "\n"
	for _, warn := range s.warnings {
		out += t.Warn.Render(wrap("! "+warn, w)) + "\n"
	}
	out += "\n" + s.table.View() + "\n"
	switch {
	case s.writing:
		out += s.c.spinner.View() + "Writing mappings to Synthesize…"
	case s.err != nil:
		out += t.Error.Render("Nothing was written: ") + wrap(clean(describeWriteError(s.err)), w)
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
	if s.c.progress.Step == stepDone.String() {
		return ui.Help{}
	}
	short := []key.Binding{k.Up, k.Down, ui.With(k.Enter, "write mappings"), k.Back}
	return ui.Help{Short: short, Full: [][]key.Binding{short}}
}
