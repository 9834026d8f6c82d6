// Package testkit is what the tests of every package share: the emulated
// Mesh portal's form posts, the shape of a one-time key, the state file
// read back, and waiting on a condition instead of sleeping. Only tests
// import it; it is not part of the program.
package testkit

import (
	"flag"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
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

// Eventually waits until cond holds, checking it again and again (first
// at once, then at most every 50 ms), and fails the test with what(), which
// says what was seen instead, after timeout.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, what func() string) {
	t.Helper()
	poll(t, timeout, 50*time.Millisecond, cond, what)
}

// EventuallyEvery is Eventually checking every interval, for a wait that
// is also a measurement (the time a screen took to show).
func EventuallyEvery(t testing.TB, timeout, interval time.Duration, cond func() bool, what func() string) {
	t.Helper()
	poll(t, timeout, interval, cond, what)
}

func poll(t testing.TB, timeout, most time.Duration, cond func() bool, what func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for wait := min(time.Millisecond, most); !cond(); wait = min(wait*2, most) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s: %s", timeout, what())
		}
		time.Sleep(wait) // the interval between two checks of the condition
	}
}

// Parallel runs up to n tests of a package at once unless -parallel was
// given: these tests wait on emulators, terminals and timers far more than
// they compute, so more of them than there are cores keep the machine
// busy. Call it in TestMain, before m.Run.
func Parallel(n int) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", strconv.Itoa(n))
	}
}

// shownKey is the key the emulated API-keys page shows once.
var shownKey = regexp.MustCompile(`<code id="api-key">([^<]+)</code>`)

// MakeMeshKey makes a Mesh API key on the emulated Mesh's API-keys page
// at base, as a browser without JavaScript posts its form, and answers
// the key the page shows once.
func MakeMeshKey(t testing.TB, base, region string) string {
	t.Helper()
	resp, err := http.PostForm(strings.TrimRight(base, "/")+mesh.APIKeysPagePath(region), url.Values{"name": {"Gradient"},
		"permission": {mesh.APIKeyPermission}, "expires": {time.Now().UTC().AddDate(0, 3, 0).Format(time.DateOnly)}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := shownKey.FindStringSubmatch(string(body))
	if resp.StatusCode != http.StatusCreated || m == nil {
		t.Fatalf("making a Mesh API key: %d %s", resp.StatusCode, body)
	}
	return m[1]
}

var deleteKeyForm = regexp.MustCompile(`action="(/[a-z]+/settings/api-keys/[^"/]+/delete)"`)

// DeleteMeshKeys deletes every key the emulated API-keys page lists, with
// its Delete buttons; it answers how many it deleted.
func DeleteMeshKeys(t testing.TB, base, region string) int {
	t.Helper()
	base = strings.TrimRight(base, "/")
	resp, err := http.Get(base + mesh.APIKeysPagePath(region))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	forms := deleteKeyForm.FindAllStringSubmatch(string(body), -1)
	for _, f := range forms {
		r, err := http.PostForm(base+f[1], nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
	}
	return len(forms)
}
