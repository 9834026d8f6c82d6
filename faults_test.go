package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// TestDiskFullIsNeverCalledSaved fills the "disk" under the accessible
// prompts: the state file may not grow past its size (RLIMIT_FSIZE, so
// a write fails with EFBIG as on a full disk). Accepting the suggestions
// then cannot be saved, and the last word must say so, not "everything
// so far is saved".
func TestDiskFullIsNeverCalledSaved(t *testing.T) {
	t.Parallel()
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("needs prlimit (util-linux) to cap the file size")
	}
	v := tenantSandbox(t, 250)
	state := filepath.Join(t.TempDir(), "state.db")
	env := []string{"GRADIENT_URL=" + v["GRADIENT_URL"], "GRADIENT_TOKEN=" + v["GRADIENT_TOKEN"], "MESH_PORTAL_URL=" + v["MESH_PORTAL_URL"]}

	// First, with room: up to the account step.
	d := startDialogue(t, env, "--accessible", "--state", state)
	d.expect(`Products \(numbers`)
	d.answer("1")
	d.expect(`Types \(numbers`)
	d.answer("")
	d.expect(`Method \(Enter for 1\)`) // the Synthesize key, as before there were two
	d.answer("")
	key := testkit.Key(t, d.expect(`(?s)`+testkit.KeyPattern.String()+`.*Have you saved the key`))
	d.answer("yes")
	d.expect(`Portal \(Enter for 1\)`)
	d.answer("")
	d.expect(`Step 4 of 9`)
	testkit.Portal(t, v["MESH_PORTAL_URL"], "us", "submit", url.Values{"api_key": {key}})
	testkit.Portal(t, v["MESH_PORTAL_URL"], "us", "sync", nil)
	d.expect(`Accept those \d+ suggestions`)
	_ = d.stdin.Close()
	if code := d.wait(); code != 1 {
		t.Fatalf("exit %d when the answers ended", code)
	}
	// Then again; once it asks, the file may not grow any more (prlimit on
	// the running process), so the bulk accept cannot be saved.
	d = startDialogue(t, env, "--accessible", "--state", state)
	d.expect(`Accept those \d+ suggestions`)
	fi, err := os.Stat(state)
	if err != nil {
		t.Fatal(err)
	}
	limit := exec.Command(prlimit, "--pid", strconv.Itoa(d.cmd.Process.Pid), "--fsize="+strconv.FormatInt(fi.Size(), 10))
	if out, err := limit.CombinedOutput(); err != nil {
		t.Skipf("cannot cap the file size: %v %s", err, out)
	}
	d.answer("yes")
	out := d.expect(`could not save to .*is the disk full\?\)\. Nothing of this change was written`)
	if strings.Contains(out, "Accepted") {
		t.Fatalf("the accept was reported done though it was not saved:\n%s", out)
	}
	if code := d.wait(); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	all := d.output()
	if strings.Contains(all, "everything so far is saved") {
		t.Fatalf("the last word claims everything is saved after a failed write:\n%s", all)
	}
}

// tenantSandbox runs a sandbox of n generated tenants: enough that
// accepting their suggestions needs new pages in the state file.
func tenantSandbox(t *testing.T, n int) map[string]string {
	t.Helper()
	sc, _ := meshemu.Generate(n, 1)
	raw, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(t.TempDir(), "scenario.json")
	if err := os.WriteFile(scenario, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return startSandboxBinary(t, "--scenario", scenario)
}

// capFileSize stops the process pid from growing any file past size,
// as a full disk would (the write fails with EFBIG).
func capFileSize(t *testing.T, pid int, size int64) {
	t.Helper()
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("needs prlimit (util-linux) to cap the file size")
	}
	if out, err := exec.Command(prlimit, "--pid", strconv.Itoa(pid), "--fsize="+strconv.FormatInt(size, 10)).CombinedOutput(); err != nil {
		t.Skipf("cannot cap the file size: %v %s", err, out)
	}
}

