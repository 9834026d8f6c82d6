package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// scripted runs the built binary against one sandbox and state file, as a
// CI job would: no terminal, stdin from a file or nothing.
type scripted struct {
	t     *testing.T
	vars  map[string]string
	state string
	dir   string
	pc    *gradient.PartnerClient
}

func newScripted(t *testing.T, sandboxArgs ...string) *scripted {
	t.Helper()
	v := startSandboxBinary(t, sandboxArgs...)
	pc, err := gradient.NewPartnerClient(v["GRADIENT_URL"], v["GRADIENT_TOKEN"], gradient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	return &scripted{t: t, vars: v, dir: dir, state: filepath.Join(dir, "state.db"), pc: pc}
}

// running is a command started in the background.
type running struct {
	s           *scripted
	args        []string
	cmd         *exec.Cmd
	ctx         context.Context
	cancel      context.CancelFunc
	mu          sync.Mutex
	out, errOut bytes.Buffer
}

type lockedBuffer struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (w lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// start runs a command in the background, with stdin.
func (s *scripted) start(stdin string, args ...string) *running {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	r := &running{s: s, args: args, ctx: ctx, cancel: cancel, cmd: exec.CommandContext(ctx, binary, append(args, "--state", s.state)...)}
	r.cmd.Dir = s.dir
	r.cmd.Env = append(os.Environ(), "GRADIENT_URL="+s.vars["GRADIENT_URL"], "GRADIENT_TOKEN="+s.vars["GRADIENT_TOKEN"],
		"MESH_PORTAL_URL="+s.vars["MESH_PORTAL_URL"])
	r.cmd.Stdin = strings.NewReader(stdin)
	r.cmd.Stdout, r.cmd.Stderr = lockedBuffer{&r.mu, &r.out}, lockedBuffer{&r.mu, &r.errOut}
	if err := r.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(cancel)
	return r
}

// waitStderr waits until the command has said re on stderr.
func (r *running) waitStderr(re string) {
	r.s.t.Helper()
	rx := regexp.MustCompile(re)
	var seen string
	testkit.Eventually(r.s.t, 30*time.Second, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		seen = r.errOut.String()
		return rx.MatchString(seen)
	}, func() string { return fmt.Sprintf("mesh-gradient %v to say /%s/; it said:\n%s", r.args, re, seen) })
}

// wait answers stdout, stderr and the exit status.
func (r *running) wait() (string, string, int) {
	r.s.t.Helper()
	defer r.cancel()
	err := r.cmd.Wait()
	if r.ctx.Err() != nil {
		r.s.t.Fatalf("mesh-gradient %v did not finish within a minute", r.args)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String(), r.errOut.String(), exitCode(err)
}

// run answers stdout, stderr and the exit status.
func (s *scripted) run(stdin string, args ...string) (string, string, int) {
	s.t.Helper()
	return s.start(stdin, args...).wait()
}

// must runs and fails the test unless the exit status is want.
func (s *scripted) must(want int, args ...string) (string, string) {
	s.t.Helper()
	out, errOut, code := s.run("", args...)
	if code != want {
		s.t.Fatalf("mesh-gradient %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
	}
	return out, errOut
}

func (s *scripted) portal(action string, form url.Values) {
	s.t.Helper()
	testkit.Portal(s.t, s.vars["MESH_PORTAL_URL"], "us", action, form)
}

func (s *scripted) local() store.State {
	s.t.Helper()
	return testkit.ReadState(s.t, s.state)
}

// TestScriptedOnboarding does the whole onboarding with commands alone:
// connect → the portal's form posts → wait-sync → suggest --apply → the
// final sync → reconcile --apply → disconnect --yes.
func TestScriptedOnboarding(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	s.must(3, "wait-sync", "--timeout", "5s") // not connected yet
	s.must(2, "connect", "--products", "gateway,nope", "--key-file", "k")
	s.must(2, "connect", "--products", "gateway") // no --key-file: the key would be lost

	out, errOut := s.must(0, "connect", "--products", "gateway,m365", "--types", "billing", "--key-file", "mesh.key")
	if out != "" || !strings.Contains(errOut, "mesh.key (mode 0600)") || !strings.Contains(errOut, "wait-sync") {
		t.Fatalf("connect said:\nstdout %q\nstderr %s", out, errOut)
	}
	keyPath := filepath.Join(s.dir, "mesh.key")
	raw, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(string(raw))
	if fi, _ := os.Stat(keyPath); testkit.KeyPattern.FindString(key) != key || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file holds %q with mode %v", key, fi.Mode().Perm())
	}
	if _, errOut := s.must(2, "connect", "--products", "gateway", "--key-file", "mesh.key"); !strings.Contains(errOut, "not replacing it") {
		t.Fatalf("a second connect onto the key file said: %s", errOut)
	}
	if again, _ := os.ReadFile(keyPath); string(again) != string(raw) {
		t.Fatal("the key file was changed")
	}
	if st := s.local(); st.Progress.Step != "portal" || st.Progress.KeyHint != key[len(key)-4:] || !st.Progress.KeyConfirmed {
		t.Fatalf("after connect the state says %+v", st.Progress)
	}

	// The technician's part in Mesh, while wait-sync waits.
	waiting := s.start("", "wait-sync", "--timeout", "30s")
	waiting.waitStderr(`waiting for Mesh's Gradient Sync`)
	s.portal("submit", url.Values{"api_key": {key}})
	s.portal("sync", nil)
	if _, errOut, code := waiting.wait(); code != 0 || !strings.Contains(errOut, "arrived: status pending, 40 accounts") {
		t.Fatalf("wait-sync: exit %d, progress on stderr:\n%s", code, errOut)
	}

	out, _ = s.must(0, "mappings", "suggest")
	if !strings.Contains(out, "Nothing was written: add --apply") {
		t.Fatalf("suggest without --apply:\n%s", out)
	}
	if m, _ := s.pc.Mappings(context.Background()); len(m.Accounts) != 0 {
		t.Fatal("suggest without --apply wrote mappings")
	}
	out, _ = s.must(0, "mappings", "suggest", "--apply", "--json")
	var applied struct {
		Suggestions []struct {
			Kind       string  `json:"kind"`
			Confidence float64 `json:"confidence"`
		} `json:"suggestions"`
		Added   int  `json:"added"`
		Written bool `json:"written"`
	}
	if err := json.Unmarshal([]byte(out), &applied); err != nil || !applied.Written || applied.Added != len(applied.Suggestions) {
		t.Fatalf("suggest --apply --json: %v\n%s", err, out)
	}
	for _, sg := range applied.Suggestions {
		if sg.Confidence < 0.8 {
			t.Fatalf("accepted a suggestion below 0.8: %+v", sg)
		}
	}
	m, _ := s.pc.Mappings(context.Background())
	if len(m.Accounts)+len(m.Services) != applied.Added || len(m.Services) != 2 {
		t.Fatalf("Synthesize holds %d account and %d service mappings after %d accepted", len(m.Accounts), len(m.Services), applied.Added)
	}

	// The final Gradient Sync, then reconcile.
	s.portal("sync", nil)
	out, _ = s.must(0, "reconcile", "--only-differences")
	if !regexp.MustCompile(`\d+ PSA quantities differ`).MatchString(out) || !strings.Contains(out, "add --apply") {
		t.Fatalf("reconcile before --apply:\n%s", out)
	}
	out, _ = s.must(0, "reconcile", "--apply")
	if !regexp.MustCompile(`Set \d+ PSA quantities`).MatchString(out) {
		t.Fatalf("reconcile --apply:\n%s", out)
	}
	out, _ = s.must(0, "reconcile", "--only-differences", "--json")
	var after struct {
		Lines  []json.RawMessage `json:"lines"`
		Differ int               `json:"agreements_differing"`
	}
	if err := json.Unmarshal([]byte(out), &after); err != nil || after.Differ != 0 || len(after.Lines) != 0 {
		t.Fatalf("after --apply something still differs: %v\n%s", err, out)
	}
	if st := s.local(); !st.Progress.Onboarded || st.Progress.Step != "billing" || st.Progress.MappingsWrittenAt.IsZero() {
		t.Fatalf("after a scripted onboarding the state says %+v", st.Progress)
	}
	out, _ = s.must(0, "status", "--json")
	if !strings.Contains(out, `"connected": true`) {
		t.Fatalf("status: %s", out)
	}

	// A new key: the old one stops working, the new one goes to its file.
	s.must(2, "rekey", "--key-file", "mesh.key") // exists
	s.must(0, "rekey", "--key-file", "mesh-new.key")
	fresh, _ := os.ReadFile(filepath.Join(s.dir, "mesh-new.key"))
	newKey := strings.TrimSpace(string(fresh))
	if newKey == key || !strings.HasPrefix(newKey, "gsk_") {
		t.Fatalf("rekey wrote %q", newKey)
	}
	for k, want := range map[string]bool{key: false, newKey: true} {
		vc, _ := gradient.NewVendorClient(s.vars["GRADIENT_URL"], s.vars["GRADIENT_VENDOR_KEY"], k, gradient.Options{})
		if _, err := vc.Organization(context.Background()); (err == nil) != want {
			t.Fatalf("after rekey, key …%s works: %v, want %v", k[len(k)-4:], err == nil, want)
		}
	}
	if st := s.local(); st.Progress.KeyHint != newKey[len(newKey)-4:] {
		t.Fatalf("after rekey the state's key hint is %q", st.Progress.KeyHint)
	}

	s.must(2, "disconnect") // no terminal, no --yes
	s.must(0, "disconnect", "--yes")
	s.must(3, "status")
	s.must(3, "mappings", "export")

	// --key-file -: the key alone on stdout, the news on stderr.
	out, errOut = s.must(0, "connect", "--products", "unified", "--types", "billing,alerts", "--key-file", "-")
	if testkit.KeyPattern.FindString(out)+"\n" != out || strings.Contains(errOut, strings.TrimSpace(out)) {
		t.Fatalf("--key-file -: stdout %q, stderr %q", out, errOut)
	}
}

// TestMappingsExportImport: the export carries suggestions and
// confidences for a spreadsheet; an import with any bad row reports every
// problem and writes nothing; a dry run writes nothing; a good import
// changes exactly its rows.
func TestMappingsExportImport(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	s.connectAndSync()
	s.must(0, "mappings", "suggest", "--apply")
	before, _ := s.pc.Mappings(context.Background())

	s.must(0, "mappings", "export", "mappings.csv")
	s.must(2, "mappings", "export", "mappings.csv") // never replaced unasked
	f, err := os.Open(filepath.Join(s.dir, "mappings.csv"))
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(records[0], ","); got != "kind,mesh_id,mesh_name,mapped_id,mapped_name,do_not_bill,suggestion_id,suggestion_name,confidence" {
		t.Fatalf("header %s", got)
	}
	if len(records) != 1+40+1 {
		t.Fatalf("want 40 accounts and 1 service, got %d rows", len(records)-1)
	}
	var mapped, unmapped []string
	for _, r := range records[1:] {
		if r[0] == "account" && r[3] != "" && r[8] != "" {
			mapped = append(mapped, r[1])
		}
		if r[0] == "account" && r[3] == "" {
			unmapped = append(unmapped, r[1])
		}
	}
	if len(mapped) < 30 || len(unmapped) == 0 {
		t.Fatalf("export: %d mapped with a confidence, %d unmapped", len(mapped), len(unmapped))
	}
	jsonOut, _ := s.must(0, "mappings", "export", "--format", "json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(jsonOut), &rows); err != nil || len(rows) != 41 {
		t.Fatalf("json export: %v, %d rows", err, len(rows))
	}

	// An edit: one account to another company, one to do not bill.
	write := func(name string, lines ...string) string {
		path := filepath.Join(s.dir, name)
		os.WriteFile(path, []byte("kind,mesh_id,mapped_id,do_not_bill\n"+strings.Join(lines, "\n")+"\n"), 0o600)
		return name
	}
	bad := write("bad.csv",
		"account,"+mapped[0]+",c-002,false",
		"account,m-nope,c-001,false",
		"account,"+mapped[1]+",c-nope,false",
		"account,"+mapped[2]+",c-001,true",
		"service,"+before.Services[0].ServiceID+",,maybe",
		"account,"+mapped[0]+",c-003,false")
	_, errOut := s.must(2, "mappings", "import", bad)
	for _, want := range []string{"row 5", "Synthesize has no Mesh account \"m-nope\"", "row 4", "no PSA company \"c-nope\"",
		"both a company", "row 7: account", "is also on row 2", `row 6: do_not_bill is "maybe"`, "5 problems", "nothing was written"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("the import's problems lack %q:\n%s", want, errOut)
		}
	}
	if now, _ := s.pc.Mappings(context.Background()); !sameMappings(before, now) {
		t.Fatal("a rejected import changed the mappings")
	}

	good := write("good.csv", "account,"+mapped[0]+",c-002,false", "account,"+mapped[1]+",,true", "account,"+unmapped[0]+",,false")
	out, _ := s.must(0, "mappings", "import", "--dry-run", good)
	if !strings.Contains(out, "Dry run: would write 0 added, 2 changed, 0 removed") {
		t.Fatalf("dry run said: %s", out)
	}
	if now, _ := s.pc.Mappings(context.Background()); !sameMappings(before, now) {
		t.Fatal("a dry run changed the mappings")
	}
	out, _ = s.must(0, "mappings", "import", good)
	if !strings.Contains(out, "Wrote to Synthesize: 0 added, 2 changed, 0 removed") {
		t.Fatalf("import said: %s", out)
	}
	now, changed := s.accountMappings()
	if changed[mapped[0]].CompanyID != "c-002" || !changed[mapped[1]].Ignored || len(now.Accounts) != len(before.Accounts) {
		t.Fatalf("after import: %+v and %+v, %d accounts", changed[mapped[0]], changed[mapped[1]], len(now.Accounts))
	}
	if st := s.local(); st.Accounts[mapped[0]].Target != "c-002" || !st.Accounts[mapped[1]].Ignored {
		t.Fatalf("the state file does not hold what was imported: %+v %+v", st.Accounts[mapped[0]], st.Accounts[mapped[1]])
	}
	// Reading from stdin, JSON, is the same job.
	out, _, code := s.run(`[{"kind":"account","mesh_id":"`+mapped[0]+`","mapped_id":"c-001"}]`, "mappings", "import", "-")
	if code != 0 || !strings.Contains(out, "1 changed") {
		t.Fatalf("import from stdin: %d %s", code, out)
	}
}

func sameMappings(a, b gradient.Mappings) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// TestWithoutATerminal: the bare command with stdin from /dev/null and
// stdout to a pipe says what to run instead and exits 2 at once, never
// waiting for a terminal.
func TestWithoutATerminal(t *testing.T) {
	t.Parallel()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "--state", filepath.Join(t.TempDir(), "state.db"))
	cmd.Stdin = devnull
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatal("the bare command hung without a terminal")
	}
	if code := exitCode(err); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if out.Len() != 0 || !strings.Contains(errOut.String(), "needs a terminal") || !strings.Contains(errOut.String(), "--help") {
		t.Fatalf("stdout %q, stderr %q", out.String(), errOut.String())
	}
}

