package wizard

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// layout: header (2 lines, and a gap when there is room), body, status
// (only when there is news), help.
func (m *Model) roomy() bool { return m.c.height >= 16 }

// statusLines is the news line's height: as wrapped, at most three lines.
func (m *Model) statusLines() int {
	news := m.failure
	if news == "" {
		news = m.notice
	}
	if news == "" {
		return 0
	}
	return min(lipgloss.Height(wrap(news, m.c.width)), 3)
}

func (m *Model) bodySize() (int, int) {
	chrome := 2 + lipgloss.Height(m.footer()) + m.statusLines()
	if m.roomy() {
		chrome += 2 // the gap under the header and the one above the help
	}
	return m.c.width, max(m.c.height-chrome, 1)
}

func (m *Model) resize() {
	if m.screens == nil {
		return
	}
	w, h := m.bodySize()
	for _, sc := range m.screens {
		sc.setSize(w, h)
	}
}

func (m *Model) screenHelp() ui.Help {
	var h ui.Help
	if m.waitingForData() {
		h = ui.ShortOnly(m.load.keys()...)
	} else {
		h = m.screens[m.step].help()
	}
	if m.typing() {
		// q and ? are letters now; only ctrl+c quits.
		h.Short = append(h.Short, m.keys.ForceQuit)
		h.Full = append(h.Full, []key.Binding{m.keys.ForceQuit})
		return h
	}
	if h.Modal {
		return h // the dialog's keys only: q and ? are not what it asks
	}
	h.Short = append(h.Short, m.keys.Help, m.keys.Quit)
	// ? and q lead the full help: columns the width cannot hold are cut
	// from the right, and these two must always show.
	global := []key.Binding{ui.With(m.keys.Help, "fewer keys"), m.keys.Quit}
	at := 0
	if h.Main.Enabled() && len(h.Main.Keys()) > 0 && len(h.Full) > 0 {
		at = 1 // after the main action's column
	}
	h.Full = slices.Insert(h.Full, at, global)
	return h
}

// footer is the help line: the screen's main action first, then its other
// keys, then ? and q; when the line is too long the other keys go first,
// from the last, so what moves on, more keys and quit always show.
func (m *Model) footer() string {
	h := m.screenHelp()
	if m.help.ShowAll {
		if full := m.fullHelp(h.FullHelp()); lipgloss.Height(full) <= m.c.height-4 {
			return full
		}
		return m.flowHelp(h.FullHelp()) // too short for bands: every key, in lines
	}
	n := len(h.Short)
	tail := 0 // ? and q, kept at the end
	if !m.typing() && !h.Modal {
		tail = 2
	}
	free := m.help
	free.Width = 0 // measure untruncated
	for keep := n - tail; keep > 0; keep-- {
		try := h
		try.Short = append(append([]key.Binding(nil), h.Short[:keep]...), h.Short[n-tail:]...)
		if lipgloss.Width(free.ShortHelpView(try.ShortHelp())) <= m.c.width {
			return m.help.ShortHelpView(try.ShortHelp())
		}
	}
	h.Short = h.Short[n-tail:]
	if lipgloss.Width(free.ShortHelpView(h.ShortHelp())) > m.c.width {
		// Narrow: the main action without its detail ("(3 accounts to
		// map)"), so ? and q still show.
		if d, _, ok := strings.Cut(h.Main.Help().Desc, " ("); ok {
			h.Main = ui.With(h.Main, d)
		}
	}
	return m.help.ShortHelpView(h.ShortHelp())
}

// flowHelp is every key of the columns, each once, in lines that fill the
// width: for a terminal too short for the columns side by side in bands.
func (m *Model) flowHelp(columns [][]key.Binding) string {
	free := m.help
	free.Width = 0
	var lines []string
	var line []key.Binding
	seen := map[string]bool{}
	for _, col := range columns {
		for _, b := range col {
			id := b.Help().Key + " " + b.Help().Desc
			if !b.Enabled() || seen[id] {
				continue
			}
			seen[id] = true
			if len(line) > 0 && lipgloss.Width(free.ShortHelpView(append(line, b))) > m.c.width {
				lines = append(lines, free.ShortHelpView(line))
				line = nil
			}
			line = append(line, b)
		}
	}
	if len(line) > 0 {
		lines = append(lines, free.ShortHelpView(line))
	}
	return strings.Join(lines, "\n")
}

