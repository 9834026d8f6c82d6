package core

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui/text"
)

// Diff counts what a write changes against what Synthesize holds.
type Diff struct {
	Added, Changed, Removed int
}

// Empty: nothing would change.
func (d Diff) Empty() bool { return d == Diff{} }

func (d Diff) String() string {
	return fmt.Sprintf("%d added, %d changed, %d removed", d.Added, d.Changed, d.Removed)
}

// Tally counts one kind's rows: mapped, do not bill, unmapped.
type Tally struct {
	Mapped, Ignored, Unmapped int
}

// TallyOf counts items against their chosen mappings.
func TallyOf(items []Item, chosen func(id string) (store.Mapping, bool)) Tally {
	var t Tally
	for _, it := range items {
		switch m, ok := chosen(it.ID); {
		case !ok || !m.Ignored && m.Target == "":
			t.Unmapped++
		case m.Ignored:
			t.Ignored++
		default:
			t.Mapped++
		}
	}
	return t
}

// Change is one row of a plan: an account or service whose mapping a
// write adds, changes or removes (Before or After nil: unmapped).
type Change struct {
	Kind          Kind
	Item          Item
	Before, After *store.Mapping
}

// Plan is what a write would put in Synthesize: the whole mapping set,
// what it changes, and the counts a review shows.
type Plan struct {
	Accounts, Services map[string]store.Mapping
	Diff               Diff
	Changes            []Change // rows that differ from Synthesize, accounts first
	Mapped             []Change // every row that will be mapped, accounts first
	AccountTally       Tally
	ServiceTally       Tally
	Companies          int // distinct companies the accounts are mapped to
	// Base is the version of Synthesize's mappings the chosen set started
	// from (the write's If-Match), and bases that set, accounts and
	// services: what someone else changed since is named against it.
	Base            gradient.Version
	bases           [2]map[string]store.Mapping
	data            *Data       // for names; read only
	unmapped        [2][]string // names of unmapped accounts and services
	itemsOfAccounts []string
}

// PlanWrite compares the chosen mappings with what Synthesize holds. Only
// the accounts and services Synthesize lists are written: a choice for
// one it no longer lists could never be seen or undone on any screen.
func PlanWrite(d *Data, accounts, services map[string]store.Mapping) Plan {
	p := Plan{Accounts: make(map[string]store.Mapping, len(accounts)), Services: make(map[string]store.Mapping, len(services)),
		Base: d.Remote.Version, data: d, Mapped: make([]Change, 0, len(accounts)+len(services))}
	remoteAccounts, remoteServices := RemoteDrafts(d.Remote)
	p.bases = [2]map[string]store.Mapping{remoteAccounts, remoteServices}
	for _, side := range []struct {
		i              int
		k              Kind
		chosen, remote map[string]store.Mapping
		plan           map[string]store.Mapping
	}{{0, Accounts, accounts, remoteAccounts, p.Accounts}, {1, Services, services, remoteServices, p.Services}} {
		for _, it := range d.Items(side.k) {
			after, before := lookup(side.chosen, it.ID), lookup(side.remote, it.ID)
			if after != nil {
				side.plan[it.ID] = *after
				p.Mapped = append(p.Mapped, Change{Kind: side.k, Item: it, After: after})
			}
			if after == nil || !after.Ignored && after.Target == "" {
				p.unmapped[side.i] = append(p.unmapped[side.i], it.Name)
			}
			switch {
			case before == nil && after == nil:
				continue
			case before == nil:
				p.Diff.Added++
			case after == nil:
				p.Diff.Removed++
			case *before != *after:
				p.Diff.Changed++
			default:
				continue
			}
			p.Changes = append(p.Changes, Change{Kind: side.k, Item: it, Before: before, After: after})
		}
		// The write replaces the whole set: Synthesize's mappings of ids
		// it no longer lists go.
		for id := range side.remote {
			if !d.Has(side.k, id) {
				p.Diff.Removed++
			}
		}
	}
	// Rows read in name order, as the mapping screens list them, accounts
	// first ("accounts" < "services"; "\x00" ends the kind).
	nameKey := func(c Change) string { return c.Kind.Store + "\x00" + c.Item.Name }
	SortFolded(p.Mapped, nameKey)
	SortFolded(p.Changes, nameKey)
	for _, names := range p.unmapped {
		SortFolded(names, func(n string) string { return n })
	}
	p.AccountTally = TallyOf(d.Items(Accounts), in(accounts))
	companies := map[string]bool{}
	for _, m := range p.Accounts {
		if !m.Ignored && m.Target != "" {
			companies[m.Target] = true
		}
	}
	p.Companies = len(companies)
	p.ServiceTally = TallyOf(d.Items(Services), in(services))
	for _, it := range d.Items(Accounts) {
		p.itemsOfAccounts = append(p.itemsOfAccounts, it.ID)
	}
	return p
}

// byName orders rows as the mapping screens list them: accounts first,
// then by name.
func byName(a, b Change) int {
	if a.Kind.Store != b.Kind.Store {
		return strings.Compare(a.Kind.Store, b.Kind.Store)
	}
	return strings.Compare(strings.ToLower(a.Item.Name), strings.ToLower(b.Item.Name))
}

// in looks ids up in m.
func in(m map[string]store.Mapping) func(string) (store.Mapping, bool) {
	return func(id string) (store.Mapping, bool) { v, ok := m[id]; return v, ok }
}

func lookup(m map[string]store.Mapping, id string) *store.Mapping {
	if v, ok := m[id]; ok {
		return &v
	}
	return nil
}

// Summary is the plan's counts in one line.
func (p Plan) Summary() string { return strings.Join(p.SummaryItems(), " · ") }

