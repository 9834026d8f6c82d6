package wizard

import (
	"context"
	"errors"
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/table"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type reviewKeys struct {
	Write, Back, Stop key.Binding
}

// reviewScreen is step 7, and the end of an update from home: what will
// be written, the counts and the warnings; enter writes the mappings.
type reviewScreen struct {
	c        *common
	keys     reviewKeys
	table    table.Model
	plan     core.Plan
	updating bool
	writing  bool
	err      error
	gen      int                // writes of an earlier press are ignored
	cancel   context.CancelFunc // stops the write under way
	retry    *retryNote         // the write under way is being retried
	data     *core.Data
	rebased  *core.Rebased // someone else wrote since the drafts began: what was merged
	w, h     int
}

func newReviewScreen(c *common) *reviewScreen {
	return &reviewScreen{c: c, table: ui.NewTable(c.theme), keys: reviewKeys{
		Write: ui.Key("enter", "write mappings", "enter"),
		Back:  ui.Key("esc", "back", "esc"),
		Stop:  ui.Key("esc", "stop waiting", "esc"),
	}}
}

type writtenMsg struct {
	gen int
	w   core.Written
	err error
}

// build plans the write from the drafts and what Synthesize holds.
func (s *reviewScreen) build(d *core.Data) {
	if d == nil {
		return
	}
	sess := s.c.sess
	s.data = d
	s.plan = sess.DraftPlan(d)
	s.updating = s.c.progress().Updating
	var rows []table.Row
	if s.updating {
		for _, ch := range s.plan.Changes {
			before, after := d.Describe(ch.Kind, ch.Before), d.Describe(ch.Kind, ch.After)
			what := ch.Kind.Noun + " " + ch.Item.Name
			switch {
			case ch.Before == nil:
				rows = append(rows, table.Row{"+ added", what, after})
			case ch.After == nil:
				rows = append(rows, table.Row{"- removed", what, "was " + before})
			default:
				rows = append(rows, table.Row{"~ changed", what, before + " → " + after})
			}
		}
	} else {
		for _, ch := range s.plan.Mapped {
			rows = append(rows, table.Row{ch.Kind.Noun, ch.Item.Name, d.Describe(ch.Kind, ch.After)})
		}
	}
	s.table.SetRows(rows)
	s.setSize(s.w, s.h)
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
	sess, plan, gen := s.c.sess, s.plan, s.gen
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	return watched(ctx, core.StepReview, gen, func(ctx context.Context) tea.Msg {
		ctx, cancel := core.CallContext(ctx)
		defer cancel()
		w, err := sess.WriteMappings(ctx, plan)
		return writtenMsg{gen: gen, w: w, err: err}
	})
}

// stop gives up waiting for the write under way; its answer, whatever it
// is, will be ignored, so nothing is shown as written.
func (s *reviewScreen) stop() {
	if s.cancel != nil {
		s.cancel()
	}
	s.gen++
	s.writing, s.retry, s.err = false, nil, core.ErrWriteStopped
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
		var changed *core.RemoteChangedError
		switch {
		case errors.As(msg.err, &changed) && s.data != nil:
			// Review again on top of what Synthesize holds now; nothing
			// the user chose is lost, nothing of theirs is undone.
			rebased, pending := s.c.sess.Rebase(s.data, changed.Current)
			s.rebased, s.err = &rebased, nil
			s.build(s.data)
			return persisted(pending, nil)
		case msg.err != nil && !msg.w.Wrote:
			s.err = msg.err
			s.layout()
			return nil
		case msg.err != nil:
			return tea.Batch(s.c.failure(msg.err.Error()), func() tea.Msg { return movedMsg{to: msg.w.Step} })
		case s.updating:
			news := "Mappings updated in Synthesize: " + msg.w.Diff.String() + "."
			return func() tea.Msg { return movedMsg{to: msg.w.Step, notice: news} }
		}
		return func() tea.Msg { return movedMsg{to: msg.w.Step} }
	case tea.KeyMsg:
		s.setKeys()
		switch {
		case key.Matches(msg, s.keys.Stop):
			s.stop()
			return nil
		case s.writing:
			return nil
		case key.Matches(msg, s.keys.Write):
			if s.updating && s.plan.Diff.Empty() {
				return emitWith(core.Back, "Nothing changed, so nothing was written.")
			}
			return s.write()
		case key.Matches(msg, s.keys.Back):
			return emit(core.Back)
		}
		var cmd tea.Cmd
		s.table, cmd = s.table.Update(msg)
		return cmd
	}
	return nil
}

