package core

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// connectedSession is a sandbox after Mesh's first Gradient Sync, and a
// session on a fresh state file.
func connectedSession(t *testing.T) (*Session, *gradient.PartnerClient) {
	t.Helper()
	sb, err := meshemu.StartSandbox(meshemu.SandboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	pc, err := gradient.NewPartnerClient(sb.GradientURL, sb.Emulator.PartnerToken(), gradient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pc.Connect(context.Background(), []string{"gateway"}, []string{"billing"})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Portal(t, sb.PortalURL, "us", "submit", url.Values{"api_key": {conn.APIKey}})
	testkit.Portal(t, sb.PortalURL, "us", "sync", nil)
	st, err := store.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s, err := Open(Config{Partner: pc, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return s, pc
}

// TestScriptedWriteNeverUndoesAnother: a script reads, someone else
// writes, the script writes: nothing is written, the error names what the
// other wrote, and their mapping stays.
func TestScriptedWriteNeverUndoesAnother(t *testing.T) {
	t.Parallel()
	s, pc := connectedSession(t)
	ctx := context.Background()
	d, err := s.Load(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := pc.Mappings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	theirs.Accounts = append(theirs.Accounts, gradient.AccountMapping{AccountID: "m-011", Ignored: true})
	if _, err := pc.PutMappings(ctx, theirs); err != nil {
		t.Fatal(err)
	}
	_, err = s.Change(ctx, d, false, func(string) {}, func(accounts, _ map[string]store.Mapping) error {
		accounts["m-012"] = store.Mapping{Target: "c-001"}
		return nil
	})
	var changed *RemoteChangedError
	if !errors.As(err, &changed) && !strings.Contains(err.Error(), "someone else changed") {
		t.Fatalf("err = %v; want the mappings changed elsewhere", err)
	}
	if !strings.Contains(err.Error(), "Zephyr Trial Account → do not bill") || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("the error does not say what changed and that nothing was written: %v", err)
	}
	now, err := pc.Mappings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(now.Accounts) != 1 || now.Accounts[0].AccountID != "m-011" {
		t.Fatalf("Synthesize holds %+v; want only the other's mapping", now.Accounts)
	}
}

// TestRebaseKeepsBothSides: the three-way merge takes their rows, keeps
// the user's, and names the rows both changed.
func TestRebaseKeepsBothSides(t *testing.T) {
	t.Parallel()
	s, _ := connectedSession(t)
	ctx := context.Background()
	d, err := s.Load(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(d)(); err != nil {
		t.Fatal(err)
	}
	draft := s.Draft(Accounts)
	_, p := draft.Set(map[string]*store.Mapping{"m-012": {Target: "c-001"}, "m-002": {Ignored: true}})
	if err := p(); err != nil {
		t.Fatal(err)
	}
	current := gradient.Mappings{Version: "9", Accounts: []gradient.AccountMapping{
		{AccountID: "m-002", CompanyID: "c-039"}, // both changed: the user's kept
		{AccountID: "m-011", Ignored: true},      // theirs only
	}}
	r, pending := s.Rebase(d, current)
	if err := pending(); err != nil {
		t.Fatal(err)
	}
	all := draft.All()
	want := map[string]store.Mapping{"m-012": {Target: "c-001"}, "m-002": {Ignored: true}, "m-011": {Ignored: true}}
	for id, m := range want {
		if all[id] != m {
			t.Errorf("%s: %+v, want %+v", id, all[id], m)
		}
	}
	if len(all) != len(want) || len(r.Conflicts) != 1 || r.Conflicts[0].Item.ID != "m-002" || r.Yours != 2 || len(r.Theirs) != 2 {
		t.Fatalf("rebased %+v into %+v", r, all)
	}
	if v := s.Progress().MappingsVersion; v != "9" {
		t.Fatalf("the drafts start from version %q, want 9", v)
	}
}
