package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// dialogue runs the binary with stdin and stdout as pipes and answers its
// prompts as they appear, as a screen reader user (or expect) would.
type dialogue struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	out   bytes.Buffer
	mark  int
}

func startDialogue(t *testing.T, env []string, args ...string) *dialogue {
	t.Helper()
	return startDialogueCmd(t, env, exec.Command(binary, args...))
}

// startDialogueCmd runs cmd (the binary under a wrapper such as prlimit)
// as a dialogue.
func startDialogueCmd(t *testing.T, env []string, cmd *exec.Cmd) *dialogue {
	t.Helper()
	d := &dialogue{t: t, cmd: cmd}
	d.cmd.Env = append(os.Environ(), env...)
	var err error
	if d.stdin, err = d.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d.cmd.Stderr = &lockedWriter{d: d}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go io.Copy(&lockedWriter{d: d}, stdout)
	t.Cleanup(func() { _ = d.cmd.Process.Kill(); _ = d.cmd.Wait() })
	return d
}

type lockedWriter struct{ d *dialogue }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.d.mu.Lock()
	defer w.d.mu.Unlock()
	return w.d.out.Write(p)
}

// output is everything printed so far (the copy of stdout may still be
// writing, so under the lock).
func (d *dialogue) output() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.out.String()
}

// expect waits for re in what was printed since the last answer.
func (d *dialogue) expect(re string) string {
	d.t.Helper()
	rx := regexp.MustCompile(re)
	var seen string
	testkit.Eventually(d.t, 20*time.Second, func() bool {
		d.mu.Lock()
		seen = d.out.String()[d.mark:]
		d.mu.Unlock()
		return rx.MatchString(seen)
	}, func() string { return fmt.Sprintf("/%s/; printed since the last answer:\n%s", re, seen) })
	return seen
}

// answer types a line.
func (d *dialogue) answer(line string) {
	d.t.Helper()
	d.mu.Lock()
	d.mark = d.out.Len()
	d.mu.Unlock()
	if _, err := io.WriteString(d.stdin, line+"\n"); err != nil {
		d.t.Fatal(err)
	}
}

func (d *dialogue) wait() int {
	d.t.Helper()
	done := make(chan error, 1)
	go func() { done <- d.cmd.Wait() }()
	select {
	case err := <-done:
		return exitCode(err)
	case <-time.After(20 * time.Second):
		d.t.Fatal("the program did not end")
	}
	return -1
}

