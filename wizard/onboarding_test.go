package wizard_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// TestOnboardingResumesAtEveryScreen walks the whole onboarding against the
// emulators, quitting at every screen and starting again on the same state
// file; each stop's screen is a golden file, and each start must find the
// same screen with the same choices.
func TestOnboardingResumesAtEveryScreen(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var firstKey, key string

	t.Run("1-products-refusal-then-choices", func(t *testing.T) {
		r := h.start(t, 100, 30)
		r.waitFor(`Step 1 of 9`)
		r.keys("enter")
		r.waitFor(`Choose at least one product and one integration type`)
		r.keys("space", "down", "down", "down", "space")
		r.waitFor(`\[x\] Billing`)
		requireGolden(t, r.stop())
	})

	t.Run("2-key-shown-not-confirmed", func(t *testing.T) {
		r := h.start(t, 100, 30)
		out := r.waitFor(`\[x\] Mesh Gateway`)
		contains(t, out, "[x] Billing")
		r.keys("enter")
		firstKey = r.waitKey()
		r.keys("c")
		r.waitFor(`Copied to the system clipboard`)
		if len(h.copied) != 1 || h.copied[0] != firstKey {
			t.Fatalf("c copied %q", h.copied)
		}
		// q would lose the key: it asks, and No (the default) keeps it.
		r.keys("q")
		r.waitFor(`Quit without the key\?`)
		r.keys("enter")
		r.waitFor(`Not quitting: the key is still here`)
		r.keys("q")
		r.waitFor(`Quit without the key\?`)
		requireGolden(t, r.stop())
	})

	t.Run("3-key-lost-new-key", func(t *testing.T) {
		r := h.start(t, 100, 30)
		r.waitFor(`cannot be shown again`)
		r.keys("r")
		key = r.waitKey()
		if key == firstKey {
			t.Fatal("r gave the same key")
		}
		old, _ := gradient.NewVendorClient(h.sb.GradientURL, h.sb.Emulator.VendorKey(), firstKey, gradient.Options{})
		if _, err := old.Organization(context.Background()); !gradient.IsUnauthorized(err) {
			t.Fatalf("the first key still works after a new one: %v", err)
		}
		r.keys("y")
		r.waitFor(`Step 3 of 9`)
		requireGolden(t, r.stop())
	})

	t.Run("4-portal-choose-europe", func(t *testing.T) {
		r := h.start(t, 100, 30)
		r.waitFor(`Step 3 of 9`)
		r.keys("down", "enter")
		r.waitFor(`Step 4 of 9`)
		requireGolden(t, r.stop())
	})

	t.Run("5-waiting-then-sync-arrives", func(t *testing.T) {
		r := h.start(t, 100, 30)
		r.waitFor(`Waiting for Mesh's first Gradient Sync`)
		h.portal("eu", "submit", url.Values{"api_key": {key}})
		h.portal("eu", "sync", nil)
		r.waitFor(`Step 5 of 9`)
		r.waitFor(`Unmapped 40`)
		r.keys("A")
		r.waitFor(`Accepted \d+ suggestions`)
		r.waitFor(`✓ ACME Corporation 100%`) // one write for all of them: committed
		requireGolden(t, r.stop())
	})

	t.Run("6-accounts-resumed-undo-do-not-bill", func(t *testing.T) {
		r := h.start(t, 100, 30)
		r.waitFor(`Mapped 3\d`)
		r.keys("x")
		r.waitFor(`will not be billed`)
		r.keys("u")
		r.waitFor(`Undid: Acme Corp is ACME Corporation again`)
		r.keys("down", "x")
		r.waitFor(`Do not bill 1`)
		r.keys("n")
		r.waitFor(`Step 6 of 9`)
		requireGolden(t, r.stop())
	})

	t.Run("7-services", func(t *testing.T) {
		r := h.start(t, 100, 30)
		out := r.waitFor(`Unmapped 1`)
		contains(t, out, "Mesh Gateway")
		if strings.Contains(out, "Mesh Unified") {
			t.Fatal("a service of a product not chosen is listed")
		}
		r.keys("A", "n")
		r.waitFor(`Step 7 of 9`)
		requireGolden(t, r.stop())
	})

	t.Run("8-review-write", func(t *testing.T) {
		r := h.start(t, 100, 30)
		r.waitFor(`Step 7 of 9`)
		r.waitFor(`enter writes these mappings`)
		r.keys("enter")
		r.waitFor(`Mappings written to Synthesize`)
		r.waitFor(`Usage arrived for 0 of 3\d mapped accounts`) // Synthesize answered once
		requireGolden(t, r.stop())
		m := h.mappings()
		ignored := 0
		for _, a := range m.Accounts {
			if a.Ignored {
				ignored++
			}
		}
		if len(m.Accounts) < 30 || ignored != 1 || len(m.Services) != 1 || m.Services[0].ProductID != "p-gw" {
			t.Fatalf("Synthesize holds %+v", m)
		}
	})

	t.Run("9-final-sync-resumed-usage-arrives", func(t *testing.T) {
		r := h.start(t, 100, 30)
		r.waitFor(`Usage arrived for 0 of 3\d mapped accounts`)
		h.portal("eu", "sync", nil)
		r.waitFor(`Billing and reconcile`)
		r.waitFor(`Vendor Mesh · \d+ rows`)
		requireGolden(t, r.stop())
	})

	t.Run("10-home", func(t *testing.T) {
		// Every start after the onboarding opens home.
		r := h.start(t, 100, 30)
		r.waitFor(`Update account mappings`)
		r.waitFor(`vendor status active`)
		requireGolden(t, r.stop())
	})

	// Nothing under the state directory holds either key.
	err := filepath.Walk(filepath.Dir(h.path), func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, k := range []string{firstKey, key} {
			if k != "" && strings.Contains(string(b), k) {
				t.Errorf("%s contains a key", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
