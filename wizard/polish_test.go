package wizard_test

// Issue 16 ("The wizard a top TUI designer would ship"): one test (or
// more) per numbered item, at 80×24 where the item is about layout. The
// tests of the billing screen, home and the words are in polish2_test.go.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// screenOf replays what the program printed as a terminal shows it: the
// renderer moves the cursor up to the frame's top, writes each changed
// line whole and steps over the others; a wrapped sentence can then be
// read across its lines, and what left the screen is gone.
func screenOf(out []byte) string {
	var rows []string
	row, cur, writing := 0, strings.Builder{}, false
	flush := func() {
		if !writing {
			return
		}
		for len(rows) <= row {
			rows = append(rows, "")
		}
		rows[row], writing = cur.String(), false
		cur.Reset()
	}
	s := string(out)
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			if j == len(s) {
				i = j // cut off mid-sequence: the rest comes later
				continue
			}
			if s[j] != 'K' {
				flush()
			}
			n, err := strconv.Atoi(s[i+2 : j])
			if err != nil || n < 1 {
				n = 1
			}
			switch s[j] {
			case 'K': // erase to the line's end: what was written is the line
				writing = true
				flush()
			case 'A':
				row = max(row-n, 0)
			case 'J':
				rows = rows[:min(len(rows), row+1)]
			}
			i = j + 1
		case c == '\n':
			flush()
			row++
			i++
		case c == '\r':
			flush()
			i++
		default:
			writing = true
			cur.WriteByte(c)
			i++
		}
	}
	flush()
	return strings.Join(rows, "\n")
}

// flat is a screen's words one space apart, so a phrase is found however
// it was wrapped, in a dialog's box too.
func flat(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "│", " ")), " ")
}

// screen is what the terminal shows now.
func (r *run) screen() string {
	chunk, _ := io.ReadAll(r.tm.Output())
	r.out = append(r.out, chunk...)
	return screenOf(r.out)
}

// waitShown waits until the terminal shows every phrase (wrapped or not)
// and answers the screen.
func (r *run) waitShown(phrases ...string) string {
	r.t.Helper()
	return r.waitUntil(fmt.Sprintf("the screen to show %q", phrases), func(f string) bool {
		for _, p := range phrases {
			if !strings.Contains(f, p) {
				return false
			}
		}
		return true
	})
}

// waitUntil waits until the screen, its words one space apart, satisfies
// cond, and answers the screen.
func (r *run) waitUntil(what string, cond func(flat string) bool) string {
	r.t.Helper()
	var shown string
	testkit.Eventually(r.t, 30*time.Second, func() bool {
		shown = r.screen()
		return cond(flat(shown))
	}, func() string { return fmt.Sprintf("%s; the screen shows:\n%s", what, shown) })
	return shown
}

// helpOf is a screen's help: the lines after its last blank line.
func helpOf(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n "), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.TrimSpace(lines[i]) == "" {
			return strings.Join(lines[i+1:], "\n")
		}
	}
	return screen
}

// toWaiting drives a fresh harness to step 4 (waiting for the first
// sync), the key confirmed and not yet given to the portal, and returns
// the run (still going) and the key.
func toWaiting(t *testing.T, h *harness, w, hgt int) (*run, string) {
	t.Helper()
	r := h.start(t, w, hgt)
	r.waitFor(`Step 1 of 9`)
	r.keys(gatewayBilling...)
	key := r.waitKey()
	r.keys("y")
	r.waitFor(`Step 3 of 9`)
	r.keys("enter")
	r.waitFor(`Step 4 of 9`)
	return r, key
}