// SummaryItems are the summary's parts, for a screen to wrap between.
func (p Plan) SummaryItems() []string {
	a, s := p.AccountTally, p.ServiceTally
	return []string{
		fmt.Sprintf("%s: %d mapped to %s, %d do not bill, %d unmapped",
			text.Count(a.Mapped+a.Ignored+a.Unmapped, "account", "accounts"), a.Mapped, text.Count(p.Companies, "company", "companies"), a.Ignored, a.Unmapped),
		fmt.Sprintf("%s: %d mapped, %d without a product", text.Count(s.Mapped+s.Unmapped, "service", "services"), s.Mapped, s.Unmapped),
	}
}

// Unmapped are the names of kind's unmapped rows, in Synthesize's order.
func (p Plan) Unmapped(k Kind) []string {
	if k.Store == Services.Store {
		return p.unmapped[1]
	}
	return p.unmapped[0]
}

// Warnings are what the plan leaves unbilled or unreconciled.
func (p Plan) Warnings(sample int) []string {
	var out []string
	if n := p.AccountTally.Unmapped; n > 0 {
		out = append(out, fmt.Sprintf("%d %s unmapped, so not billed: %s", n, text.Plural(n, "account", "accounts"), Sample(p.unmapped[0], sample)))
	}
	if n := p.ServiceTally.Unmapped; n > 0 {
		out = append(out, fmt.Sprintf("%d %s no PSA product, so cannot be reconciled: %s", n, text.Plural(n, "service has", "services have"), Sample(p.unmapped[1], sample)))
	}
	return out
}

// Sample lists at most n names, and how many more there are.
func Sample(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}

// Written says what a mapping write changed, and where the journey goes
// next.
type Written struct {
	Diff
	Wrote bool // false: a dry run, or nothing changed
	Step  Step
}

// ErrWriteStopped: the user stopped waiting for a write.
var ErrWriteStopped = errors.New("you stopped waiting for the write")

// WriteMappings puts the plan's whole mapping set in Synthesize (when it
// changes anything), then writes down what was written: the drafts, when,
// which accounts existed (to mark later ones new), and Synthesize's last
// sync time (its own clock marks "before the final sync"). The step moves
// as the MappingsWritten event says.
func (s *Session) WriteMappings(ctx context.Context, p Plan) (Written, error) {
	w := Written{Diff: p.Diff}
	version := p.Base
	if !p.Diff.Empty() {
		want := Mappings(p.Accounts, p.Services)
		want.Version = p.Base
		out, err := s.cfg.Partner.PutMappings(ctx, want)
		var changed *gradient.MappingsChangedError
		switch {
		case errors.As(err, &changed) && sameSet(changed.Current, want):
			version = changed.Current.Version // an earlier attempt, whose answer was lost, wrote it
		case changed != nil:
			theirs := [2]map[string]store.Mapping{}
			theirs[0], theirs[1] = RemoteDrafts(changed.Current)
			return w, &RemoteChangedError{Current: changed.Current, Theirs: changesBetween(p.data, p.bases, theirs), names: p.data}
		case err != nil:
			return w, err
		default:
			version = out.Version
		}
		w.Wrote = true
	}
	var lastSync store.Progress
	if det, err := s.cfg.Partner.Integration(ctx); err == nil && det.LastSyncAt != nil {
		lastSync.SyncBeforeFinal = *det.LastSyncAt
	}
	now := s.cfg.Now().UTC()
	known := p.itemsOfAccounts
	pending := []Pending{
		s.Draft(Accounts).reset(p.Accounts), s.Draft(Services).reset(p.Services),
		s.Save(func(pr *store.Progress) {
			pr.MappingsWrittenAt, pr.KnownAccounts, pr.SyncBeforeFinal = now, known, lastSync.SyncBeforeFinal
			pr.MappingsVersion = string(version)
		}),
	}
	var advanced Pending
	w.Step, advanced = s.Advance(MappingsWritten)
	if err := all(append(pending, advanced))(); err != nil {
		return w, s.unsaved("written to Synthesize", err)
	}
	return w, nil
}

// WriteFailure is what became of a write that did not succeed.
type WriteFailure struct {
	// Certain: every attempt got an error answer, so nothing was
	// written. A lost answer or a stopped wait leaves it unknown.
	Certain bool
	Why     string // sanitized, for a terminal
	// Remap: Synthesize no longer knows some of the ids; writing again
	// cannot help until they are mapped again.
	Remap bool
}

// FailedWrite says what became of a write that returned err.
func FailedWrite(err error) WriteFailure {
	var ae *gradient.APIError
	switch {
	case errors.As(err, &ae) && ae.Status == 422 && len(ae.Unknown) > 0:
		return WriteFailure{Certain: true, Remap: true, Why: text.Sanitize("Synthesize no longer knows " + strings.Join(ae.Unknown, ", "))}
	case ae != nil && !ae.AfterLostAnswer:
		return WriteFailure{Certain: true, Why: text.Sanitize(err.Error())}
	case ae != nil:
		return WriteFailure{Why: text.Sanitize(err.Error()) + "; an earlier attempt got no answer, so Synthesize may or may not have the new mappings"}
	case errors.As(err, new(*RemoteChangedError)):
		return WriteFailure{Certain: true, Why: text.Sanitize(err.Error())}
	case errors.Is(err, ErrWriteStopped):
		return WriteFailure{Why: "you stopped waiting, so Synthesize may or may not have the new mappings"}
	}
	return WriteFailure{Why: text.Sanitize("Synthesize did not answer ("+err.Error()+")") + ", so it may or may not have the new mappings"}
}
