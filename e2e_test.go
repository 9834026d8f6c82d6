package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// terminal is the built binary running in a real terminal: a tmux pane.
type terminal struct {
	t      *testing.T
	socket string
}

func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is required for the end-to-end tests (.ci/run installs it)")
		}
		t.Skip("tmux not installed; the end-to-end tests need it (apt-get install tmux)")
	}
}

func startTerminal(t *testing.T, env []string, args ...string) *terminal {
	t.Helper()
	// exec: the pane's process is the program itself, so it can be killed.
	return startShell(t, "exec env "+strings.Join(env, " ")+" "+binary+" "+strings.Join(args, " "))
}

func startShell(t *testing.T, cmd string) *terminal {
	t.Helper()
	term := &terminal{t: t, socket: fmt.Sprintf("mg-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())}
	term.tmux("new-session", "-d", "-s", "main", "-x", "100", "-y", "30", cmd)
	t.Cleanup(func() { exec.Command("tmux", "-L", term.socket, "kill-server").Run() })
	return term
}

func (term *terminal) tmux(args ...string) string {
	term.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", term.socket}, args...)...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

func (term *terminal) screen() string { return term.tmux("capture-pane", "-p", "-t", "main") }

func (term *terminal) keys(keys ...string) {
	for _, k := range keys {
		term.tmux("send-keys", "-t", "main", k)
		time.Sleep(60 * time.Millisecond)
	}
}

func (term *terminal) waitFor(re string) string {
	term.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := term.screen()
		if rx.MatchString(s) {
			return s
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("waited 20s for /%s/; the screen:\n%s", re, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (term *terminal) pid() int {
	term.t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(term.tmux("list-panes", "-t", "main", "-F", "#{pane_pid}")))
	if err != nil {
		term.t.Fatal(err)
	}
	return n
}

func postPortal(t *testing.T, target string, form url.Values) {
	t.Helper()
	resp, err := http.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d", target, resp.StatusCode)
	}
}

// TestEndToEndOnboardingInATerminal runs the built binary in tmux against
// `mesh-gradient sandbox`, as a technician would, including a kill -9 in
// the middle of mapping.
func TestEndToEndOnboardingInATerminal(t *testing.T) {
	needTmux(t)
	v := startSandboxBinary(t)
	stateDir := t.TempDir()
	state := filepath.Join(stateDir, "state.db")
	env := []string{"GRADIENT_URL=" + v["GRADIENT_URL"], "GRADIENT_TOKEN=" + v["GRADIENT_TOKEN"],
		"MESH_PORTAL_URL=" + v["MESH_PORTAL_URL"], "TERM=xterm-256color"}
	args := []string{"--state", state, "--no-browser"}
	term := startTerminal(t, env, args...)

	term.waitFor(`Step 1 of 8`)
	term.keys("Space", "Down", "Space", "Down", "Space", "Down", "Space", "Enter")
	screen := term.waitFor(`gsk_[a-z0-9]{20,}`)
	key := regexp.MustCompile(`gsk_[a-z0-9]{20,}`).FindString(screen)
	term.keys("y")
	term.waitFor(`Step 3 of 8`)
	term.keys("Enter")
	term.waitFor(`Step 4 of 8`)

	page := v["MESH_PORTAL_URL"] + "/us/settings/gradient"
	postPortal(t, page, url.Values{"api_key": {key}})
	postPortal(t, page+"/sync", nil)
	term.waitFor(`Unmapped 40`)
	term.keys("A")
	term.waitFor(`Accepted \d+ suggestions`)

	// A crash: nothing chosen so far may be lost.
	if err := syscall.Kill(term.pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	term = startTerminal(t, env, args...)
	term.waitFor(`Step 5 of 8`)
	term.waitFor(`Mapped 3\d`)
	term.keys("n")
	term.waitFor(`Step 6 of 8`)
	term.keys("A", "n")
	term.waitFor(`Step 7 of 8`)
	term.keys("Enter")
	term.waitFor(`Mappings written to Synthesize`)
	term.keys("q")

	pc, _ := gradient.NewPartnerClient(v["GRADIENT_URL"], v["GRADIENT_TOKEN"], gradient.Options{})
	m, err := pc.Mappings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Accounts) < 30 || len(m.Services) != 3 {
		t.Fatalf("Synthesize holds %d account and %d service mappings", len(m.Accounts), len(m.Services))
	}
	err = filepath.Walk(stateDir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), key) {
			t.Errorf("%s contains the API key", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSecondInstanceIsTurnedAway: a second wizard on the same state file
// says who holds it, within about a second.
func TestSecondInstanceIsTurnedAway(t *testing.T) {
	needTmux(t)
	state := filepath.Join(t.TempDir(), "state.db")
	first := startTerminal(t, []string{"TERM=xterm-256color"}, "--state", state, "--no-browser")
	first.waitFor(`Step 1 of 8`)
	second := startShell(t, binary+" --state "+state+" --no-browser; sleep 30")
	screen := second.waitFor(`another mesh-gradient is using`)
	if !strings.Contains(screen, "close it and try again") {
		t.Fatalf("second instance said:\n%s", screen)
	}
}
