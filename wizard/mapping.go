package wizard

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
	"github.com/meshgradient/mesh-gradient/wizard/match"
)

// mapRow is one Mesh account or service on screen.
type mapRow struct {
	core.Item
	sugg    *match.Scored
	isNew   bool
	unsaved int  // changes to this row the store has not committed yet
	lost    bool // a change to this row could not be written: not saved
}

func (r *mapRow) FilterValue() string { return r.Name }

type mappingKeys struct {
	Accept, AcceptAll, Pick, DoNotBill, Undo, Only, Next, Back key.Binding
}

// mappingScreen maps every account to a company (or every service to a
// product), with suggestions, undo and a picker. The choices are the
// core's draft; the screen keeps only what it shows.
type mappingScreen struct {
	c      *common
	k      core.Kind
	keys   mappingKeys
	draft  *core.Draft
	data   *core.Data
	rows   []*mapRow
	byID   map[string]*mapRow
	list   *ui.FilterList
	only   bool // tab: the unmapped rows only
	picker ui.Picker
	w, h   int
	// readyKept is the header's count of rows "A" would accept, kept
	// until the draft or the rows change (the rows are replaced on load).
	readyKept struct {
		edits  uint64
		of     []*mapRow
		n      int
		ok     bool
		thresh float64
	}
}

func newMappingScreen(c *common, k core.Kind) *mappingScreen {
	s := &mappingScreen{c: c, k: k, draft: c.sess.Draft(k), picker: ui.NewPicker(c.theme), keys: mappingKeys{
		Accept:    ui.Key("a", "accept suggestion", "a"),
		AcceptAll: ui.Key("A", "accept all ≥ threshold", "A"),
		Pick:      ui.Key("enter", "pick "+k.Target, "enter"),
		DoNotBill: ui.Key("x", "do not bill", "x"),
		Undo:      ui.Key("u", "undo", "u"),
		Only:      ui.Key("tab", "unmapped only", "tab"),
		Next:      ui.Key("n", "next step", "n"),
		Back:      ui.Key("esc", "back", "esc"),
	}}
	s.keys.DoNotBill.SetEnabled(k.AllowIgnore)
	s.list = ui.NewFilterList(c.theme, nil, s.renderRow, k.Noun, k.Nouns)
	return s
}

// load builds the rows from Synthesize's lists; the mappings are the draft's.
func (s *mappingScreen) load(d *core.Data) tea.Cmd {
	s.data = d
	known := map[string]bool{}
	if s.k.AllowIgnore {
		for _, id := range s.c.progress().KnownAccounts {
			known[id] = true
		}
	}
	items := d.Items(s.k)
	s.rows, s.byID = make([]*mapRow, 0, len(items)), make(map[string]*mapRow, len(items))
	for _, it := range items {
		r := &mapRow{Item: it, isNew: len(known) > 0 && !known[it.ID]}
		if sg, ok := d.Suggestion(s.k, it.ID); ok {
			r.sugg = &sg
		}
		s.rows = append(s.rows, r)
		s.byID[r.ID] = r
	}
	core.SortFolded(s.rows, func(r *mapRow) string { return r.Name })
	s.show()
	return nil
}

// show puts the rows in the list: every row, or (tab) the unmapped ones.
// The cursor keeps its place, so after a row is mapped in "unmapped only"
// the next one is under it.
func (s *mappingScreen) show() {
	at := s.list.Index()
	items := make([]list.Item, 0, len(s.rows))
	s.draft.Read(func(get func(string) (store.Mapping, bool)) {
		for _, r := range s.rows {
			if _, mapped := get(r.ID); !s.only || !mapped {
				items = append(items, r)
			}
		}
	})
	s.list.SetItems(items)
	s.list.Select(at)
}

// selectRow puts the cursor on the row with id, if it is shown.
func (s *mappingScreen) selectRow(id string) {
	for k, it := range s.list.Items() {
		if it.(*mapRow).ID == id {
			if s.list.FilterState() != list.Unfiltered {
				return // the filter decides what is shown; leave the cursor
			}
			s.list.Select(k)
			return
		}
	}
}

func (s *mappingScreen) setSize(w, h int) {
	s.w, s.h = w, h
	s.list.SetSize(w, max(h-3, 3))
	if s.picker.Open() {
		s.picker.SetSize(w, h)
	}
}

func (s *mappingScreen) typing() bool {
	if s.picker.Open() {
		return s.picker.Filtering()
	}
	return s.list.FilterState() == list.Filtering
}

