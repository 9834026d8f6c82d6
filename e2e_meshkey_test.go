package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// TestEndToEndMeshKeyInATerminal is flow 1b with the built binary in
// tmux against `mesh-gradient sandbox`: a key made on the emulated Mesh's
// API-keys page is pasted into the masked input, checked with Mesh (the
// counts show), given to Synthesize; map, write, sync now, billing with
// Mesh's own count beside the snapshot. Then the key is deleted in Mesh,
// the next sync fails and home says so; a new key recovers. No file the
// program wrote holds either key.
func TestEndToEndMeshKeyInATerminal(t *testing.T) {
	t.Parallel()
	needTmux(t)
	v := startSandboxBinary(t)
	stateDir, home := t.TempDir(), t.TempDir()
	state := filepath.Join(stateDir, "state.db")
	env := []string{"GRADIENT_URL=" + v["GRADIENT_URL"], "GRADIENT_TOKEN=" + v["GRADIENT_TOKEN"],
		"MESH_PORTAL_URL=" + v["MESH_PORTAL_URL"], "TERM=xterm-256color", "HOME=" + home,
		"XDG_STATE_HOME=" + home + "/state", "XDG_CONFIG_HOME=" + home + "/config", "XDG_CACHE_HOME=" + home + "/cache"}
	args := []string{"--state", state, "--no-browser", "--debug", filepath.Join(home, "debug.log")}
	term := startTerminal(t, env, args...)

	// The first screen offers both methods; choose the Mesh API key.
	term.waitFor(`Step 1 of 9`)
	term.waitFor(`\( \) Mesh API key\s+connect by`)
	term.keys("Space", "Down", "Space", "Down", "Space", "Down", "Space", "Down", "Down", "Down", "Space")
	term.waitFor(`\(•\) Mesh API key`)
	term.keys("Enter")
	term.waitFor(`Step 2 of 9 · Create a Mesh API key`)
	term.waitFor(`Analytics Default`)
	term.keys("Enter")
	term.waitFor(`Step 3 of 9 · Mesh API key`)

	// A key Mesh refuses: said so, and nothing reaches Synthesize.
	term.keys("mk_not_a_real_key", "Enter")
	term.waitFor(`Mesh refused the API key \(401\)`)
	pc, _ := gradient.NewPartnerClient(v["GRADIENT_URL"], v["GRADIENT_TOKEN"], gradient.Options{})
	ctx := context.Background()
	if d, err := pc.Integration(ctx); err != nil || d.Connected {
		t.Fatalf("a refused key reached Synthesize: %+v %v", d, err)
	}

	key := testkit.MakeMeshKey(t, v["MESH_PORTAL_URL"], "us")
	term.keys(key)
	screen := term.waitFor(`Mesh API key: •{20,}`)
	if strings.Contains(screen, key) || strings.Contains(screen, key[3:12]) {
		t.Fatalf("the key is echoed:\n%s", screen)
	}
	term.keys("Enter")
	term.waitFor(`Key works: 40 customers — Gateway \d+, Mesh 365 \d+, Unified \d+`)
	term.keys("Enter")
	term.waitFor(`Step 5 of 9 · Map accounts`)
	term.waitFor(`Unmapped \d+`)
	term.keys("A")
	term.waitFor(`Accepted \d+ suggestions`)
	term.waitSaved()
	term.keys("n")
	term.waitFor(`Step 6 of 9`)
	term.keys("A", "n")
	term.waitFor(`Step 7 of 9`)
	term.keys("Enter")
	// Sync now instead of a button in Mesh; then billing with Mesh's count.
	term.waitFor(`Vendor Mesh · \d+ rows`)
	term.waitFor(`Mesh\s+Snap\.\s+PSA\s+Diff`)
	term.waitFor(`Mesh bills \d+ this cycle \(until \d+ \w+\); Synthesize's snapshot is \d+`)
	term.keys("e")
	term.waitFor(`mesh-billing-`)
	term.keys("Enter")
	term.waitFor(`Exported \d+ rows`)
	term.keys("q")
	term.waitExit()
	csvs, _ := filepath.Glob(filepath.Join(home, "mesh-billing-*.csv"))
	if len(csvs) != 1 {
		t.Fatalf("want one CSV export, found %v", csvs)
	}
	if b, _ := os.ReadFile(csvs[0]); !strings.Contains(string(b), "mesh_licenses_billed,mesh_user_count,cycle_ends") {
		t.Fatalf("the CSV has no Mesh columns:\n%.300s", b)
	}

	// The key is deleted in Mesh: the next sync fails, and home says so.
	if n := testkit.DeleteMeshKeys(t, v["MESH_PORTAL_URL"], "us"); n == 0 {
		t.Fatal("no key to delete")
	}
	term = startTerminal(t, env, args...)
	term.waitFor(`By Mesh API key …` + key[len(key)-4:])
	term.keys("Down", "Down", "Down", "Enter") // Sync now
	term.waitFor(`The last pull failed: Mesh refused the API key \(401\)`)
	term.waitFor(`expired or was deleted`)

	// Replace the key: home → the API-keys page → the key → the pull → home.
	term.keys("Down", "Down", "Down", "Enter") // past Alerts and Change products and types
	term.waitFor(`Create a Mesh API key`)
	// The new key pasted a screen early goes to the key's masked input
	// (as keys its q would quit, its j and k move the list).
	fresh := testkit.MakeMeshKey(t, v["MESH_PORTAL_URL"], "us")
	term.paste(fresh)
	term.waitFor(`Mesh API key: •{20,}`)
	term.keys("Enter")
	term.waitFor(`Key works: 40 customers`)
	term.keys("Enter")
	term.waitFor(`Synthesize read Mesh with the new key \(…` + fresh[len(fresh)-4:] + `\)`)
	term.waitFor(`vendor status active`)
	screen = term.screen()
	if strings.Contains(screen, "last pull failed") {
		t.Fatalf("home still says the pull failed:\n%s", screen)
	}
	term.keys("q")
	term.waitExit()
	if d, _ := pc.Integration(ctx); d.Status != gradient.StatusActive || d.LastSyncError != "" || d.MeshKeyHint != fresh[len(fresh)-4:] {
		t.Fatalf("after the new key Synthesize says %+v", d)
	}
	secretsNowhere(t, map[string]string{"the first Mesh key": key, "the new Mesh key": fresh, "the partner token": v["GRADIENT_TOKEN"]}, stateDir, home)
}
