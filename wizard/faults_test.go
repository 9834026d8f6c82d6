package wizard_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/testkit"
)

// faultConnect500: the connect call fails with a 500 that the client must
// not retry (a connect is not safe to repeat).
func faultConnect500() synthemu.Fault {
	return synthemu.Fault{Kind: synthemu.FaultStatus, Status: 500, PathPrefix: "/api/partner/v1/integrations/mesh/connect"}
}

func keyBackspace() tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyBackspace} }

func newAccount() meshemu.ScenarioAccount {
	return meshemu.ScenarioAccount{ID: "m-900", Name: "Zzz Newco", Usage: map[string]float64{"gateway": 5}}
}

// loadState reads the state file while the program runs (bbolt allows a
// reader beside the writer only in-process, so it uses the run's store).
func loadState(t *testing.T, r *run) store.State {
	t.Helper()
	st, err := r.st.Load("mesh")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// impatient makes the harness's client retry quickly and give each
// attempt 300ms, so fault tests take seconds, not minutes.
func impatient(t *testing.T, h *harness) {
	t.Helper()
	pc, err := gradient.NewPartnerClient(h.sb.GradientURL, h.sb.Emulator.PartnerToken(), gradient.Options{
		Timeout: 300 * time.Millisecond,
		Retry:   gradient.RetryPolicy{MaxAttempts: 5, BaseDelay: 40 * time.Millisecond, MaxDelay: 150 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.pc = pc
}

func onPut(f synthemu.Fault) synthemu.Fault {
	f.Method, f.PathPrefix = http.MethodPut, "/api/partner/v1/integrations/mesh/mappings"
	return f
}

// TestFailedWriteIsNeverShownAsSaved: during the mappings PUT the screen
// says why it is retrying; a write that failed, lost its answer, or was
// given up on is never marked as written, the choices stay, and a later
// try finishes the job.
func TestFailedWriteIsNeverShownAsSaved(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	impatient(t, h)
	r, _ := onboardTo(t, h, 100, 30)
	toReview(r)
	drafts := len(loadState(t, r).Accounts)
	notWritten := func(when string) {
		t.Helper()
		st := loadState(t, r)
		if !st.Progress.MappingsWrittenAt.IsZero() || st.Progress.Step != "review" || len(st.Accounts) != drafts {
			t.Fatalf("%s: the store marks the write done or lost choices: step %q, written %v, %d of %d drafts",
				when, st.Progress.Step, st.Progress.MappingsWrittenAt, len(st.Accounts), drafts)
		}
	}

	// 503s until the attempts run out: Synthesize said each time it did
	// nothing, so nothing was written.
	h.sb.Emulator.Inject(onPut(synthemu.Fault{Kind: synthemu.FaultStatus, Status: 503, Times: 5}))
	r.keys("enter")
	r.waitFor(`Retrying: Synthesize answered 503`)
	r.waitFor(`(?s)Nothing was written: .*503`)
	notWritten("after five refused attempts")
	if m := h.mappings(); len(m.Accounts) != 0 {
		t.Fatalf("the emulator holds mappings after refusing every attempt: %+v", m)
	}

	// A slow server whose attempt timed out, then 503s: the first attempt
	// may have landed, so the screen does not claim nothing was written.
	h.sb.Emulator.Inject(onPut(synthemu.Fault{Kind: synthemu.FaultSlow, Delay: 5 * time.Second}),
		onPut(synthemu.Fault{Kind: synthemu.FaultStatus, Status: 503, Times: 4}))
	r.keys("enter")
	r.waitFor(`Retrying: no answer within 300ms`)
	r.waitFor(`(?s)Not marked as written: .*503.*an earlier attempt got no answer`)
	notWritten("after a lost answer and refusals")

	// Every answer lost, though Synthesize did the work: unknown, and said so.
	h.sb.Emulator.Inject(onPut(synthemu.Fault{Kind: synthemu.FaultDrop, AfterWork: true, Times: 5}))
	r.keys("enter")
	r.waitFor(`Retrying: the connection dropped`)
	r.waitFor(`(?s)Not marked as written: .*may or may not`)
	notWritten("after lost answers")

	// The user stops waiting on a hung server.
	h.sb.Emulator.Inject(onPut(synthemu.Fault{Kind: synthemu.FaultSlow, Delay: 5 * time.Second, Times: 5}))
	r.keys("enter")
	r.waitFor(`esc stop waiting`) // the help says what esc does now
	r.waitFor(`Retrying: no answer within 300ms`)
	r.keys("esc")
	r.waitFor(`you stopped waiting`)
	notWritten("after esc")
	// The abandoned call's answer must change nothing.
	testkit.Eventually(t, 10*time.Second, func() bool { return h.sb.Emulator.InFlight() == 0 }, func() string { return "the abandoned call to end" })
	notWritten("after the abandoned call ended")

	// A later try finishes the job.
	r.keys("enter")
	r.waitFor(`Mappings written to Synthesize`)
	r.stop()
	if m := h.mappings(); len(m.Accounts) != drafts {
		t.Fatalf("want %d account mappings in Synthesize, got %d", drafts, len(m.Accounts))
	}
	if state := testkit.ReadState(t, h.path); state.Progress.MappingsWrittenAt.IsZero() || state.Progress.Step != "final-sync" {
		t.Fatalf("after the write succeeded the store says step %q, written %v", state.Progress.Step, state.Progress.MappingsWrittenAt)
	}
}

// TestWaitsSayWhyTheyRetry: the sync wait and the loading of the lists
// show each retry's reason, and carry on once Synthesize recovers; a quit
// in the middle of it loses nothing.
func TestWaitsSayWhyTheyRetry(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	impatient(t, h)
	r := h.start(t, 100, 30)
	r.waitFor(`Step 1 of 9`)
	r.keys(gatewayBilling...)
	key := r.waitKey()
	r.keys("y")
	r.waitFor(`Step 3 of 9`)
	h.sb.Emulator.Inject(synthemu.Fault{Kind: synthemu.FaultRateLimit, RetryAfter: 2 * time.Second,
		Method: http.MethodGet, PathPrefix: "/api/partner/v1/integrations/mesh"})
	r.keys("enter")
	r.waitFor(`Retrying: Synthesize is limiting requests \(429\); trying again in 2s \(attempt 2 of 5\)`)

	// Quit mid-wait and come back: the wait resumes where it was.
	r.stop()
	r = h.start(t, 100, 30)
	r.waitFor(`Step 4 of 9`)
	h.sb.Emulator.Inject(synthemu.Fault{Kind: synthemu.FaultStatus, Status: 503, Times: 2,
		Method: http.MethodGet, PathPrefix: "/api/partner/v1/psa/companies"})
	h.portal("us", "submit", url.Values{"api_key": {key}})
	h.portal("us", "sync", nil)
	r.waitFor(`Retrying: Synthesize answered 503 Service Unavailable`)
	r.waitFor(`Unmapped 40`)
	r.stop()
}

// TestBadAnswersWhileLoading: a 10 MB page or a list with an id twice
// stops the load with a message that says what was wrong, keeps every
// choice, and r loads again once Synthesize answers properly.
func TestBadAnswersWhileLoading(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r, _ := onboardTo(t, h, 100, 30)
	r.keys("A")
	r.waitFor(`Accepted`)
	r.stop()
	chosen := len(testkit.ReadState(t, h.path).Accounts)
	if chosen == 0 {
		t.Fatal("nothing was accepted")
	}
	huge := append([]byte(`{"data":[{"id":"c-1","name":"`), bytes.Repeat([]byte("x"), 40<<20)...)
	huge = append(huge, `"}],"next_cursor":""}`...)
	for _, tc := range []struct {
		name, says string
		body       []byte
	}{
		{"40 MB page", `too large \(over 32 MiB`, huge},
		{"duplicate ids", `id "c-1" comes twice`, []byte(`{"data":[{"id":"c-1","name":"A"},{"id":"c-1","name":"B"}],"next_cursor":""}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.sb.Emulator.Inject(synthemu.Fault{Kind: synthemu.FaultBody, Body: tc.body, PathPrefix: "/api/partner/v1/psa/companies"})
			r := h.start(t, 100, 30)
			// Words may wrap onto the next line.
			says := strings.ReplaceAll(tc.says, " ", `\s+`)
			r.waitFor(`(?s)Could not load.*` + says + `.*Press r to try again`)
			r.keys("r")
			r.waitFor(`Mapped \d+`)
			r.stop()
			if got := len(testkit.ReadState(t, h.path).Accounts); got != chosen {
				t.Fatalf("want the %d choices kept, got %d", chosen, got)
			}
		})
	}
}