func (s *mappingScreen) current() *mapRow {
	r, _ := s.list.SelectedItem().(*mapRow)
	return r
}

// savedMsg: the store committed a change to these rows, or (err) could
// not write it.
type savedMsg struct {
	kind string
	ids  []string
	err  error
}

// pending marks rows "(saving)" until the store commits their change, so
// what the screen calls saved survives a crash or a kill.
func (s *mappingScreen) pending(ch store.Change, p core.Pending) tea.Cmd {
	ids := make([]string, len(ch.Items))
	for i, it := range ch.Items {
		ids[i] = it.ID
		if r := s.byID[it.ID]; r != nil {
			r.unsaved++
		}
	}
	kind := s.k.Store
	return func() tea.Msg { return savedMsg{kind: kind, ids: ids, err: p()} }
}

// set changes mappings through the draft, which records one undo step.
func (s *mappingScreen) set(set map[string]*store.Mapping) tea.Cmd {
	ch, p := s.draft.Set(set)
	cmd := s.pending(ch, p)
	if s.only {
		s.show() // a row just mapped leaves; the next unmapped one is under the cursor
	}
	return cmd
}

func (s *mappingScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case savedMsg:
		for _, id := range msg.ids {
			if r := s.byID[id]; r != nil && r.unsaved > 0 {
				r.unsaved--
				r.lost = r.lost || msg.err != nil
			}
		}
		if msg.err != nil {
			return func() tea.Msg { return saveFailedMsg{err: msg.err} }
		}
		return nil
	case tea.KeyMsg:
		if s.picker.Open() {
			return s.pickerKey(msg)
		}
		if !s.typing() {
			if cmd, handled := s.key(msg); handled {
				return cmd
			}
		}
	}
	if s.picker.Open() {
		_, _, cmd := s.picker.Update(msg)
		return cmd
	}
	return s.list.Update(msg)
}

func (s *mappingScreen) pickerKey(k tea.KeyMsg) tea.Cmd {
	chosen, _, cmd := s.picker.Update(k)
	if r := s.current(); chosen != nil && r != nil {
		return tea.Batch(cmd, s.set(map[string]*store.Mapping{r.ID: {Target: chosen.ID}}),
			s.c.notice(fmt.Sprintf("%s → %s", r.Name, chosen.Title)))
	}
	return cmd
}

// setKeys enables the keys that do something now.
func (s *mappingScreen) setKeys() {
	unfiltered := s.list.FilterState() == list.Unfiltered
	s.keys.Back.SetEnabled(unfiltered) // with a filter, esc clears it first
}

func (s *mappingScreen) key(k tea.KeyMsg) (tea.Cmd, bool) {
	s.setKeys()
	keys := s.keys
	r := s.current()
	switch {
	case key.Matches(k, keys.Accept):
		if r == nil || r.sugg == nil {
			return s.c.notice("No suggestion for this row: press enter to pick a " + s.k.Target + "."), true
		}
		return tea.Batch(s.set(map[string]*store.Mapping{r.ID: {Target: r.sugg.ID}}),
			s.c.notice(fmt.Sprintf("%s → %s (%s)", r.Name, r.sugg.Name, text.Percent(r.sugg.Score)))), true
	case key.Matches(k, keys.AcceptAll):
		set := s.ready()
		threshold := text.Percent(s.c.sess.Config().Threshold)
		if len(set) == 0 {
			return s.c.notice(fmt.Sprintf("No unmapped %s has a suggestion at or above %s.", s.k.Noun, threshold)), true
		}
		return tea.Batch(s.set(set), s.c.notice(fmt.Sprintf("Accepted %s at or above %s (u undoes them all).",
			text.Count(len(set), "suggestion", "suggestions"), threshold))), true
	case key.Matches(k, keys.DoNotBill):
		if r == nil {
			return nil, true
		}
		if m := s.draft.Get(r.ID); m != nil && m.Ignored {
			return tea.Batch(s.set(map[string]*store.Mapping{r.ID: nil}), s.c.notice(r.Name+" is unmapped again.")), true
		}
		return tea.Batch(s.set(map[string]*store.Mapping{r.ID: {Ignored: true}}), s.c.notice(r.Name+" will not be billed.")), true
	case key.Matches(k, keys.Undo):
		ch, ok, p := s.draft.Undo()
		if !ok {
			return s.c.notice("Nothing to undo on this screen."), true
		}
		cmd := s.pending(ch, p)
		s.show()
		// The cursor goes to the row undone, and the news names it.
		first := ch.Items[0]
		s.selectRow(first.ID)
		was := "unmapped"
		if first.Before != nil {
			was = s.data.Describe(s.k, first.Before)
		}
		news := fmt.Sprintf("Undid: %s is %s again.", s.data.Name(s.k, first.ID), was)
		if n := len(ch.Items); n > 1 {
			news = fmt.Sprintf("Undid the last change: %s, from %s.", text.Count(n, s.k.Noun, s.k.Nouns), s.data.Name(s.k, first.ID))
		}
		return tea.Batch(cmd, s.c.notice(news)), true
	case key.Matches(k, keys.Only):
		s.only = !s.only
		s.show()
		if s.only {
			return s.c.notice(fmt.Sprintf("Showing the unmapped %s only (tab shows all).", s.k.Nouns)), true
		}
		return s.c.notice(fmt.Sprintf("Showing every %s.", s.k.Noun)), true
	case key.Matches(k, keys.Pick):
		if r != nil {
			s.openPicker(r)
		}
		return nil, true
	case key.Matches(k, keys.Next):
		news := ""
		if n := s.tally().Unmapped; n > 0 {
			news = fmt.Sprintf("%d %s still unmapped: %s. The review lists them.", n, text.Plural(n, s.k.Noun, s.k.Nouns), s.k.UnmappedWhy)
		}
		return emitWith(core.Next, news), true
	case key.Matches(k, keys.Back):
		news := ""
		if s.c.progress().Updating {
			news = "Left the update without writing; your draft is kept until the next update starts from Synthesize."
		}
		return emitWith(core.Back, news), true
	}
	return nil, false
}

