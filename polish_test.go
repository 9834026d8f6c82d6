package main

// Issue 16 ("The wizard a top TUI designer would ship"): what the scripted
// commands and the program's own lines say (items 11, 17 and 18).

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/wizard/cli"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// Item 11: the scripted commands say what happened, and what to do next,
// without misleading numbers.
func TestPolishScriptedMessages(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	s.connectAndSync()

	// connect when connected: a new key is mesh-gradient rekey's job.
	_, errOut := s.must(1, "connect", "--products", "gateway", "--key-file", "again.key")
	if !strings.Contains(errOut, "mesh-gradient rekey") || strings.Contains(errOut, "press r") {
		t.Fatalf("connect when connected said:\n%s", errOut)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "again.key")); !os.IsNotExist(err) {
		t.Fatalf("connect when connected left a key file: %v", err)
	}

	// suggest --json without --apply adds nothing: it says what it would.
	out, _ := s.must(0, "mappings", "suggest", "--json")
	var dry struct {
		Suggestions []json.RawMessage `json:"suggestions"`
		Added       int               `json:"added"`
		WouldAdd    int               `json:"would_add"`
		Written     bool              `json:"written"`
	}
	if err := json.Unmarshal([]byte(out), &dry); err != nil || dry.Added != 0 || dry.Written || dry.WouldAdd == 0 || dry.WouldAdd != len(dry.Suggestions) {
		t.Fatalf("suggest --json without --apply: %v\n%s", err, out)
	}
	if m, _ := s.pc.Mappings(context.Background()); len(m.Accounts)+len(m.Services) != 0 {
		t.Fatalf("suggest without --apply wrote %d mappings", len(m.Accounts)+len(m.Services))
	}
	out, _ = s.must(0, "mappings", "suggest", "--apply", "--json")
	var applied struct {
		Added    int  `json:"added"`
		WouldAdd int  `json:"would_add"`
		Written  bool `json:"written"`
	}
	if err := json.Unmarshal([]byte(out), &applied); err != nil || !applied.Written || applied.Added != dry.WouldAdd || applied.WouldAdd != 0 {
		t.Fatalf("suggest --apply --json after a dry run that would add %d: %v\n%s", dry.WouldAdd, err, out)
	}

	// mappings import: the usage of what it mapped comes with the next
	// Gradient Sync; a dry run writes nothing, so has no next step.
	_, byID := s.accountMappings()
	var mapped string
	for id, a := range byID {
		if !a.Ignored && a.CompanyID != "" {
			mapped = id
			break
		}
	}
	csv := filepath.Join(s.dir, "edit.csv")
	if err := os.WriteFile(csv, []byte("kind,mesh_id,mapped_id,do_not_bill\naccount,"+mapped+",c-002,false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const next = "Next: press Gradient Sync in Mesh"
	if _, errOut := s.must(0, "mappings", "import", "--dry-run", csv); strings.Contains(errOut, next) {
		t.Fatalf("a dry run says what to do after writing:\n%s", errOut)
	}
	if _, errOut := s.must(0, "mappings", "import", csv); !strings.Contains(errOut, next) {
		t.Fatalf("mappings import does not say what comes next:\n%s", errOut)
	}

	// reconcile --json: the totals of what differs and of what was set,
	// each named for what it is.
	s.portal("sync", nil)
	totals := func(args ...string) map[string]any {
		t.Helper()
		out, _ := s.must(0, append([]string{"reconcile", "--json"}, args...)...)
		var r map[string]any
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("reconcile --json %v: %v\n%s", args, err, out)
		}
		for _, old := range []string{"units_changed", "money_changed"} {
			if _, ok := r[old]; ok {
				t.Fatalf("reconcile --json %v still says %s:\n%s", args, old, out)
			}
		}
		for _, k := range []string{"agreements_differing", "units_differing", "money_differing", "agreements_set", "units_set", "money_set"} {
			if _, ok := r[k].(float64); !ok {
				t.Fatalf("reconcile --json %v lacks %s:\n%s", args, k, out)
			}
		}
		delete(r, "lines")
		return r
	}
	before := totals()
	if before["agreements_differing"].(float64) == 0 || before["units_differing"].(float64) == 0 ||
		before["agreements_set"].(float64)+before["units_set"].(float64)+before["money_set"].(float64) != 0 {
		t.Fatalf("reconcile --json without --apply: %v", before)
	}
	set := totals("--apply")
	for _, k := range []string{"agreements", "units", "money"} {
		if set[k+"_set"] != before[k+"_differing"] || set[k+"_differing"] != before[k+"_differing"] {
			t.Fatalf("reconcile --apply --json set %v of %v: %v", set[k+"_set"], before[k+"_differing"], set)
		}
	}
	if after := totals(); after["agreements_differing"].(float64) != 0 || after["agreements_set"].(float64) != 0 {
		t.Fatalf("reconcile --json after --apply: %v", after)
	}

	// A second disconnect finds nothing to revoke, and says so.
	out, _ = s.must(0, "disconnect", "--yes")
	if !strings.Contains(out, "Synthesize revoked the key") {
		t.Fatalf("disconnect --yes said: %s", out)
	}
	out, _ = s.must(0, "disconnect", "--yes")
	if !strings.Contains(out, "Mesh was not connected in Synthesize: nothing to revoke") || strings.Contains(out, "revoked") {
		t.Fatalf("a second disconnect --yes said: %s", out)
	}
}

