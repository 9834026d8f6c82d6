package wizard

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/core"
	"github.com/meshgradient/mesh-gradient/wizard/match"
)

// scaleServer is Synthesize with n generated Mesh accounts (already pushed
// by a Gradient Sync) and their n PSA companies.
func scaleServer(tb testing.TB, n int) (*gradient.PartnerClient, *meshemu.Scenario) {
	sc, _ := meshemu.Generate(n, 1)
	accounts := make([]gradient.VendorAccount, len(sc.Mesh.Accounts))
	for i, a := range sc.Mesh.Accounts {
		accounts[i] = gradient.VendorAccount{ID: a.ID, Name: a.Name}
	}
	return syncedServer(tb, sc.PSA, accounts), sc
}

// syncedServer is Synthesize holding psa, connected for Mesh Gateway
// billing, after a Gradient Sync that pushed accounts.
func syncedServer(tb testing.TB, psa synthemu.PSA, accounts []gradient.VendorAccount) *gradient.PartnerClient {
	tb.Helper()
	srv := synthemu.NewServer(synthemu.WithPSA(psa), synthemu.WithProductServices(mesh.ProductServices()), synthemu.WithRateLimit(0))
	tb.Cleanup(srv.Close)
	ctx := context.Background()
	pc, _ := gradient.NewPartnerClient(srv.URL, srv.PartnerToken(), gradient.Options{})
	conn, err := pc.Connect(ctx, []string{"gateway"}, []string{"billing"})
	if err != nil {
		tb.Fatal(err)
	}
	vc, _ := gradient.NewVendorClient(srv.URL, srv.VendorKey(), conn.APIKey, gradient.Options{})
	if _, err := mesh.Sync(ctx, vc, mesh.SyncInput{Products: []string{"gateway"}}); err != nil {
		tb.Fatal(err)
	}
	if err := vc.UpsertAccounts(ctx, accounts); err != nil {
		tb.Fatal(err)
	}
	return pc
}

// atAccounts is progress resumed at the account screen.
var atAccounts = store.Progress{Step: core.StepAccounts.String(), Products: []string{"gateway"}, Types: []string{"billing"},
	KeyHint: "abcd", KeyConfirmed: true, Region: "us"}

// allMapped is a finished draft: every one of the scenario's accounts
// mapped to its company.
func allMapped(sc *meshemu.Scenario) map[string]store.Mapping {
	all := make(map[string]store.Mapping, len(sc.Mesh.Accounts))
	for i, a := range sc.Mesh.Accounts {
		all[a.ID] = store.Mapping{Target: sc.PSA.Companies[i].ID}
	}
	return all
}

// loadedModel is the wizard on the account screen with n accounts, n
// companies and n stored mappings, at 120×40, data loaded.
func loadedModel(tb testing.TB, n int) *Model {
	pc, sc := scaleServer(tb, n)
	m := testModel(tb, pc, atAccounts, allMapped(sc))
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.load.gen = 1
	msg := loadAll(m.c.sess, 1)
	if msg.err != nil {
		tb.Fatal(msg.err)
	}
	m.Update(msg)
	if m.step != core.StepAccounts || len(m.accounts.rows) != n {
		tb.Fatalf("step %v with %d rows", m.step, len(m.accounts.rows))
	}
	return m
}

// BenchmarkLoadRemote: what the mapping screens wait for behind their
// spinner: five lists over loopback HTTP (paged, 1000 a page) and every
// suggestion.
func BenchmarkLoadRemote(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		pc, _ := scaleServer(b, n)
		sess := testSession(b, pc, store.Progress{}, nil)
		b.Run(fmt.Sprintf("tenants-%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				msg := loadAll(sess, 0)
				if msg.err != nil || len(msg.data.Accounts) != n {
					b.Fatalf("%v, %d accounts", msg.err, len(msg.data.Accounts))
				}
			}
		})
	}
}

// BenchmarkMappingView: one frame of the account screen with 10,000 rows.
func BenchmarkMappingView(b *testing.B) {
	m := loadedModel(b, 10000)
	if v := m.View(); !strings.Contains(v, "Mapped 10000") {
		b.Fatalf("unexpected frame:\n%s", v)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.View()
	}
}

// filterQueries are what a technician types into a picker: a few letters
// of the name they are after.
var filterQueries = []string{"harbor", "smith dent", "mtn", "pediatr", "oak hill ro", "xyz"}