// nextDesc says where n leads, and what is still missing here.
func (s *mappingScreen) nextDesc() string {
	to, _ := core.NextStep(core.ModeOf(s.c.progress()), s.c.sess.Step(), core.Next)
	desc := "→ " + to.Title()
	if n := s.tally().Unmapped; n > 0 {
		desc += fmt.Sprintf(" (%d %s to map)", n, text.Plural(n, s.k.Noun, s.k.Nouns))
	}
	return desc
}

// ready are the unmapped rows whose suggestion reaches the threshold.
func (s *mappingScreen) ready() map[string]*store.Mapping {
	set := map[string]*store.Mapping{}
	threshold := s.c.sess.Config().Threshold
	s.draft.Read(func(get func(string) (store.Mapping, bool)) {
		for _, r := range s.rows {
			if _, mapped := get(r.ID); r.sugg != nil && r.sugg.Score >= threshold && !mapped {
				set[r.ID] = &store.Mapping{Target: r.sugg.ID}
			}
		}
	})
	return set
}

// readyCount is len(s.ready()) for the header of every frame: counted
// without building the set, and kept while the draft, the rows and the
// threshold stay the same (at 100,000 unmapped accounts, the set is a
// map of 100,000 built per frame).
func (s *mappingScreen) readyCount() int {
	k, edits, threshold := &s.readyKept, s.draft.Edits(), s.c.sess.Config().Threshold
	if k.ok && k.edits == edits && k.thresh == threshold && len(k.of) == len(s.rows) && (len(s.rows) == 0 || &k.of[0] == &s.rows[0]) {
		return k.n
	}
	n := 0
	s.draft.Read(func(get func(string) (store.Mapping, bool)) {
		for _, r := range s.rows {
			if _, mapped := get(r.ID); r.sugg != nil && r.sugg.Score >= threshold && !mapped {
				n++
			}
		}
	})
	k.edits, k.of, k.n, k.ok, k.thresh = edits, s.rows, n, true, threshold
	return n
}

func (s *mappingScreen) tally() (t core.Tally) {
	if s.data == nil || s.draft == nil { // still loading: the footer asks before the data arrives
		return t
	}
	return s.draft.Tally(s.data.Items(s.k))
}

// focusOn puts the cursor on an account and opens its picker: a failed
// alert's fix, which names one account to map.
func (s *mappingScreen) focusOn(id string) {
	for i, it := range s.list.Items() {
		if r, ok := it.(*mapRow); ok && r.ID == id {
			s.list.Select(i)
			s.openPicker(r)
			return
		}
	}
}

func (s *mappingScreen) openPicker(r *mapRow) {
	ranked := s.data.Index(s.k).Rank(r.Name)
	opts := make([]ui.Option, len(ranked))
	for i, c := range ranked {
		opts[i] = ui.Option{ID: c.ID, Title: c.Name, Detail: text.Percent(c.Score)}
	}
	cur := ""
	if m := s.draft.Get(r.ID); m != nil {
		cur = m.Target
	}
	s.picker.Show(fmt.Sprintf("Choose the %s for %s", s.k.Target, r.Name), opts, cur, s.w, s.h)
}

