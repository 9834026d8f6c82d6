package wizard

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/wizard/match"
)

// mappingKind is what differs between the account and service screens.
type mappingKind struct {
	kind        string // store.KindAccounts or store.KindServices
	noun, nouns string
	target      string
	targets     string
	allowIgnore bool
	next, prev  step
	unmappedWhy string
}

var (
	accountKind = mappingKind{kind: store.KindAccounts, noun: "account", nouns: "accounts", target: "company", targets: "companies",
		allowIgnore: true, next: stepServices, prev: stepPortal, unmappedWhy: "their usage will not be billed"}
	serviceKind = mappingKind{kind: store.KindServices, noun: "service", nouns: "services", target: "product", targets: "products",
		next: stepReview, prev: stepAccounts, unmappedWhy: "their usage cannot be reconciled"}
)

// mapRow is one vendor account or service and what it maps to.
type mapRow struct {
	id, name string
	sugg     *match.Scored
	cur      *store.Mapping
	isNew    bool
	unsaved  int // changes to this row the store has not confirmed yet
}

func (r *mapRow) FilterValue() string { return r.name }

// mappingScreen maps every account to a company (or every service to a
// product), with suggestions, undo and a picker.
type mappingScreen struct {
	c      *common
	k      mappingKind
	stored map[string]store.Mapping // what the store held at start
	rows   []*mapRow
	byID   map[string]*mapRow
	list   list.Model
	picker ui.Picker
	names  map[string]string // target id → name
	index  *match.Index
	loaded bool
	w, h   int
}

func newMappingScreen(c *common, k mappingKind, stored map[string]store.Mapping) *mappingScreen {
	s := &mappingScreen{c: c, k: k, stored: stored, picker: ui.NewPicker(c.theme, c.keys)}
	s.list = ui.NewList(c.theme, nil, s.renderRow, k.noun, k.nouns)
	return s
}

// load builds the rows: the stored draft wins; else what Synthesize has.
func (s *mappingScreen) load(d *remoteData) tea.Cmd {
	remote := map[string]store.Mapping{}
	var ids []struct{ id, name string }
	suggestions := d.accountSuggestions
	s.names, s.index = d.companyNames, d.companyIndex
	if s.k.kind == store.KindAccounts {
		for _, m := range d.mappings.Accounts {
			remote[m.AccountID] = store.Mapping{Target: m.CompanyID, Ignored: m.Ignored}
		}
		for _, a := range d.accounts {
			ids = append(ids, struct{ id, name string }{a.ID, clean(a.Name)})
		}
	} else {
		suggestions = d.serviceSuggestions
		s.names, s.index = d.productNames, d.productIndex
		for _, m := range d.mappings.Services {
			remote[m.ServiceID] = store.Mapping{Target: m.ProductID}
		}
		for _, sv := range d.services {
			ids = append(ids, struct{ id, name string }{sv.ID, clean(sv.Name)})
		}
	}
	if s.loaded {
		// A reload keeps what is on screen: the rows are the latest draft.
		s.stored = map[string]store.Mapping{}
		for _, r := range s.rows {
			if r.cur != nil {
				s.stored[r.id] = *r.cur
			}
		}
	}
	var cmd tea.Cmd
	source := s.stored
	if len(s.stored) == 0 && len(remote) > 0 && !s.loaded {
		source = remote
		kind := s.k.kind
		cmd = s.c.saver.do(func(st *store.Store) tea.Msg {
			if err := st.Replace(vendor, kind, remote); err != nil {
				return saveFailedMsg{err: err}
			}
			return nil
		})
	}
	known := map[string]bool{}
	if s.k.kind == store.KindAccounts {
		for _, id := range s.c.progress.KnownAccounts {
			known[id] = true
		}
	}
	s.rows, s.byID = nil, map[string]*mapRow{}
	for _, it := range ids {
		r := &mapRow{id: it.id, name: it.name, isNew: len(known) > 0 && !known[it.id]}
		if sg, ok := suggestions[it.id]; ok {
			r.sugg = &sg
		}
		if m, ok := source[it.id]; ok {
			m := m
			r.cur = &m
		}
		s.rows = append(s.rows, r)
		s.byID[r.id] = r
	}
	sort.SliceStable(s.rows, func(i, j int) bool { return strings.ToLower(s.rows[i].name) < strings.ToLower(s.rows[j].name) })
	items := make([]list.Item, len(s.rows))
	for i, r := range s.rows {
		items[i] = r
	}
	s.loaded = true
	return tea.Batch(cmd, s.list.SetItems(items))
}

