package wizard

import (
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// Config is what main hands the screens. Everything the program does
// goes through Session; the rest is how the screens meet a person.
type Config struct {
	Session   *core.Session
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
}

// common is what every screen shares: config, session, theme, size.
type common struct {
	cfg     Config
	sess    *core.Session
	theme   ui.Theme
	width   int
	height  int
	spinner spinner.Model
	// shown counts the screens shown: news made on one screen is dropped
	// when it arrives after another has replaced it.
	shown       int
	spinnerIdle bool // its ticks stopped (while the key shows); goTo starts them again
}

func (c *common) progress() store.Progress { return c.sess.Progress() }

func (c *common) now() time.Time { return c.sess.Config().Now() }

// ---- messages every screen may send ----

// eventMsg reports what happened on a step; the root asks the core's
// step graph where it leads.
type eventMsg struct {
	event  core.Event
	notice string
}

func emit(ev core.Event) tea.Cmd { return func() tea.Msg { return eventMsg{event: ev} } }

func emitWith(ev core.Event, notice string) tea.Cmd {
	return func() tea.Msg { return eventMsg{event: ev, notice: notice} }
}

// movedMsg: an operation of the core moved the journey to another step.
type movedMsg struct {
	to     core.Step
	notice string
}

// noticeMsg shows a line of news or, when failed, of trouble, on the
// screen that made it.
type noticeMsg struct {
	text   string
	failed bool
	shown  int
}

func (c *common) notice(text string) tea.Cmd {
	shown := c.shown
	return func() tea.Msg { return noticeMsg{text: text, shown: shown} }
}

func (c *common) failure(text string) tea.Cmd {
	shown := c.shown
	return func() tea.Msg { return noticeMsg{text: text, failed: true, shown: shown} }
}

// answer passes a key to an open dialog: done is false while it stays
// open; a No says nothing changed.
func (c *common) answer(d *ui.Confirm, k tea.KeyMsg) (yes, done bool, cmd tea.Cmd) {
	answered, yes := d.Update(k)
	if answered && !yes {
		cmd = c.notice("Cancelled: nothing changed.")
	}
	return yes, answered, cmd
}

// saveFailedMsg reports a write the store refused.
type saveFailedMsg struct{ err error }

// persisted waits for a queued write off the UI goroutine and answers
// ok (or nil) when it committed, a saveFailedMsg when it did not.
func persisted(p core.Pending, ok tea.Msg) tea.Cmd {
	return func() tea.Msg {
		if err := p(); err != nil {
			return saveFailedMsg{err: err}
		}
		return ok
	}
}

// ---- layout helpers ----

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

// wrapItems joins items with " · " and wraps only between items, or
// after a comma inside one, so a line never ends on "Usage" with "rows 44"
// below it. An item wider than w alone is wrapped as prose.
func wrapItems(items []string, w int) string {
	w = max(w, 10)
	var lines []string
	line := ""
	for i, item := range items {
		atoms := strings.SplitAfter(item, ", ")
		for j, atom := range atoms {
			atom = strings.TrimRight(atom, " ")
			sep := " "
			if j == 0 {
				sep = " · "
			}
			if i == 0 && j == 0 || line == "" {
				sep = ""
			}
			switch {
			case lipgloss.Width(line+sep+atom) <= w:
				line += sep + atom
			case lipgloss.Width(atom) > w:
				if line != "" {
					lines = append(lines, strings.TrimRight(line+sep, " "))
				}
				wrapped := strings.Split(wrap(atom, w), "\n")
				for k := range wrapped {
					wrapped[k] = strings.TrimRight(wrapped[k], " ")
				}
				lines = append(lines, wrapped[:len(wrapped)-1]...)
				line = wrapped[len(wrapped)-1]
			default:
				lines = append(lines, strings.TrimRight(line+strings.TrimRight(sep, " "), " "))
				line = atom
			}
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