// waitingNext drives a fresh harness to step 3 (the key confirmed) and
// quits there, then saves step 4 (portal us) as if the user had gone on:
// the next start's first polls are its own, none left from an earlier run.
func waitingNext(t *testing.T, h *harness) string {
	t.Helper()
	r := h.start(t, 80, 24)
	r.waitFor(`Step 1 of 9`)
	r.keys(gatewayBilling...)
	key := r.waitKey()
	r.keys("y")
	r.waitFor(`Step 3 of 9`)
	r.stop()
	st, err := store.Open(h.path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.UpdateProgress("mesh", func(p *store.Progress) { p.Step, p.Region = "waiting", "us" }); err != nil {
		t.Fatal(err)
	}
	return key
}

// footerOf is a screen's last line: the help.
func footerOf(view string) string {
	lines := strings.Split(strings.TrimRight(view, "\n"), "\n")
	return strings.TrimRight(lines[len(lines)-1], " ")
}

// lacks fails when the screen shows any of unwanted.
func lacks(t *testing.T, view string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(view, u) {
			t.Fatalf("screen shows %q:\n%s", u, view)
		}
	}
}

// Item 1: q (or ctrl+c) on the one-time key screen asks first, No is the
// default and says the key will be gone. Item 19: the key screen says
// where the key goes and that each integration has its own.
func TestPolishKeyScreenAsksBeforeQuitting(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.start(t, 80, 24)
	r.waitFor(`Step 1 of 9`)
	r.keys(gatewayBilling...)
	key := r.waitKey()
	r.keys("q")
	r.waitShown("Quit without the key?", "if you quit now it is gone")
	r.keys("enter") // the default: No
	r.waitShown("Not quitting: the key is still here", key,
		"You will paste it into Mesh → Settings → Gradient", "Each integration has its own key")
	r.tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	r.waitFor(`Quit without the key\?`)
	view := r.stop() // a second ctrl+c, in the dialog, quits
	requireGolden(t, view)
	contains(t, view, key)

	// The dialog said so: the key is gone, and the next start says it.
	r = h.start(t, 80, 24)
	r.waitFor(`cannot be shown again`)
	r.stop()
}

// At 60x15 the quit dialog shows whole (its answer line was cut below
// the key box); No brings the key back.
func TestKeyQuitDialogShowsWholeAt60x15(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.start(t, 60, 15)
	r.waitFor(`Step 1 of 9`)
	r.keys(gatewayBilling...)
	key := r.waitKey()
	r.keys("q")
	r.waitShown("Quit without the key?", "[N]o (enter, esc)", "╰")
	r.keys("esc")
	r.waitShown(key)
	r.stop()
}

// Item 2: at step 8, n before the sync opens an empty billing screen; after
// the sync in the portal, r reloads and the rows are there. Item 16: the
// empty screen offers only the keys that work there. Item 10: with the
// portal holding the key, step 8 does not warn that it forgot it.
func TestPolishEmptyBillingReloadsAfterTheSync(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 80, 24)
	toReview(r)
	r.keys("enter")
	shown := r.waitShown("Usage arrived for 0 of")
	lacks(t, shown, "forgotten")
	r.keys("n")
	short := r.waitShown("Synthesize has no Mesh usage yet", "r reload")
	if !regexp.MustCompile(`(^|• )r reload`).MatchString(helpOf(short)) {
		t.Fatalf("r does not reload on the empty billing screen:\n%s", short)
	}
	r.keys("?")
	full := r.waitShown("fewer keys")
	for _, dead := range []string{"reconcile", "filter", "sort", "export"} {
		if strings.Contains(helpOf(short), dead) || strings.Contains(helpOf(full), dead) {
			t.Fatalf("the empty billing screen offers %q, which does nothing there:\n%s\n%s", dead, short, full)
		}
	}
	r.keys("?")
	h.portal("us", "sync", nil)
	r.keys("r")
	r.waitFor(`Vendor Mesh · \d+ rows`)
	view := r.stop()
	contains(t, view, "Step 9 of 9")
}

// Item 3: a 401 is not retried: the wait stops and names GRADIENT_TOKEN.
func TestPolishUnauthorizedIsNotRetried(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	waitingNext(t, h)
	// The same Synthesize, asked with a token it does not know, through a
	// door that counts the requests.
	var asked atomic.Int64
	door := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		asked.Add(1)
		h.sb.Emulator.Handler().ServeHTTP(w, req)
	}))
	t.Cleanup(door.Close)
	pc, err := gradient.NewPartnerClient(door.URL, "not-the-token", gradient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h.pc = pc
	r := h.start(t, 80, 24)
	shown := r.waitShown("Stopped asking", "check GRADIENT_TOKEN", "r ask again")
	// One question at start (still connected?) and one poll: neither
	// asked again.
	if n := asked.Load(); n > 2 {
		t.Fatalf("Synthesize was asked %d times after a 401", n)
	}
	view := r.stop()
	lacks(t, shown+view, "asking again in", "did not answer")
	contains(t, view, "401")
}