// TestAccessibleOnboardingWithPipedAnswers walks the whole onboarding in
// --accessible mode with stdin and stdout as pipes (no terminal), then
// checks the state, that a stop mid-way resumes, and that the output holds
// no escape sequence at all.
func TestAccessibleOnboardingWithPipedAnswers(t *testing.T) {
	t.Parallel()
	v := startSandboxBinary(t)
	state := filepath.Join(t.TempDir(), "state.db")
	env := []string{"GRADIENT_URL=" + v["GRADIENT_URL"], "GRADIENT_TOKEN=" + v["GRADIENT_TOKEN"], "MESH_PORTAL_URL=" + v["MESH_PORTAL_URL"]}
	d := startDialogue(t, env, "--accessible", "--state", state)
	d.expect(`(?s)You need a Synthesize login.*Step 1 of 9.*Products \(numbers`)
	d.answer("4") // out of range: asked again
	d.expect(`Type numbers from 1 to 3`)
	d.answer("1")
	d.expect(`Types \(numbers, Enter for 1, Billing\)`)
	d.answer("")
	d.expect(`Method \(Enter for 1\)`) // the Synthesize key, as before there were two
	d.answer("")
	key := testkit.Key(t, d.expect(`(?s)Step 2 of 9.*`+testkit.KeyPattern.String()+`.*Have you saved the key`))
	d.answer("no")
	d.expect(`Save it first`)
	d.answer("yes")
	d.expect(`Portal \(Enter for 1\)`)
	d.answer("")
	d.expect(`Step 4 of 9`)
	testkit.Portal(t, v["MESH_PORTAL_URL"], "us", "submit", url.Values{"api_key": {key}})
	testkit.Portal(t, v["MESH_PORTAL_URL"], "us", "sync", nil)
	d.expect(`Accept those \d+ suggestions`)
	d.answer("yes")
	out := d.expect(`Account 1 of \d+ unmapped`)
	unmapped := regexp.MustCompile(`Account 1 of (\d+) unmapped`).FindStringSubmatch(out)[1]
	// The first by search, the second do not bill; then stop (input ends).
	d.expect(`leave it unmapped: $`)
	d.answer("s")
	d.expect(`Search for: $`)
	d.answer("acme tools")
	d.expect(`1\. Acme Tools Supply`)
	d.answer("1")
	d.expect(`Saved: .* → Acme Tools Supply`)
	d.stdin.Close()
	if code := d.wait(); code != 1 {
		t.Fatalf("input ended mid-way: exit %d, want 1", code)
	}
	d.expect(`the answers ended before the wizard was done; everything so far is saved`)
	first := d.output()

	// Resume: the accepted and the searched mapping are kept.
	d = startDialogue(t, env, "--accessible", "--state", state)
	out = d.expect(`(?s)Step 5 of 9.*mapped so far`)
	if !strings.Contains(out, "mapped so far") || strings.Contains(out, "Step 1 of 9") {
		t.Fatalf("did not resume at the account step:\n%s", out)
	}
	left, err := strconv.Atoi(unmapped)
	if err != nil {
		t.Fatal(err)
	}
	for range left - 1 {
		d.expect(`leave it unmapped: $`)
		d.answer("0")
	}
	d.expect(`(?s)Step 6 of 9.*Accept (?:the|those \d+) suggestions?`)
	d.answer("")
	// The review lists every mapping on request, those accepted in bulk too.
	d.expect(`List the \d+ mappings first`)
	d.answer("yes")
	listed := d.expect(`Write these mappings to Synthesize`)
	if n := strings.Count(listed, "\n  account: "); n < 38 {
		t.Fatalf("the review listed %d account mappings, want every one of 40 but the unmapped:\n%s", n, listed)
	}
	if !strings.Contains(listed, "→ do not bill") {
		t.Fatalf("the listing leaves out do-not-bill accounts:\n%s", listed)
	}
	d.answer("yes")
	d.expect(`Step 8 of 9`)
	testkit.Portal(t, v["MESH_PORTAL_URL"], "us", "sync", nil)
	out = d.expect(`(?s)Step 9 of 9.*(Every PSA quantity matches|Set the \d+ differing PSA quantit.*Enter for no\): $)`)
	if strings.Contains(out, "differing PSA quantit") {
		d.answer("yes")
		d.expect(`Set \d+ PSA quantit(y|ies) to Mesh.s usage`)
	}
	d.expect(`Onboarding is done`)
	if code := d.wait(); code != 0 {
		t.Fatalf("exit %d after onboarding", code)
	}
	all := first + d.output()
	if strings.ContainsRune(all, 0x1b) {
		t.Fatalf("accessible output holds an escape sequence: %q", all[strings.IndexRune(all, 0x1b):][:20])
	}

	if local := testkit.ReadState(t, state); !local.Progress.Onboarded || local.Progress.MappingsWrittenAt.IsZero() || local.Progress.KeyHint != key[len(key)-4:] {
		t.Fatalf("state after accessible onboarding: %+v", local.Progress)
	}
	// Again: home, with the wizard's home actions in its order. Change a
	// mapped account to do not bill, issue a new key.
	d = startDialogue(t, env, "--accessible", "--state", state)
	menu := d.expect(`(?s)Home · Mesh is connected.*1\. Update account mappings.*\d+\. Quit\nChoice: $`)
	d.answer("1")
	d.expect(`Change another account\? Type part of its name, or Enter to finish: $`)
	d.answer("acme corp")
	d.expect(`1\. Acme Corp \(now: ACME Corporation\)`)
	d.answer("1")
	d.expect(`Enter to unmap it: $`)
	d.answer("0")
	d.expect(`Saved: Acme Corp → do not bill`)
	d.answer("")
	d.expect(`Mappings updated in Synthesize: 0 added, 1 changed, 0 removed`)
	d.expect(`Choice: $`)
	d.answer(menuNumber(t, menu, "Issue a new key"))
	d.expect(`Issue a new key\?`)
	d.answer("yes")
	newKey := testkit.Key(t, d.expect(`(?s)The new API key.*`+testkit.KeyPattern.String()+`.*Choice: $`))
	if newKey == "" || newKey == key {
		t.Fatalf("rekey showed %q", newKey)
	}
	d.answer(menuNumber(t, menu, "Quit"))
	if code := d.wait(); code != 0 {
		t.Fatalf("exit %d after quitting home", code)
	}

	// The full-screen wizard and the scripts see the same onboarding.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "status", "--state", state)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "0 unmapped") || !strings.Contains(string(out), "…"+newKey[len(newKey)-4:]) {
		t.Fatalf("status after accessible onboarding: %v\n%s", err, out)
	}
}

// menuNumber is the number of a home menu entry, as the prompts list it
// ("  4. Issue a new key"), so the test follows the menu's order.
func menuNumber(t *testing.T, menu, title string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  (\d+)\. ` + regexp.QuoteMeta(title) + `$`).FindStringSubmatch(menu)
	if m == nil {
		t.Fatalf("no %q in the menu:\n%s", title, menu)
	}
	return m[1]
}

// TestAccessibleCtrlCExits130 stops the prompts with SIGINT, as Ctrl+C
// does: the exit status is 130, as shells report it, and the message says
// what was kept.
func TestAccessibleCtrlCExits130(t *testing.T) {
	t.Parallel()
	v := startSandboxBinary(t)
	state := filepath.Join(t.TempDir(), "state.db")
	env := []string{"GRADIENT_URL=" + v["GRADIENT_URL"], "GRADIENT_TOKEN=" + v["GRADIENT_TOKEN"], "MESH_PORTAL_URL=" + v["MESH_PORTAL_URL"]}
	d := startDialogue(t, env, "--accessible", "--state", state)
	d.expect(`Products \(numbers`)
	d.answer("2")
	d.expect(`Types \(numbers`)
	if err := d.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	code := d.wait()
	out := d.output()
	if code != 130 {
		t.Fatalf("exit status %d after Ctrl+C, want 130:\n%s", code, out)
	}
	if !strings.Contains(out, "everything so far is saved") {
		t.Fatalf("no word that the answers are kept:\n%s", out)
	}
}
