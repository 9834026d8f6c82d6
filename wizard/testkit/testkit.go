// Package testkit is what the tests of every package share: the emulated
// Mesh portal's form posts, the shape of a one-time key, the state file
// read back, and waiting on a condition instead of sleeping. Only tests
// import it; it is not part of the program.
package testkit

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
)

// KeyPattern matches a one-time key as Synthesize (and its emulator)
// issues them.
var KeyPattern = regexp.MustCompile(`gsk_[a-z0-9]{20,}`)

// Key finds the key in text, failing the test when there is none.
func Key(t testing.TB, text string) string {
	t.Helper()
	k := KeyPattern.FindString(text)
	if k == "" {
		t.Fatalf("no key in:\n%s", text)
	}
	return k
}

// Portal does in the emulated Mesh portal at base what the technician
// does there: "submit" a key (form field api_key) or press "sync".
func Portal(t testing.TB, base, region, action string, form url.Values) {
	t.Helper()
	target := strings.TrimRight(base, "/") + mesh.GradientPagePath(region)
	if action == "sync" {
		target += "/sync"
	}
	resp, err := http.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d", target, resp.StatusCode)
	}
}

// ReadState opens the state file at path, reads what it holds for Mesh and
// closes it again; the program must not hold it.
func ReadState(t testing.TB, path string) store.State {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := st.Load("mesh")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Eventually waits until cond holds, checking often, and fails the test
// with what after timeout.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for wait := time.Millisecond; !cond(); wait = min(wait*2, 50*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", timeout, what)
		}
		time.Sleep(wait) // a poll interval of a condition wait, not a synchronisation by time
	}
}
