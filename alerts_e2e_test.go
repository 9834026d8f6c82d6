package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// TestEndToEndAlertsInATerminal runs the built binary in tmux against
// `mesh-gradient sandbox`: onboard with Billing only, add Alerts from home,
// sync, see a failed alert, follow its hint to map the account, sync
// again, and see its next alert become a ticket; then shrink the
// terminal, press keys the screen does not take, quit and resume.
func TestEndToEndAlertsInATerminal(t *testing.T) {
	t.Parallel()
	needTmux(t)
	v := startSandboxBinary(t)
	home := t.TempDir()
	env := []string{"GRADIENT_URL=" + v["GRADIENT_URL"], "GRADIENT_TOKEN=" + v["GRADIENT_TOKEN"],
		"MESH_PORTAL_URL=" + v["MESH_PORTAL_URL"], "TERM=xterm-256color", "HOME=" + home}
	args := []string{"--state", filepath.Join(t.TempDir(), "state.db"), "--no-browser"}
	term := startTerminal(t, env, args...)
	portal := func() { testkit.Portal(t, v["MESH_PORTAL_URL"], "us", "sync", nil) }

	// Onboarding with the three products and Billing only.
	term.onboardToAccounts(v, "Space", "Down", "Space", "Down", "Space", "Down", "Space", "Enter")
	term.keys("A")
	term.waitSaved()
	term.keys("n")
	term.waitFor(`Step 6 of 9`)
	term.keys("A", "n")
	term.waitFor(`Step 7 of 9`)
	term.keys("Enter")
	term.waitFor(`Usage arrived for 0 of`)
	portal()
	term.waitFor(`Vendor Mesh · \d+ rows`)
	term.keys("Escape")
	term.waitFor(`Types: Billing\s`)

	// Home → Change products and types: tick Alerts; the dialog says what
	// it does; yes.
	term.keys("Down", "Down", "Down", "Down", "Enter")
	term.waitFor(`What should Synthesize integrate from Mesh`)
	term.keys("G", "Space")
	term.waitFor(`\[x\] Alerts\s+adds`)
	term.keys("Enter")
	term.waitFor(`Adds Alerts: from the next Gradient Sync`)
	term.keys("y")
	term.waitFor(`Changed in Synthesize: now Mesh Gateway, Mesh 365, Mesh Unified · Billing, Alerts`)

	// Mesh syncs: its alerts arrive; three fail, each saying why.
	portal()
	term.keys("Up", "Enter")
	term.waitFor(`Mesh alerts · 6 alerts: 3 tickets made · 3 failed`)
	screen := term.waitFor(`✗ Zephyr Trial Acc`)
	if !strings.Contains(screen, "✗ Woodgrove Bank") || !strings.Contains(screen, "✗ Franklin Auto Rep") {
		t.Fatalf("the failed alerts are not all listed:\n%s", screen)
	}
	term.keys("x", "Z", "Right") // keys the screen does not take: nothing happens
	// The cursor stays on its alert while pending tickets settle, so go to
	// the top first: failed, newest first, puts Zephyr third.
	term.keys("g", "Down", "Down")
	term.waitFor(`Fix: map it on Update account mappings \(m\)`)
	term.waitFor(`m map Zephyr Trial Account`)

	// Follow the hint: the account's picker opens; choose, review, write.
	term.keys("m")
	term.waitFor(`Choose the company for Zephyr Trial Account`)
	term.keys("/", "acme tools", "Enter") // one enter chooses the one match
	term.waitFor(`Zephyr Trial Account\s+✓ Acme Tools Supply`)
	term.keys("n")
	term.waitFor(`1 added, 0 changed, 0 removed`)
	term.keys("Enter")
	term.waitFor(`Mappings updated in Synthesize`)
	term.waitFor(`Zephyr Trial Account · account was not mapped when the alert came`)

	// Mesh syncs again: Zephyr's next alert becomes a ticket.
	portal()
	term.keys("g", "Down", "Down", "Down", "Enter") // from the top: home keeps its cursor
	term.waitFor(`✓ Zephyr Trial Acc.*Acme Tools.*T-\d+`)
	term.waitFor(`Mesh alerts · 6 alerts: 4 tickets made · 2 failed`)

	// A smaller terminal: the screen still fits and keeps its keys.
	term.tmux("resize-window", "-t", "main", "-x", "80", "-y", "24")
	term.waitFor(`(?m)^esc home • .*q quit\s*$`)
	term.keys("q")
	term.waitExit()

	// Resume: home, with what Synthesize now says of the alerts.
	term = startTerminal(t, env, args...)
	term.waitFor(`Alerts: 6 alerts · 4 tickets made · 2 failed`)
	term.keys("q")
	term.waitExit()
}