// TestDiskFullScreenQuitSaysWhatIsSaved: in the full-screen wizard, A on
// a full disk shows "not saved"; q then must not print "everything chosen
// so far is saved", but how many changes were lost, with exit status 1.
func TestDiskFullScreenQuitSaysWhatIsSaved(t *testing.T) {
	t.Parallel()
	needTmux(t)
	v := tenantSandbox(t, 250)
	state := filepath.Join(t.TempDir(), "state.db")
	env := []string{"GRADIENT_URL=" + v["GRADIENT_URL"], "GRADIENT_TOKEN=" + v["GRADIENT_TOKEN"], "MESH_PORTAL_URL=" + v["MESH_PORTAL_URL"]}
	term := startTerminal(t, env, "--state", state, "--no-browser")
	term.waitFor(`Step 1 of 9`)
	term.keys("Space", "Down", "Down", "Down", "Space", "Enter")
	key := testkit.Key(t, term.waitFor(testkit.KeyPattern.String()))
	term.keys("y")
	term.waitFor(`Step 3 of 9`)
	term.keys("Enter")
	term.waitFor(`Step 4 of 9`)
	testkit.Portal(t, v["MESH_PORTAL_URL"], "us", "submit", url.Values{"api_key": {key}})
	testkit.Portal(t, v["MESH_PORTAL_URL"], "us", "sync", nil)
	term.waitFor(`Unmapped \d+`)
	fi, err := os.Stat(state)
	if err != nil {
		t.Fatal(err)
	}
	capFileSize(t, term.pid(), fi.Size())
	term.keys("A")
	term.waitFor(`not saved`)
	term.keys("q")
	term.waitExit()
	screen := strings.ReplaceAll(term.tmux("capture-pane", "-p", "-S", "-", "-t", "main"), "\n", "") // the message wraps at the pane's width
	if strings.Contains(screen, "everything chosen so far is saved") || !strings.Contains(screen, "could not be saved") {
		t.Fatalf("the quit message after a failed save:\n%s", screen)
	}
}

// TestBrowserInheritsNoSecrets opens the portal through a stand-in
// xdg-open that writes down its environment: the token must not be in it.
func TestBrowserInheritsNoSecrets(t *testing.T) {
	t.Parallel()
	needTmux(t)
	v := startSandboxBinary(t)
	bin, dump := t.TempDir(), filepath.Join(t.TempDir(), "browser-env")
	script := "#!/bin/sh\nenv > " + dump + ".tmp && mv " + dump + ".tmp " + dump + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "state.db")
	env := []string{"GRADIENT_URL=" + v["GRADIENT_URL"], "GRADIENT_TOKEN=" + v["GRADIENT_TOKEN"], "MESH_PORTAL_URL=" + v["MESH_PORTAL_URL"],
		"GRADIENT_VENDOR_KEY=" + v["GRADIENT_VENDOR_KEY"], "DISPLAY=:99", "PATH=" + bin + ":" + os.Getenv("PATH")}
	term := startTerminal(t, env, "--state", state)
	term.waitFor(`Step 1 of 9`)
	term.keys("Space", "Down", "Down", "Down", "Space", "Enter")
	term.waitFor(testkit.KeyPattern.String())
	term.keys("y")
	term.waitFor(`Step 3 of 9`)
	term.keys("Enter")
	term.waitFor(`Opened the portal in your browser`)
	var got []byte
	testkit.Eventually(t, 10*time.Second, func() bool {
		var err error
		got, err = os.ReadFile(dump)
		return err == nil
	}, func() string { return "the stand-in browser to run" })
	if !strings.Contains(string(got), "DISPLAY=:99") {
		t.Fatalf("the stand-in browser's environment is not the program's:\n%s", got)
	}
	for _, secret := range []string{v["GRADIENT_TOKEN"], v["GRADIENT_VENDOR_KEY"]} {
		if strings.Contains(string(got), secret) {
			t.Fatalf("the browser inherited a secret:\n%s", got)
		}
	}
}