func (s *mappingScreen) renderRow(it list.Item, selected bool, width int) string {
	t := s.c.theme
	r := it.(*mapRow)
	nameW := max(width*2/5, 8)
	// Cut, never wrap: a row is one line, or the list's scrolling breaks.
	name := ansi.Truncate(r.Name, nameW, "…")
	if q := s.list.FilterValue(); q != "" {
		name = ui.Highlight(name, ui.MatchPositions(q, r.Name), t.Match)
	}
	name = lipgloss.NewStyle().Width(nameW).Render(name)
	if selected {
		name = t.Selected.Render(name)
	}
	var right string
	switch cur := s.draft.Get(r.ID); {
	case r.lost:
		right = t.Warn.Render("! " + s.data.Describe(s.k, cur) + " (not saved)")
	case cur != nil && r.unsaved > 0:
		right = t.Muted.Render("… " + s.data.Describe(s.k, cur) + " (saving)")
	case r.unsaved > 0:
		right = t.Muted.Render("… unmapped (saving)")
	case cur != nil && cur.Ignored:
		right = t.Warn.Render("✗ do not bill")
	case cur != nil:
		how := "picked"
		if r.sugg != nil && r.sugg.ID == cur.Target {
			how = text.Percent(r.sugg.Score)
		}
		right = t.OK.Render("✓ "+s.data.TargetName(s.k, cur.Target)) + " " + t.Muted.Render(how)
	case r.sugg != nil:
		right = t.Muted.Render("? " + r.sugg.Name + " " + text.Percent(r.sugg.Score))
	default:
		right = t.Muted.Render("  (no likely " + s.k.Target + ")")
	}
	if r.isNew {
		right = t.Warn.Render("NEW ") + right
	}
	return name + " " + right
}

func (s *mappingScreen) view(w int) string {
	t := s.c.theme
	if s.picker.Open() {
		return s.picker.View()
	}
	tally := s.tally()
	head := fmt.Sprintf("%s %d", t.OK.Render("Mapped"), tally.Mapped)
	if s.k.AllowIgnore {
		head += fmt.Sprintf(" · %s %d", t.Warn.Render("Do not bill"), tally.Ignored)
	}
	head += fmt.Sprintf(" · %s %d", t.Strong.Render("Unmapped"), tally.Unmapped)
	head += t.Muted.Render(fmt.Sprintf("   A accepts %d at or above %s", s.readyCount(), text.Percent(s.c.sess.Config().Threshold)))
	if len(s.rows) == 0 {
		return head + "\n\n" + wrap(fmt.Sprintf("Synthesize lists no Mesh %s. Run Gradient Sync in Mesh, then come back (esc).", s.k.Nouns), w)
	}
	return head + "\n" + s.list.View()
}

func (s *mappingScreen) help() ui.Help {
	if s.data == nil {
		return ui.Help{Short: []key.Binding{s.keys.Back}}
	}
	if s.picker.Open() {
		return s.picker.Help()
	}
	if s.typing() {
		return ui.Help{Short: s.list.FilterKeys()}
	}
	s.setKeys()
	k, lk := s.keys, s.list.KeyMap
	back := k.Back
	if !back.Enabled() {
		back = ui.With(lk.ClearFilter, "clear filter")
	}
	only := k.Only
	if s.only {
		only = ui.With(k.Only, "show all")
	}
	short := ui.Enabled(k.Pick, k.Accept, k.AcceptAll, lk.Filter, only, k.DoNotBill, k.Undo, back)
	full := [][]key.Binding{
		ui.Enabled(lk.CursorUp, lk.CursorDown, lk.PrevPage, lk.NextPage, lk.GoToStart, lk.GoToEnd, lk.Filter, only, back),
		ui.Enabled(k.Accept, k.AcceptAll, k.Pick, k.Undo, k.DoNotBill),
	}
	return ui.Help{Short: short, Full: full}.WithMain(ui.With(k.Next, s.nextDesc()))
}

func (s *mappingScreen) bindings() []key.Binding {
	if s.picker.Open() {
		return s.picker.Bindings()
	}
	if s.typing() {
		return s.list.Bindings()
	}
	s.setKeys()
	k := s.keys
	return append(s.list.Bindings(), ui.Enabled(k.Accept, k.AcceptAll, k.Pick, k.DoNotBill, k.Undo, k.Only, k.Next, k.Back)...)
}