// Item 3: a 403 stops the wait and names permissions; r asks again once
// that is fixed, and the wait goes on.
func TestPolishForbiddenNamesPermissions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	key := waitingNext(t, h)
	// Both questions a start asks may meet it; the poll meets one.
	h.sb.Emulator.Inject(synthemu.Fault{Kind: synthemu.FaultStatus, Status: 403, Times: 2, Method: http.MethodGet,
		PathPrefix: "/api/partner/v1/integrations/mesh"})
	r := h.start(t, 80, 24)
	shown := r.waitShown("Stopped asking", "403", "may manage integrations")
	lacks(t, shown, "asking again in", "did not answer")
	r.keys("r")
	r.waitShown("This screen moves on by itself")
	h.portal("us", "submit", url.Values{"api_key": {key}})
	h.portal("us", "sync", nil)
	r.waitFor(`Step 5 of 9`)
	r.stop()
}

// Item 3: a Synthesize that cannot be reached is named plainly, with what
// to check, not as a Go error.
func TestPolishConnectionRefusedIsPlain(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	waitingNext(t, h)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	pc, err := gradient.NewPartnerClient(closed, h.sb.Emulator.PartnerToken(), gradient.Options{
		Timeout: 300 * time.Millisecond, Retry: gradient.RetryPolicy{MaxAttempts: 2, BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	h.pc = pc
	r := h.start(t, 80, 24)
	r.waitShown("cannot reach Synthesize (connection refused): is GRADIENT_URL right, and is the service up?")
	r.stop()
	lacks(t, string(r.out), "dial tcp", "connect: connection refused", "Get \"http")
}

// Item 4: the main action is pinned on the left of the footer, then ? and
// q; the other keys give way first when the line runs out of room.
func TestPolishFooterPinsTheMainAction(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 80, 24)
	r.stop()
	last := 0 // keys in the footer at the last size, smallest first
	for _, size := range [][2]int{{60, 15}, {80, 24}, {100, 30}} {
		r := h.start(t, size[0], size[1])
		r.waitFor(`Unmapped 40`)
		footer := footerOf(r.stop())
		if !strings.HasPrefix(footer, "n → Map services (40 accounts to map) • ") || !strings.HasSuffix(footer, " • ? more keys • q quit") ||
			lipgloss.Width(footer) > size[0] {
			t.Fatalf("at %dx%d the footer is %q", size[0], size[1], footer)
		}
		keys := strings.Count(footer, " • ") + 1
		if keys < last {
			t.Fatalf("at %dx%d the footer has fewer keys (%d) than at a smaller size (%d): %q", size[0], size[1], keys, last, footer)
		}
		last = keys
	}
}

// The full key list at 80x24 keeps every key: its columns go on a band
// below when they do not fit side by side (they were cut with … at the
// right, hiding a, A, u and x).
func TestFullHelpKeepsEveryKeyAt80x24(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 80, 24)
	r.stop()
	// At 60x15 the columns do not fit even in bands: the keys flow in lines.
	for _, size := range [][2]int{{80, 24}, {60, 15}} {
		r = h.start(t, size[0], size[1])
		r.waitFor(`Unmapped 40`)
		r.keys("?")
		shown := r.waitShown("fewer keys")
		r.stop()
		for _, want := range []string{"accept suggestion", "accept all", "undo", "do not bill", "unmapped only", "pick company", "q quit"} {
			if !strings.Contains(shown, want) {
				t.Errorf("the full help at %dx%d lacks %q:\n%s", size[0], size[1], want, shown)
			}
		}
		for _, line := range strings.Split(shown, "\n") {
			if strings.Contains(line, "…") && (strings.Contains(line, "•") || strings.Contains(line, "fewer keys")) {
				t.Errorf("a line of the full help at %dx%d is cut: %q", size[0], size[1], line)
			}
		}
	}
}

// Item 9: a new key from home says it is shown once, then walks the portal
// and the wait for Mesh to take it, and goes home.
func TestPolishNewKeyFromHomeWalksPortalAndWait(t *testing.T) {
	t.Parallel()
	h := onboarded(t)
	r := h.start(t, 80, 24)
	r.waitFor(`Update account mappings`)
	r.keys("down", "down", "down", "down", "down", "enter") // Issue a new key, below Alerts and Change products and types
	r.waitFor(`Issue a new API key\?`)
	r.keys("y")
	key := r.waitKey()
	out := r.waitFor(`only this once`)
	lacks(t, out, "New key saved")
	contains(t, out, "copy it now")
	r.keys("enter")
	out = r.waitFor(`Choose your Mesh portal`)
	contains(t, out, "Paste the API key", "Press Submit.")
	lacks(t, out, "4. Press Gradient Sync")
	r.keys("enter")
	r.waitFor(`Waiting for Mesh to take the new key`)
	h.portal("us", "submit", url.Values{"api_key": {key}})
	r.waitFor(`Mesh has the new key \(…` + key[len(key)-4:] + `\); the old one no longer works`)
	view := r.stop()
	contains(t, view, "Update account mappings")
	state := testkit.ReadState(t, h.path)
	if state.Progress.Step != "home" || state.Progress.KeyHint != key[len(key)-4:] || state.Progress.Renewal != nil {
		t.Fatalf("after the new key the state says %+v", state.Progress)
	}
}

// Item 10: when Mesh checks in (the key submitted), the waiting screen
// ticks off what is done and says what is next.
func TestPolishWaitingTicksOffTheSteps(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, key := toWaiting(t, h, 80, 24)
	r.waitShown("Mesh status: not checked in yet", "1. Log in to the Mesh portal")
	h.portal("us", "submit", url.Values{"api_key": {key}})
	r.waitShown("✓ Press Submit.", "Key accepted by Synthesize. Now press Gradient Sync in Mesh")
	view := r.stop()
	requireGolden(t, view)
	contains(t, view, "✓ Log in to the Mesh portal", "✓ Paste the API key", "4. Press Gradient Sync")
}

// finalSyncUnsynced is a fresh harness whose progress is at step 8,
// connected in Synthesize and the key confirmed, but whose portal never got
// the key: as after a restart of mesh-gradient sandbox.
func finalSyncUnsynced(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	conn, err := h.pc.Connect(context.Background(), []string{"gateway"}, []string{"billing"})
	if err != nil {
		t.Fatal(err)
	}
	key := conn.APIKey
	st, err := store.Open(h.path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.UpdateProgress("mesh", func(p *store.Progress) {
		p.Step, p.KeyHint, p.KeyConfirmed, p.Region = "final-sync", key[len(key)-4:], true, "us"
		p.Products, p.Types = []string{"gateway"}, []string{"billing"}
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Item 10: in the sandbox, step 8 says when the emulated portal has
// forgotten the key (it keeps keys in memory only). Item 19: the final
// sync shows the guide's discrepancy note.
func TestPolishFinalSyncSaysThePortalForgotTheKey(t *testing.T) {
	t.Parallel()
	h := finalSyncUnsynced(t)
	r := h.start(t, 80, 24)
	r.waitFor(`Step 8 of 9`)
	r.waitShown("Usage arrived for 0 of 0 mapped accounts", "forgot the pasted key", "choose Issue a new key on home")
	view := r.stop()
	requireGolden(t, view)
	contains(t, flat(view), "Mesh shows the licence count from the start of the billing cycle; Synthesize receives snapshot counts")
}

// At 80×24 the final sync's steps in Mesh are cut, not wrapped.
func TestPolishFinalSyncStepsAreNotCut(t *testing.T) {
	t.Parallel()
	h := finalSyncUnsynced(t)
	r := h.start(t, 80, 24)
	view := r.waitShown("Usage arrived for 0 of 0 mapped accounts")
	r.stop()
	contains(t, flat(view), "Press Gradient Sync again: Mesh now sends the usage of every mapped account.")
}
