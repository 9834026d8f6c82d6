package core

import (
	"fmt"
	"maps"
	"slices"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
)

// Draft is the mappings of one kind as the user is choosing them: what
// the state file holds (or will, once the queued writes are done), with
// the undo history. Every face edits mappings through it.
type Draft struct {
	Kind   Kind
	sess   *Session
	cur    map[string]store.Mapping
	undo   []store.Change // the store's undo log for this kind, mirrored
	seeded bool           // adopted Synthesize's mappings, or had its own, this run
	edits  uint64         // counts changes to cur, so a kept tally knows it is stale
	tally  keptTally
}

// keptTally is the last Tally answered, and what it counted.
type keptTally struct {
	items []Item
	edits uint64
	t     Tally
	ok    bool
}

// Edits counts the changes made to the draft so far: a face that keeps
// something computed from it knows it is stale when this has moved.
func (d *Draft) Edits() uint64 {
	d.sess.mu.Lock()
	defer d.sess.mu.Unlock()
	return d.edits
}

// Tally counts items by their chosen mapping. The mapping screen asks for
// it several times a frame (its header, the footer, the help); at 100,000
// accounts each count is 100,000 map lookups under the session's lock, so
// the answer is kept until the draft or the list of items changes.
func (d *Draft) Tally(items []Item) Tally {
	d.sess.mu.Lock()
	defer d.sess.mu.Unlock()
	k := &d.tally
	if k.ok && k.edits == d.edits && len(k.items) == len(items) && (len(items) == 0 || &k.items[0] == &items[0]) {
		return k.t
	}
	*k = keptTally{items: items, edits: d.edits, t: TallyOf(items, in(d.cur)), ok: true}
	return k.t
}

func (s *Session) loadDrafts(st store.State) error {
	s.drafts = map[string]*Draft{}
	logs, err := s.cfg.Store.UndoLogs(Vendor)
	if err != nil {
		return err
	}
	for _, k := range []Kind{Accounts, Services} {
		log := logs[k.Store]
		cur := st.Accounts
		if k.Store == store.KindServices {
			cur = st.Services
		}
		s.drafts[k.Store] = &Draft{Kind: k, sess: s, cur: cur, undo: log} // st is the session's own copy
	}
	return nil
}

// Draft is the session's draft of kind.
func (s *Session) Draft(k Kind) *Draft { return s.drafts[k.Store] }

// Get answers an account's or service's chosen mapping; nil: unmapped.
func (d *Draft) Get(id string) *store.Mapping {
	d.sess.mu.Lock()
	defer d.sess.mu.Unlock()
	if m, ok := d.cur[id]; ok {
		return &m
	}
	return nil
}

// Read runs fn with a lookup of the draft, under one lock: for counting
// thousands of rows without a lock each.
func (d *Draft) Read(fn func(get func(id string) (store.Mapping, bool))) {
	d.sess.mu.Lock()
	defer d.sess.mu.Unlock()
	fn(in(d.cur))
}

// All is a copy of every chosen mapping.
func (d *Draft) All() map[string]store.Mapping {
	d.sess.mu.Lock()
	defer d.sess.mu.Unlock()
	return maps.Clone(d.cur)
}

// Set changes mappings (nil: unmapped) now and queues the write, which
// records one undo step. The change lists what really changed.
func (d *Draft) Set(set map[string]*store.Mapping) (store.Change, Pending) {
	d.sess.mu.Lock()
	ch := store.Change{Kind: d.Kind.Store}
	for _, id := range slices.Sorted(maps.Keys(set)) {
		var before *store.Mapping
		if m, ok := d.cur[id]; ok {
			before = &m
		}
		after := set[id]
		if equal(before, after) {
			continue
		}
		ch.Items = append(ch.Items, store.ChangeItem{ID: id, Before: before, After: after})
		put(d.cur, id, after)
		d.edits++
	}
	if len(ch.Items) > 0 {
		d.undo = append(d.undo, ch)
	}
	d.sess.mu.Unlock()
	if len(ch.Items) == 0 {
		return ch, done(nil)
	}
	kind := d.Kind.Store
	return ch, d.sess.w.do(func(st *store.Store) error {
		_, err := st.Apply(Vendor, kind, set)
		return err
	})
}

// Undo reverses the newest change of this kind now and queues the write;
// ok is false when there is nothing to undo.
func (d *Draft) Undo() (ch store.Change, ok bool, _ Pending) {
	d.sess.mu.Lock()
	if len(d.undo) == 0 {
		d.sess.mu.Unlock()
		return ch, false, done(nil)
	}
	ch = d.undo[len(d.undo)-1]
	d.undo = d.undo[:len(d.undo)-1]
	for _, it := range ch.Items {
		put(d.cur, it.ID, it.Before)
	}
	d.edits++
	d.sess.mu.Unlock()
	kind := d.Kind.Store
	return ch, true, d.sess.w.do(func(st *store.Store) error {
		undone, ok, err := st.Undo(Vendor, kind)
		switch {
		case err != nil:
			return err
		case !ok || len(undone.Items) != len(ch.Items):
			// Only this program writes the file, in order, so the two
			// cannot differ; if they ever do, say so rather than guess.
			return fmt.Errorf("the undo history in %s is out of step with the screen; quit and start again", st.Path())
		}
		return nil
	})
}

