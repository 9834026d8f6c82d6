package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// scaleTenants is how many Mesh accounts and PSA companies the scale
// tests generate: none (they skip) unless MESH_GRADIENT_SCALE is set;
// 10,000 when it is 1 (or any word); the number when it is one, as
// MESH_GRADIENT_SCALE=100000.
func scaleTenants(t *testing.T) int {
	t.Helper()
	v := os.Getenv("MESH_GRADIENT_SCALE")
	if v == "" {
		t.Skip("set MESH_GRADIENT_SCALE=1 (10,000 tenants) or MESH_GRADIENT_SCALE=100000 to measure at scale")
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 1000 {
		return n
	}
	return 10000
}

// TestScaleBinary measures the built program, as a technician runs it, on
// n Mesh accounts and n PSA companies: the time from starting it to its
// first frame with a resumed state of n mappings, the time until the
// account screen is ready (lists fetched, every suggestion made), and the
// program's peak memory (VmHWM) once it has done all that and a filter. It
// is slow and measures, so it runs only when asked:
//
//	MESH_GRADIENT_SCALE=1 go test -run TestScaleBinary -v .
//	MESH_GRADIENT_SCALE=100000 go test -run TestScaleBinary -v -timeout 30m .
//
// BENCHMARKS.md has its figures.
func TestScaleBinary(t *testing.T) {
	n := scaleTenants(t)
	needTmux(t)
	env, statePath := scaleState(t, n)
	for run := range 3 {
		start := time.Now()
		term := startShell(t, "exec env "+strings.Join(env, " ")+" "+binary+" --state "+statePath)
		firstFrame := waitFast(t, term, `Map accounts`)
		ready := waitFast(t, term, fmt.Sprintf(`Mapped %d`, n))
		term.keys("Enter", "/", "h", "a", "r", "b")
		term.waitFor(`Filter: harb`)
		peak := vmHWM(t, term.pid())
		term.kill() // the next run opens the same state file
		t.Logf("run %d, %d tenants: first frame %v (screen polled every 2 ms, tmux start included); account screen ready %v; peak RSS (VmHWM) %d MB",
			run+1, n, firstFrame.Sub(start).Round(time.Millisecond), ready.Sub(start).Round(time.Millisecond), peak>>20)
		if limit := int64(400 << 20); peak > limit {
			t.Errorf("peak memory %d MB is over the %d MB target", peak>>20, limit>>20)
		}
	}
}

// scaleState sets up a sandbox of n tenants, connected and synced, and a
// state file stopped at the account screen with every account mapped; it
// answers the program's environment and the state file's path.
func scaleState(t *testing.T, n int) ([]string, string) {
	t.Helper()
	vars, sc, conn, dir := scaleSandbox(t, n)
	statePath := filepath.Join(dir, "state", "state.db")
	st, err := store.Open(statePath)
	if err != nil {
		t.Fatal(err)
	}
	all := make(map[string]store.Mapping, n)
	for i, a := range sc.Mesh.Accounts {
		all[a.ID] = store.Mapping{Target: sc.PSA.Companies[i].ID}
	}
	if err := st.Replace("mesh", store.KindAccounts, all); err != nil {
		t.Fatal(err)
	}
	err = st.UpdateProgress("mesh", func(p *store.Progress) {
		p.Step, p.Products, p.Types, p.Region, p.KeyConfirmed = "accounts", []string{"gateway"}, []string{"billing"}, "us", true
		p.KeyHint = conn.APIKey[len(conn.APIKey)-4:]
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	return []string{"GRADIENT_URL=" + vars["GRADIENT_URL"], "GRADIENT_TOKEN=" + vars["GRADIENT_TOKEN"], "MESH_PORTAL_URL=" + vars["MESH_PORTAL_URL"]}, statePath
}

// scaleSandbox runs `sandbox --scenario` on n generated tenants,
// connects, and pushes the accounts as Mesh's first Gradient Sync would.
func scaleSandbox(t *testing.T, n int) (map[string]string, *meshemu.Scenario, gradient.Connection, string) {
	t.Helper()
	dir := t.TempDir()
	sc, _ := meshemu.Generate(n, 1)
	raw, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(dir, "scenario.json")
	if err := os.WriteFile(scenario, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	vars := startSandboxBinary(t, "--scenario", scenario)
	ctx := context.Background()
	pc, err := gradient.NewPartnerClient(vars["GRADIENT_URL"], vars["GRADIENT_TOKEN"], gradient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pc.Connect(ctx, []string{"gateway"}, []string{"billing"})
	if err != nil {
		t.Fatal(err)
	}
	vc, err := gradient.NewVendorClient(vars["GRADIENT_URL"], vars["GRADIENT_VENDOR_KEY"], conn.APIKey, gradient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	accounts := make([]gradient.VendorAccount, n)
	for i, a := range sc.Mesh.Accounts {
		accounts[i] = gradient.VendorAccount{ID: a.ID, Name: a.Name}
	}
	if err := vc.UpsertAccounts(ctx, accounts); err != nil {
		t.Fatal(err)
	}
	return vars, sc, conn, dir
}

// TestScaleScripts times each scripted command, process start to exit,
// on n accounts and n companies, three times each, in turn.
func TestScaleScripts(t *testing.T) {
	n := scaleTenants(t)
	vars, _, _, dir := scaleSandbox(t, n)
	s := &scripted{t: t, vars: vars, dir: dir, state: filepath.Join(dir, "state.db")}
	s.must(0, "mappings", "suggest", "--apply")
	commands := [][]string{
		{"mappings", "suggest"}, {"mappings", "export", "--force", "m.csv"}, {"mappings", "export", "--force", "--no-suggestions", "n.csv"},
		{"mappings", "import", "--dry-run", "m.csv"}, {"reconcile", "--json"}, {"status"},
	}
	times := make([][]time.Duration, len(commands))
	for range 3 {
		for k, args := range commands {
			start := time.Now()
			s.must(0, args...)
			times[k] = append(times[k], time.Since(start))
		}
	}
	for k, args := range commands {
		t.Logf("%d tenants, mesh-gradient %s: %s", n, strings.Join(args, " "), spread(times[k]))
	}
}

// spread is min / median / max of durations, in milliseconds.
func spread(d []time.Duration) string { return spreadMs(durations(d)) + " ms" }

// waitFast checks the screen every 2 ms and answers when re first showed.
func waitFast(t *testing.T, term *terminal, re string) time.Time {
	t.Helper()
	rx := regexp.MustCompile(re)
	var s string
	testkit.EventuallyEvery(t, 60*time.Second, 2*time.Millisecond, func() bool { s = term.screen(); return rx.MatchString(s) },
		func() string { return fmt.Sprintf("/%s/; the screen:\n%s", re, s) })
	return time.Now()
}

// vmHWM is a process's peak resident set size, in bytes.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}