// TestScriptsKeepTheWizardsUnwrittenChoices: choices made in the wizard
// and not yet written are the base a script builds on, never lost to it.
func TestScriptsKeepTheWizardsUnwrittenChoices(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	s.connectAndSync()
	// In the wizard: Acme Corp (m-012) to do not bill, and Brightside
	// Pediatrics (m-040) by hand to Acme Tools Supply (c-002), against
	// their suggestions; then the wizard was closed unwritten.
	st, err := store.Open(s.state)
	if err != nil {
		t.Fatal(err)
	}
	ignored, picked := store.Mapping{Ignored: true}, store.Mapping{Target: "c-002"}
	_, err = st.Apply("mesh", store.KindAccounts, map[string]*store.Mapping{"m-012": &ignored, "m-040": &picked})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, errOut := s.must(0, "mappings", "suggest", "--apply")
	if !strings.Contains(errOut, "starting from the 2 account and 0 service choices") {
		t.Fatalf("suggest did not say it starts from the wizard's choices:\n%s", errOut)
	}
	_, got := s.accountMappings()
	if !got["m-012"].Ignored || got["m-040"].CompanyID != "c-002" || len(got) < 30 {
		t.Fatalf("Synthesize holds %+v and %+v among %d: the wizard's choices were lost", got["m-012"], got["m-040"], len(got))
	}
}

// accountMappings answers Synthesize's mappings and its account mappings by id.
func (s *scripted) accountMappings() (gradient.Mappings, map[string]gradient.AccountMapping) {
	s.t.Helper()
	m, err := s.pc.Mappings(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	byID := map[string]gradient.AccountMapping{}
	for _, a := range m.Accounts {
		byID[a.AccountID] = a
	}
	return m, byID
}

// connectAndSync connects Mesh Gateway by script, does the portal's part
// and waits for the first Gradient Sync.
func (s *scripted) connectAndSync() {
	s.t.Helper()
	out, _ := s.must(0, "connect", "--products", "gateway", "--key-file", "-")
	s.portal("submit", url.Values{"api_key": {strings.TrimSpace(out)}})
	s.portal("sync", nil)
	s.must(0, "wait-sync", "--timeout", "30s")
}