// CanUndo reports whether there is a change to undo.
func (d *Draft) CanUndo() bool {
	d.sess.mu.Lock()
	defer d.sess.mu.Unlock()
	return len(d.undo) > 0
}

// reset replaces the whole draft (with what Synthesize holds) and forgets
// its undo history.
func (d *Draft) reset(all map[string]store.Mapping) Pending {
	d.sess.mu.Lock()
	d.cur, d.undo, d.seeded = maps.Clone(all), nil, true
	d.edits++
	d.sess.mu.Unlock()
	kind := d.Kind.Store
	return d.sess.w.do(func(st *store.Store) error { return st.Replace(Vendor, kind, all) })
}

func (d *Draft) clear() {
	d.cur, d.undo, d.seeded = map[string]store.Mapping{}, nil, false
	d.edits++
}

func put(m map[string]store.Mapping, id string, v *store.Mapping) {
	if v == nil {
		delete(m, id)
	} else {
		m[id] = *v
	}
}

func equal(a, b *store.Mapping) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// ---- where a draft starts ----

// RemoteDrafts turns Synthesize's mappings into drafts.
func RemoteDrafts(m gradient.Mappings) (accounts, services map[string]store.Mapping) {
	accounts, services = make(map[string]store.Mapping, len(m.Accounts)), make(map[string]store.Mapping, len(m.Services))
	for _, a := range m.Accounts {
		accounts[a.AccountID] = store.Mapping{Target: a.CompanyID, Ignored: a.Ignored}
	}
	for _, s := range m.Services {
		services[s.ServiceID] = store.Mapping{Target: s.ProductID}
	}
	return accounts, services
}

// Mappings turns drafts into what Synthesize takes, in id order.
func Mappings(accounts, services map[string]store.Mapping) gradient.Mappings {
	m := gradient.Mappings{Accounts: []gradient.AccountMapping{}, Services: []gradient.ServiceMapping{}}
	for _, id := range slices.Sorted(maps.Keys(accounts)) {
		a := accounts[id]
		m.Accounts = append(m.Accounts, gradient.AccountMapping{AccountID: id, CompanyID: a.Target, Ignored: a.Ignored})
	}
	for _, id := range slices.Sorted(maps.Keys(services)) {
		if p := services[id].Target; p != "" {
			m.Services = append(m.Services, gradient.ServiceMapping{ServiceID: id, ProductID: p})
		}
	}
	return m
}

// Seed gives each empty draft, once a run, what Synthesize holds: a new
// start of the mapping steps shows the mappings already made elsewhere.
func (s *Session) Seed(d *Data) Pending {
	accounts, services := RemoteDrafts(d.Remote)
	var pending []Pending
	fresh := s.Progress().MappingsVersion == ""
	for _, p := range []struct {
		draft  *Draft
		remote map[string]store.Mapping
	}{{s.Draft(Accounts), accounts}, {s.Draft(Services), services}} {
		s.mu.Lock()
		adopt := !p.draft.seeded && len(p.draft.cur) == 0 && len(p.remote) > 0
		fresh = fresh && len(p.draft.cur) == 0 && len(p.draft.undo) == 0
		p.draft.seeded = true
		s.mu.Unlock()
		if adopt {
			pending = append(pending, p.draft.reset(p.remote))
		}
	}
	if len(pending) > 0 || fresh {
		// The drafts start from what Synthesize holds now.
		pending = append(pending, s.Save(func(p *store.Progress) { p.MappingsVersion = string(d.Remote.Version) }))
	}
	return all(pending)
}

// StartUpdate begins updating kind's mappings from home: both drafts
// start from what Synthesize holds now, not from a stale draft.
func (s *Session) StartUpdate(d *Data, k Kind) (Step, Pending) {
	accounts, services := RemoteDrafts(d.Remote)
	a, b := s.Draft(Accounts).reset(accounts), s.Draft(Services).reset(services)
	v := s.Save(func(p *store.Progress) { p.MappingsVersion = string(d.Remote.Version) })
	to, c := s.Advance(k.UpdateEvent)
	return to, all([]Pending{a, b, v, c})
}

// Base is what a scripted change starts from: the choices the wizard
// holds and has not written yet (onboarding before the write, or an
// update under way), so a script never throws away what a person chose;
// otherwise what Synthesize holds. fromDraft says which.
func (s *Session) Base(d *Data) (accounts, services map[string]store.Mapping, fromDraft bool) {
	p := s.Progress()
	da, ds := s.Draft(Accounts).All(), s.Draft(Services).All()
	if (p.Updating || p.MappingsWrittenAt.IsZero()) && len(da)+len(ds) > 0 {
		return da, ds, true
	}
	accounts, services = RemoteDrafts(d.Remote)
	return accounts, services, false
}

// all waits for every pending write and answers the first error.
func all(ps []Pending) Pending {
	return func() error {
		var first error
		for _, p := range ps {
			if err := p(); err != nil && first == nil {
				first = err
			}
		}
		return first
	}
}
