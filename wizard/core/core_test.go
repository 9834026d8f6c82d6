package core

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
)

// testData is what Synthesize lists, indexed as a load would.
func testData(t *testing.T) *Data {
	t.Helper()
	d := &Data{
		Accounts: []gradient.Account{{ID: "m-1", Name: "Acme Corp"}, {ID: "m-2", Name: "Zephyr Trial"}, {ID: "m-3", Name: "Baker & Sons"},
			{ID: "m-4", Name: "Acme Labs"}},
		Services:  []gradient.Service{{ID: "s-gw", Name: "Mesh Gateway"}, {ID: "s-365", Name: "Mesh 365"}},
		Companies: []gradient.Company{{ID: "c-1", Name: "ACME Corporation"}, {ID: "c-3", Name: "Baker and Sons LLC"}},
		Products:  []gradient.Product{{ID: "p-gw", Name: "Mesh Gateway (per mailbox)", UnitPrice: 1.5}, {ID: "p-365", Name: "Mesh 365", UnitPrice: 2}},
		Remote: gradient.Mappings{Accounts: []gradient.AccountMapping{{AccountID: "m-1", CompanyID: "c-1"}, {AccountID: "m-2", Ignored: true},
			{AccountID: "m-gone", CompanyID: "c-1"}}, Services: []gradient.ServiceMapping{{ServiceID: "s-gw", ProductID: "p-gw"}}},
	}
	d.names()
	return d
}

func testSession(t *testing.T) *Session {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s, err := Open(Config{Store: st, Now: func() time.Time { return time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(time.Second) })
	return s
}

func TestTransitionTable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		mode Mode
		from Step
		ev   Event
		to   Step
		ok   bool
	}{
		{Onboarding, StepProducts, Chosen, StepKey, true},
		{Onboarding, StepKey, KeyConfirmed, StepPortal, true},
		{Onboarding, StepKey, Back, StepProducts, true},
		{Onboarding, StepPortal, Chosen, StepWaiting, true},
		{Onboarding, StepWaiting, SyncArrived, StepAccounts, true},
		{Onboarding, StepPortal, SyncArrived, StepAccounts, true}, // a script that never showed the waiting screen
		{Onboarding, StepAccounts, SyncArrived, StepAccounts, false},
		{Onboarding, StepAccounts, Next, StepServices, true},
		{Onboarding, StepAccounts, Back, StepPortal, true},
		{Onboarding, StepServices, Next, StepReview, true},
		{Onboarding, StepReview, Back, StepServices, true},
		{Onboarding, StepReview, MappingsWritten, StepFinalSync, true},
		{Onboarding, StepAccounts, MappingsWritten, StepFinalSync, true}, // a scripted write
		{Onboarding, StepFinalSync, UsageArrived, StepBilling, true},
		{Onboarding, StepFinalSync, Next, StepBilling, true},
		{Onboarding, StepProducts, OpenBilling, StepProducts, false},
		{Updating, StepAccounts, Next, StepReview, true},
		{Updating, StepServices, Next, StepReview, true},
		{Updating, StepAccounts, Back, StepHome, true},
		{Updating, StepReview, MappingsWritten, StepHome, true},
		{Connected, StepHome, UpdateAccounts, StepAccounts, true},
		{Connected, StepHome, UpdateServices, StepServices, true},
		{Connected, StepHome, OpenBilling, StepBilling, true},
		{Connected, StepHome, NewKey, StepKey, true},
		{Connected, StepKey, KeyConfirmed, StepPortal, true}, // a renewed key is pasted again
		{Connected, StepPortal, Chosen, StepWaiting, true},
		{Connected, StepWaiting, SyncArrived, StepHome, true},
		{Connected, StepPortal, Back, StepHome, true},
		{Connected, StepBilling, Back, StepHome, true},
		{Connected, StepBilling, Next, StepHome, true},
		{Connected, StepHome, MappingsWritten, StepHome, false},
	}
	for _, c := range cases {
		to, ok := NextStep(c.mode, c.from, c.ev)
		if to != c.to || ok != c.ok {
			t.Errorf("mode %d, %s, event %d: %s %v, want %s %v", c.mode, c.from, c.ev, to, ok, c.to, c.ok)
		}
	}
	// Every step but home is reachable in the onboarding, and each
	// onboarding step has a way forward.
	for s := StepProducts; s < StepBilling; s++ {
		forward := false
		for _, ev := range []Event{Chosen, KeyConfirmed, SyncArrived, Next, MappingsWritten, UsageArrived} {
			if to, ok := NextStep(Onboarding, s, ev); ok && to > s {
				forward = true
			}
		}
		if !forward {
			t.Errorf("%s has no way forward", s)
		}
	}
}

