package wizard_test

import (
	"context"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// TestTwoTechniciansNeverUndoEachOther: A opens "Update account mappings"
// and marks Acme do-not-bill; meanwhile B (another machine) maps two
// other accounts and maps Acme to a company. A quits and comes back to the
// review, then writes: the write finds B's version, the review shows what
// B changed and that both changed Acme, and the next enter writes B's
// two mappings and A's choice for Acme. Nothing of either is lost.
func TestTwoTechniciansNeverUndoEachOther(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	r := h.startAtHome(t)
	r.waitFor(`vendor status active`)
	r.keys("enter")
	r.waitFor(`Update mappings · Map accounts`)
	r.waitFor(`Mapped \d+`)
	r.keys("x") // the first row: Acme Corp
	r.waitFor(`will not be billed`)
	r.keys("n")
	r.waitFor(`0 added, 1 changed, 0 removed`)
	r.stop()

	// B, elsewhere, reads and writes with the version it read.
	ctx := context.Background()
	m := h.mappings()
	byAccount := map[string]gradient.AccountMapping{}
	for _, a := range m.Accounts {
		byAccount[a.AccountID] = a
	}
	byAccount["m-011"] = gradient.AccountMapping{AccountID: "m-011", Ignored: true}      // Zephyr Trial Account
	byAccount["m-015"] = gradient.AccountMapping{AccountID: "m-015", CompanyID: "c-001"} // Internal IT (MSP)
	byAccount["m-012"] = gradient.AccountMapping{AccountID: "m-012", CompanyID: "c-002"} // Acme Corp, which A marks do-not-bill
	m.Accounts = m.Accounts[:0]
	for _, a := range byAccount {
		m.Accounts = append(m.Accounts, a)
	}
	if _, err := h.pc.PutMappings(ctx, m); err != nil {
		t.Fatal(err)
	}

	r = h.start(t, 110, 34)
	r.waitFor(`Update mappings · Review and confirm`)
	r.waitFor(`enter writes these changes`)
	r.keys("enter")
	r.waitFor(`Someone else changed the mappings in Synthesize since you started: 3 rows`)
	r.waitFor(`you both changed 1 row: Acme Corp → do not bill`)
	r.keys("enter")
	r.waitFor(`Mappings updated in Synthesize`)
	r.stop()

	got := map[string]gradient.AccountMapping{}
	for _, a := range h.mappings().Accounts {
		got[a.AccountID] = a
	}
	for id, want := range map[string]gradient.AccountMapping{
		"m-011": {AccountID: "m-011", Ignored: true},
		"m-015": {AccountID: "m-015", CompanyID: "c-001"},
		"m-012": {AccountID: "m-012", Ignored: true}, // A's choice, made knowing B's
	} {
		if got[id] != want {
			t.Errorf("%s: %+v, want %+v", id, got[id], want)
		}
	}
	if len(got) < len(byAccount) {
		t.Errorf("%d mappings after both wrote, want at least %d", len(got), len(byAccount))
	}
}
