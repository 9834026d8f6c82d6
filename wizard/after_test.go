package wizard_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// onboarded drives a fresh harness through the whole onboarding (all three
// products) to the billing screen, and stops there.
func onboarded(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 110, 34, "space", "down", "space", "down", "space", "down", "space", "enter")
	toReview(r)
	r.keys("enter")
	r.waitFor(`Usage arrived for`)
	h.portal("us", "sync", nil)
	r.waitFor(`Vendor Mesh · \d+ rows`)
	r.stop()
	return h
}

// startAtHome starts the wizard: once onboarded, it opens home.
func (h *harness) startAtHome(t *testing.T) *run {
	t.Helper()
	r := h.start(t, 110, 34)
	r.waitFor(`Update account mappings`)
	return r
}

// startAtBilling starts the wizard and opens billing from home.
func (h *harness) startAtBilling(t *testing.T) *run {
	t.Helper()
	r := h.startAtHome(t)
	r.keys("down", "down", "enter")
	r.waitFor(`Vendor Mesh`)
	return r
}

func (h *harness) billing() []gradient.BillingRow {
	h.t.Helper()
	rows, err := h.pc.Billing(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return rows
}

func TestBillingSortFilterReconcile(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	r := h.startAtBilling(t)
	r.waitFor(`Vendor Mesh · \d+ rows · \d+ quantit(y|ies) differ`)
	r.keys("s")
	r.waitFor(`by difference`)
	sorted := r.stop()
	t.Run("sorted-by-difference", func(t *testing.T) { requireGolden(t, sorted) })

	// The largest difference is first; reconcile it alone.
	r = h.startAtBilling(t)
	r.keys("/", "M", "a", "p", "l", "e", "enter")
	r.waitFor(`2 of \d+`)
	r.keys("down", "r")
	r.waitFor(`Maple Leaf Bakery Ltd\. · Mesh Gateway \(per mailbox\): PSA quantity 89 → 93`)
	r.waitFor(`matches`)
	r.stop()

	// Reconcile all: the dialog says how many and how much; No is the
	// default; then y.
	r = h.startAtBilling(t)
	r.keys("R")
	out := r.waitFor(`Reconcile \d+ quantities\?`)
	if !strings.Contains(out, "agreements:") || !strings.Contains(out, "units") {
		t.Fatalf("confirmation lacks the total:\n%s", out)
	}
	r.keys("enter") // the default: No
	r.waitFor(`Cancelled: nothing changed`)
	r.keys("R")
	r.waitFor(`Reconcile \d+ quantities\?`)
	r.keys("y")
	r.waitFor(`Reconciled \d+ quantities`)
	r.waitFor(`· 0 quantities differ`)
	reconciled := r.stop()
	t.Run("all-reconciled", func(t *testing.T) { requireGolden(t, reconciled) })

	sums := map[[2]string]float64{}
	rows := h.billing()
	for _, row := range rows {
		sums[[2]string{row.CompanyID, row.ProductID}] += row.Usage
	}
	for _, row := range rows {
		if row.BilledQuantity != sums[[2]string{row.CompanyID, row.ProductID}] {
			t.Fatalf("after reconcile all, %+v is not billed its usage", row)
		}
	}
}

func TestBillingExportNeverOverwritesUnasked(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.startAtBilling(t)
	r.keys("e")
	r.waitFor(`Export to:`)
	// Replace the suggested path with ours.
	for range 200 {
		r.tm.Send(keyBackspace())
	}
	r.keys(strings.Split(path, "")...)
	r.keys("enter")
	r.waitFor(`The file exists`)
	r.keys("esc")
	r.waitFor(`Cancelled: nothing changed`)
	if b, _ := os.ReadFile(path); string(b) != "precious\n" {
		t.Fatalf("file changed without a yes: %q", b)
	}
	r.keys("e", "enter")
	r.waitFor(`The file exists`)
	r.keys("y")
	r.waitFor(`Exported \d+ rows to`)
	r.stop()
	f, _ := os.Open(path)
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil || len(records) < 10 || records[0][0] != "company" || records[0][13] != "cycle_usage" {
		t.Fatalf("CSV: %v %v", records[:min(len(records), 2)], err)
	}
}

func TestHomeUpdateMappingsShowsDiff(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	r := h.startAtHome(t)
	r.waitFor(`vendor status active`)
	r.keys("enter")
	r.waitFor(`Update mappings · Map accounts`)
	r.waitFor(`Mapped \d+`)
	// Mark the first account do-not-bill: one change.
	r.keys("x")
	r.waitFor(`will not be billed`)
	r.keys("n")
	r.waitFor(`0 added, 1 changed, 0 removed`)
	requireGolden(t, r.stop())

	// Resume at the review of the update; write it.
	r = h.start(t, 110, 34)
	r.waitFor(`Update mappings · Review and confirm`)
	r.waitFor(`enter writes these changes`) // the lists are loaded: keys count now
	r.keys("enter")
	r.waitFor(`Mappings updated in Synthesize: 0 added, 1 changed, 0 removed`)
	r.stop()
	m := h.mappings()
	ignored := 0
	for _, a := range m.Accounts {
		if a.Ignored {
			ignored++
		}
	}
	if ignored != 1 {
		t.Fatalf("the change did not reach Synthesize: %+v", m.Accounts)
	}
}

func TestHomeMarksNewAccounts(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	state := testkit.ReadState(t, h.path)
	if len(state.Progress.KnownAccounts) != 40 {
		t.Fatalf("known accounts after onboarding: %d", len(state.Progress.KnownAccounts))
	}
	// A new customer appears in Mesh and is synced.
	h.sb.Scenario.Mesh.Accounts = append(h.sb.Scenario.Mesh.Accounts, newAccount())
	h.portal("us", "sync", nil)
	r := h.startAtHome(t)
	r.keys("enter")
	r.waitFor(`Mapped \d+`)
	r.keys("/", "Z", "z", "z", "enter")
	out := r.waitFor(`NEW`)
	if !strings.Contains(out, "Zzz Newco") {
		t.Fatalf("new account not shown:\n%s", out)
	}
	r.stop()
}

func TestDisconnectDialog(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	impatient(t, h) // the 503s below are retried quickly
	r := h.startAtHome(t)
	r.keys("G", "enter") // the last action: disconnect
	out := r.waitFor(`Disconnect Mesh from Synthesize\?`)
	contains(t, out, "authentication settings", "every account and service", "remap")
	r.keys("enter") // default No
	r.waitFor(`Cancelled: nothing changed`)
	r.keys("enter")
	reopened := r.waitFor(`Disconnect Mesh from Synthesize\?`)
	lacks(t, reopened, "Cancelled: nothing changed") // the last answer's news is not under the new question
	r.keys("esc")
	r.waitFor(`Update account mappings`) // the dialog closed: the actions are back
	if d, _ := h.pc.Integration(context.Background()); !d.Connected {
		t.Fatal("disconnected without a yes")
	}
	// Synthesize answers 503 to every retry of one disconnect: nothing
	// local is lost, and it says so.
	h.sb.Emulator.Inject(synthemu.Fault{Kind: synthemu.FaultStatus, Status: 503, Times: 5, Method: "DELETE"})
	r.keys("enter")
	r.waitFor(`Disconnect Mesh from Synthesize\?`)
	r.keys("y")
	r.waitFor(`(?s)Disconnect failed: .*503.*Nothing was changed here`)
	st := loadState(t, r)
	if !st.Progress.Onboarded || len(st.Accounts) == 0 {
		t.Fatalf("a failed disconnect changed local state: %+v", st.Progress)
	}
	// The second try succeeds.
	r.keys("enter")
	r.waitFor(`Disconnect Mesh from Synthesize\?`)
	r.keys("y")
	r.waitFor(`Disconnected: Synthesize revoked the key`)
	r.waitFor(`Step 1 of 9`)
	requireGolden(t, r.stop())
	state := testkit.ReadState(t, h.path)
	if state.Progress.KeyHint != "" || len(state.Accounts)+len(state.Services) != 0 || state.UndoDepth != 0 {
		t.Fatalf("local state after disconnect: %+v", state)
	}
	if m := h.mappings(); len(m.Accounts)+len(m.Services) != 0 {
		t.Fatalf("mappings after disconnect: %+v", m)
	}
}

func TestDisconnectedElsewhereRestartsOnboarding(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	if err := h.pc.Disconnect(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := h.start(t, 110, 34)
	r.waitFor(`Mesh was disconnected in Synthesize \(from elsewhere\)`)
	view := r.stop()
	contains(t, view, "Step 1 of 9")
	state := testkit.ReadState(t, h.path)
	if state.Progress.KeyHint != "" || len(state.Accounts) != 0 {
		t.Fatalf("stale local state kept: %+v", state.Progress)
	}
}

// A filter on: the file name being typed still shows (it was hidden
// behind the filter's line, so a name was typed blind).
func TestBillingExportPromptShowsOverAFilter(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	r := h.startAtBilling(t)
	r.keys("/", "m", "a", "p", "l", "e", "enter")
	r.waitFor(`2 of \d+`)
	r.keys("e")
	r.waitFor(`Export to:`)
	r.keys("esc")
	r.waitFor(`Filter: maple\s+2 of`)
	r.stop()
}
