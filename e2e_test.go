package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// terminal is the built binary running in a real terminal: a tmux pane.
type terminal struct {
	t      *testing.T
	socket string
}

func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is required for the end-to-end tests (.ci/run installs it)")
		}
		t.Skip("tmux not installed; the end-to-end tests need it (apt-get install tmux)")
	}
}

func startTerminal(t *testing.T, env []string, args ...string) *terminal {
	t.Helper()
	// exec: the pane's process is the program itself, so it can be killed.
	// It starts in HOME when env sets one, so files it writes land there.
	cd := ""
	for _, e := range env {
		if home, ok := strings.CutPrefix(e, "HOME="); ok {
			cd = "cd " + home + " && "
		}
	}
	// CI is unset: a person's terminal is not CI, and termenv turns colour
	// off when CI is set.
	return startShell(t, cd+"exec env -u CI "+strings.Join(env, " ")+" "+binary+" "+strings.Join(args, " "))
}

func startShell(t *testing.T, cmd string) *terminal {
	t.Helper()
	term := &terminal{t: t, socket: fmt.Sprintf("mg-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())}
	// The pane stays when the program ends, so its end can be waited for;
	// set before the program starts, or a quick one ends the session first.
	term.tmux("start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";",
		"new-session", "-d", "-s", "main", "-x", "100", "-y", "30", cmd)
	t.Cleanup(func() { exec.Command("tmux", "-L", term.socket, "kill-server").Run() })
	return term
}

func (term *terminal) tmux(args ...string) string {
	term.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", term.socket}, args...)...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

func (term *terminal) screen() string { return term.tmux("capture-pane", "-p", "-t", "main") }

// paste pastes text as a terminal does (bracketed, when the program asked
// for it), not as typed keys.
func (term *terminal) paste(text string) {
	term.tmux("set-buffer", "-b", "paste", text)
	term.tmux("paste-buffer", "-p", "-d", "-b", "paste", "-t", "main")
}

// keys types tmux key names; the program reads them in order.
func (term *terminal) keys(keys ...string) {
	term.tmux(append([]string{"send-keys", "-t", "main"}, keys...)...)
}

// waitFor waits until the screen matches re and answers it.
func (term *terminal) waitFor(re string) string {
	term.t.Helper()
	rx := regexp.MustCompile(re)
	var s string
	testkit.Eventually(term.t, 20*time.Second, func() bool { s = term.screen(); return rx.MatchString(s) },
		func() string { return fmt.Sprintf("/%s/; the screen:\n%s", re, s) })
	return s
}

// waitSaved waits until every mapping row on screen is committed: a row
// reads "(saving)" until the state file has it.
func (term *terminal) waitSaved() {
	term.t.Helper()
	var s string
	testkit.Eventually(term.t, 20*time.Second, func() bool { s = term.screen(); return strings.Contains(s, "✓") && !strings.Contains(s, "(saving)") },
		func() string { return "every row to be saved; the screen:\n" + s })
}

// waitExit waits until the program in the pane has ended.
func (term *terminal) waitExit() {
	term.t.Helper()
	dead := func() bool {
		return strings.TrimSpace(term.tmux("display-message", "-p", "-t", "main", "#{pane_dead}")) == "1"
	}
	testkit.Eventually(term.t, 10*time.Second, dead, func() string { return "the program to end; the screen:\n" + term.screen() })
}

func (term *terminal) pid() int {
	term.t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(term.tmux("list-panes", "-t", "main", "-F", "#{pane_pid}")))
	if err != nil {
		term.t.Fatal(err)
	}
	return n
}

// kill sends SIGKILL to the program and waits until it is gone.
func (term *terminal) kill() {
	term.t.Helper()
	if err := syscall.Kill(term.pid(), syscall.SIGKILL); err != nil {
		term.t.Fatal(err)
	}
	term.waitExit()
}

// onboardToAccounts ticks products with keys, takes the key, does the
// portal's part against the sandbox v, waits for the account screen and
// answers the key.
func (term *terminal) onboardToAccounts(v map[string]string, keys ...string) string {
	term.t.Helper()
	term.waitFor(`Step 1 of 9`)
	term.keys(keys...)
	key := testkit.Key(term.t, term.waitFor(testkit.KeyPattern.String()))
	term.keys("y")
	term.waitFor(`Step 3 of 9`)
	term.keys("Enter")
	term.waitFor(`Step 4 of 9`)
	testkit.Portal(term.t, v["MESH_PORTAL_URL"], "us", "submit", url.Values{"api_key": {key}})
	testkit.Portal(term.t, v["MESH_PORTAL_URL"], "us", "sync", nil)
	term.waitFor(`Unmapped 40`)
	return key
}

// TestEndToEndOnboardingInATerminal runs the built binary in tmux against
// `mesh-gradient sandbox`, as a technician would, including a kill -9 in
// the middle of mapping.
func TestEndToEndOnboardingInATerminal(t *testing.T) {
	t.Parallel()
	needTmux(t)
	v := startSandboxBinary(t)
	stateDir := t.TempDir()
	state := filepath.Join(stateDir, "state.db")
	// The program runs in a home of its own, so every file it writes
	// (state, debug log, CSV export, anything else) can be searched for
	// secrets at the end.
	home := t.TempDir()
	debugLog := filepath.Join(home, "debug.log")
	env := []string{"GRADIENT_URL=" + v["GRADIENT_URL"], "GRADIENT_TOKEN=" + v["GRADIENT_TOKEN"],
		"MESH_PORTAL_URL=" + v["MESH_PORTAL_URL"], "TERM=xterm-256color", "HOME=" + home,
		"XDG_STATE_HOME=" + home + "/state", "XDG_CONFIG_HOME=" + home + "/config", "XDG_CACHE_HOME=" + home + "/cache"}
	args := []string{"--state", state, "--no-browser", "--debug", debugLog}
	term := startTerminal(t, env, args...)

	key := term.onboardToAccounts(v, "Space", "Down", "Space", "Down", "Space", "Down", "Space", "Enter")
	term.keys("A")
	term.waitFor(`Accepted \d+ suggestions`)
	term.waitSaved()

	// A crash: nothing chosen so far may be lost.
	term.kill()
	term = startTerminal(t, env, args...)
	term.waitFor(`Step 5 of 9`)
	term.waitFor(`Mapped 3\d`)
	term.keys("n")
	term.waitFor(`Step 6 of 9`)
	term.keys("A", "n")
	term.waitFor(`Step 7 of 9`)
	term.keys("Enter")
	term.waitFor(`Mappings written to Synthesize`)

	ctx := context.Background()
	pc, _ := gradient.NewPartnerClient(v["GRADIENT_URL"], v["GRADIENT_TOKEN"], gradient.Options{})
	m, err := pc.Mappings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Accounts) < 30 || len(m.Services) != 3 {
		t.Fatalf("Synthesize holds %d account and %d service mappings", len(m.Accounts), len(m.Services))
	}

	// Guide 12–14: the final Gradient Sync, then reconcile everything.
	term.waitFor(`Usage arrived for 0 of`)
	testkit.Portal(t, v["MESH_PORTAL_URL"], "us", "sync", nil)
	term.waitFor(`Vendor Mesh · \d+ rows · [1-9]\d* quantit(y|ies) differ`)
	term.keys("R")
	term.waitFor(`Reconcile \d+ quantities\?`)
	term.keys("y")
	term.waitFor(`· 0 quantities differ`)
	term.keys("e")
	term.waitFor(`mesh-billing-`)
	term.keys("Enter")
	term.waitFor(`Exported \d+ rows`)
	rows, err := pc.Billing(ctx)
	if err != nil || len(rows) == 0 {
		t.Fatalf("billing: %d rows, %v", len(rows), err)
	}
	sums := map[[2]string]float64{}
	for _, r := range rows {
		sums[[2]string{r.CompanyID, r.ProductID}] += r.Usage
	}
	for _, r := range rows {
		if r.BilledQuantity != sums[[2]string{r.CompanyID, r.ProductID}] {
			t.Fatalf("after reconcile, %+v is not billed its usage", r)
		}
	}
	term.keys("q")
	term.waitExit()

	// Start again: home. Change one mapping and check it remotely.
	term = startTerminal(t, env, args...)
	term.waitFor(`vendor status active`)
	term.keys("Enter")
	term.waitFor(`Update mappings · Map accounts`)
	term.waitFor(`Mapped \d+`)
	term.keys("x", "n")
	term.waitFor(`0 added, 1 changed, 0 removed`)
	term.keys("Enter")
	term.waitFor(`Mappings updated in Synthesize`)
	after, _ := pc.Mappings(ctx)
	ignored := 0
	for _, a := range after.Accounts {
		if a.Ignored {
			ignored++
		}
	}
	if ignored != 1 {
		t.Fatalf("the changed mapping did not arrive: %d do-not-bill", ignored)
	}

	// Disconnect from home: default No, then y.
	term.keys("G", "Enter") // the last action
	term.waitFor(`Disconnect Mesh from Synthesize\?`)
	term.keys("y")
	term.waitFor(`Disconnected: Synthesize revoked the key`)
	term.keys("q")
	term.waitExit()
	vc, _ := gradient.NewVendorClient(v["GRADIENT_URL"], v["GRADIENT_VENDOR_KEY"], key, gradient.Options{})
	if _, err := vc.Organization(ctx); !gradient.IsUnauthorized(err) {
		t.Fatalf("the key after disconnect: want 401, got %v", err)
	}
	if m, _ := pc.Mappings(ctx); len(m.Accounts)+len(m.Services) != 0 {
		t.Fatalf("mappings after disconnect: %+v", m)
	}
	local := testkit.ReadState(t, state)
	if local.Progress.KeyHint != "" || len(local.Accounts)+len(local.Services) != 0 || local.UndoDepth != 0 {
		t.Fatalf("local state keeps the integration after disconnect: %+v", local.Progress)
	}
	status := exec.Command(binary, "status", "--json", "--state", state)
	status.Env = append(os.Environ(), env...)
	if _, err := status.Output(); exitCode(err) != 3 {
		t.Fatalf("status after disconnect: want exit 3, got %v", err)
	}
	secretsNowhere(t, map[string]string{"the one-time key": key, "the partner token": v["GRADIENT_TOKEN"]}, stateDir, home)
	if fi, err := os.Stat(debugLog); err != nil || fi.Size() == 0 {
		t.Fatalf("the debug log was not written (%v): the secrets check read nothing there", err)
	}
	if csvs, _ := filepath.Glob(filepath.Join(home, "mesh-billing-*.csv")); len(csvs) != 1 {
		t.Fatalf("want one CSV export in %s, found %v", home, csvs)
	}
}

// secretsNowhere reads every file under dirs and fails on any that holds
// a secret, whole or as its base64.
func secretsNowhere(t *testing.T, secrets map[string]string, dirs ...string) {
	t.Helper()
	files := 0
	for _, dir := range dirs {
		err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err != nil || fi.IsDir() {
				return err
			}
			files++
			b, err := os.ReadFile(p)
			for what, secret := range secrets {
				if strings.Contains(string(b), secret) || strings.Contains(string(b), base64.StdEncoding.EncodeToString([]byte(secret))) {
					t.Errorf("%s holds %s", p, what)
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("searched %d files the program wrote for %d secrets", files, len(secrets))
}

// TestSecondInstanceIsTurnedAway: a second wizard on the same state file
// says who holds it, within about a second.
func TestSecondInstanceIsTurnedAway(t *testing.T) {
	t.Parallel()
	needTmux(t)
	state := filepath.Join(t.TempDir(), "state.db")
	first := startTerminal(t, []string{"TERM=xterm-256color"}, "--state", state, "--no-browser")
	first.waitFor(`Step 1 of 9`)
	second := startShell(t, "start=$(date +%s%N); "+binary+" --state "+state+
		" --no-browser; echo EXIT=$? MS=$(( ($(date +%s%N) - start) / 1000000 )); sleep 30")
	screen := second.waitFor(`EXIT=\d+ MS=\d+`)
	if !strings.Contains(screen, "another mesh-gradient is using") || !strings.Contains(screen, "close it and try again") {
		t.Fatalf("second instance said:\n%s", screen)
	}
	m := regexp.MustCompile(`EXIT=(\d+) MS=(\d+)`).FindStringSubmatch(screen)
	if m[1] == "0" {
		t.Fatalf("second instance exited 0:\n%s", screen)
	}
	t.Logf("the second instance gave up after %s ms with exit status %s", m[2], m[1])
	if ms, _ := strconv.Atoi(m[2]); ms > 3000 {
		t.Fatalf("the second instance took %d ms to give up; about a second is the promise", ms)
	}
	// The first is unaffected: it still answers keys.
	first.keys("Space")
	first.waitFor(`\[x\] Mesh Gateway`)
}

// TestDisconnectCommand: without a terminal it needs --yes; when
// Synthesize answers 503 nothing local is lost and the message says so;
// the second run finishes the job.
func TestDisconnectCommand(t *testing.T) {
	t.Parallel()
	srv := synthemu.NewServer()
	defer srv.Close()
	ctx := context.Background()
	pc, _ := gradient.NewPartnerClient(srv.URL, srv.PartnerToken(), gradient.Options{})
	if _, err := pc.Connect(ctx, []string{"gateway"}, []string{"billing"}); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "state.db")
	st, err := store.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateProgress("mesh", func(p *store.Progress) { p.Step, p.KeyHint, p.Onboarded = "home", "abcd", true }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	run := func(args ...string) (string, int) {
		cmd := exec.Command(binary, append(args, "--state", state)...)
		cmd.Env = append(os.Environ(), "GRADIENT_URL="+srv.URL, "GRADIENT_TOKEN="+srv.PartnerToken())
		out, err := cmd.CombinedOutput()
		return string(out), exitCode(err)
	}
	if out, code := run("disconnect"); code != 2 || !strings.Contains(out, "--yes is required") {
		t.Fatalf("no terminal, no --yes: %d %s", code, out)
	}
	if out, code := run("status"); code != 0 || !strings.Contains(out, "Mesh is connected") {
		t.Fatalf("status while connected: %d %s", code, out)
	}
	srv.Inject(synthemu.Fault{Kind: synthemu.FaultStatus, Status: 503, Times: 5, Method: "DELETE"})
	out, code := run("disconnect", "--yes")
	if code != 1 || !strings.Contains(out, "503") || !strings.Contains(out, "nothing was changed locally") {
		t.Fatalf("disconnect against a 503: %d %s", code, out)
	}
	if kept := testkit.ReadState(t, state); kept.Progress.KeyHint != "abcd" {
		t.Fatal("a failed disconnect wiped local state")
	}
	if out, code := run("disconnect", "--yes"); code != 0 || !strings.Contains(out, "Disconnected") {
		t.Fatalf("second disconnect: %d %s", code, out)
	}
	if gone := testkit.ReadState(t, state); gone.Progress.KeyHint != "" || gone.Progress.Step != "" {
		t.Fatalf("local state after disconnect: %+v", gone.Progress)
	}
	if out, code := run("status", "--json"); code != 3 || !strings.Contains(out, `"connected": false`) {
		t.Fatalf("status after disconnect: %d %s", code, out)
	}
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// sgrColour matches SGR sequences that set a colour (30–37, 38;…, 40–47,
// 48;…, 90–97, 100–107), alone or among other attributes.
var sgrColour = regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m`)

// TestNoColor: with NO_COLOR the screens carry no colour codes; without
// it they do (so the check can fail).
func TestNoColor(t *testing.T) {
	t.Parallel()
	needTmux(t)
	for _, tc := range []struct {
		env    string
		colour bool
	}{{"NO_COLOR=1", false}, {"COLORTERM=truecolor", true}} {
		state := filepath.Join(t.TempDir(), "state.db")
		term := startTerminal(t, []string{"TERM=xterm-256color", tc.env}, "--state", state, "--no-browser")
		term.waitFor(`Step 1 of 9`)
		term.keys("Space", "Down")
		term.waitFor(`\[x\] Mesh Gateway`)
		screen := term.tmux("capture-pane", "-p", "-e", "-t", "main")
		if got := sgrColour.MatchString(screen); got != tc.colour {
			t.Errorf("%s: colour codes on screen: %v, want %v; first: %q", tc.env, got, tc.colour, sgrColour.FindString(screen))
		}
		term.keys("q")
	}
}