// TestDataToATerminalIsSanitized: a Mesh account whose id and name hold
// escape sequences (a window title, a clipboard write, a screen clear)
// exported to a terminal shows them inert; exported to a file, the bytes
// are exact.
func TestDataToATerminalIsSanitized(t *testing.T) {
	t.Parallel()
	needTmux(t)
	const hostile = "\x1b]2;owned\x07\x1b]52;c;aGk=\x07\x1b[2J\u009b31m"
	sc := meshemu.Demo()
	sc.Mesh.Accounts[0].Name = "Evil" + hostile + "Name"
	old := sc.Mesh.Accounts[0].ID
	sc.Mesh.Accounts[0].ID = "evil" + hostile + "id"
	for i := range sc.Mesh.Alerts {
		if sc.Mesh.Alerts[i].AccountID == old {
			sc.Mesh.Alerts[i].AccountID = sc.Mesh.Accounts[0].ID
		}
	}
	raw, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(t.TempDir(), "scenario.json")
	if err := os.WriteFile(scenario, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	s := newScripted(t, "--scenario", scenario)
	s.connectAndSync()

	// To a file: the id exact (names are display text, sanitized at load).
	s.must(0, "mappings", "export", "exact.csv")
	exact, err := os.ReadFile(filepath.Join(s.dir, "exact.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(exact), "evil"+hostile+"id") {
		t.Fatalf("the file export changed the id:\n%q", exact)
	}

	// To a terminal: inert. The pane's title stays ours.
	env := []string{"GRADIENT_URL=" + s.vars["GRADIENT_URL"], "GRADIENT_TOKEN=" + s.vars["GRADIENT_TOKEN"]}
	for _, args := range [][]string{{"mappings", "export"}, {"mappings", "export", "--format", "json"}, {"reconcile", "--json"}, {"mappings", "suggest"}} {
		term := startTerminal(t, env, append(args, "--state", s.state)...)
		term.tmux("select-pane", "-t", "main", "-T", "ours")
		term.waitExit()
		screen := term.tmux("capture-pane", "-p", "-S", "-", "-t", "main")
		if title := strings.TrimSpace(term.tmux("display-message", "-p", "-t", "main", "#{pane_title}")); title != "ours" {
			t.Errorf("%v: the pane's title became %q", args, title)
		}
		if args[1] == "export" && !strings.Contains(screen, "Evil") {
			t.Errorf("%v: the hostile row is not shown at all:\n%s", args, screen)
		}
		if strings.Contains(screen, "\x1b") {
			t.Errorf("%v: an escape reached the screen:\n%q", args, screen)
		}
	}
}

// TestFilesAreWrittenPrivate: an export replacing a 0644 file and a debug
// log appended to a 0644 file are 0600 afterwards, and the sandbox's
// state file is not written through a planted symlink.
func TestFilesAreWrittenPrivate(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	s.connectAndSync()
	export, log := filepath.Join(s.dir, "open.csv"), filepath.Join(s.dir, "debug.log")
	for _, f := range []string{export, log} {
		if err := os.WriteFile(f, []byte("old\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.must(0, "mappings", "export", "--force", "open.csv", "--debug", log)
	for _, f := range []string{export, log} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v after the program wrote it, want -rw-------", filepath.Base(f), fi.Mode().Perm())
		}
	}

	// The sandbox keeps its state beside a state file; a symlink planted
	// at the old predictable temporary name is never followed.
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "state.db.sandbox.json.tmp")); err != nil {
		t.Fatal(err)
	}
	connect := exec.Command(binary, "connect", "--sandbox", "--products", "gateway", "--key-file", filepath.Join(dir, "k"), "--state", filepath.Join(dir, "state.db"))
	if out, err := connect.CombinedOutput(); err != nil {
		t.Fatalf("connect in the sandbox: %v\n%s", err, out)
	}
	if got, _ := os.ReadFile(victim); string(got) != "keep" {
		t.Fatalf("the sandbox wrote through a planted symlink: %q", got)
	}
	if fi, err := os.Lstat(filepath.Join(dir, "state.db.sandbox.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the sandbox's state file: %v %v", fi, err)
	}
}

// TestSandboxIsKeyedToItsStateFile: two state files in one directory have
// two emulated Synthesizes: connecting one leaves the other unconnected.
func TestSandboxIsKeyedToItsStateFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	connect := exec.Command(binary, "connect", "--sandbox", "--products", "gateway", "--key-file", filepath.Join(dir, "k"), "--state", filepath.Join(dir, "a.db"))
	if out, err := connect.CombinedOutput(); err != nil {
		t.Fatalf("connect a: %v\n%s", err, out)
	}
	status := exec.Command(binary, "status", "--json", "--sandbox", "--state", filepath.Join(dir, "b.db"))
	out, err := status.Output()
	if code := exitCode(err); code != 3 || !strings.Contains(string(out), `"connected": false`) {
		t.Fatalf("b's sandbox after a connected: exit %d\n%s", code, out)
	}
}

