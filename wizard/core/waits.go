package core

import (
	"context"
	"fmt"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui/text"
)

// callTimeout bounds one operation that a face waits on.
const callTimeout = time.Minute

// CallContext bounds one operation, for faces that start one.
func CallContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, callTimeout)
}

// poller says how long to wait before the next poll: the first wait while
// things change, slower while nothing does, slower still while Synthesize
// fails, so a struggling service is asked less often.
type poller struct {
	first, wait time.Duration
}

const (
	quietCap  = 8 * time.Second  // nothing changes
	failedCap = 30 * time.Second // Synthesize fails
)

func (p *poller) changed() time.Duration { p.wait = p.first; return p.wait }
func (p *poller) same() time.Duration {
	p.wait = min(max(p.wait, p.first)*3/2, quietCap)
	return p.wait
}
func (p *poller) failed() time.Duration {
	p.wait = min(max(p.wait, p.first)*2, failedCap)
	return p.wait
}

// ---- the first Gradient Sync ----

// Arrived: Mesh checked in (pending or later) and sent accounts and
// services.
func Arrived(d gradient.IntegrationDetail) bool {
	return d.Status != gradient.StatusInactive && d.Status != "" && d.Counts.Accounts > 0 && d.Counts.Services > 0
}

// FirstSync watches Synthesize for Mesh's first Gradient Sync; after a new
// key for a connected integration, for Mesh taking the new key.
type FirstSync struct {
	poll    poller
	renewal *store.Renewal
	pull    bool                       // connected by Mesh API key: Synthesize reads Mesh itself
	Last    gradient.IntegrationDetail // the last answer
	Polled  bool
	Err     error // the last poll's failure
}

// NewFirstSync starts watching.
func (s *Session) NewFirstSync() *FirstSync {
	p := s.Progress()
	w := &FirstSync{poll: poller{first: s.cfg.PollEvery}, pull: p.Method == gradient.MethodMeshAPIKey}
	if p.Onboarded {
		w.renewal = p.Renewal
	}
	return w
}

// Renewing: the wait is for Mesh to take a new key, not a first sync.
func (w *FirstSync) Renewing() bool { return w.renewal != nil }

// CheckedIn: Mesh has accepted the key (its Submit sets the status
// pending, or it has synced).
func (w *FirstSync) CheckedIn() bool {
	d := w.Last
	if r := w.renewal; r != nil && w.pull {
		return w.pulled()
	}
	if r := w.renewal; r != nil {
		return d.Status == gradient.StatusPending && r.Status != gradient.StatusPending ||
			d.LastSyncAt != nil && d.LastSyncAt.After(r.LastSync)
	}
	return w.Polled && d.Status != "" && d.Status != gradient.StatusInactive
}

// PollIntegration asks Synthesize for the integration once.
func (s *Session) PollIntegration(ctx context.Context) (gradient.IntegrationDetail, error) {
	ctx, cancel := CallContext(ctx)
	defer cancel()
	d, err := s.cfg.Partner.Integration(ctx)
	if err == nil && !d.Connected {
		err = ErrNotConnected
	}
	return d, err
}

// Observe takes a poll's answer: arrived, or how long until the next.
func (w *FirstSync) Observe(d gradient.IntegrationDetail, err error) (arrived bool, wait time.Duration) {
	w.Err = err
	if err != nil {
		return false, w.poll.failed()
	}
	changed := !w.Polled || d.Counts != w.Last.Counts || d.Status != w.Last.Status
	w.Last, w.Polled = d, true
	if w.renewal != nil && w.CheckedIn() && w.Failed() == "" || w.renewal == nil && Arrived(d) {
		return true, 0
	}
	if changed {
		return false, w.poll.changed()
	}
	return false, w.poll.same()
}

// Pull: Synthesize reads Mesh itself (connected by Mesh API key).
func (w *FirstSync) Pull() bool { return w.pull }