// reset replaces the draft (an update starts from what Synthesize holds).
func (s *mappingScreen) reset(draft map[string]store.Mapping) {
	s.stored, s.loaded = draft, false
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
		return ui.Filtering(s.pickerList())
	}
	return ui.Filtering(s.list)
}

func (s *mappingScreen) pickerList() list.Model { return s.picker.List() }

func (s *mappingScreen) counts() (mapped, ignored, unmapped int) {
	for _, r := range s.rows {
		switch {
		case r.cur == nil:
			unmapped++
		case r.cur.Ignored:
			ignored++
		default:
			mapped++
		}
	}
	return
}

func (s *mappingScreen) current() *mapRow {
	r, _ := s.list.SelectedItem().(*mapRow)
	return r
}

// apply changes rows now and queues the write, which records one undo step.
// A row shows "✓" only once the store has committed its change; until
// then it shows "…" (saving), so what the screen calls saved survives a
// crash or a kill.
func (s *mappingScreen) apply(set map[string]*store.Mapping) tea.Cmd {
	ids := make([]string, 0, len(set))
	for id, m := range set {
		if r := s.byID[id]; r != nil {
			r.cur = m
			r.unsaved++
			ids = append(ids, id)
		}
	}
	kind := s.k.kind
	return s.c.saver.do(func(st *store.Store) tea.Msg {
		if _, err := st.Apply(vendor, kind, set); err != nil {
			return saveFailedMsg{err: err}
		}
		return savedMsg{kind: kind, ids: ids}
	})
}

// savedMsg: the store committed a change to these rows.
type savedMsg struct {
	kind string
	ids  []string
}

type undoneMsg struct {
	kind   string
	change store.Change
	ok     bool
	err    error
}

func (s *mappingScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case savedMsg:
		for _, id := range msg.ids {
			if r := s.byID[id]; r != nil && r.unsaved > 0 {
				r.unsaved--
			}
		}
		return nil
	case undoneMsg:
		switch {
		case msg.err != nil:
			return failure("Undo failed: " + msg.err.Error())
		case !msg.ok:
			return notice("Nothing to undo on this screen.")
		}
		for _, it := range msg.change.Items {
			if r := s.byID[it.ID]; r != nil {
				r.cur = it.Before
			}
		}
		return notice(fmt.Sprintf("Undid the last change (%d %s).", len(msg.change.Items), plural(len(msg.change.Items), s.k.noun, s.k.nouns)))
	case tea.KeyMsg:
		if s.picker.Open() {
			return s.pickerKey(msg)
		}
		if !ui.Filtering(s.list) {
			if cmd, handled := s.key(msg); handled {
				return cmd
			}
		}
	}
	var cmd tea.Cmd
	if s.picker.Open() {
		_, _, cmd = s.picker.Update(msg)
		return cmd
	}
	s.list, cmd = s.list.Update(msg)
	return cmd
}

func (s *mappingScreen) pickerKey(k tea.KeyMsg) tea.Cmd {
	chosen, _, cmd := s.picker.Update(k)
	if r := s.current(); chosen != nil && r != nil {
		return tea.Batch(cmd, s.apply(map[string]*store.Mapping{r.id: {Target: chosen.ID}}),
			notice(fmt.Sprintf("%s → %s", r.name, chosen.Title)))
	}
	return cmd
}