// TestCommandsStopAtOnce: against a Synthesize that accepts connections
// and never answers, Ctrl+C (SIGINT) and SIGTERM end a command that is
// loading its lists at once, with exit status 130.
func TestCommandsStopAtOnce(t *testing.T) {
	t.Parallel()
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hung.Close() })
	var accepted atomic.Int64
	go func() {
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			defer c.Close() // held open, never answered, until the test ends
		}
	}()
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		for _, args := range [][]string{{"mappings", "export"}, {"reconcile"}, {"status"}, {"wait-sync"}} {
			cmd := exec.Command(binary, append(args, "--state", filepath.Join(t.TempDir(), "s.db"))...)
			cmd.Env = append(os.Environ(), "GRADIENT_URL=http://"+hung.Addr().String(), "GRADIENT_TOKEN=pt_test")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			before := accepted.Load()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// It is waiting on the network once the hung server has its connection.
			testkit.Eventually(t, 10*time.Second, func() bool { return accepted.Load() > before },
				func() string { return fmt.Sprintf("%v to connect", args) })
			start := time.Now()
			_ = cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if code := exitCode(err); code != 130 {
					t.Errorf("%v after %v: exit %d, want 130\n%s", args, sig, code, stderr.String())
				}
				t.Logf("%v ended %v after %v", args, time.Since(start).Round(time.Millisecond), sig)
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				t.Errorf("%v still running 5 s after %v", args, sig)
			}
		}
	}
}

// copiesInMemory counts the copies of secret in the memory of process
// pid (its readable mappings), or skips when this system does not let a
// test read another process's memory.
func copiesInMemory(t *testing.T, pid int, secret string) int {
	t.Helper()
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		t.Skipf("cannot read the program's memory map: %v", err)
	}
	mem, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		t.Skipf("cannot read the program's memory: %v", err)
	}
	defer mem.Close()
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(maps)), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || !strings.HasPrefix(f[1], "r") {
			continue
		}
		var from, to uint64
		if _, err := fmt.Sscanf(f[0], "%x-%x", &from, &to); err != nil || to-from > 1<<30 {
			continue
		}
		buf := make([]byte, to-from)
		if _, err := mem.ReadAt(buf, int64(from)); err != nil {
			continue // a guard page or a mapping that went away
		}
		n += bytes.Count(buf, []byte(secret))
	}
	return n
}

// TestKeyDoesNotOutliveItsScreen: once the key is confirmed, the program
// drops it and returns the memory its frames used, so within seconds no
// more than a handful of copies remain in its memory (before: 193 right
// after and 54 a minute later). bubbletea's renderer copies an unchanged
// frame at each tick (120 a second) while the key is on screen, and Go
// never zeroes a dead copy: the program overwrites the free memory.
func TestKeyDoesNotOutliveItsScreen(t *testing.T) {
	t.Parallel()
	needTmux(t)
	v := startSandboxBinary(t)
	env := []string{"GRADIENT_URL=" + v["GRADIENT_URL"], "GRADIENT_TOKEN=" + v["GRADIENT_TOKEN"], "MESH_PORTAL_URL=" + v["MESH_PORTAL_URL"]}
	term := startTerminal(t, env, "--state", filepath.Join(t.TempDir(), "state.db"), "--no-browser")
	term.waitFor(`Step 1 of 9`)
	term.keys("Space", "Down", "Down", "Down", "Space", "Enter")
	key := testkit.Key(t, term.waitFor(testkit.KeyPattern.String()))
	pid := term.pid()
	// While the key shows, copies pile up (frames the renderer makes);
	// wait until there are many, as after a person reads and copies it.
	var shown int
	testkit.Eventually(t, 30*time.Second, func() bool { shown = copiesInMemory(t, pid, key); return shown >= 40 },
		func() string { return fmt.Sprintf("copies of the shown key to pile up (the scan finds %d)", shown) })
	term.keys("y")
	term.waitFor(`Step 3 of 9`)
	var n int
	start := time.Now()
	testkit.Eventually(t, 20*time.Second, func() bool { n = copiesInMemory(t, pid, key); return n <= 4 },
		func() string {
			return fmt.Sprintf("at most 4 copies of the key in memory after it was confirmed; %d", n)
		})
	t.Logf("%d copies of the key in memory while shown, %d within %v after it was confirmed", shown, n, time.Since(start).Round(time.Second))
}
