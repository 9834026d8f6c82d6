package wizard

import (
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// clash finds two enabled bindings that share a key: the second could
// never run.
func clash(bs []key.Binding) string {
	owner := map[string]string{}
	for _, b := range bs {
		if !b.Enabled() {
			continue
		}
		for _, k := range b.Keys() {
			what := b.Help().Key + " " + b.Help().Desc
			if prev, ok := owner[k]; ok && prev != what {
				return "key " + k + ": " + prev + " and " + what
			}
			owner[k] = what
		}
	}
	return ""
}

// TestNoTwoBindingsShareAKey walks every screen through its states and
// checks the keys that are live there: the screen's, its list's or
// table's, and the root's.
func TestNoTwoBindingsShareAKey(t *testing.T) {
	t.Parallel()
	sc, _ := meshemu.Generate(30, 1)
	accounts := make([]gradient.VendorAccount, len(sc.Mesh.Accounts))
	for i, a := range sc.Mesh.Accounts {
		accounts[i] = gradient.VendorAccount{ID: a.ID, Name: a.Name}
	}
	pc := syncedServer(t, sc.PSA, accounts)
	m := testModel(t, pc, store.Progress{Step: core.StepAccounts.String(), KeyHint: "abcd", Products: []string{"gateway"}, Types: []string{"billing"}}, nil)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	states := 0
	check := func(state string) {
		t.Helper()
		states++
		if c := clash(m.bindings()); c != "" {
			t.Errorf("%s: %s", state, c)
		}
		if len(m.bindings()) == 0 {
			t.Errorf("%s: no key at all, not even quit", state)
		}
	}
	press := func(keys ...string) {
		for _, k := range keys {
			runSync(m, func() tea.Msg { return keyMsg(k) }, 0)
		}
	}

	// Waiting for the lists, and after they failed.
	m.load.busy = true
	check("accounts, loading")
	m.load.busy, m.load.err = false, errors.New("503")
	check("accounts, load failed")
	m.load.gen = 1
	m.Update(loadAll(m.c.sess, 1))

	for _, s := range []core.Step{core.StepAccounts, core.StepServices} {
		m.show(s)
		check(s.String())
		press("/", "a")
		check(s.String() + ", typing a filter")
		press("enter")
		check(s.String() + ", filter applied")
		press("esc", "enter")
		check(s.String() + ", picker")
		press("/", "a")
		check(s.String() + ", picker filtering")
		press("enter")
		check(s.String() + ", picker filter applied")
		press("esc", "esc")
	}

	m.show(core.StepProducts)
	check("products")
	for _, phase := range []keyPhase{keyConnecting, keyShown, keyLost, keyFailed} {
		m.show(core.StepKey)
		m.key.phase, m.key.err = phase, errors.New("x")
		check("key, phase " + string(rune('0'+phase)))
	}
	m.show(core.StepPortal)
	check("portal")
	m.show(core.StepWaiting)
	check("waiting")
	m.show(core.StepReview)
	m.review.build(m.load.data)
	check("review")
	m.review.writing = true
	check("review, writing")
	m.review.writing, m.review.err = false, core.ErrWriteStopped
	check("review, after a failed write")
	m.show(core.StepFinalSync)
	check("final sync")

	m.show(core.StepBilling)
	b := m.billing
	check("billing, loading")
	b.update(billingMsg{err: errors.New("503")})
	check("billing, load failed")
	b.update(billingMsg{rows: []gradient.BillingRow{}})
	check("billing, no usage yet")
	b.update(billingMsg{rows: []gradient.BillingRow{{AccountID: sc.Mesh.Accounts[0].ID, ServiceID: "s", CompanyID: "c-000001", ProductID: "p-gw", Usage: 3}}})
	check("billing, rows")
	press("/", "a")
	check("billing, typing a filter")
	press("enter")
	check("billing, filter applied")
	press("esc", "e")
	check("billing, typing a file name")
	press("esc", "R")
	check("billing, dialog")
	press("n")

	m.show(core.StepHome)
	m.home.update(homeMsg{err: errors.New("503")})
	check("home, Synthesize unreachable")
	m.home.update(homeMsg{})
	check("home")
	press("G", "enter") // the last action: disconnect
	if !m.home.confirm.Open() {
		t.Fatal("the disconnect dialog did not open")
	}
	check("home, disconnect dialog")
	press("n")

	m.show(core.StepAlerts)
	check("alerts, loading")
	m.alerts.update(alertsMsg{err: errors.New("503")})
	check("alerts, load failed")
	m.alerts.update(alertsMsg{alerts: core.Alerts{}})
	check("alerts, Alerts off")
	failed := core.AlertLine{MessageID: "m1", AccountID: "a", Account: "A", TicketStatus: core.TicketFailed, Reason: "account not mapped", MapAccount: true}
	m.alerts.update(alertsMsg{alerts: core.Alerts{Enabled: true, Lines: []core.AlertLine{failed, {MessageID: "m2", TicketStatus: core.TicketSuccess}}}})
	check("alerts, a failed alert to map")
	press("j")
	check("alerts, a ticket made")
	press("/", "a")
	check("alerts, typing a filter")
	press("enter")
	check("alerts, filter applied")

	m.show(core.StepConfigure)
	check("configure, loading")
	m.configure.update(configMsg{err: errors.New("503")})
	check("configure, load failed")
	m.configure.update(configMsg{cfg: core.Configuration{Products: []string{"gateway"}, Types: []string{"billing"}}})
	check("configure")
	press("G", " ", "enter")
	if !m.configure.confirm.Open() {
		t.Fatal("the configure dialog did not open")
	}
	check("configure, dialog")
	if states < 30 {
		t.Fatalf("only %d states checked", states)
	}
	t.Logf("%d states checked", states)
}

// TestBillingReloadAlwaysWorks: with rows, with none, after a failure,
// reload asks Synthesize again; r never means two things at once.
func TestBillingReloadAlwaysWorks(t *testing.T) {
	t.Parallel()
	m := testModel(t, nil, store.Progress{Step: core.StepBilling.String(), Onboarded: true}, nil)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	b := m.billing
	for _, tc := range []struct {
		state string
		msg   billingMsg
		key   string
	}{
		{"no usage yet", billingMsg{rows: []gradient.BillingRow{}}, "r"},
		{"load failed", billingMsg{err: errors.New("503")}, "r"},
		{"rows", billingMsg{rows: []gradient.BillingRow{{AccountID: "a", ServiceID: "s", Usage: 1}}}, "ctrl+r"},
	} {
		b.update(tc.msg)
		k := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(tc.key)}
		if tc.key == "ctrl+r" {
			k = tea.KeyMsg{Type: tea.KeyCtrlR}
		}
		if cmd := b.update(k); cmd == nil || !strings.Contains(b.view(100), "Loading the billing rows") {
			t.Errorf("%s: %s did not reload", tc.state, tc.key)
		}
		b.busy = ""
	}
}