func (s *mappingScreen) key(k tea.KeyMsg) (tea.Cmd, bool) {
	keys := s.c.keys
	r := s.current()
	switch {
	case key.Matches(k, keys.Accept):
		if r == nil || r.sugg == nil {
			return notice("No suggestion for this row: press enter to pick a " + s.k.target + "."), true
		}
		return tea.Batch(s.apply(map[string]*store.Mapping{r.id: {Target: r.sugg.ID}}),
			notice(fmt.Sprintf("%s → %s (%s)", r.name, r.sugg.Name, percent(r.sugg.Score)))), true
	case key.Matches(k, keys.AcceptAll):
		set := map[string]*store.Mapping{}
		for _, row := range s.rows {
			if row.cur == nil && row.sugg != nil && row.sugg.Score >= s.c.cfg.Threshold {
				set[row.id] = &store.Mapping{Target: row.sugg.ID}
			}
		}
		if len(set) == 0 {
			return notice(fmt.Sprintf("No unmapped %s has a suggestion at or above %s.", s.k.noun, percent(s.c.cfg.Threshold))), true
		}
		return tea.Batch(s.apply(set), notice(fmt.Sprintf("Accepted %d %s at or above %s (u undoes them all).",
			len(set), plural(len(set), "suggestion", "suggestions"), percent(s.c.cfg.Threshold)))), true
	case key.Matches(k, keys.DoNotBill) && s.k.allowIgnore:
		if r == nil {
			return nil, true
		}
		if r.cur != nil && r.cur.Ignored {
			return tea.Batch(s.apply(map[string]*store.Mapping{r.id: nil}), notice(r.name+" is unmapped again.")), true
		}
		return tea.Batch(s.apply(map[string]*store.Mapping{r.id: {Ignored: true}}), notice(r.name+" will not be billed.")), true
	case key.Matches(k, keys.Undo):
		kind := s.k.kind
		return s.c.saver.do(func(st *store.Store) tea.Msg {
			ch, ok, err := st.Undo(vendor, kind)
			return undoneMsg{kind: kind, change: ch, ok: ok, err: err}
		}), true
	case key.Matches(k, keys.Enter):
		if r == nil {
			return nil, true
		}
		s.openPicker(r)
		return nil, true
	case key.Matches(k, keys.Next):
		_, _, unmapped := s.counts()
		news := ""
		if unmapped > 0 {
			news = fmt.Sprintf("%d %s still unmapped: %s. The review lists them.",
				unmapped, plural(unmapped, s.k.noun, s.k.nouns), s.k.unmappedWhy)
		}
		return goStepWith(s.next(), news), true
	case key.Matches(k, keys.Back) && s.list.FilterState() == list.Unfiltered:
		return s.back(), true
	}
	return nil, false
}

// next: onboarding goes account → service → review; an update goes
// straight to the review of its changes.
func (s *mappingScreen) next() step {
	if s.c.progress.Updating {
		return stepReview
	}
	return s.k.next
}

// back: leaving an update keeps the draft for next time and goes home.
func (s *mappingScreen) back() tea.Cmd {
	if s.c.progress.Updating {
		return tea.Batch(s.c.save(func(p *store.Progress) { p.Updating = false }),
			goStepWith(stepHome, "Left the update without writing; your draft is kept until the next update starts from Synthesize."))
	}
	return goStep(s.k.prev)
}

func (s *mappingScreen) openPicker(r *mapRow) {
	ranked := s.index.Rank(r.name)
	opts := make([]ui.Option, len(ranked))
	for i, c := range ranked {
		opts[i] = ui.Option{ID: c.ID, Title: c.Name, Detail: percent(c.Score)}
	}
	cur := ""
	if r.cur != nil {
		cur = r.cur.Target
	}
	s.picker.Show(fmt.Sprintf("Choose the %s for %s", s.k.target, r.name), opts, cur, s.w, s.h)
}

