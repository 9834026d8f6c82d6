package wizard_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// gatewayBilling ticks Mesh Gateway and Billing on the products screen.
var gatewayBilling = []string{"space", "down", "down", "down", "space", "enter"}

// onboardTo drives a fresh harness to the account mapping screen, ticking
// products with choose (default gatewayBilling), and returns the run
// (still going) and the key.
func onboardTo(t *testing.T, h *harness, w, hgt int, choose ...string) (*run, string) {
	t.Helper()
	if len(choose) == 0 {
		choose = gatewayBilling
	}
	r := h.start(t, w, hgt)
	r.waitFor(`Step 1 of 9`)
	r.keys(choose...)
	key := r.waitKey()
	r.keys("y")
	r.waitFor(`Step 3 of 9`)
	r.keys("enter")
	r.waitFor(`Step 4 of 9`)
	h.portal("us", "submit", url.Values{"api_key": {key}})
	h.portal("us", "sync", nil)
	r.waitFor(`Unmapped 40`)
	return r, key
}

func TestProductsLockedOnceConnected(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 100, 30)
	r.stop()
	// Go back to the products screen by editing the saved step, as if the
	// user had pressed esc back there.
	h.setStep("products")
	r = h.start(t, 100, 30)
	r.waitFor(`Connected: these choices are fixed`)
	r.keys("down", "space")
	r.waitFor(`they are fixed at connect`)
	view := r.stop()
	requireGolden(t, view)
}

func TestMappingPickerAndUndo(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 100, 30)
	// Filter to one account, pick a company by hand from the picker.
	r.keys("/", "Z", "e", "p", "h", "enter")
	r.waitFor(`1 account`)
	r.keys("enter")
	r.waitFor(`Choose the company for Zephyr Trial Account`)
	// One enter chooses, even while the filter is typed.
	r.keys("/", "A", "c", "m", "e", " ", "T", "enter")
	r.waitFor(`Zephyr Trial Account → Acme Tools Supply`)
	r.keys("a") // no suggestion for Zephyr: says so
	r.waitFor(`No suggestion for this row`)
	r.keys("u")
	r.waitFor(`Undid: Zephyr Trial Account is unmapped again`) // the row is named
	r.waitFor(`\(no likely company\)`)                         // the undo is committed: the row no longer says "(saving)"
	r.keys("u")
	r.waitFor(`Nothing to undo on this screen`)
	view := r.stop()
	requireGolden(t, view)
	if state := testkit.ReadState(t, h.path); len(state.Accounts) != 0 || state.UndoDepth != 0 {
		t.Fatalf("after undoing everything the store holds %+v", state)
	}
}

// toReview accepts every suggestion on both mapping screens and waits for
// the review.
func toReview(r *run) {
	r.t.Helper()
	r.keys("A", "n")
	r.waitFor(`Step 6 of 9`)
	r.keys("A", "n")
	r.waitFor(`enter writes these mappings`)
}

func TestReviewSaysWhatSynthesizeNoLongerKnows(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 100, 30)
	toReview(r)
	// Meanwhile the integration is re-created elsewhere: the accounts the
	// wizard mapped no longer exist.
	ctx := context.Background()
	if err := h.pc.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.pc.Connect(ctx, []string{"gateway"}, []string{"billing"}); err != nil {
		t.Fatal(err)
	}
	// The write finds the mappings changed (the reconnect wrote them):
	// the review shows it, merged, and asks again.
	r.keys("enter")
	r.waitFor(`Someone else changed the mappings`)
	r.keys("enter")
	r.waitFor(`Nothing was written`)
	view := r.stop()
	if !strings.Contains(view, "Synthesize no longer knows account m-0") || !strings.Contains(view, "esc") {
		t.Fatalf("review error does not say what to do:\n%s", view)
	}
	if m := h.mappings(); len(m.Accounts) != 0 {
		t.Fatalf("something was written: %+v", m)
	}
}

// TestSmallTerminals: every screen fits 80×24 and survives 20×10, with
// the SANDBOX badge still showing.
func TestSmallTerminals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 100, 30)
	toReview(r)
	r.stop()
	for _, step := range []string{"products", "key", "portal", "waiting", "accounts", "services", "review", "final-sync", "billing", "home"} {
		for _, size := range [][2]int{{80, 24}, {20, 10}} {
			h.setStep(step)
			r := h.start(t, size[0], size[1])
			r.waitFor(`SANDBOX`)
			r.keys("?") // handled before stop's ctrl+c: keys arrive in order
			view := r.stop()
			lines := strings.Split(view, "\n")
			if len(lines) > size[1] {
				t.Fatalf("%s at %dx%d: %d lines:\n%s", step, size[0], size[1], len(lines), view)
			}
			for _, l := range lines {
				if lipgloss.Width(l) > size[0] {
					t.Fatalf("%s at %dx%d: line %q is %d wide", step, size[0], size[1], l, lipgloss.Width(l))
				}
			}
			if !strings.Contains(view, "SANDBOX") {
				t.Fatalf("%s at %dx%d: the SANDBOX badge is gone:\n%s", step, size[0], size[1], view)
			}
		}
	}
}

func TestConnectFailureKeepsChoices(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sb.Emulator.Inject(faultConnect500())
	r := h.start(t, 100, 30)
	r.waitFor(`Step 1 of 9`)
	r.keys("space", "down", "down", "down", "space", "enter")
	r.waitFor(`Connecting Mesh in Synthesize failed`)
	r.keys("r")
	key := r.waitKey()
	view := r.stop()
	if !strings.Contains(view, "Gradient API key") || key == "" {
		t.Fatalf("retry did not show the key:\n%s", view)
	}
	d, err := h.pc.Integration(context.Background())
	if err != nil || !d.Connected || d.Products[0] != "gateway" {
		t.Fatalf("after retry Synthesize holds %+v (%v)", d, err)
	}
}

// TestCopiedKeyIsClearedFromTheClipboard: c copies the key, the screen
// says it will be cleared, and after the wait the clipboard is cleared of
// that key and the user is told.
func TestCopiedKeyIsClearedFromTheClipboard(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.clearAfter = 300 * time.Millisecond
	r := h.start(t, 100, 30)
	r.waitFor(`Step 1 of 9`)
	r.keys(gatewayBilling...)
	key := r.waitKey()
	r.keys("c")
	r.waitFor(`It will be cleared\s+in 300ms if it still holds the key`)
	r.waitFor(`Clipboard: Cleared the key from the system clipboard`)
	r.stop()
	if len(h.copied) != 1 || len(h.cleared) != 1 || h.cleared[0] != key {
		t.Fatalf("copied %d, cleared %v; want the key copied once and cleared once", len(h.copied), len(h.cleared))
	}
}