func TestAdvanceWritesItsBookkeeping(t *testing.T) {
	t.Parallel()
	s := testSession(t)
	steps := []struct {
		ev   Event
		want Step
	}{{Chosen, StepKey}, {KeyConfirmed, StepPortal}, {Chosen, StepWaiting}, {SyncArrived, StepAccounts}, {Next, StepServices},
		{Next, StepReview}, {MappingsWritten, StepFinalSync}, {UsageArrived, StepBilling}, {Next, StepHome},
		{UpdateServices, StepServices}, {Back, StepHome}}
	for _, st := range steps {
		to, pending := s.Advance(st.ev)
		if err := pending(); err != nil || to != st.want {
			t.Fatalf("event %d: %s %v, want %s", st.ev, to, err, st.want)
		}
	}
	p := s.Progress()
	if !p.KeyConfirmed || !p.Onboarded || p.Updating || p.UsageArrivedAt.IsZero() || p.Step != "home" {
		t.Fatalf("bookkeeping: %+v", p)
	}
	if err := s.Close(time.Second); err != nil {
		t.Fatal(err)
	}
	stored, err := s.cfg.Store.Load(Vendor)
	if err != nil || stored.Progress.Step != "home" || !stored.Progress.Onboarded {
		t.Fatalf("the store holds %+v (%v)", stored.Progress, err)
	}
	if StartStep(stored.Progress) != StepHome {
		t.Fatal("an onboarded start does not open home")
	}
}

func TestSyncPredicates(t *testing.T) {
	t.Parallel()
	detail := func(status string, accounts, services int) gradient.IntegrationDetail {
		d := gradient.IntegrationDetail{Counts: gradient.Counts{Accounts: accounts, Services: services}}
		d.Status = status
		return d
	}
	for _, c := range []struct {
		d    gradient.IntegrationDetail
		want bool
	}{
		{detail("inactive", 40, 3), false}, {detail("pending", 0, 3), false}, {detail("pending", 40, 0), false},
		{detail("pending", 40, 3), true}, {detail("active", 1, 1), true}, {detail("", 40, 3), false},
	} {
		if got := Arrived(c.d); got != c.want {
			t.Errorf("%+v: arrived %v", c.d, got)
		}
	}
	// The first sync: waits grow while nothing changes, faster again on news.
	w := &FirstSync{poll: poller{first: time.Second}}
	_, first := w.Observe(detail("inactive", 0, 0), nil)
	_, same := w.Observe(detail("inactive", 0, 0), nil)
	_, failed := w.Observe(gradient.IntegrationDetail{}, errors.New("503"))
	_, news := w.Observe(detail("pending", 0, 0), nil)
	if first != time.Second || same <= first || failed <= same || news != time.Second {
		t.Errorf("waits %v, %v, %v, %v", first, same, failed, news)
	}
	for range 20 {
		_, failed = w.Observe(gradient.IntegrationDetail{}, errors.New("503"))
	}
	if failed != failedCap {
		t.Errorf("a failing Synthesize is asked every %v, want %v", failed, failedCap)
	}

	before := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	after := before.Add(time.Minute)
	f := &FinalSync{poll: poller{first: time.Millisecond}, before: before, quiet: 0, lastChange: time.Now()}
	if done, _ := f.Observe(Usage{Arrived: 0, Expected: 3, LastSync: before}, nil); done {
		t.Error("done before any usage")
	}
	if done, _ := f.Observe(Usage{Arrived: 2, Expected: 3, LastSync: after}, nil); done {
		t.Error("done while Mesh may still be sending")
	}
	if done, _ := f.Observe(Usage{Arrived: 2, Expected: 3, LastSync: after}, nil); !done {
		t.Error("not done once Mesh synced after the write and went quiet")
	}
	g := &FinalSync{poll: poller{first: time.Millisecond}, before: before, quiet: time.Hour, lastChange: time.Now()}
	if done, _ := g.Observe(Usage{Arrived: 3, Expected: 3, LastSync: before}, nil); !done {
		t.Error("not done with every mapped account's usage in")
	}
}