// pulled: Synthesize has read Mesh since the renewal began.
func (w *FirstSync) pulled() bool {
	d := w.Last
	return w.Polled && d.LastSyncAt != nil && (w.renewal == nil || d.LastSyncAt.After(w.renewal.LastSync))
}

// Failed is why Synthesize's last pull from Mesh failed, or "": the
// wait will not end by itself then.
func (w *FirstSync) Failed() string {
	if !w.pull || !w.pulled() || w.Last.Status != gradient.StatusError {
		return ""
	}
	if w.Last.LastSyncError == "" {
		return "Synthesize reports status error without a reason"
	}
	return w.Last.LastSyncError
}

// Seen says what the last answer showed, in a line.
func (w *FirstSync) Seen() string {
	status := "not checked in yet"
	if w.Polled && w.Last.Status != "" && w.Last.Status != gradient.StatusInactive {
		status = w.Last.Status
	}
	return fmt.Sprintf("status %s, %s, %s", text.Sanitize(status), text.Count(w.Last.Counts.Accounts, "account", "accounts"),
		text.Count(w.Last.Counts.Services, "service", "services"))
}

// WaitFirstSync polls until the first sync has arrived, then moves the
// step on. say hears each change of what is seen, and each retry.
func (s *Session) WaitFirstSync(ctx context.Context, say func(string)) error {
	w := s.NewFirstSync()
	ctx = gradient.WithRetryReport(ctx, func(r gradient.Retry) {
		say(fmt.Sprintf("retrying: %s (attempt %d of %d)", text.Sanitize(r.Reason), r.Attempt+1, r.MaxAttempts))
	})
	last := ""
	for {
		d, err := s.PollIntegration(ctx)
		switch {
		case err == ErrNotConnected:
			return err
		case err != nil && ctx.Err() != nil:
			return s.notYet(w, last)
		case err != nil:
			say(fmt.Sprintf("Synthesize did not answer (%s); asking again", text.Sanitize(err.Error())))
		}
		arrived, wait := w.Observe(d, err)
		if arrived {
			say("arrived: " + w.Seen())
			_, pending := s.Advance(SyncArrived)
			return pending()
		}
		if why := w.Failed(); why != "" && err == nil {
			return &PullError{Why: why}
		}
		if seen := w.Seen(); err == nil && seen != last {
			say("waiting for Mesh's Gradient Sync: " + seen)
			last = seen
		}
		if err := sleep(ctx, wait); err != nil {
			return s.notYet(w, last)
		}
	}
}