// fullHelp lays the columns of keys side by side while they fit the
// width, then starts another band below: no key is cut off on the right.
func (m *Model) fullHelp(columns [][]key.Binding) string {
	free := m.help
	free.Width = 0 // measure untruncated
	var bands []string
	for start := 0; start < len(columns); {
		end := start + 1
		for end < len(columns) && lipgloss.Width(free.FullHelpView(columns[start:end+1])) <= m.c.width {
			end++
		}
		bands = append(bands, m.help.FullHelpView(columns[start:end]))
		start = end
	}
	return strings.Join(bands, "\n\n")
}

// The smallest terminal the screens are laid out for; below it the
// wizard asks for a larger one instead of drawing a mangled screen.
const minWidth, minHeight = 20, 10

func (m *Model) View() string {
	t := m.c.theme
	w := m.c.width
	if w < minWidth || m.c.height < minHeight {
		return m.tooSmallView()
	}
	title := t.Title.Render("mesh-gradient") + t.Muted.Render(" · Mesh → Synthesize")
	if m.c.cfg.Sandbox {
		// The badge must always show: right-aligned when it fits, else first.
		badge := t.Badge.Render("SANDBOX")
		if gap := w - lipgloss.Width(title) - lipgloss.Width(badge); gap >= 1 {
			title += lipgloss.NewStyle().Width(gap).Render("") + badge
		} else {
			title = badge + " " + title
		}
	}
	bw, bh := m.bodySize()
	body := lipgloss.NewStyle().Height(bh).Render(fit(m.body(bw), bw, bh))
	line := core.Line(m.c.progress(), m.step)
	if m.finishing {
		line = core.OnboardingLine(m.step)
	}
	parts := []string{fit(title, w, 1), fit(t.Subtitle.Render(line), w, 1)}
	if m.roomy() {
		parts = append(parts, "")
	}
	parts = append(parts, body)
	switch {
	case m.failure != "":
		parts = append(parts, fit(t.Error.Render(wrap(m.failure, w)), w, 3))
	case m.notice != "":
		parts = append(parts, fit(t.OK.Render(wrap(m.notice, w)), w, 3))
	}
	if m.roomy() {
		parts = append(parts, "")
	}
	parts = append(parts, m.footer())
	return fit(strings.Join(parts, "\n"), w, max(m.c.height, 1))
}

// tooSmallView asks for a larger terminal; keys still work (q quits) and
// nothing is lost while it shows.
func (m *Model) tooSmallView() string {
	w, h := max(m.c.width, 1), max(m.c.height, 1)
	msg := fmt.Sprintf("Enlarge the terminal: %d×%d is too small (at least %d×%d). Nothing is lost; q quits.", m.c.width, m.c.height, minWidth, minHeight)
	if m.c.cfg.Sandbox {
		msg = "SANDBOX " + msg
	}
	return fit(lipgloss.NewStyle().Width(w).Render(msg), w, h)
}

func (m *Model) body(w int) string {
	t := m.c.theme
	if m.waitingForData() {
		if m.load.err != nil {
			return t.Error.Render("Could not load accounts, services, companies and products from Synthesize.") + "\n\n" +
				wrap(core.Explain(m.load.err).String()+".", w) + "\n\n" +
				wrap(savedLine(m.c.sess)+" Press r to try again, or q to quit and resume later.", w)
		}
		return m.c.spinner.View() + "Loading accounts, services, companies and products from Synthesize…\n\n" + m.loadProgressView()
	}
	return m.screens[m.step].view(w)
}

// loadProgressView lists what has arrived so far, so a load of thousands
// of tenants shows it is moving.
func (m *Model) loadProgressView() string {
	t, p := m.c.theme, m.load.progress
	var lines []string
	for i, name := range core.LoadLists {
		state := t.Muted.Render("waiting")
		switch {
		case p.Complete[i]:
			state = t.OK.Render("✓ " + text.Thousands(p.Fetched[i]))
		case p.Fetched[i] > 0:
			state = text.Thousands(p.Fetched[i]) + " so far"
		}
		lines = append(lines, fmt.Sprintf("  %-10s %s", name, state))
	}
	if p.ToMatch > 0 {
		lines = append(lines, fmt.Sprintf("  %-10s %s of %s accounts", "matching", text.Thousands(p.Matched), text.Thousands(p.ToMatch)))
	}
	if m.load.retry != nil {
		lines = append(lines, "", retryLine(m.c, m.load.retry, m.c.width))
	}
	return strings.Join(lines, "\n")
}

// savedLine says what the state file holds: "everything" only when no
// write of this run failed.
func savedLine(sess *core.Session) string {
	if err := sess.Unsaved(); err != nil {
		return "Not everything is saved: " + err.Error() + "."
	}
	return "Everything you chose so far is saved."
}
