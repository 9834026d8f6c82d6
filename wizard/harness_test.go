package wizard_test

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/wizard"
	"github.com/meshgradient/mesh-gradient/wizard/core"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

func TestMain(m *testing.M) {
	// Golden files hold plain text: no colour, one time zone.
	lipgloss.SetColorProfile(termenv.Ascii)
	time.Local = time.UTC
	testkit.Parallel(4)
	os.Exit(m.Run())
}

// clock is the fixed "now" of every test run, so times on screen are stable.
var clock = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)

// harness is a sandbox (both emulators over loopback HTTP) and a state
// file in a temp dir; each run is one start of the wizard on them.
type harness struct {
	t      *testing.T
	sb     *meshemu.Sandbox
	pc     *gradient.PartnerClient
	path   string
	copied []string
	// cleared are the texts the wizard cleared from the clipboard;
	// clearAfter, when set, replaces the 45 s wait.
	cleared    []string
	clearAfter time.Duration
	// now, when set, is the wizard's "now" instead of clock (the
	// emulators keep clock): times on screen are that much older.
	now time.Time
}

func newHarness(t *testing.T, opts ...synthemu.Option) *harness {
	t.Helper()
	// Synthesize's clock starts at the fixed clock and moves a millisecond a
	// call: "later" stays true, and minutes on screen stay the same.
	var ticks atomic.Int64
	emuClock := func() time.Time { return clock.Add(time.Duration(ticks.Add(1)) * time.Millisecond) }
	sb, err := meshemu.StartSandbox(meshemu.SandboxOptions{Listen: "127.0.0.1:0",
		EmulatorOptions: append([]synthemu.Option{synthemu.WithClock(emuClock)}, opts...)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	pc, err := gradient.NewPartnerClient(sb.GradientURL, sb.Emulator.PartnerToken(), gradient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, sb: sb, pc: pc, path: filepath.Join(t.TempDir(), "state", "state.db")}
}

// run is one start of the program.
type run struct {
	h       *harness
	t       *testing.T
	tm      *teatest.TestModel
	st      *store.Store
	model   *wizard.Model
	out     []byte // everything the program has printed
	mark    int    // where the output after the last keys begins
	stopped bool
}

func (h *harness) start(t *testing.T, w, hgt int) *run {
	t.Helper()
	st, err := store.Open(h.path)
	if err != nil {
		t.Fatal(err)
	}
	now := clock
	if !h.now.IsZero() {
		now = h.now
	}
	sess, err := core.Open(core.Config{Partner: h.pc, Store: st, PollEvery: 20 * time.Millisecond, SyncQuiet: 300 * time.Millisecond,
		CycleUsage: h.sb.Scenario.CycleUsage, PortalHasKey: h.sb.Portal.HasKey, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	m := wizard.New(wizard.Config{
		Session: sess, Sandbox: true, PortalURL: h.sb.PortalURL, NoBrowser: true,
		Copy: func(text string) ui.CopyResult {
			h.copied = append(h.copied, text)
			return ui.CopyResult{OSC52: true, Native: true}
		},
		ClearClipboard: func(text string) ui.ClearResult {
			h.cleared = append(h.cleared, text)
			return ui.ClearResult{Native: true}
		},
		ClipboardClear: h.clearAfter,
	})
	r := &run{h: h, t: t, st: st, model: m}
	r.tm = teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, hgt))
	// A failed test still releases the state file for the next start.
	t.Cleanup(func() {
		if !r.stopped {
			_ = r.tm.Quit()
			_ = m.Close()
			_ = st.Close()
		}
	})
	return r
}

// waitFor waits (up to 30 s: a loaded CI machine is slow, a passing test
// never waits that long) until the program has printed text matching re since the
// last keys call began (output is read once; this keeps what was read).
func (r *run) waitFor(re string) string {
	r.t.Helper()
	rx := regexp.MustCompile(re)
	testkit.Eventually(r.t, 30*time.Second, func() bool {
		chunk, _ := io.ReadAll(r.tm.Output())
		r.out = append(r.out, chunk...)
		return rx.Match(r.out[r.mark:])
	}, func() string {
		return fmt.Sprintf("/%s/; the program printed since the last keys:\n%q", re, r.out[r.mark:])
	})
	return string(r.out[r.mark:])
}

// keys types key names: "enter", "esc", "space", "down", "up", or letters.
func (r *run) keys(names ...string) {
	chunk, _ := io.ReadAll(r.tm.Output())
	r.out = append(r.out, chunk...)
	r.mark = len(r.out)
	for _, n := range names {
		var k tea.KeyMsg
		switch n {
		case "enter":
			k = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			k = tea.KeyMsg{Type: tea.KeyEscape}
		case "space":
			k = tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
		case "down":
			k = tea.KeyMsg{Type: tea.KeyDown}
		case "up":
			k = tea.KeyMsg{Type: tea.KeyUp}
		case "tab":
			k = tea.KeyMsg{Type: tea.KeyTab}
		default:
			k = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(n)}
		}
		r.tm.Send(k)
	}
}

// stop quits as a user would (ctrl+c, which quits even while typing), waits for every write, closes the state
// file and returns the last screen as text.
func (r *run) stop() string {
	r.t.Helper()
	r.stopped = true
	// A second ctrl+c quits where the first only asks (the key screen).
	r.tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	r.tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	r.tm.WaitFinished(r.t, teatest.WithFinalTimeout(5*time.Second))
	view := r.model.View()
	if err := r.model.Close(); err != nil {
		r.t.Fatal(err)
	}
	if err := r.st.Close(); err != nil {
		r.t.Fatal(err)
	}
	return view
}

var (
	spinnerFrames = regexp.MustCompile(`[⣾⣽⣻⢿⡿⣟⣯⣷] `)
	ports         = regexp.MustCompile(`127\.0\.0\.1:\d+`)

	keyHints = regexp.MustCompile(`…[a-z0-9]{4}\b`)
	// Synthesize's alert message ids are random.
	messageIDs = regexp.MustCompile(`\bmsg-[a-z0-9]{13}\b`)
)

// normalize removes what differs from run to run: ports, keys, spinners.
func normalize(view string) string {
	view = spinnerFrames.ReplaceAllString(view, "* ")
	view = ports.ReplaceAllString(view, "127.0.0.1:PORT")
	view = testkit.KeyPattern.ReplaceAllStringFunc(view, func(k string) string { return "gsk_" + strings.Repeat("K", len(k)-4) })
	view = messageIDs.ReplaceAllString(view, "msg-MESSAGEIDXX")
	return keyHints.ReplaceAllString(view, "…HINT")
}

func requireGolden(t *testing.T, view string) {
	t.Helper()
	golden.RequireEqual(t, []byte(normalize(view)))
}

// portal does in the emulated Mesh portal what the technician does there.
func (h *harness) portal(region, action string, form url.Values) {
	h.t.Helper()
	testkit.Portal(h.t, h.sb.PortalURL, region, action, form)
}

// setStep edits the saved step, as if the user had gone there and quit.
func (h *harness) setStep(step string) {
	h.t.Helper()
	st, err := store.Open(h.path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer st.Close()
	if err := st.UpdateProgress("mesh", func(p *store.Progress) { p.Step = step }); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) mappings() gradient.Mappings {
	h.t.Helper()
	m, err := h.pc.Mappings(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

// waitKey waits for a one-time key on screen and answers it.
func (r *run) waitKey() string {
	r.t.Helper()
	return testkit.Key(r.t, r.waitFor(testkit.KeyPattern.String()))
}

func contains(t *testing.T, view string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(view, w) {
			t.Fatalf("screen lacks %q:\n%s", w, view)
		}
	}
}