func TestBillingSumsPerAgreement(t *testing.T) {
	t.Parallel()
	d := testData(t)
	raw := []gradient.BillingRow{
		{AccountID: "m-1", ServiceID: "s-gw", CompanyID: "c-1", ProductID: "p-gw", Usage: 10, BilledQuantity: 12, UnitPrice: 1.5},
		{AccountID: "m-4", ServiceID: "s-gw", CompanyID: "c-1", ProductID: "p-gw", Usage: 5, BilledQuantity: 12, UnitPrice: 1.5},
		{AccountID: "m-3", ServiceID: "s-gw", CompanyID: "c-3", ProductID: "p-gw", Usage: 7, BilledQuantity: 7, UnitPrice: 1.5},
		{AccountID: "m-3", ServiceID: "s-365", CompanyID: "c-3", ProductID: "", Usage: 4},
	}
	cycle := func(account, product string) (float64, bool) { return 9, account == "m-1" && product == "gateway" }
	lines := JoinBilling(raw, d, cycle)
	if l := lines[0]; l.AgreementUsage != 15 || l.Difference != 3 || l.Shared != 2 || l.Company != "ACME Corporation" || l.Cycle == nil || *l.Cycle != 9 {
		t.Fatalf("shared agreement: %+v", l)
	}
	if lines[1].Difference != 3 || lines[2].Difference != 0 || lines[3].Difference != 4 || lines[3].Cycle != nil {
		t.Fatalf("lines: %+v", lines)
	}
	items, units, money := Differing(lines)
	// One item for the shared agreement; none for the matching one or the
	// service without a product.
	if len(items) != 1 || units != 3 || money != 4.5 {
		t.Fatalf("differing: %v %v %v", items, units, money)
	}
	if why := Why(lines[0]); !strings.Contains(why, "shows 9") {
		t.Errorf("why: %s", why)
	}
	SortLines(lines, true)
	if lines[0].Difference != 4 || lines[3].Difference != 0 {
		t.Errorf("by difference: %+v", lines[0])
	}
}

func TestPlanDiffs(t *testing.T) {
	t.Parallel()
	d := testData(t)
	remoteA, remoteS := RemoteDrafts(d.Remote)
	if p := PlanWrite(d, remoteA, remoteS); p.Diff != (Diff{Removed: 1}) {
		// m-gone is no longer listed: writing the whole set drops it.
		t.Fatalf("unchanged set: %+v", p.Diff)
	}
	accounts := map[string]store.Mapping{
		"m-1":     {Ignored: true},    // changed
		"m-3":     {Target: "c-3"},    // added
		"m-stale": {Target: "c-1"},    // not listed: never written
		"m-4":     {Target: "c-1"},    // added
		"m-2":     {Ignored: true},    // unchanged
		"x":       {Target: "c-nope"}, // not listed either
	}
	p := PlanWrite(d, accounts, map[string]store.Mapping{})
	want := Diff{Added: 2, Changed: 1, Removed: 2} // the service mapping and m-gone
	if p.Diff != want {
		t.Fatalf("diff %+v, want %+v", p.Diff, want)
	}
	if _, ok := p.Accounts["m-stale"]; ok || len(p.Accounts) != 4 {
		t.Fatalf("written set: %v", p.Accounts)
	}
	if p.AccountTally != (Tally{Mapped: 2, Ignored: 2}) || p.Companies != 2 || p.ServiceTally.Unmapped != 2 {
		t.Fatalf("tallies %+v %+v", p.AccountTally, p.ServiceTally)
	}
	if got := p.Summary(); got != "4 accounts: 2 mapped to 2 companies, 2 do not bill, 0 unmapped · 2 services: 0 mapped, 2 without a product" {
		t.Errorf("summary: %s", got)
	}
	if len(p.Changes) != 4 || p.Changes[0].Item.Name != "Acme Corp" || p.Changes[3].Kind.Store != store.KindServices {
		t.Errorf("changes in name order, accounts first: %+v", p.Changes)
	}
	m := Mappings(p.Accounts, p.Services)
	if len(m.Accounts) != 4 || m.Accounts[0].AccountID != "m-1" || !m.Accounts[0].Ignored || len(m.Services) != 0 {
		t.Errorf("API mappings: %+v", m)
	}
}

func TestImportValidation(t *testing.T) {
	t.Parallel()
	d := testData(t)
	rows := []MappingRow{
		{Kind: "account", MeshID: "m-3", MappedID: "c-3"},
		{Kind: "account", MeshID: "m-1", DoNotBill: true},
		{Kind: "service", MeshID: "s-365", MappedID: "p-365"},
		{Kind: "account", MeshID: "m-4"}, // unmap
	}
	accounts, services := RemoteDrafts(d.Remote)
	if err := Import(d, rows, accounts, services); err != nil {
		t.Fatal(err)
	}
	if accounts["m-3"].Target != "c-3" || !accounts["m-1"].Ignored || services["s-365"].Target != "p-365" {
		t.Fatalf("applied: %v %v", accounts, services)
	}
	bad := []MappingRow{
		{Kind: "account", MeshID: "m-9", MappedID: "c-1", line: 2},
		{Kind: "account", MeshID: "m-1", MappedID: "c-9", line: 3},
		{Kind: "account", MeshID: "m-3", MappedID: "c-3", DoNotBill: true, line: 4},
		{Kind: "service", MeshID: "s-gw", DoNotBill: true, line: 5},
		{Kind: "thing", MeshID: "m-1", line: 6},
		{Kind: "account", MeshID: "m-4", line: 7},
		{Kind: "account", MeshID: "m-4", line: 8},
		{Kind: "account", MeshID: "m-2", problem: `do_not_bill is "maybe"; want true or false`, line: 9},
	}
	before, _ := RemoteDrafts(d.Remote)
	err := Import(d, bad, before, map[string]store.Mapping{})
	var ie *InputError
	if !errors.As(err, &ie) || len(ie.Problems) != 7 {
		t.Fatalf("problems: %v", err)
	}
	for i, want := range []string{"no Mesh account \"m-9\"", "no PSA company \"c-9\"", "choose one", "do_not_bill is for accounts",
		"want account or service", "also on row 7", "maybe"} {
		if !strings.Contains(ie.Problems[i], want) {
			t.Errorf("problem %d: %q lacks %q", i, ie.Problems[i], want)
		}
	}
	if err := CheckConfidence(2); err == nil {
		t.Error("a confidence of 2 passed")
	}
}

