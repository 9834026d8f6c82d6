package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
)

// interposed answers a copy of s whose commands reach Synthesize through
// a proxy on loopback; before forwards each request first (it may act on
// Synthesize itself), and rewrite, when set, changes an answer's body.
func (s *scripted) interposed(before func(r *http.Request), rewrite func(r *http.Request, body []byte) []byte) *scripted {
	s.t.Helper()
	target, err := url.Parse(s.vars["GRADIENT_URL"])
	if err != nil {
		s.t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	if rewrite != nil {
		proxy.ModifyResponse = func(resp *http.Response) error {
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				return err
			}
			body = rewrite(resp.Request, body)
			resp.Body = io.NopCloser(bytes.NewReader(body))
			resp.ContentLength = int64(len(body))
			resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
			return nil
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if before != nil {
			before(r)
		}
		proxy.ServeHTTP(w, r)
	}))
	s.t.Cleanup(srv.Close)
	vars := map[string]string{}
	for k, v := range s.vars {
		vars[k] = v
	}
	vars["GRADIENT_URL"] = srv.URL
	c := *s
	c.vars = vars
	return &c
}

// Item 1, scripted: another technician writes between a script's read and
// its write. The script's write is refused (If-Match, 412): it exits 1,
// names what the other changed and says nothing was written, and the
// other's mapping stays.
func TestScriptSaysWhatChangedElsewhereAndWritesNothing(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	s.connectAndSync()
	var raced atomic.Bool
	racing := s.interposed(func(r *http.Request) {
		if r.Method != http.MethodPut || !strings.HasSuffix(r.URL.Path, "/mappings") || !raced.CompareAndSwap(false, true) {
			return
		}
		theirs, err := s.pc.Mappings(context.Background())
		if err != nil {
			t.Error(err)
			return
		}
		theirs.Accounts = append(theirs.Accounts, gradient.AccountMapping{AccountID: "m-011", Ignored: true}) // Zephyr Trial Account
		theirs.Version = "*"
		if _, err := s.pc.PutMappings(context.Background(), theirs); err != nil {
			t.Error(err)
		}
	}, nil)
	_, errOut, code := racing.run("", "mappings", "suggest", "--apply")
	if code != 1 || !strings.Contains(errOut, "Zephyr Trial Account → do not bill") || !strings.Contains(errOut, "nothing was written") {
		t.Fatalf("suggest --apply over another's write: exit %d, want 1 naming the other's change and that nothing was written:\n%s", code, errOut)
	}
	m, byID := s.accountMappings()
	if !byID["m-011"].Ignored || len(m.Accounts) != 1 {
		t.Fatalf("Synthesize holds %d account mappings (%+v); want only the other technician's", len(m.Accounts), byID["m-011"])
	}
	// Run again: it applies on top of the other's write.
	s.must(0, "mappings", "suggest", "--apply")
	if _, byID := s.accountMappings(); !byID["m-011"].Ignored || len(byID) < 30 {
		t.Fatalf("the second run lost the other's mapping or wrote nothing: %d mappings, m-011 %+v", len(byID), byID["m-011"])
	}
}

// Item 9, scripted: a connect whose answer holds an empty or malformed
// key says so and exits 1; no key file is written and nothing crashes.
func TestConnectRefusesAnEmptyOrMalformedKey(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{``, `gsk_a b`, "gsk_\u001b]0;pwned\u0007"} {
		s := newScripted(t)
		blank := s.interposed(nil, func(r *http.Request, body []byte) []byte {
			if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/integrations/mesh/connect") {
				return body
			}
			var answer map[string]any
			if err := json.Unmarshal(body, &answer); err != nil || answer["api_key"] == nil {
				return body
			}
			answer["api_key"] = bad
			out, _ := json.Marshal(answer)
			return out
		})
		keyFile := s.dir + "/key.txt"
		out, errOut, code := blank.run("", "connect", "--products", "gateway", "--key-file", keyFile)
		if code != 1 || !strings.Contains(errOut, "API key") || strings.Contains(errOut, "panic") {
			t.Fatalf("connect answered the key %q: exit %d, want 1 saying so\nstdout:\n%s\nstderr:\n%s", bad, code, out, errOut)
		}
		if _, err := os.Stat(keyFile); err == nil {
			t.Fatalf("connect answered the key %q and wrote a key file", bad)
		}
	}
}