// BenchmarkPickerFilterKeystroke: keys typed into the company picker's
// filter over n companies: the key, the filter over the names, the
// matches coming back, and the frame drawn. Reported per keystroke (with
// the bytes it allocates), and for a query's first letter alone (it scans
// every name; later letters narrow the last answer).
func BenchmarkPickerFilterKeystroke(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("companies-%d", n), func(b *testing.B) {
			m := loadedModel(b, n)
			runSync(m, func() tea.Msg { return keyMsg("enter") }, 0)
			if !m.accounts.picker.Open() {
				b.Fatal("picker did not open")
			}
			keystrokes, firsts, firstTime := 0, 0, time.Duration(0)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				for _, q := range filterQueries {
					runSync(m, func() tea.Msg { return keyMsg("/") }, 0)
					m.View()
					for k, r := range q {
						start := time.Now()
						runSync(m, func() tea.Msg { return keyMsg(string(r)) }, 0)
						m.View()
						if k == 0 {
							firsts++
							firstTime += time.Since(start)
						}
						keystrokes++
					}
					runSync(m, func() tea.Msg { return keyMsg("esc") }, 0)
					m.View()
					keystrokes += 2
				}
			}
			runtime.ReadMemStats(&after)
			if v := m.View(); !strings.Contains(v, "Choose the company") {
				b.Fatalf("not the picker:\n%s", v)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(keystrokes), "ns/keystroke")
			b.ReportMetric(float64(firstTime.Nanoseconds())/float64(firsts), "ns/first-keystroke")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(keystrokes), "B/keystroke")
		})
	}
}

// BenchmarkPickerOpen: enter on an account row with 10,000 companies:
// every company ranked against the account, the picker built and drawn.
func BenchmarkPickerOpen(b *testing.B) {
	m := loadedModel(b, 10000)
	b.ReportAllocs()
	for b.Loop() {
		runSync(m, func() tea.Msg { return keyMsg("enter") }, 0)
		m.View()
		runSync(m, func() tea.Msg { return keyMsg("esc") }, 0)
	}
}

// BenchmarkStartupFirstFrame: from opening a state file holding 10,000
// mappings to the first frame drawn (the account screen, loading).
func BenchmarkStartupFirstFrame(b *testing.B) {
	sc, _ := meshemu.Generate(10000, 1)
	path := testState(b, atAccounts, allMapped(sc))
	b.ReportAllocs()
	for b.Loop() {
		st, err := store.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		sess, err := core.Open(core.Config{Store: st})
		if err != nil || len(sess.Draft(core.Accounts).All()) != 10000 {
			b.Fatalf("%v, %d mappings", err, len(sess.Draft(core.Accounts).All()))
		}
		m := New(Config{Session: sess, Sandbox: true})
		m.Init()
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		if !strings.Contains(m.View(), "Map accounts") {
			b.Fatal("no first frame")
		}
		m.Close()
		st.Close()
	}
}

