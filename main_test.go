package main

import (
	"bufio"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/wizard"
	"github.com/meshgradient/mesh-gradient/wizard/cli"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// binary is the program built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	testkit.Parallel(4)
	dir, err := os.MkdirTemp("", "mesh-gradient-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "mesh-gradient")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		panic("building the binary: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startSandboxBinary runs `mesh-gradient sandbox` and returns its four
// variables, as a shell's eval would see them.
func startSandboxBinary(t *testing.T, args ...string) map[string]string {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"sandbox", "--listen", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("sandbox did not exit cleanly on SIGINT: %v", err)
			}
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("sandbox did not stop within 5s of SIGINT")
		}
	})
	vars := map[string]string{}
	sc := bufio.NewScanner(out)
	for len(vars) < 5 && sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || strings.ContainsAny(v, " '\"") {
			t.Fatalf("line %q is not NAME=value that a shell can eval", sc.Text())
		}
		vars[k] = v
	}
	for _, k := range []string{"GRADIENT_URL", "GRADIENT_TOKEN", "GRADIENT_VENDOR_KEY", "MESH_PORTAL_URL", "MESH_API_KEY"} {
		if vars[k] == "" {
			t.Fatalf("sandbox did not print %s (got %v)", k, vars)
		}
	}
	return vars
}

func get(t *testing.T, url string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestSandboxCommandPrintsWorkingVariables(t *testing.T) {
	t.Parallel()
	v := startSandboxBinary(t)
	if !strings.HasPrefix(v["GRADIENT_URL"], "http://127.0.0.1:") || !strings.HasPrefix(v["MESH_PORTAL_URL"], "http://127.0.0.1:") {
		t.Fatalf("not loopback: %v", v)
	}
	status, body := get(t, v["GRADIENT_URL"]+"/api/partner/v1/integrations/mesh", "Authorization", "Bearer "+v["GRADIENT_TOKEN"])
	if status != 200 || !strings.Contains(body, `"connected":false`) {
		t.Fatalf("partner API: %d %s", status, body)
	}
	status, body = get(t, v["GRADIENT_URL"]+"/api/partner/v1/psa/companies?limit=5", "Authorization", "Bearer "+v["GRADIENT_TOKEN"])
	if status != 200 || !strings.Contains(body, `"next_cursor":"`) || strings.Contains(body, `"next_cursor":""`) {
		t.Fatalf("companies page: %d %s", status, body)
	}
	status, _ = get(t, v["GRADIENT_URL"]+"/api/partner/v1/integrations/mesh", "Authorization", "Bearer wrong")
	if status != 401 {
		t.Fatalf("wrong partner token: %d", status)
	}
	// Before a key is issued, no vendor token works.
	token := base64.StdEncoding.EncodeToString([]byte(v["GRADIENT_VENDOR_KEY"] + ":nokey"))
	status, body = get(t, v["GRADIENT_URL"]+"/api/vendor-api/organization", "GRADIENT-TOKEN", token)
	if status != 401 || !strings.Contains(body, `"statusCode":401`) {
		t.Fatalf("vendor API without a key: %d %s", status, body)
	}
	status, body = get(t, v["MESH_PORTAL_URL"]+"/us/settings/gradient")
	if status != 200 || !strings.Contains(body, `name="api_key"`) {
		t.Fatalf("portal: %d %s", status, body)
	}
}

func TestInvalidScenarioExitsTwo(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(path, []byte(`{"mesh":{"accounts":[{"id":"a","name":"A","usage":{"gateway":-1}}]}}`), 0o600)
	state := filepath.Join(t.TempDir(), "state.db")
	cmd := exec.Command(binary, "sandbox", "--listen", "127.0.0.1:0", "--scenario", path, "--state", state)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("want exit status 2, got %v: %s", err, out)
	}
	if !strings.Contains(string(out), path) || !strings.Contains(string(out), "mesh.accounts[0].usage.gateway") || !strings.Contains(string(out), "negative count") {
		t.Fatalf("message does not name file, field and reason: %s", out)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Fatal("an invalid scenario touched the state file")
	}
}