// Item 16: a confidence that is not a number between 0 and 1 is bad
// usage (NaN passed the range check and wrote every suggestion).
func TestMinConfidenceMustBeANumberFromZeroToOne(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	s.connectAndSync()
	for _, c := range []string{"NaN", "nan", "Inf", "-Inf", "-0.1", "1.5"} {
		_, errOut, code := s.run("", "mappings", "suggest", "--apply", "--min-confidence", c)
		if code != 2 {
			t.Fatalf("--min-confidence %s: exit %d, want 2\n%s", c, code, errOut)
		}
	}
	if m, _ := s.accountMappings(); len(m.Accounts) != 0 {
		t.Fatalf("a refused confidence wrote %d mappings", len(m.Accounts))
	}
}

// Item 16: output that cannot be written reaches the exit status (a
// reconcile --apply --json to a full disk printed nothing and exited 0).
func TestAnOutputThatCannotBeWrittenFailsTheCommand(t *testing.T) {
	t.Parallel()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full here: %v", err)
	}
	defer full.Close()
	s := newScripted(t)
	s.connectAndSync()
	s.must(0, "mappings", "suggest", "--apply")
	for _, args := range [][]string{{"status", "--json"}, {"reconcile", "--json"}, {"reconcile", "--apply", "--json"},
		{"mappings", "export", "--format", "json"}, {"alerts", "--json"}} {
		cmd := exec.Command(binary, append(args, "--state", s.state)...)
		cmd.Dir = s.dir
		cmd.Env = append(os.Environ(), "GRADIENT_URL="+s.vars["GRADIENT_URL"], "GRADIENT_TOKEN="+s.vars["GRADIENT_TOKEN"],
			"MESH_PORTAL_URL="+s.vars["MESH_PORTAL_URL"])
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &stderr
		code, errOut := exitCode(cmd.Run()), stderr.String()
		if code != 1 || !strings.Contains(errOut, "no space left on device") {
			t.Errorf("%v to a full device: exit %d, want 1 naming the write error\n%s", args, code, errOut)
		}
	}
}

// A monitoring job's status and alerts keep working while a technician
// has the wizard open on the same state file (they failed with "another
// mesh-gradient is using"); a command that writes still waits its turn.
func TestReadingCommandsRunWhileTheWizardHoldsTheState(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	s.connectAndSync()
	held, err := store.Open(s.state) // as the wizard holds it
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	out, errOut := s.must(0, "status", "--json")
	var st struct {
		Connected bool `json:"connected"`
		Local     struct {
			StateFile string `json:"state_file"`
			InUse     bool   `json:"in_use_elsewhere"`
		} `json:"local"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || !st.Connected || !st.Local.InUse || st.Local.StateFile != s.state {
		t.Fatalf("status --json beside the wizard: %v %+v\n%s", err, st, out)
	}
	if !strings.Contains(errOut, "another mesh-gradient is using") {
		t.Fatalf("status did not say the state file was in use:\n%s", errOut)
	}
	s.must(0, "alerts", "--failed")
	_, errOut, code := s.run("", "mappings", "suggest", "--apply")
	if code != 1 || !strings.Contains(errOut, "another mesh-gradient is using") {
		t.Fatalf("a writing command beside the wizard: exit %d\n%s", code, errOut)
	}
}

// status and alerts read Synthesize: on a state path that does not exist
// they make no file (a monitoring host never runs the wizard).
func TestReadingCommandsMakeNoStateFile(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	s.connectAndSync()
	other := *s
	other.state = filepath.Join(t.TempDir(), "never", "state.db")
	out, _ := other.must(0, "status", "--json")
	if !strings.Contains(out, `"connected": true`) || !strings.Contains(out, other.state) {
		t.Fatalf("status on a new path:\n%s", out)
	}
	other.must(0, "alerts")
	if _, err := os.Stat(filepath.Dir(other.state)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a reading command made %s (%v)", filepath.Dir(other.state), err)
	}
}
