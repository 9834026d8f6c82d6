package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/table"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

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
	gen        int                // writes of an earlier press are ignored
	cancel     context.CancelFunc // stops the write under way
	retry      *retryNote         // the write under way is being retried
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
	gen      int
	lastSync *time.Time // Synthesize's last sync time right after the write
	err      error
}

// errWriteStopped: the user stopped waiting for a write.
var errWriteStopped = errors.New("you stopped waiting for the write")

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
	s.layout()
}

// layout gives the table what the head and the status leave; the status
// grows while a write is retried or after it failed.
func (s *reviewScreen) layout() {
	s.table.SetHeight(max(s.h-lipgloss.Height(s.head(s.w))-lipgloss.Height(s.status(s.w)), 3))
}

func (s *reviewScreen) write() tea.Cmd {
	s.gen++
	s.writing, s.err, s.retry = true, nil, nil
	s.layout()
	pc, m, gen := s.c.cfg.Partner, s.pending, s.gen
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	return watched(ctx, stepReview, gen, func(ctx context.Context) tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		if err := pc.PutMappings(ctx, m); err != nil {
			return writtenMsg{gen: gen, err: err}
		}
		// Synthesize's own clock marks "before the final sync"; ours may be skewed.
		d, err := pc.Integration(ctx)
		if err != nil {
			return writtenMsg{gen: gen}
		}
		return writtenMsg{gen: gen, lastSync: d.LastSyncAt}
	})
}

// stop gives up waiting for the write under way; its answer, whatever it
// is, will be ignored, so nothing is shown as written.
func (s *reviewScreen) stop() {
	if s.cancel != nil {
		s.cancel()
	}
	s.gen++
	s.writing, s.retry, s.err = false, nil, errWriteStopped
	s.layout()
}

func (s *reviewScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case retryMsg:
		if msg.gen == s.gen && s.writing {
			s.retry = noteRetry(s.c, msg.retry)
			s.layout()
		}
		return nil
	case writtenMsg:
		if msg.gen != s.gen {
			return nil // a write the user stopped waiting for
		}
		s.writing, s.retry = false, nil
		s.cancel()
		if msg.err != nil {
			s.err = msg.err
			s.layout()
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
			if key.Matches(msg, s.c.keys.Back) {
				s.stop()
			}
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
	return s.head(w) + "\n" + s.table.View() + "\n" + s.status(w)
}

// head is the summary and the warnings above the table.
func (s *reviewScreen) head(w int) string {
	t := s.c.theme
	out := wrap(s.summary, w)
	if s.updating {
		out = wrap("Changes against what Synthesize holds now: "+s.diff.String()+".", w) + "\n" + out
	}
	for _, warn := range s.warnings {
		out += "\n" + t.Warn.Render(wrap("! "+warn, w))
	}
	return out + "\n"
}

// status is the line (or lines, while retrying or after a failure) under
// the table.
func (s *reviewScreen) status(w int) string {
	t := s.c.theme
	switch {
	case s.writing && s.retry != nil:
		return s.c.spinner.View() + "Writing mappings to Synthesize… (esc stops waiting)\n" + retryLine(s.c, s.retry, w)
	case s.writing:
		return s.c.spinner.View() + "Writing mappings to Synthesize… (esc stops waiting)"
	case s.err != nil:
		return describeWriteError(t, s.err, w)
	case s.updating && s.diff == (mappingDiff{}):
		return "Nothing changed. " + t.Strong.Render("enter") + " returns home."
	case s.updating:
		return wrap(t.Strong.Render("enter")+" writes these changes to Synthesize · esc returns home without writing (your draft is kept).", w)
	}
	return wrap(t.Strong.Render("enter")+" writes these mappings to Synthesize (it replaces the whole set; you can update them later).", w)
}

// describeWriteError says what became of a write that did not succeed.
// Only an error answer proves nothing was written: a lost answer or a
// stopped wait leaves it unknown, and the screen says so.
func describeWriteError(t ui.Theme, err error, w int) string {
	const again = " Your choices are saved here: press enter to write again (it replaces the whole set, so writing twice is safe)."
	var ae *gradient.APIError
	switch {
	case asAPIError(err, &ae) && ae.Status == 422 && len(ae.Unknown) > 0:
		return wrap(t.Error.Render("Nothing was written:")+" "+clean("Synthesize no longer knows "+strings.Join(ae.Unknown, ", ")+
			". Go back (esc) and map those rows again; your choices are saved."), w)
	case ae != nil && !ae.AfterLostAnswer:
		return wrap(t.Error.Render("Nothing was written:")+" "+clean(err.Error())+"."+again, w)
	case ae != nil:
		return wrap(t.Warn.Render("Not marked as written:")+" "+clean(err.Error())+"; an earlier attempt got no answer, "+
			"so Synthesize may or may not have the new mappings."+again, w)
	case errors.Is(err, errWriteStopped):
		return wrap(t.Warn.Render("Not marked as written:")+" you stopped waiting, so Synthesize may or may not have the new mappings."+again, w)
	}
	return wrap(t.Warn.Render("Not marked as written:")+" "+clean("Synthesize did not answer ("+err.Error()+
		"), so it may or may not have the new mappings.")+again, w)
}

func (s *reviewScreen) help() ui.Help {
	k := s.c.keys
	if s.writing {
		short := []key.Binding{ui.With(k.Back, "stop waiting")}
		return ui.Help{Short: short, Full: [][]key.Binding{short}}
	}
	short := []key.Binding{k.Up, k.Down, ui.With(k.Enter, "write mappings"), k.Back}
	return ui.Help{Short: short, Full: [][]key.Binding{short}}
}