func (s *mappingScreen) renderRow(it list.Item, selected bool, width int) string {
	t := s.c.theme
	r := it.(*mapRow)
	nameW := max(width*2/5, 8)
	// Cut, never wrap: a row is one line, or the list's paging breaks.
	name := lipgloss.NewStyle().Width(nameW).Render(ansi.Truncate(r.name, nameW, "…"))
	if selected {
		name = t.Selected.Render(name)
	}
	var right string
	switch {
	case r.cur != nil && r.unsaved > 0:
		right = t.Muted.Render("… " + s.describe(r.cur) + " (saving)")
	case r.cur != nil && r.cur.Ignored:
		right = t.Warn.Render("✗ do not bill")
	case r.cur != nil:
		how := "picked"
		if r.sugg != nil && r.sugg.ID == r.cur.Target {
			how = percent(r.sugg.Score)
		}
		right = t.OK.Render("✓ "+s.targetName(r.cur.Target)) + " " + t.Muted.Render(how)
	case r.sugg != nil:
		right = t.Muted.Render("? " + r.sugg.Name + " " + percent(r.sugg.Score))
	default:
		right = t.Muted.Render("  (no likely " + s.k.target + ")")
	}
	if r.isNew {
		right = t.Warn.Render("NEW ") + right
	}
	return name + " " + right
}

func (s *mappingScreen) describe(m *store.Mapping) string {
	if m.Ignored {
		return "do not bill"
	}
	return s.targetName(m.Target)
}

func (s *mappingScreen) targetName(id string) string {
	if n, ok := s.names[id]; ok {
		return n
	}
	return id + " (not in Synthesize)"
}

func (s *mappingScreen) view(w int) string {
	t := s.c.theme
	if s.picker.Open() {
		return s.picker.View()
	}
	mapped, ignored, unmapped := s.counts()
	head := fmt.Sprintf("%s %d", t.OK.Render("Mapped"), mapped)
	if s.k.allowIgnore {
		head += fmt.Sprintf(" · %s %d", t.Warn.Render("Do not bill"), ignored)
	}
	head += fmt.Sprintf(" · %s %d", t.Strong.Render("Unmapped"), unmapped)
	ready := 0
	for _, r := range s.rows {
		if r.cur == nil && r.sugg != nil && r.sugg.Score >= s.c.cfg.Threshold {
			ready++
		}
	}
	head += t.Muted.Render(fmt.Sprintf("   A accepts %d at or above %s", ready, percent(s.c.cfg.Threshold)))
	if len(s.rows) == 0 {
		return head + "\n\n" + wrap(fmt.Sprintf("Synthesize lists no Mesh %s. Run Gradient Sync in Mesh, then come back (esc).", s.k.nouns), w)
	}
	return head + "\n" + s.list.View()
}

func (s *mappingScreen) help() ui.Help {
	if s.picker.Open() {
		return s.picker.Help()
	}
	k := s.c.keys
	if ui.Filtering(s.list) {
		return ui.Help{Short: []key.Binding{ui.With(k.Enter, "keep filter"), ui.With(k.Back, "clear filter")}}
	}
	short := []key.Binding{k.Accept, k.AcceptAll, ui.With(k.Enter, "pick "+s.k.target)}
	if s.k.allowIgnore {
		short = append(short, k.DoNotBill)
	}
	short = append(short, k.Undo, k.Filter, k.Next)
	full := [][]key.Binding{
		{k.Up, k.Down, k.Filter, k.Back},
		{k.Accept, k.AcceptAll, ui.With(k.Enter, "pick "+s.k.target), k.Undo},
	}
	if s.k.allowIgnore {
		full[1] = append(full[1], k.DoNotBill)
	}
	full = append(full, []key.Binding{k.Next})
	return ui.Help{Short: short, Full: full}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// mappingsFor turns the screens' rows into what Synthesize takes.
func mappingsFor(accounts, services *mappingScreen) gradient.Mappings {
	m := gradient.Mappings{Accounts: []gradient.AccountMapping{}, Services: []gradient.ServiceMapping{}}
	for _, r := range accounts.rows {
		if r.cur != nil {
			m.Accounts = append(m.Accounts, gradient.AccountMapping{AccountID: r.id, CompanyID: r.cur.Target, Ignored: r.cur.Ignored})
		}
	}
	for _, r := range services.rows {
		if r.cur != nil && r.cur.Target != "" {
			m.Services = append(m.Services, gradient.ServiceMapping{ServiceID: r.id, ProductID: r.cur.Target})
		}
	}
	return m
}