// TestKeysReadTogetherAreEachPressed: keys that reach the program in one
// read (typed fast, or batched by a slow SSH link) arrive as one message
// of several runes; each is handled, in order, and nothing after q.
func TestKeysReadTogetherAreEachPressed(t *testing.T) {
	t.Parallel()
	sc, _ := meshemu.Generate(5, 1)
	accounts := make([]gradient.VendorAccount, len(sc.Mesh.Accounts))
	for i, a := range sc.Mesh.Accounts {
		accounts[i] = gradient.VendorAccount{ID: a.ID, Name: a.Name}
	}
	pc := syncedServer(t, sc.PSA, accounts)
	m := testModel(t, pc, store.Progress{Step: core.StepAccounts.String(), KeyHint: "abcd"}, nil)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.load.gen = 1
	m.Update(loadAll(m.c.sess, 1))
	runSync(m, func() tea.Msg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jx")} }, 0)
	second := m.accounts.rows[1].ID
	if got := m.c.sess.Draft(core.Accounts).Get(second); got == nil || !got.Ignored {
		t.Fatalf("j then x: the second row is %+v", got)
	}
	runSync(m, func() tea.Msg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("un")} }, 0)
	if got := m.c.sess.Draft(core.Accounts).Get(second); got != nil || m.step != core.StepServices {
		t.Fatalf("u then n: %+v at %s", got, m.step)
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("qA")})
	if _, quit := runQuit(cmd); !quit || len(m.c.sess.Draft(core.Services).All()) != 0 {
		t.Fatal("q then A: A was pressed after quitting")
	}
}

// runQuit runs cmd (and its batch) and reports whether it quits.
func runQuit(cmd tea.Cmd) (tea.Msg, bool) {
	if cmd == nil {
		return nil, false
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			if _, q := runQuit(c); q {
				return msg, true
			}
		}
	}
	_, q := msg.(tea.QuitMsg)
	return msg, q
}
