// Package core is what mesh-gradient does, without a face: the step graph
// in one transition table, and every operation (connect, new key, the
// waits, the mapping plan → diff → write, the final-sync rule, billing and
// reconcile, status, disconnect). The bubbletea screens, the accessible
// prompts and the scripted commands are faces over it: they meet people
// and scripts, and ask the core for everything else.
//
// The core imports no bubbletea and prints nothing. Its state is the
// store's; it keeps an in-memory copy for the faces to read, and writes
// every change in the order it was made, off the caller's goroutine.
package core

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui/text"
)

// Vendor is the integration the program manages, in the store and the API.
const Vendor = "mesh"

// Config is what a face hands the core. The zero values of the tunables
// are replaced by the defaults below, here and nowhere else.
type Config struct {
	Partner *gradient.PartnerClient
	Store   *store.Store
	// Now is the clock of the times written down; default time.Now.
	Now func() time.Time
	// PollEvery is the first wait between polls of Synthesize; default 1s.
	PollEvery time.Duration
	// SyncQuiet is how long Mesh must have sent nothing before the final
	// Gradient Sync counts as finished; default 3s.
	SyncQuiet time.Duration
	// Threshold is the confidence at or above which "accept all" takes a
	// suggestion; default 0.8.
	Threshold float64
	// CycleUsage, when known (a sandbox's scenario), is the start-of-cycle
	// count Mesh's portal shows for an account and product key.
	CycleUsage func(accountID, product string) (float64, bool)
	// PortalHasKey, in a sandbox, says whether its emulated Mesh portal
	// still holds a pasted key for a region (it keeps keys in memory only).
	PortalHasKey func(region string) bool
	// MeshPortal overrides the Mesh portal (MESH_PORTAL_URL, a sandbox);
	// the hubs of Mesh's API are below it then.
	MeshPortal string
	// MeshKey is MESH_API_KEY: a Mesh API key to read Mesh's own counts
	// with. It is never written anywhere.
	MeshKey string
	// MeshOptions are the Mesh API client's (a debug log).
	MeshOptions gradient.Options
	// Keyring keeps a Mesh API key with the user's consent; nil: none.
	Keyring Keyring
}

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.PollEvery <= 0 {
		c.PollEvery = time.Second
	}
	if c.SyncQuiet <= 0 {
		c.SyncQuiet = 3 * time.Second
	}
	if c.Threshold <= 0 {
		c.Threshold = 0.8
	}
	return c
}

// Session is one run of the program on one state file and one Synthesize.
type Session struct {
	cfg Config
	w   *writer

	mu       sync.Mutex
	progress store.Progress
	drafts   map[string]*Draft // by store kind
	// meshKey is a Mesh API key given in this run, and its hub: in
	// memory only, for Mesh's own counts.
	meshKey, meshKeyHub string
	meshRead            MeshRead // the last read of Mesh's counts
}

// Open reads the state file's record of the integration.
func Open(cfg Config) (*Session, error) {
	cfg = cfg.withDefaults()
	st, err := cfg.Store.Load(Vendor)
	if err != nil {
		return nil, err
	}
	s := &Session{cfg: cfg, w: newWriter(cfg.Store), progress: st.Progress}
	if err := s.loadDrafts(st); err != nil {
		return nil, err
	}
	return s, nil
}

// Close finishes every queued write, waiting at most limit. Its error
// says which changes did not reach the state file: some still under way,
// or some that failed (UnsavedError).
func (s *Session) Close(limit time.Duration) error {
	if !s.w.close(limit) {
		return fmt.Errorf("some changes were still being written to %s when the program stopped; "+
			"the file holds what was saved before them. Run it again and check the last choices", s.cfg.Store.Path())
	}
	if err := s.Unsaved(); err != nil {
		return err
	}
	return nil
}

// UnsavedError: changes that could not be written to the state file.
type UnsavedError struct {
	Path  string
	Count int
	Last  error
}

func (e *UnsavedError) Error() string {
	why := e.Last
	var we *store.WriteError
	if errors.As(e.Last, &we) {
		why = fmt.Errorf("%w; is the disk full?", we.Err)
	}
	return fmt.Sprintf("%d %s could not be saved in %s (%v); the file holds everything else. "+
		"Free some space or check the file, run it again, and redo the choices that are missing",
		e.Count, text.Plural(e.Count, "change", "changes"), e.Path, why)
}

func (e *UnsavedError) Unwrap() error { return e.Last }

