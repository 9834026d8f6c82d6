package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// TestScriptedMeshKeyOnboarding is flow 1b with commands alone, no
// terminal: a key read from a file (and from stdin) is checked with Mesh
// first, exactly as in the wizard; connect, wait-sync, suggest --apply,
// sync, reconcile with Mesh's own numbers; the key deleted in Mesh fails
// the next sync, status --json says so, mesh-key replace recovers.
func TestScriptedMeshKeyOnboarding(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	portal := s.vars["MESH_PORTAL_URL"]
	write := func(name, content string) string {
		p := filepath.Join(s.dir, name)
		if err := os.WriteFile(p, []byte(content+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return name
	}
	bad := write("bad.key", "mk_refused_by_mesh")
	_, errOut := s.must(1, "connect", "--method", "mesh-api-key", "--products", "gateway,m365,unified", "--mesh-key-file", bad)
	if !strings.Contains(errOut, "Mesh refused the API key (401)") || !strings.Contains(errOut, "nothing was sent to Synthesize") {
		t.Fatalf("a refused key said:\n%s", errOut)
	}
	s.must(3, "status") // nothing reached Synthesize
	s.must(2, "connect", "--method", "mesh-api-key", "--products", "gateway", "--mesh-key-file", "missing.key")
	s.must(2, "connect", "--method", "mesh-api-key", "--products", "gateway", "--mesh-key-file", bad, "--hub", "mars")

	key := testkit.MakeMeshKey(t, portal, "us")
	_, errOut = s.must(0, "connect", "--method", "mesh-api-key", "--products", "gateway,m365,unified", "--mesh-key-file", write("mesh-api.key", key))
	if !strings.Contains(errOut, "Key works: 40 customers — Gateway") || !strings.Contains(errOut, "Synthesize is reading Mesh") {
		t.Fatalf("connect said:\n%s", errOut)
	}
	if st := s.local(); st.Progress.Method != "mesh_api_key" || st.Progress.KeyHint != key[len(key)-4:] || st.Progress.Step != "waiting" {
		t.Fatalf("after connect the state says %+v", st.Progress)
	}
	if _, errOut = s.must(0, "wait-sync", "--timeout", "30s"); !strings.Contains(errOut, "40 accounts") {
		t.Fatalf("wait-sync said:\n%s", errOut)
	}
	if _, errOut = s.must(0, "mappings", "suggest", "--apply"); !strings.Contains(errOut, "mesh-gradient sync") {
		t.Fatalf("suggest --apply did not say what is next:\n%s", errOut)
	}
	if _, errOut = s.must(0, "sync"); !strings.Contains(errOut, "Synthesize read Mesh: status active") {
		t.Fatalf("sync said:\n%s", errOut)
	}
	type line struct {
		MeshBilled *float64 `json:"mesh_licenses_billed"`
		MeshUsers  *float64 `json:"mesh_user_count"`
		CycleEnds  string   `json:"cycle_ends"`
		Usage      float64  `json:"usage"`
	}
	var r struct {
		Lines []line `json:"lines"`
		Mesh  string `json:"mesh_numbers"`
	}
	out, _ := s.must(0, "reconcile", "--json")
	if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Lines) == 0 {
		t.Fatalf("reconcile --json: %v\n%s", err, out)
	}
	for _, l := range r.Lines {
		if l.MeshBilled == nil || l.CycleEnds == "" || l.MeshUsers != nil {
			t.Fatalf("without a key of its own, a line has %+v: want Mesh's billed count and cycle end as Synthesize read them", l)
		}
	}
	// With MESH_API_KEY the program reads Mesh itself: users now too.
	cmd := exec.Command(binary, "reconcile", "--json", "--state", s.state)
	cmd.Dir, cmd.Env = s.dir, append(os.Environ(), "GRADIENT_URL="+s.vars["GRADIENT_URL"], "GRADIENT_TOKEN="+s.vars["GRADIENT_TOKEN"],
		"MESH_PORTAL_URL="+portal, "MESH_API_KEY="+key)
	out2, err := cmd.Output()
	if err := json.Unmarshal(out2, &r); err != nil {
		t.Fatalf("reconcile with MESH_API_KEY: %v\n%s", err, out2)
	}
	if err != nil || !strings.Contains(r.Mesh, "MESH_API_KEY") || r.Lines[0].MeshUsers == nil || *r.Lines[0].MeshUsers != r.Lines[0].Usage {
		t.Fatalf("with MESH_API_KEY: %v %s %+v", err, r.Mesh, r.Lines[0])
	}

	// The key is deleted in Mesh: the next sync fails and says why.
	testkit.DeleteMeshKeys(t, portal, "us")
	if _, errOut = s.must(1, "sync"); !strings.Contains(errOut, "401") || !strings.Contains(errOut, "mesh-key replace") {
		t.Fatalf("a sync with a deleted key said:\n%s", errOut)
	}
	out, _ = s.must(0, "status", "--json")
	var st struct {
		Method   string `json:"method"`
		LastPull struct {
			OK          bool `json:"ok"`
			KeyRejected bool `json:"key_rejected"`
		} `json:"last_pull"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Method != "mesh_api_key" || st.LastPull.OK || !st.LastPull.KeyRejected {
		t.Fatalf("status --json after the failed pull: %v\n%s", err, out)
	}
	fresh := testkit.MakeMeshKey(t, portal, "us")
	if _, errOut, code := s.run(fresh+"\n", "mesh-key", "replace", "--mesh-key-file", "-"); code != 0 || !strings.Contains(errOut, "Synthesize read Mesh: status active") {
		t.Fatalf("mesh-key replace: exit %d\n%s", code, errOut)
	}
	out, _ = s.must(0, "status", "--json")
	if err := json.Unmarshal([]byte(out), &st); err != nil || !st.LastPull.OK {
		t.Fatalf("status --json after the new key: %v\n%s", err, out)
	}
	os.Remove(filepath.Join(s.dir, "mesh-api.key")) // the test's own copy, not the program's
	secretsNowhere(t, map[string]string{"the first Mesh key": key, "the new Mesh key": fresh}, s.dir)
}