// TestWriterKeepsOrderAndSurvivesAPanic: writes land in the order they
// were made; a write that panics fails alone, and the next one lands.
func TestWriterKeepsOrderAndSurvivesAPanic(t *testing.T) {
	t.Parallel()
	s := testSession(t)
	var pending []Pending
	for _, step := range []string{"key", "portal", "waiting"} {
		pending = append(pending, s.Save(func(p *store.Progress) { p.Step = step }))
	}
	boom := s.w.do(func(*store.Store) error { panic("disk on fire") })
	after := s.Save(func(p *store.Progress) { p.Region = "eu" })
	if err := boom(); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("a panicking write answered %v", err)
	}
	if err := all(append(pending, after))(); err != nil {
		t.Fatal(err)
	}
	stored, _ := s.cfg.Store.Load(Vendor)
	if stored.Progress.Step != "waiting" || stored.Progress.Region != "eu" {
		t.Fatalf("stored %+v", stored.Progress)
	}
}

// TestDraftUndoMirrorsTheStore: an undo answers the rows it touches before
// the store commits, and the store agrees once it has.
func TestDraftUndoMirrorsTheStore(t *testing.T) {
	t.Parallel()
	s := testSession(t)
	d := s.Draft(Accounts)
	_, p1 := d.Set(map[string]*store.Mapping{"m-1": {Target: "c-1"}, "m-2": {Target: "c-2"}})
	ch2, p2 := d.Set(map[string]*store.Mapping{"m-1": {Ignored: true}, "m-3": nil})
	if len(ch2.Items) != 1 {
		t.Fatalf("a no-op item was recorded: %+v", ch2)
	}
	undone, ok, p3 := d.Undo()
	if !ok || len(undone.Items) != 1 || undone.Items[0].ID != "m-1" || d.Get("m-1").Target != "c-1" {
		t.Fatalf("undo: %+v %v, now %+v", undone, ok, d.Get("m-1"))
	}
	if err := all([]Pending{p1, p2, p3})(); err != nil {
		t.Fatal(err)
	}
	stored, _ := s.cfg.Store.Load(Vendor)
	if stored.Accounts["m-1"].Target != "c-1" || stored.UndoDepth != 1 {
		t.Fatalf("the store holds %+v", stored)
	}
	// A new session mirrors the stored history.
	s.Close(time.Second)
	again, err := Open(Config{Store: s.cfg.Store})
	if err != nil {
		t.Fatal(err)
	}
	if ch, ok, p := again.Draft(Accounts).Undo(); !ok || len(ch.Items) != 2 || p() != nil {
		t.Fatalf("the reopened history: %+v %v", ch, ok)
	}
	again.Close(time.Second)
}

// TestDraftTallyFollowsEveryChange: the kept tally is never stale, after
// a set, an undo, a reset, or for another list of items.
func TestDraftTallyFollowsEveryChange(t *testing.T) {
	t.Parallel()
	s := testSession(t)
	d := s.Draft(Accounts)
	items := []Item{{ID: "m-1"}, {ID: "m-2"}, {ID: "m-3"}}
	check := func(when string, items []Item) {
		t.Helper()
		var want Tally
		d.Read(func(get func(string) (store.Mapping, bool)) { want = TallyOf(items, get) })
		if got := d.Tally(items); got != want {
			t.Fatalf("%s: kept tally %+v, counted %+v", when, got, want)
		}
	}
	check("empty", items)
	_, p1 := d.Set(map[string]*store.Mapping{"m-1": {Target: "c-1"}, "m-2": {Ignored: true}})
	check("after a set", items)
	_, _, p2 := d.Undo()
	check("after an undo", items)
	check("another list", items[:1])
	p3 := d.reset(map[string]store.Mapping{"m-3": {Target: "c-3"}})
	check("after a reset", items)
	if err := all([]Pending{p1, p2, p3})(); err != nil {
		t.Fatal(err)
	}
}