func (s *Session) notYet(w *FirstSync, last string) error {
	if last == "" {
		last = "no answer yet"
	}
	return fmt.Errorf("Mesh has not finished its first Gradient Sync (last seen: %s); press Gradient Sync in the Mesh portal and run wait-sync again", last)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ---- the final Gradient Sync ----

// Usage is how far the usage of the mapped accounts has arrived.
type Usage struct {
	Arrived  int // mapped accounts with a billing row
	Expected int // accounts mapped to a company
	LastSync time.Time
	// SyncError is why Synthesize's last pull from Mesh failed ("" when
	// it worked, and always in the push flow).
	SyncError string
}

// PollUsage asks Synthesize how much usage has arrived.
func (s *Session) PollUsage(ctx context.Context) (Usage, error) {
	ctx, cancel := CallContext(ctx)
	defer cancel()
	pc := s.cfg.Partner
	d, err := pc.Integration(ctx)
	if err != nil {
		return Usage{}, err
	}
	m, err := pc.Mappings(ctx)
	if err != nil {
		return Usage{}, err
	}
	rows, err := pc.Billing(ctx)
	if err != nil {
		return Usage{}, err
	}
	u := usageOf(m, rows)
	if d.LastSyncAt != nil {
		u.LastSync = *d.LastSyncAt
	}
	u.SyncError = d.LastSyncError
	return u, nil
}

// usageOf counts the accounts mapped to a company, and those of them with
// a billing row (before the mappings, their counts were refused).
func usageOf(m gradient.Mappings, rows []gradient.BillingRow) Usage {
	mapped := map[string]bool{}
	for _, a := range m.Accounts {
		if !a.Ignored && a.CompanyID != "" {
			mapped[a.AccountID] = true
		}
	}
	fresh := map[string]bool{}
	for _, r := range rows {
		if mapped[r.AccountID] {
			fresh[r.AccountID] = true
		}
	}
	return Usage{Arrived: len(fresh), Expected: len(mapped)}
}

// FinalSync watches for the usage after the mappings are written. It is
// done when every mapped account's usage is in, or when Synthesize heard
// from Mesh after the write (by Synthesize's own clock) and Mesh has then
// been quiet for SyncQuiet: some mapped accounts may have no usage.
type FinalSync struct {
	poll       poller
	before     time.Time     // Synthesize's last sync when the mappings were written
	quiet      time.Duration // how long Mesh must be quiet
	Last       Usage
	Polled     bool
	Err        error
	Still      int       // polls since the last change
	lastChange time.Time // local monotonic time of the last change of LastSync
	pull       bool      // Synthesize reads Mesh: one pull after the write is the sync
}

// NewFinalSync starts watching, from the progress record.
func (s *Session) NewFinalSync() *FinalSync {
	return &FinalSync{poll: poller{first: min(s.cfg.PollEvery, s.cfg.SyncQuiet)}, before: s.Progress().SyncBeforeFinal,
		quiet: s.cfg.SyncQuiet, lastChange: time.Now(), pull: s.Progress().Method == gradient.MethodMeshAPIKey}
}

// Observe takes a poll's answer: done, or how long until the next.
func (w *FinalSync) Observe(u Usage, err error) (done bool, wait time.Duration) {
	w.Err = err
	if err != nil {
		return false, w.poll.failed()
	}
	synced := !u.LastSync.IsZero() && u.LastSync.After(w.before)
	quiet := w.Polled && u.LastSync.Equal(w.Last.LastSync) && time.Since(w.lastChange) >= w.quiet
	changed := !w.Polled || u.Arrived != w.Last.Arrived || u.Expected != w.Last.Expected || !u.LastSync.Equal(w.Last.LastSync)
	if !u.LastSync.Equal(w.Last.LastSync) {
		w.lastChange = time.Now()
	}
	w.Last, w.Polled = u, true
	switch {
	case u.Expected > 0 && u.Arrived >= u.Expected, synced && u.Arrived > 0 && quiet:
		return true, 0
	case w.pull && synced && u.SyncError == "":
		return true, 0 // a pull is whole: what it brought is all there is
	case changed:
		w.Still = 0
		return false, w.poll.changed()
	}
	w.Still++
	return false, w.poll.same()
}

// Synced: Synthesize heard from Mesh after the mappings were written.
func (w *FinalSync) Synced() bool {
	return w.Polled && !w.Last.LastSync.IsZero() && w.Last.LastSync.After(w.before)
}

// Pull: the sync is Synthesize reading Mesh, which the program asks for.
func (w *FinalSync) Pull() bool { return w.pull }

// Failed is why the pull after the write failed, or "".
func (w *FinalSync) Failed() string {
	if !w.pull || !w.Synced() {
		return ""
	}
	return w.Last.SyncError
}

// Line says how far the usage is, in a line.
func (u Usage) Line() string {
	return fmt.Sprintf("Usage arrived for %d of %d mapped accounts", u.Arrived, u.Expected)
}

// PortalForgotKey: in a sandbox, the emulated Mesh portal no longer holds
// the key it was given (it keeps keys in memory, and this process
// restarted since), so its Gradient Sync cannot run until it gets a new
// one. Always false against the real Mesh.
func (s *Session) PortalForgotKey() bool {
	has := s.cfg.PortalHasKey
	if has == nil || !s.Progress().KeyConfirmed {
		return false
	}
	if region := s.Progress().Region; region != "" {
		return !has(region)
	}
	for _, p := range mesh.Portals {
		if has(p.Region) {
			return false
		}
	}
	return true
}
