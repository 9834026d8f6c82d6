package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// killRuns is how many times TestKillDuringMappingLosesNothing kills the
// binary; MESH_GRADIENT_KILL_RUNS raises it for a longer soak.
func killRuns() int {
	n := 50
	if v := os.Getenv("MESH_GRADIENT_KILL_RUNS"); v != "" {
		fmt.Sscan(v, &n)
	}
	return n
}

// savedRow is a mapping row the screen shows as saved: "✓ company" or
// "✗ do not bill" (a change not yet committed shows "… (saving)").
var savedRow = regexp.MustCompile(`^[ >│┃]*(.+?)\s{2,}(?:✓ (.+?) (?:\d+%|picked)|✗ do not bill)\s*$`)

// TestKillDuringMappingLosesNothing runs the built binary in a terminal,
// makes random mapping changes, reads the screen, and kills the program
// with SIGKILL at a random moment, many times over one state file. After
// every kill the state file must open, and every mapping the screen showed
// as saved must be in it.
func TestKillDuringMappingLosesNothing(t *testing.T) {
	t.Parallel()
	needTmux(t)
	v := startSandboxBinary(t)
	state := filepath.Join(t.TempDir(), "state.db")
	env := []string{"GRADIENT_URL=" + v["GRADIENT_URL"], "GRADIENT_TOKEN=" + v["GRADIENT_TOKEN"],
		"MESH_PORTAL_URL=" + v["MESH_PORTAL_URL"], "TERM=xterm-256color"}
	args := []string{"--state", state, "--no-browser"}

	// Onboard to the account screen once.
	term := startTerminal(t, env, args...)
	term.onboardToAccounts(v, "Space", "Down", "Down", "Down", "Space", "Enter")
	term.keys("q")
	term.waitExit()

	accountIDs, companyIDs := names(t, v)
	// Keys a technician presses on the account screen; "pick" opens the
	// picker and chooses the second-best company.
	actions := [][]string{{"j"}, {"j", "j", "j"}, {"k"}, {"a"}, {"x"}, {"u"}, {"A"}, {"Enter", "Down", "Enter"}, {"PageDown"}, {"g"}}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("random seed %d", seed)

	checked, midSave := 0, 0
	for run := 1; run <= killRuns(); run++ {
		term := startTerminal(t, env, args...)
		term.waitFor(`Mapped \d+`)
		for range 3 + rng.IntN(12) {
			term.keys(actions[rng.IntN(len(actions))]...)
		}
		// The screen is read only once every key was handled: ? comes
		// last, and its full help shows only after the keys before it.
		term.keys("?")
		screen := term.waitFor(`\? fewer keys`)
		term.kill()
		if strings.Contains(screen, "(saving)") {
			midSave++
		}

		got := testkit.ReadState(t, state)
		if got.Progress.Step != "accounts" {
			t.Fatalf("run %d: the saved step is %q, want accounts", run, got.Progress.Step)
		}
		for _, line := range strings.Split(screen, "\n") {
			m := savedRow.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			id, ok := accountIDs[strings.TrimSpace(m[1])]
			if !ok {
				continue // a header or help line that looks like a row
			}
			checked++
			stored, ok := got.Accounts[id]
			switch {
			case !ok:
				t.Fatalf("run %d: %q was shown as saved but is not in the state file; the screen:\n%s", run, m[1], screen)
			case m[2] == "" && !stored.Ignored:
				t.Fatalf("run %d: %q was shown as do not bill; the file has %+v", run, m[1], stored)
			case m[2] != "" && (stored.Ignored || stored.Target != companyIDs[m[2]]):
				t.Fatalf("run %d: %q was shown mapped to %q; the file has %+v", run, m[1], m[2], stored)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no run showed a saved mapping: the test checked nothing")
	}
	t.Logf("%d kills; %d rows shown as saved were all found; %d kills came while a change was still saving", killRuns(), checked, midSave)
}

// names maps the sandbox's account and company names to their ids.
func names(t *testing.T, v map[string]string) (accounts, companies map[string]string) {
	t.Helper()
	pc, err := gradient.NewPartnerClient(v["GRADIENT_URL"], v["GRADIENT_TOKEN"], gradient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	as, err := pc.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := pc.Companies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	accounts, companies = map[string]string{}, map[string]string{}
	for _, a := range as {
		accounts[a.Name] = a.ID
	}
	for _, c := range cs {
		companies[c.Name] = c.ID
	}
	return accounts, companies
}