// Unsaved answers an *UnsavedError when some write of this session
// failed, else nil; a face says "everything is saved" only on nil.
func (s *Session) Unsaved() error {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	if s.w.failed == 0 {
		return nil
	}
	return &UnsavedError{Path: s.cfg.Store.Path(), Count: s.w.failed, Last: s.w.lastErr}
}

// Config answers the session's settings, defaults filled in.
func (s *Session) Config() Config { return s.cfg }

// StatePath is the state file's path, for messages.
func (s *Session) StatePath() string { return s.cfg.Store.Path() }

// Progress is the current progress record (what the store will hold once
// the queued writes are done).
func (s *Session) Progress() store.Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.progress
}

// Step is the step the progress record is at.
func (s *Session) Step() Step { return ParseStep(s.Progress().Step) }

// Pending waits for a queued write and answers its error.
type Pending func() error

// done is a Pending for nothing queued.
func done(err error) Pending { return func() error { return err } }

// Save changes the progress record now and queues the write.
func (s *Session) Save(change func(*store.Progress)) Pending {
	s.mu.Lock()
	change(&s.progress)
	s.mu.Unlock()
	return s.w.do(func(st *store.Store) error { return st.UpdateProgress(Vendor, change) })
}

// Advance applies an event to the step graph: the next step and the
// transition's own bookkeeping are saved in one change. It answers the
// step it leads to (the same one when the event does not move).
func (s *Session) Advance(ev Event) (Step, Pending) {
	s.mu.Lock()
	p := s.progress
	s.mu.Unlock()
	t, ok := find(ModeOf(p), ParseStep(p.Step), ev)
	if !ok {
		return ParseStep(p.Step), done(nil)
	}
	now := s.cfg.Now().UTC()
	return t.to, s.Save(func(p *store.Progress) {
		if t.effect != nil {
			t.effect(p, now)
		}
		p.Step = t.to.String()
	})
}

// Resume is where a start opens (home once onboarded), saved so that
// every face agrees.
func (s *Session) Resume() (Step, Pending) {
	p := s.Progress()
	to := StartStep(p)
	if to.String() == p.Step {
		return to, done(nil)
	}
	return to, s.Save(func(p *store.Progress) { p.Step = to.String() })
}

// forget drops everything local about the integration in one
// transaction, in order with the writes queued before it.
func (s *Session) forget() Pending {
	s.mu.Lock()
	s.progress = store.Progress{}
	for _, d := range s.drafts {
		d.clear()
	}
	s.mu.Unlock()
	return s.w.do(func(st *store.Store) error { return st.Wipe(Vendor) })
}

// ---- ordered writes ----

// writer writes to the store in the order changes were made, off the
// caller's goroutine, so a screen never waits on the disk and a quit loses
// nothing chosen before it.
type writer struct {
	st     *store.Store
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []job
	closed bool
	done   chan struct{}
	// failed counts the writes that did not reach the store (a full
	// disk, a damaged file), and lastErr is the latest one's error: a quit
	// must not claim they were saved.
	failed  int
	lastErr error
}

type job struct {
	op  func(*store.Store) error
	out chan error
}

func newWriter(st *store.Store) *writer {
	w := &writer{st: st, done: make(chan struct{})}
	w.cond = sync.NewCond(&w.mu)
	go w.work()
	return w
}

func (w *writer) work() {
	defer close(w.done)
	for {
		w.mu.Lock()
		for len(w.queue) == 0 && !w.closed {
			w.cond.Wait()
		}
		if len(w.queue) == 0 {
			w.mu.Unlock()
			return
		}
		j := w.queue[0]
		w.queue = w.queue[1:]
		w.mu.Unlock()
		err := w.run(j)
		if err != nil {
			w.mu.Lock()
			w.failed, w.lastErr = w.failed+1, err
			w.mu.Unlock()
		}
		j.out <- err
	}
}

// run does one job; a panic in it fails that write, not the writer, so
// the writes queued after it still happen.
func (w *writer) run(j job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error while saving: %v", r)
		}
	}()
	return j.op(w.st)
}

// ErrClosed: a write came after the state file was closed.
var ErrClosed = errors.New("the state file is closed")

func (w *writer) do(op func(*store.Store) error) Pending {
	j := job{op: op, out: make(chan error, 1)}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return done(ErrClosed)
	}
	w.queue = append(w.queue, j)
	w.cond.Signal()
	w.mu.Unlock()
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() { err = <-j.out })
		return err
	}
}

// close finishes every queued write, waiting at most limit.
func (w *writer) close(limit time.Duration) bool {
	w.mu.Lock()
	w.closed = true
	w.cond.Signal()
	w.mu.Unlock()
	select {
	case <-w.done:
		return true
	case <-time.After(limit):
		return false
	}
}
