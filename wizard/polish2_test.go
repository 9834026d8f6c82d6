package wizard_test

// Issue 16, continued: billing, the finish, home and the words.

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// billingAt starts an onboarded harness at w×hgt and opens billing from
// home, waiting for its rows with their names.
func (h *harness) billingAt(t *testing.T, w, hgt int) *run {
	t.Helper()
	r := h.start(t, w, hgt)
	r.waitShown("Update account mappings")
	r.keys("down", "down", "enter")
	r.waitShown("Vendor Mesh · 44 rows", "ACME Corporation")
	return r
}

// differing counts the agreements (company and product) whose PSA
// quantity is not the usage of their accounts.
func differing(rows []gradient.BillingRow) int {
	usage, billed := map[[2]string]float64{}, map[[2]string]float64{}
	for _, row := range rows {
		k := [2]string{row.CompanyID, row.ProductID}
		usage[k] += row.Usage
		billed[k] = row.BilledQuantity
	}
	n := 0
	for k := range usage {
		if usage[k] != billed[k] {
			n++
		}
	}
	return n
}

// Item 5: on billing, esc clears an applied filter first (the next /
// starts afresh), and only then goes home.
func TestPolishEscClearsTheFilterFirst(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	r := h.billingAt(t, 80, 24)
	onBilling := func(f string) bool {
		return strings.Contains(f, "Vendor Mesh · 44 rows") && !strings.Contains(f, "Filter:")
	}
	r.keys("/", "o", "a", "k", "enter")
	r.waitShown("Filter: oak", "of 44")
	r.keys("esc")
	r.waitUntil("esc to clear the filter and stay on billing", onBilling)
	r.keys("/", "a", "c", "m", "e")
	shown := r.waitShown("Filter: acme")
	lacks(t, shown, "oakacme")
	r.keys("enter")
	r.waitShown("Filter: acme", "of 44")
	r.keys("esc")
	r.waitUntil("esc to clear the filter and stay on billing", onBilling)
	r.keys("esc")
	r.waitShown("Update account mappings")
	r.stop()
}

// Item 6: R acts on the rows the filter shows, and its dialog says so.
func TestPolishReconcileAllActsOnWhatIsShown(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	before := differing(h.billing())
	r := h.billingAt(t, 80, 24)
	r.keys("/", "P", "l", "u", "m", "b", "enter")
	r.waitShown("Filter: Plumb", "2 of 44")
	r.keys("R")
	r.waitShown("Reconcile 2 quantities?", `Only the 2 rows shown by the filter "Plumb"; the others are left as they are.`)
	r.keys("esc")
	r.waitShown("Cancelled: nothing changed.", "R reconcile 2 quantities shown")
	r.keys("R")
	r.waitShown("Reconcile 2 quantities?")
	r.keys("y")
	r.waitShown("Reconciled 2 quantities")
	r.stop()
	if after := differing(h.billing()); after != before-2 {
		t.Fatalf("R on 2 rows shown: %d agreements differed, now %d", before, after)
	}
}

// Item 7: after r, the cursor stays with the row it reconciled (which the
// sort by difference moves), so a second r reconciles nothing else.
func TestPolishCursorStaysWithTheReconciledRow(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	before := differing(h.billing())
	r := h.billingAt(t, 80, 24)
	r.keys("s")
	r.waitShown("Sorted by difference")
	// The largest difference, at the top: reconciled, it sorts among the
	// rows that match.
	for range 20 {
		r.keys("up")
	}
	baker := "Baker & Sons Plumbing → Baker and Sons Plumbing LLC · Mesh Gateway"
	r.waitShown(baker, "PSA billed 0")
	r.keys("r")
	r.waitShown("Baker and Sons Plumbing LLC · Mesh Gateway (per mailbox): PSA quantity 0 → 179.")
	r.waitShown(baker, "PSA billed 179", "matches Mesh's usage")
	r.keys("r")
	r.waitShown("Already matches: nothing to reconcile.")
	r.stop()
	if after := differing(h.billing()); after != before-1 {
		t.Fatalf("two r on one row: %d agreements differed, now %d", before, after)
	}
}

// Item 8: the billing screen the final sync leads to is "Step 9 of 9" and
// says the onboarding is complete; quitting there, the next start opens
// home.
func TestPolishFinishThenHome(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 80, 24)
	toReview(r)
	r.keys("enter")
	r.waitShown("Usage arrived for 0 of")
	h.portal("us", "sync", nil)
	r.waitShown("Step 9 of 9 · Billing and reconcile", "Vendor Mesh", "Onboarding complete:", "from now on mesh-gradient opens home")
	r.stop()
	if st := testkit.ReadState(t, h.path); !st.Progress.Onboarded {
		t.Fatalf("billing reached, not onboarded: %+v", st.Progress)
	}
	r = h.start(t, 80, 24)
	shown := r.waitShown("Home", "Update account mappings")
	r.stop()
	lacks(t, shown, "Step 9 of 9")
}

