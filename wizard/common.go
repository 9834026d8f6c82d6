package wizard

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
)

// vendor is the integration this wizard manages, in the store and the API.
const vendor = "mesh"

// Config is what main hands the wizard.
type Config struct {
	Partner   *gradient.PartnerClient
	Store     *store.Store
	Sandbox   bool
	PortalURL string // base of an emulated or overridden Mesh portal; "" for the real regional portals
	NoBrowser bool
	// BrowserRisk, when set, says why launching a browser could put a text
	// browser in this terminal; the wizard then prints the address instead.
	BrowserRisk string
	// OpenURL opens a browser; default pkg/browser with its output silenced.
	OpenURL func(url string) error
	// Getenv reads the environment (SSH and display detection); default os.Getenv.
	Getenv func(string) string
	// Terminal receives the OSC 52 clipboard sequence; nil skips OSC 52.
	Terminal io.Writer
	// Copy puts text on the clipboard; default ui.Copy.
	Copy func(text string) ui.CopyResult
	// ClearClipboard empties the clipboard if it still holds text; default
	// ui.ClearIfStill.
	ClearClipboard func(text string) ui.ClearResult
	// ClipboardClear is how long after a copy of the key the clipboard is
	// cleared (if it still holds the key); default 45s, negative never.
	ClipboardClear time.Duration
	// Notice is news to show on the first screen (a permission fixed).
	Notice string
	// Threshold is the confidence at or above which "A" accepts; default 0.8.
	Threshold float64
	// PollEvery is the first wait between polls of Synthesize; default 1s.
	PollEvery time.Duration
	// SyncQuiet is how long Mesh must have sent nothing before the final
	// Gradient Sync counts as finished; default 3s.
	SyncQuiet time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// CycleUsage, when known (the sandbox's scenario), is the start-of-cycle
	// count Mesh's portal shows for an account and product key.
	CycleUsage func(accountID, product string) (float64, bool)
}

// common is what every screen shares: config, theme, keys, size, and the
// state loaded from the store.
type common struct {
	cfg     Config
	theme   ui.Theme
	keys    ui.KeyMap
	width   int
	height  int
	saver   *saver
	spinner spinner.Model
	// progress is the stored progress record; change it only through save.
	progress store.Progress
}

// save changes the progress record now and queues the write.
func (c *common) save(change func(*store.Progress)) tea.Cmd {
	change(&c.progress)
	return c.saver.progress(change)
}

// clean makes a remote string safe for the terminal.
func clean(s string) string { return ui.Sanitize(s) }

// fit cuts s to at most w cells and h lines, so no screen overflows.
func fit(s string, w, h int) string {
	if h <= 0 || w <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(lines, "\n")
}

// wrap fits prose to width.
func wrap(s string, w int) string { return lipgloss.NewStyle().Width(max(w, 10)).Render(s) }

// ---- ordered persistence ----

// saver writes to the store in the order changes were made, off the UI
// goroutine: Update enqueues (no I/O, no waiting) and gets back a command
// that delivers the result. Close drains the queue, so a quit loses nothing
// that was chosen before it.
type saver struct {
	st     *store.Store
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []saveJob
	closed bool
	done   chan struct{}
}

type saveJob struct {
	op  func(*store.Store) tea.Msg
	out chan tea.Msg
}

func newSaver(st *store.Store) *saver {
	s := &saver{st: st, done: make(chan struct{})}
	s.cond = sync.NewCond(&s.mu)
	go s.work()
	return s
}

func (s *saver) work() {
	defer close(s.done)
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.closed {
			s.cond.Wait()
		}
		if len(s.queue) == 0 {
			s.mu.Unlock()
			return
		}
		j := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		j.out <- s.run(j)
	}
}

// run does one job; a panic in it fails that write, not the saver, so the
// writes queued after it still happen.
func (s *saver) run(j saveJob) (msg tea.Msg) {
	defer func() {
		if r := recover(); r != nil {
			msg = saveFailedMsg{err: fmt.Errorf("internal error while saving: %v", r)}
		}
	}()
	return j.op(s.st)
}

// do queues op and returns the command that waits for its message.
func (s *saver) do(op func(*store.Store) tea.Msg) tea.Cmd {
	j := saveJob{op: op, out: make(chan tea.Msg, 1)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return func() tea.Msg { return saveFailedMsg{err: errSaverClosed} }
	}
	s.queue = append(s.queue, j)
	s.cond.Signal()
	s.mu.Unlock()
	return func() tea.Msg { return <-j.out }
}

// progress queues a change of the progress record.
func (s *saver) progress(change func(*store.Progress)) tea.Cmd {
	return s.do(func(st *store.Store) tea.Msg {
		if err := st.UpdateProgress(vendor, change); err != nil {
			return saveFailedMsg{err: err}
		}
		return nil
	})
}

// close finishes every queued write, waiting at most limit.
func (s *saver) close(limit time.Duration) bool {
	s.mu.Lock()
	s.closed = true
	s.cond.Signal()
	s.mu.Unlock()
	select {
	case <-s.done:
		return true
	case <-time.After(limit):
		return false
	}
}

type saverError string

func (e saverError) Error() string { return string(e) }

const errSaverClosed = saverError("the state file is closed")

// saveFailedMsg reports a write the store refused.
type saveFailedMsg struct{ err error }

func asAPIError(err error, target **gradient.APIError) bool { return errors.As(err, target) }

// retrying says a poll failed and when the next one is, for the screens
// that wait on Synthesize.
func retrying(t ui.Theme, err error, wait time.Duration, w int) string {
	return t.Warn.Render(wrap(fmt.Sprintf("Synthesize did not answer (%s); asking again in %s.", clean(err.Error()), wait), w))
}