func (s *reviewScreen) setKeys() {
	s.keys.Stop.SetEnabled(s.writing)
	s.keys.Write.SetEnabled(!s.writing)
	s.keys.Back.SetEnabled(!s.writing)
	if s.updating {
		s.keys.Back.SetHelp("esc", "home, nothing written")
	} else {
		s.keys.Back.SetHelp("esc", "back")
	}
}

func (s *reviewScreen) view(w int) string {
	return s.head(w) + "\n" + s.table.View() + "\n" + s.status(w)
}

// head is the summary and the warnings above the table.
func (s *reviewScreen) head(w int) string {
	t := s.c.theme
	out := wrapItems(s.plan.SummaryItems(), w)
	if r := s.rebased; r != nil {
		news := "Someone else changed the mappings in Synthesize since you started: " + text.Sanitize(core.DescribeNamed(s.data, r.Theirs, 3)) +
			fmt.Sprintf(". They are kept, with your %s on top", text.Count(r.Yours, "change", "changes"))
		if len(r.Conflicts) > 0 {
			news += "; you both changed " + text.Sanitize(core.DescribeNamed(s.data, r.Conflicts, 3)) + " (yours kept, shown below)"
		}
		out = t.Warn.Render(wrap("! "+news+". Nothing was written yet: review, then enter.", w)) + "\n" + out
	}
	if s.updating {
		out = wrap("Changes against what Synthesize holds now: "+s.plan.Diff.String()+".", w) + "\n" + out
	}
	for _, warn := range s.plan.Warnings(4) {
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
	case s.rebased != nil:
		return wrap(t.Strong.Render("enter")+" writes the merged mappings to Synthesize · esc goes back to change them.", w)
	case s.updating && s.plan.Diff.Empty():
		return "Nothing changed. " + t.Strong.Render("enter") + " returns home."
	case s.updating:
		return wrap(t.Strong.Render("enter")+" writes these changes to Synthesize · esc returns home without writing (your draft is kept).", w)
	}
	return wrap(t.Strong.Render("enter")+" writes these mappings to Synthesize (it replaces the whole set; you can update them later).", w)
}

// describeWriteError says what became of a write that did not succeed, as
// the core tells it: only an error answer proves nothing was written.
func describeWriteError(t ui.Theme, err error, w int) string {
	const again = " Your choices are saved here: press enter to write again (it replaces the whole set, so writing twice is safe)."
	f := core.FailedWrite(err)
	switch {
	case f.Remap:
		return wrap(t.Error.Render("Nothing was written:")+" "+f.Why+". Go back (esc) and map those rows again; your choices are saved.", w)
	case f.Certain:
		return wrap(t.Error.Render("Nothing was written:")+" "+f.Why+"."+again, w)
	}
	return wrap(t.Warn.Render("Not marked as written:")+" "+f.Why+"."+again, w)
}

func (s *reviewScreen) help() ui.Help {
	s.setKeys()
	if s.writing {
		return ui.Help{}.WithMain(s.keys.Stop)
	}
	return ui.ShortOnly(s.keys.Back, s.table.KeyMap.LineUp, s.table.KeyMap.LineDown).WithMain(s.keys.Write)
}

func (s *reviewScreen) bindings() []key.Binding {
	s.setKeys()
	if s.writing {
		return []key.Binding{s.keys.Stop}
	}
	return append(ui.TableBindings(s.table), s.keys.Write, s.keys.Back)
}