// TestLoadingShowsProgress: a load of 3,000 tenants (three pages of each
// list) reports pages as they arrive and matching as it goes, never going
// backwards, and the loading screen shows it.
func TestLoadingShowsProgress(t *testing.T) {
	t.Parallel()
	pc, _ := scaleServer(t, 3000)
	m := testModel(t, pc, store.Progress{Step: core.StepAccounts.String()}, nil)
	msg := loadRemote(m.c.sess, 7)()
	var seen []core.LoadProgress
	for {
		p, ok := msg.(loadProgressMsg)
		if !ok {
			break
		}
		if p.gen != 7 {
			t.Fatalf("progress of load %d, want 7", p.gen)
		}
		seen = append(seen, p.progress)
		msg = <-p.next
	}
	final := msg.(dataMsg)
	if final.err != nil || final.gen != 7 || len(final.data.Accounts) != 3000 || len(final.data.Companies) != 3000 {
		t.Fatalf("final: %+v", final)
	}
	if len(seen) == 0 {
		t.Fatal("no progress before the data")
	}
	for k := 1; k < len(seen); k++ {
		for i := range core.LoadLists {
			if seen[k].Fetched[i] < seen[k-1].Fetched[i] {
				t.Fatalf("%s went from %d to %d", core.LoadLists[i], seen[k-1].Fetched[i], seen[k].Fetched[i])
			}
		}
		if seen[k].Matched < seen[k-1].Matched && seen[k].ToMatch > 0 {
			t.Fatalf("matching went backwards: %d after %d", seen[k].Matched, seen[k-1].Matched)
		}
	}

	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.load.busy, m.load.gen = true, 7
	var p core.LoadProgress
	p.Fetched, p.Complete = [5]int{3000, 3, 2000, 0, 0}, [5]bool{true, true, false, false, false}
	p.Matched, p.ToMatch = 0, 0
	m.Update(loadProgressMsg{gen: 7, progress: p, next: make(chan tea.Msg)})
	m.Update(loadProgressMsg{gen: 6, progress: core.LoadProgress{}, next: make(chan tea.Msg)}) // stale: ignored
	view := m.View()
	for _, want := range []string{"accounts   ✓ 3,000", "services   ✓ 3", "companies  2,000 so far", "products   waiting"} {
		if !strings.Contains(view, want) {
			t.Errorf("loading screen lacks %q:\n%s", want, view)
		}
	}
	p.Complete = [5]bool{true, true, true, true, true}
	p.Matched, p.ToMatch = 1500, 3000
	m.Update(loadProgressMsg{gen: 7, progress: p, next: make(chan tea.Msg)})
	if view := m.View(); !strings.Contains(view, "matching   1,500 of 3,000 accounts") {
		t.Errorf("no matching progress:\n%s", view)
	}
	if _, cmd := m.Update(dataMsg{gen: 6, err: fmt.Errorf("stale")}); cmd != nil || m.load.err != nil {
		t.Error("a stale load's answer was taken")
	}
}

// BenchmarkReviewView: one frame of the review with 10,000 mapped accounts.
func BenchmarkReviewView(b *testing.B) {
	m := loadedModel(b, 10000)
	runSync(m, func() tea.Msg { return keyMsg("n") }, 0)
	runSync(m, func() tea.Msg { return keyMsg("n") }, 0)
	if v := m.View(); m.step != core.StepReview || !strings.Contains(v, "10,000 accounts: 10000 mapped") {
		b.Fatalf("not the review (%v):\n%s", m.step, v)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.View()
	}
}

// TestLongNamesStayOnOneRow: a row is one line whatever the name's length
// (a wrapped name used to push the list's paging off by a line per row).
func TestLongNamesStayOnOneRow(t *testing.T) {
	t.Parallel()
	m := testModel(t, nil, store.Progress{}, nil)
	sugg := &match.Scored{Candidate: match.Candidate{ID: "c-1", Name: strings.Repeat("Wide 公司 Name ", 12)}, Score: 0.9}
	row := &mapRow{Item: core.Item{ID: "m-1", Name: strings.Repeat("Very Long Customer 名前 ", 10)}, sugg: sugg}
	for _, width := range []int{20, 60, 120} {
		out := m.accounts.renderRow(row, true, width)
		if strings.Contains(out, "\n") {
			t.Fatalf("width %d: the row wrapped:\n%s", width, out)
		}
		if !strings.Contains(out, "…") {
			t.Errorf("width %d: the long name was not cut: %q", width, out)
		}
	}
}

// TestLoadWithoutSuggestionsSuggestsTheSameLater: a load that computes no
// suggestions (as the commands that show none ask) answers, when a
// suggestion or an index is asked for anyway, what the full load answers.
func TestLoadWithoutSuggestionsSuggestsTheSameLater(t *testing.T) {
	t.Parallel()
	pc, _ := scaleServer(t, 1500)
	sess := testSession(t, pc, store.Progress{}, nil)
	full, err := sess.Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	lazy, err := sess.LoadWith(context.Background(), core.LoadOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []core.Kind{core.Accounts, core.Services} {
		items := full.Items(k)
		if len(items) == 0 || len(lazy.Items(k)) != len(items) {
			t.Fatalf("%s: %d items, lazily %d", k.Nouns, len(items), len(lazy.Items(k)))
		}
		for _, it := range items {
			want, wantOK := full.Suggestion(k, it.ID)
			if got, ok := lazy.Suggestion(k, it.ID); got != want || ok != wantOK {
				t.Fatalf("%s %s: %v %v, the full load %v %v", k.Noun, it.Name, got, ok, want, wantOK)
			}
		}
		if got, want := lazy.Index(k).Rank(items[0].Name)[0], full.Index(k).Rank(items[0].Name)[0]; got != want {
			t.Fatalf("%s: ranked first %v, the full load %v", k.Nouns, got, want)
		}
	}
}
