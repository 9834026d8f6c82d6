package wizard_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestListsScrollAt200x50 (issue 16, item 14): with the cursor on the
// last account of 40 at 200×50, the list fills the screen with rows
// (scrolled, not a last page of two) and says where the cursor is.
func TestListsScrollAt200x50(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 200, 50)
	r.keys("G")
	r.waitFor(`40 accounts • 40/40`)
	view := r.stop()
	requireGolden(t, view)
	rows := regexp.MustCompile(`(?m)^[▸ ] .*(\(no likely company\)|\? .* \d+%)`).FindAllString(view, -1)
	if len(rows) < 38 {
		t.Fatalf("%d account rows on a 50-line screen, want them to fill it:\n%s", len(rows), view)
	}
	if !strings.Contains(view, "▸ Zephyr Trial Account") {
		t.Fatalf("the cursor's row is not the last account:\n%s", view)
	}
}

// TestMappingUnmappedOnlyAndPicker (issue 16, item 15): tab shows the
// unmapped rows only, and a row mapped there leaves with the next one
// under the cursor; the picker marks the current choice and puts the
// scores beside the names.
func TestMappingUnmappedOnlyAndPicker(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 80, 24)
	r.keys("A")
	r.waitFor(`Accepted \d+ suggestions`)
	r.keys("tab")
	r.waitFor(`Showing the unmapped accounts only`)
	r.waitFor(`3 accounts • 1/3`)
	r.keys("x") // the first unmapped: do not bill; it leaves the list
	r.waitFor(`2 accounts • 1/2`)
	r.keys("tab")
	r.waitFor(`Showing every account`)
	r.waitFor(`40 accounts • 1/40`)
	// The first row is mapped by its suggestion: the picker marks it.
	r.keys("g", "enter")
	out := r.waitFor(`Choose the company for Acme Corp`)
	if !regexp.MustCompile(`✓ ACME Corporation +100% {2}current`).MatchString(out) {
		t.Fatalf("the picker does not mark the current company with its score beside it:\n%s", out)
	}
	r.stop()
}
