package core

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui/text"
)

// RemoteChangedError: someone else wrote the mappings in Synthesize since
// the plan's base was read (a 412), so nothing was written.
type RemoteChangedError struct {
	Current gradient.Mappings // what Synthesize holds now, with its version
	Theirs  []Change          // what changed there since the base: Before the base, After theirs
	names   *Data
}

func (e *RemoteChangedError) Error() string {
	return "someone else changed the mappings in Synthesize since they were read (" + DescribeNamed(e.names, e.Theirs, 4) +
		"); run it again to start from theirs"
}

// DescribeNamed counts changes and names at most n: "2 rows: Acme Corp →
// ACME Corporation, Zephyr → do not bill". d names the targets; without
// it they are ids.
func DescribeNamed(d *Data, changes []Change, n int) string {
	if len(changes) == 0 {
		return "no row differs"
	}
	names := make([]string, 0, min(n, len(changes)))
	for _, c := range changes[:min(n, len(changes))] {
		target := describe(c.After)
		if d != nil {
			target = d.Describe(c.Kind, c.After)
		}
		names = append(names, c.Item.Name+" → "+target)
	}
	more := ""
	if len(changes) > n {
		more = fmt.Sprintf(" and %d more", len(changes)-n)
	}
	return fmt.Sprintf("%s: %s%s", text.Count(len(changes), "row", "rows"), strings.Join(names, ", "), more)
}

// describe names a mapping without the names of its targets (ids are
// what a script and a log can check).
func describe(m *store.Mapping) string {
	switch {
	case m == nil:
		return "unmapped"
	case m.Ignored:
		return "do not bill"
	}
	return m.Target
}

// base is what a draft started from: its mappings with every change in
// its undo history taken back (a reset empties the history).
func (d *Draft) base() map[string]store.Mapping {
	d.sess.mu.Lock()
	defer d.sess.mu.Unlock()
	b := maps.Clone(d.cur)
	for i := len(d.undo) - 1; i >= 0; i-- {
		for _, it := range d.undo[i].Items {
			put(b, it.ID, it.Before)
		}
	}
	return b
}

// DraftPlan is the plan of the drafts, what the review writes. Its base
// is the version of Synthesize's mappings the drafts started from, so the
// write cannot undo a change made elsewhere since.
func (s *Session) DraftPlan(d *Data) Plan {
	p := PlanWrite(d, s.Draft(Accounts).All(), s.Draft(Services).All())
	s.fromDrafts(&p, d)
	return p
}

func (s *Session) fromDrafts(p *Plan, d *Data) {
	if v := s.Progress().MappingsVersion; v != "" {
		p.Base = gradient.Version(v)
	}
	p.bases = [2]map[string]store.Mapping{s.Draft(Accounts).base(), s.Draft(Services).base()}
}

// changesBetween lists d's rows whose mapping differs from one set to
// another, in name order, accounts first.
func changesBetween(d *Data, from, to [2]map[string]store.Mapping) []Change {
	var out []Change
	for i, k := range []Kind{Accounts, Services} {
		for _, it := range d.Items(k) {
			if a, b := lookup(from[i], it.ID), lookup(to[i], it.ID); !equal(a, b) {
				out = append(out, Change{Kind: k, Item: it, Before: a, After: b})
			}
		}
	}
	slices.SortStableFunc(out, byName)
	return out
}

// Rebased is what a rebase did.
type Rebased struct {
	Theirs    []Change // changed in Synthesize since the drafts' base, now in the drafts
	Conflicts []Change // changed there and here: Before theirs, After yours (kept)
	Yours     int      // your changes, kept on top
}

// Rebase puts the user's choices on top of what Synthesize holds now:
// rows only someone else changed take their value, rows only the user
// changed keep the user's, and rows both changed keep the user's and are
// named as conflicts. The drafts then start from current (their undo
// history becomes one step: the user's changes), and d holds current.
// Call it where d is read (the UI goroutine).
func (s *Session) Rebase(d *Data, current gradient.Mappings) (Rebased, Pending) {
	var r Rebased
	theirs := [2]map[string]store.Mapping{}
	theirs[0], theirs[1] = RemoteDrafts(current)
	var pending []Pending
	for i, k := range []Kind{Accounts, Services} {
		draft := s.Draft(k)
		base, mine := draft.base(), draft.All()
		yours := map[string]*store.Mapping{}
		for _, id := range slices.Sorted(maps.Keys(union(base, mine, theirs[i]))) {
			b, m, t := lookup(base, id), lookup(mine, id), lookup(theirs[i], id)
			switch {
			case equal(m, b): // only they (or no one) changed it
			case equal(t, b) || equal(m, t): // only the user changed it, or both alike
				if !equal(m, t) {
					yours[id] = m
				}
			default:
				yours[id] = m
				r.Conflicts = append(r.Conflicts, Change{Kind: k, Item: Item{ID: id, Name: d.Name(k, id)}, Before: t, After: m})
			}
		}
		r.Theirs = append(r.Theirs, changesBetween(d, pair(i, base), pair(i, theirs[i]))...)
		r.Yours += len(yours)
		pending = append(pending, draft.reset(theirs[i]))
		if len(yours) > 0 {
			_, p := draft.Set(yours)
			pending = append(pending, p)
		}
	}
	slices.SortStableFunc(r.Theirs, byName)
	d.Remote = current
	pending = append(pending, s.Save(func(p *store.Progress) { p.MappingsVersion = string(current.Version) }))
	return r, all(pending)
}

// pair puts one kind's set at its place in a pair, the other empty.
func pair(i int, m map[string]store.Mapping) [2]map[string]store.Mapping {
	var out [2]map[string]store.Mapping
	out[i], out[1-i] = m, map[string]store.Mapping{}
	return out
}

func union(sets ...map[string]store.Mapping) map[string]bool {
	out := map[string]bool{}
	for _, s := range sets {
		for id := range s {
			out[id] = true
		}
	}
	return out
}

// sameSet: two mapping sets hold the same mappings, whatever their version.
func sameSet(a, b gradient.Mappings) bool {
	aa, as := RemoteDrafts(a)
	ba, bs := RemoteDrafts(b)
	return maps.Equal(aa, ba) && maps.Equal(as, bs)
}