// Item 13: the billing table at 80×24: numbers right-aligned, names in the
// rest, the snapshot time in the detail pane, every line used.
func TestPolishBillingTableAt80x24(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	r := h.billingAt(t, 80, 24)
	view := r.stop()
	lines := strings.Split(view, "\n")
	if len(lines) != 24 {
		t.Fatalf("%d lines, want 24", len(lines))
	}
	var rows []string
	ends, blank := map[int]bool{}, 0
	for _, l := range lines {
		if strings.Contains(l, " → Mesh ") && regexp.MustCompile(`[+-]?\d+$`).MatchString(strings.TrimRight(l, " ")) {
			rows = append(rows, l)
			ends[lipgloss.Width(strings.TrimRight(l, " "))] = true
		}
		if strings.TrimSpace(l) == "" {
			blank++
		}
	}
	// The lines the grid does not fill: under the title, the filter's
	// (empty), above the detail and above the help; no padding.
	if len(rows) < 8 || blank > 4 || len(ends) != 1 {
		t.Fatalf("%d rows shown (want at least 8), %d blank lines (at most 4), numbers ending at columns %v (want one):\n%s",
			len(rows), blank, ends, view)
	}
	// The snapshot time is the detail's, not a column's; the detail
	// keeps the price.
	if head, titles := lines[3], lines[5]; !strings.HasPrefix(head, "Vendor Mesh · 44 rows") || strings.Contains(head+titles, "napshot") {
		t.Fatalf("head %q, column titles %q", head, titles)
	}
	contains(t, flat(view), "PSA billed 147 at $2.25 a unit · difference -2 (-$4.50 a month)", "snapshot 2026-11-24 09:30")
	requireGolden(t, view)
}

// Item 16: help that says what the keys do now: the full help offers
// "fewer keys", not "more keys"; billing's sort key names the sort it
// would switch to.
func TestPolishHelpSaysWhatKeysDoNow(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	r := h.start(t, 80, 24)
	r.waitShown("Update account mappings", "? more keys")
	r.keys("?")
	shown := r.waitShown("? fewer keys")
	lacks(t, helpOf(shown), "more keys")
	r.keys("?", "down", "down", "enter")
	r.waitShown("Vendor Mesh · 44 rows", "ACME Corporation")
	r.keys("?")
	shown = r.waitShown("s sort by difference", "? fewer keys")
	lacks(t, helpOf(shown), "sort by company", "more keys")
	r.keys("s")
	shown = r.waitShown("s sort by company", "Sorted by difference")
	lacks(t, helpOf(shown), "sort by difference")
	r.keys("s")
	shown = r.waitShown("s sort by difference", "Sorted by company")
	lacks(t, helpOf(shown), "sort by company")
	r.stop()
}

// Item 16: once connected, the products screen offers no toggle.
func TestPolishProductsOnceConnectedOfferNoToggle(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 80, 24)
	r.stop()
	h.setStep("products")
	r = h.start(t, 80, 24)
	shown := r.waitShown("Connected: these choices are fixed. Enter continues.", "? more keys")
	lacks(t, helpOf(shown), "toggle")
	r.keys("?")
	shown = r.waitShown("? fewer keys")
	lacks(t, helpOf(shown), "toggle")
	r.stop()
}

// Item 16: the explanation space gives once connected, and the question,
// wrap instead of being cut at the screen's edge.
func TestPolishProductsRefusalIsNotCut(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 80, 24)
	r.stop()
	h.setStep("products")
	r = h.start(t, 80, 24)
	r.waitShown("Tick the Mesh products you resell and the integration types, and choose how", "Connected: these choices are fixed.")
	r.keys("down", "space")
	r.waitShown("they are fixed at connect. To change them, disconnect first.")
	r.stop()
}

// onboardedGateway is onboarded with Mesh Gateway alone: one service.
func onboardedGateway(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 110, 34)
	toReview(r)
	r.keys("enter")
	r.waitShown("Usage arrived for 0 of")
	h.portal("us", "sync", nil)
	r.waitShown("Vendor Mesh")
	r.stop()
	return h
}

// wholeOnALine fails unless each pattern matches within one line of the
// screen: a fact is never split by a wrap.
func wholeOnALine(t *testing.T, screen string, patterns ...string) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	for _, p := range patterns {
		rx := regexp.MustCompile(p)
		found := false
		for _, l := range lines {
			found = found || rx.MatchString(l)
		}
		if !found {
			t.Errorf("no line of the screen holds /%s/ whole:\n%s", p, screen)
		}
	}
}

// Item 17: home says ages in words and counts with their nouns, and wraps
// between facts, never inside one, at 60 and 80 columns. Item 19: home
// links to Mesh support.
func TestPolishHomeWords(t *testing.T) {
	t.Parallel()
	h := onboardedGateway(t)
	h.now = clock.Add(4*time.Minute + 30*time.Second)
	for _, w := range []int{60, 80} {
		r := h.start(t, w, 24)
		shown := r.waitShown("vendor status active")
		r.stop()
		lacks(t, shown, "4m0s", "Services 1", "Usage rows", "Accounts 40")
		wholeOnALine(t, shown, `Mesh is connected`, `vendor status active`, `Products: Mesh Gateway`, `Types: Billing`,
			`connected 2026-11-24 09:30 \(4 minutes ago\)`, `last sync 2026-11-24 09:30 \(4 minutes ago\)`,
			`40 accounts: \d+ mapped`, `\d+ do not bill`, `\d+ unmapped`, `1 service: 1 mapped`, `\d+ usage rows`,
			`Mesh support: https://emailsecurity\.app/support`)
	}
}

// Item 17: the review's summary wraps between facts, never inside one.
func TestPolishReviewWrapsBetweenFacts(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 80, 24)
	toReview(r)
	r.stop()
	for _, w := range []int{60, 80} {
		r := h.start(t, w, 24)
		shown := r.waitShown("Step 7 of 9", "enter writes these mappings")
		r.stop()
		wholeOnALine(t, shown, `40 accounts: \d+ mapped to \d+ companies`, `\d+ do not bill`, `\d+ unmapped`,
			`1 service: 1 mapped`, `0 without a product`)
	}
}
