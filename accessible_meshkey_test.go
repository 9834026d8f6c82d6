package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// TestAccessibleMeshKeyOnboarding walks flow 1b as line prompts: the
// method, the hub and Mesh's steps, a refused key (asked again, nothing
// sent), the key checked with Mesh, Synthesize's read, mapping, sync now
// and billing with Mesh's own count; the key is never printed.
func TestAccessibleMeshKeyOnboarding(t *testing.T) {
	t.Parallel()
	v := startSandboxBinary(t)
	state := filepath.Join(t.TempDir(), "state.db")
	d := startDialogue(t, []string{"GRADIENT_URL=" + v["GRADIENT_URL"], "GRADIENT_TOKEN=" + v["GRADIENT_TOKEN"],
		"MESH_PORTAL_URL=" + v["MESH_PORTAL_URL"]}, "--accessible", "--state", state)
	d.expect(`Products \(numbers`)
	d.answer("1,2,3")
	d.expect(`Types \(numbers`)
	d.answer("")
	d.expect(`2\. Mesh API key: Synthesize asks for a Mesh API key`)
	d.answer("2")
	d.expect(`Step 2 of 9 · Create a Mesh API key`)
	d.expect(`Hub \(Enter for 1\)`)
	d.answer("")
	d.expect(`Analytics Default`)
	d.expect(`Paste the Mesh API key`)
	d.answer("mk_refused")
	d.expect(`Mesh refused the API key \(401\).*Nothing was sent to Synthesize`)
	key := testkit.MakeMeshKey(t, v["MESH_PORTAL_URL"], "us")
	d.answer(key)
	d.expect(`Key works: 40 customers — Gateway \d+`)
	d.expect(`Step 5 of 9 · Map accounts`)
	d.expect(`Accept those \d+ suggestions`)
	d.answer("yes")
	for i := 0; i < 10; i++ { // leave the rest unmapped
		seen := d.expect(`(Enter to leave it unmapped: |Accept th)`)
		if strings.Contains(seen, "Accept th") {
			break
		}
		d.answer("")
	}
	d.answer("yes") // the services' suggestions
	d.expect(`List the \d+ mappings first`)
	d.answer("")
	d.expect(`Write these mappings`)
	d.answer("yes")
	d.expect(`sync now`)
	d.expect(`Step 9 of 9 · Billing`)
	d.expect(`Mesh bills \d+ this cycle \(until`)
	d.expect(`Set the \d+ differing`)
	d.answer("no")
	d.expect(`Onboarding is done`)
	if code := d.wait(); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if strings.Contains(d.out.String(), key) {
		t.Fatal("the key was printed")
	}
}