// sharedStateDir is a directory others may read and write, as /tmp: the
// state file's place when --state names a file there.
func sharedStateDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "state.db")
}

const openToOthers = "is open to other users"

// Item 18: the permissions warning is said once, whatever the face, and
// advises a private --state directory, never chmod (of /tmp, say).
func TestPolishPermissionsWarningOnce(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"status"}, {"--accessible"}} {
		state := sharedStateDir(t)
		out, errOut, _ := runInProcess(nil, "", append(args, "--state", state)...)
		all := out + errOut
		if n := strings.Count(all, openToOthers); n != 1 {
			t.Errorf("%v: the warning is said %d times:\nstdout:\n%s\nstderr:\n%s", args, n, out, errOut)
		}
		if strings.Contains(all, "chmod") || !strings.Contains(all, "keep --state in a directory only you can read") {
			t.Errorf("%v: the warning does not advise a private --state directory:\n%s", args, all)
		}
	}
}

// runWizardInProcess runs the full-screen wizard as main does, on a
// "terminal" whose keys are typed.
func runWizardInProcess(typed string, args ...string) (stdout, stderr string, code int) {
	var out, errOut strings.Builder
	streams := cli.IOStreams{In: strings.NewReader(typed), Out: &out, ErrOut: &errOut, Terminal: true}
	code = run(args, streams, func(string) string { return "" })
	return out.String(), errOut.String(), code
}

// Item 17: quitting the wizard names the step as the screen does, never by
// its internal id.
func TestPolishWizardQuitNamesTheStep(t *testing.T) {
	t.Parallel()
	_, errOut, code := runWizardInProcess("q", "--state", filepath.Join(t.TempDir(), "state.db"), "--no-browser")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	if !regexp.MustCompile(`stopped at Products and types; everything\s+chosen\s+so\s+far\s+is\s+saved\s+in\s`).MatchString(errOut) ||
		strings.Contains(errOut, `"products"`) {
		t.Fatalf("on quitting the wizard said:\n%s", errOut)
	}
}

// Item 18: the full-screen wizard shows the permissions warning once, on
// its first screen (not on stderr as well).
func TestPolishWizardShowsThePermissionsWarning(t *testing.T) {
	t.Parallel()
	screen, errOut, code := runWizardInProcess("q", "--state", sharedStateDir(t), "--no-browser")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errOut)
	}
	// Wrapped on the screen: its words one space apart.
	shown := strings.Join(strings.Fields(screen), " ")
	if strings.Contains(errOut, openToOthers) || !strings.Contains(shown, openToOthers) || strings.Contains(shown, "chmod") {
		t.Fatalf("the permissions warning: on stderr %v, on the screen %v:\n%s", strings.Contains(errOut, openToOthers), strings.Contains(shown, openToOthers), screen)
	}
}

// Issue 17, item 17: wait-sync --timeout 0 is bad usage, not Synthesize's
// fault; a sandbox listening beyond loopback says so.
func TestSmallFaultsSayWhatIsWrong(t *testing.T) {
	t.Parallel()
	_, errOut, code := runInProcess(map[string]string{}, "", "wait-sync", "--timeout", "0", "--sandbox", "--state", filepath.Join(t.TempDir(), "s.db"))
	if code != 2 || !strings.Contains(errOut, "--timeout 0s gives no time to wait") || strings.Contains(errOut, "Synthesize") {
		t.Fatalf("wait-sync --timeout 0: exit %d:\n%s", code, errOut)
	}
	cmd := exec.Command(binary, "sandbox", "--listen", "0.0.0.0:0")
	var mu sync.Mutex
	var buf bytes.Buffer
	cmd.Stderr = lockedBuffer{mu: &mu, buf: &buf}
	stderr := func() string { mu.Lock(); defer mu.Unlock(); return buf.String() }
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	testkit.Eventually(t, 10*time.Second, func() bool { return strings.Contains(stderr(), "not only on this machine") },
		func() string { return "the warning; stderr:\n" + stderr() })
}
