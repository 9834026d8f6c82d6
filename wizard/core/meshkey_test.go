package core

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
	"github.com/meshgradient/mesh-gradient/store"
)

// TestMeshKeyStepsFallBack: flow 1b has its own steps 2–4 and shares the
// rest of the onboarding's graph.
func TestMeshKeyStepsFallBack(t *testing.T) {
	t.Parallel()
	p := store.Progress{Method: gradient.MethodMeshAPIKey}
	for _, c := range []struct {
		from Step
		ev   Event
		to   Step
	}{
		{StepProducts, Chosen, StepMeshAPIKeys}, {StepMeshAPIKeys, Chosen, StepMeshKey}, {StepMeshKey, MeshKeyGiven, StepWaiting},
		{StepWaiting, SyncArrived, StepAccounts}, {StepWaiting, Back, StepMeshKey}, {StepAccounts, Next, StepServices},
		{StepFinalSync, UsageArrived, StepBilling},
	} {
		if got, ok := NextStep(ModeOf(p), c.from, c.ev); !ok || got != c.to {
			t.Errorf("%s on %d: %s, want %s", c.from, c.ev, got, c.to)
		}
	}
	if got, _ := NextStep(ModeOf(store.Progress{}), StepProducts, Chosen); got != StepKey {
		t.Errorf("the older flow's products lead to %s", got)
	}
	if Line(p, StepMeshKey) != "Step 3 of 9 · Mesh API key" || Line(p, StepFinalSync) != "Step 8 of 9 · Sync now" {
		t.Errorf("lines: %q, %q", Line(p, StepMeshKey), Line(p, StepFinalSync))
	}
	for _, a := range HomeActionsOf(store.Progress{Onboarded: true, Method: gradient.MethodMeshAPIKey}) {
		if a.Event == NewKey {
			t.Error("home offers a Synthesize key to a connection by Mesh API key")
		}
	}
}

// TestMeshKeyConnectAndKeyring: a refused key reaches nothing; a good one
// is connected with its fingerprint, never the key, in the state file;
// kept in the (mock) OS keyring only with consent, read back by a later
// run for Mesh's own counts, and forgotten on request and at disconnect.
func TestMeshKeyConnectAndKeyring(t *testing.T) {
	keyring.MockInit()
	sb, err := meshemu.StartSandbox(meshemu.SandboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	pc, _ := gradient.NewPartnerClient(sb.GradientURL, sb.Emulator.PartnerToken(), gradient.Options{})
	path := filepath.Join(t.TempDir(), "state.db")
	open := func() (*Session, *store.Store) {
		st, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Open(Config{Partner: pc, Store: st, MeshPortal: sb.PortalURL, Keyring: osKeyring{}})
		if err != nil {
			t.Fatal(err)
		}
		return s, st
	}
	s, st := open()
	ctx := context.Background()
	hub, err := s.HubURL("us")
	if err != nil || hub != sb.MeshHubURL("us") {
		t.Fatalf("hub %q %v", hub, err)
	}
	if _, err := s.CheckMeshKey(ctx, hub, "mk_wrong"); !errors.Is(err, ErrMeshKeyRefused) {
		t.Fatalf("a wrong key: %v", err)
	}
	if d, _ := pc.Integration(ctx); d.Connected {
		t.Fatal("a checked key reached Synthesize")
	}
	key := sb.MeshAPIKey
	sum, err := s.CheckMeshKey(ctx, hub, key)
	if err != nil || sum.Customers != 40 || !strings.HasPrefix(KeyWorks(sum), "Key works: 40 customers — Gateway ") {
		t.Fatalf("check: %v %v", KeyWorks(sum), err)
	}
	if _, err := s.ConnectMeshKey(ctx, []string{"gateway", "m365", "unified"}, []string{"billing"}, hub, key); err != nil {
		t.Fatal(err)
	}
	if p := s.Progress(); s.Step() != StepWaiting || p.Method != gradient.MethodMeshAPIKey || p.KeyHint != key[len(key)-4:] || p.MeshKeyring {
		t.Fatalf("after connect: %s %+v", s.Step(), p)
	}
	if _, err := keyring.Get(keyringService, s.keyringName()); err == nil {
		t.Fatal("the key went to the keyring without consent")
	}
	if err := s.KeepMeshKey(); err != nil {
		t.Fatal(err)
	}
	if got, _ := keyring.Get(keyringService, s.keyringName()); got != key {
		t.Fatal("the keyring does not hold the key")
	}
	if err := s.WaitFirstSync(ctx, func(string) {}); err != nil {
		t.Fatal(err)
	}
	s.Close(5 * time.Second)
	st.Close()
	if b, _ := os.ReadFile(path); strings.Contains(string(b), key) {
		t.Fatal("the state file holds the key")
	}

	// A later run: no key in memory, the keyring's is read.
	s, st = open()
	defer st.Close()
	if r := s.ReadMesh(ctx); !r.Read() || r.From != "the key in the OS keyring" || len(r.Customers) != 40 {
		t.Fatalf("read with the keyring's key: %+v", r)
	}
	if err := s.ForgetMeshKey(); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(keyringService, s.keyringName()); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("forgotten key: %v", err)
	}
	if r := s.ReadMesh(ctx); r.Read() || !strings.Contains(r.Note(), "MESH_API_KEY") {
		t.Fatalf("without a key: %+v", r)
	}
	if _, err := s.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close(5 * time.Second)
}

// TestNoKeyringWithoutASessionBus: CI and bare SSH logins have no Secret
// Service; the keyring is then absent and says so, and go-keyring is
// never asked (it would try to start a bus).
func TestNoKeyringWithoutASessionBus(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("macOS and Windows always have a keyring")
	}
	k := OSKeyring(func(string) string { return "" })
	if err := k.Set("x", "y"); !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("set: %v", err)
	}
	s := &Session{cfg: Config{Keyring: k}}
	if s.KeyringMissing() == "" {
		t.Fatal("a missing keyring is not said")
	}
}