// TestTextBrowsersAreNeverLaunched: a text browser would take over the
// terminal the wizard is drawing in, so the wizard prints the address.
func TestTextBrowsersAreNeverLaunched(t *testing.T) {
	t.Parallel()
	env := func(browser string) func(string) string {
		return func(k string) string {
			if k == "BROWSER" {
				return browser
			}
			return ""
		}
	}
	found := func(string) (string, error) { return "/usr/bin/xdg-open", nil }
	missing := func(string) (string, error) { return "", exec.ErrNotFound }
	cases := []struct {
		goos, browser string
		look          func(string) (string, error)
		risky         bool
	}{
		{"linux", "", found, false},
		{"linux", "firefox", found, false},
		{"linux", "/usr/bin/w3m %s", found, true},
		{"linux", "lynx", found, true},
		{"linux", "", missing, true},
		{"darwin", "", missing, false},
		{"darwin", "links", missing, true},
	}
	for _, c := range cases {
		if got := wizard.TextBrowserRisk(c.goos, env(c.browser), c.look) != ""; got != c.risky {
			t.Errorf("%s with BROWSER=%q: risky %v, want %v", c.goos, c.browser, got, c.risky)
		}
	}
}

// runInProcess runs the program as main does, with its streams and
// environment injected.
func runInProcess(env map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	var out, errOut strings.Builder
	streams := cli.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}
	code = run(args, streams, func(k string) string { return env[k] })
	return out.String(), errOut.String(), code
}

// TestEveryCommandHasHelpWithExamples: --help answers 0 and shows the
// command's synopsis and at least one example, for every command of the
// tree.
func TestEveryCommandHasHelpWithExamples(t *testing.T) {
	t.Parallel()
	var walk func(c *cobra.Command)
	checked := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.Name() == "help" || c.Parent() != nil && c.Parent().Name() == "completion" || c.Name() == "completion" {
			return
		}
		path := strings.Fields(c.CommandPath())[1:]
		out, _, code := runInProcess(nil, "", append(path, "--help")...)
		if code != 0 {
			t.Errorf("%s --help: exit %d", c.CommandPath(), code)
		}
		if !strings.Contains(out, "Usage:\n  "+c.CommandPath()) || !strings.Contains(out, "Examples:\n  mesh-gradient") {
			t.Errorf("%s --help lacks a synopsis or an example:\n%s", c.CommandPath(), out)
		}
		checked++
	}
	walk(cli.NewRoot(&cli.Factory{Getenv: func(string) string { return "" }}))
	if checked < 10 {
		t.Fatalf("only %d commands checked", checked)
	}
	if out, _, code := runInProcess(nil, "", "--version"); code != 0 || !strings.HasPrefix(out, "mesh-gradient ") {
		t.Errorf("--version: %d %q", code, out)
	}
	if _, _, code := runInProcess(nil, "", "mappings"); code != 2 {
		t.Errorf("mappings alone: exit %d, want 2", code)
	}
}

// TestGlobalFlagsBeforeOrAfterTheCommand: --state works on either side of
// the command's name, as gh, kubectl and docker users expect.
func TestGlobalFlagsBeforeOrAfterTheCommand(t *testing.T) {
	t.Parallel()
	state := filepath.Join(t.TempDir(), "state.db")
	for _, args := range [][]string{{"--state", state, "status", "--json"}, {"status", "--json", "--state", state}, {"status", "--state=" + state, "--json"}} {
		out, errOut, code := runInProcess(nil, "", args...)
		if code != 3 || !strings.Contains(out, `"state_file": "`+state+`"`) {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
}

// TestCompletion: the shells' completion scripts come from the tree.
func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out, errOut, code := runInProcess(nil, "", "completion", shell)
		if code != 0 || !strings.Contains(out, "mesh-gradient") {
			t.Errorf("completion %s: exit %d %s", shell, code, errOut)
		}
	}
}

// A mistyped command names the one it resembles (exit 2).
func TestMistypedCommandSuggestsOne(t *testing.T) {
	t.Parallel()
	_, errOut, code := runInProcess(nil, "", "statuss")
	if code != 2 || !strings.Contains(errOut, `did you mean status?`) {
		t.Fatalf("statuss: exit %d\n%s", code, errOut)
	}
}
