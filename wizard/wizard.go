// Package wizard is the bubbletea state machine that walks a technician
// through connecting Mesh to Synthesize: products, the one-time key, the
// Mesh portal, the first sync, account and service mapping, and review.
// Every choice is saved as it is made, and a new start resumes at the same
// screen.
package wizard

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/pkg/browser"

	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
)

// step is a screen of the onboarding, in order.
type step int

const (
	stepProducts step = iota
	stepKey
	stepPortal
	stepWaiting
	stepAccounts
	stepServices
	stepReview
	stepDone
)

var stepNames = []string{"products", "key", "portal", "waiting", "accounts", "services", "review", "done"}

var stepTitles = []string{"Products and types", "API key", "Mesh portal", "Waiting for Gradient Sync",
	"Map accounts", "Map services", "Review and confirm", "Done"}

func (s step) String() string { return stepNames[s] }

func parseStep(name string) step {
	for i, n := range stepNames {
		if n == name {
			return step(i)
		}
	}
	return stepProducts
}

// Model is the root model: it owns the step, routes messages to the
// active screen, and handles what every screen shares (quit, help, size).
type Model struct {
	c       *common
	step    step
	help    help.Model
	notice  string // the last thing that happened, shown above the help
	failure string // the last thing that went wrong

	products *productsScreen
	key      *keyScreen
	portal   *portalScreen
	waiting  *waitingScreen
	data     *remoteData
	loading  bool
	loadErr  error
	accounts *mappingScreen
	services *mappingScreen
	review   *reviewScreen
}

// New builds the wizard on the state already in the store.
func New(cfg Config, st store.State) *Model {
	if cfg.OpenURL == nil {
		browser.Stdout, browser.Stderr = discard{}, discard{}
		cfg.OpenURL = browser.OpenURL
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	if cfg.Copy == nil {
		term := cfg.Terminal
		cfg.Copy = func(text string) ui.CopyResult {
			return ui.Copy(text, term, cfg.Getenv("TMUX") != "", cfg.Getenv("STY") != "")
		}
	}
	if cfg.Threshold <= 0 {
		cfg.Threshold = 0.8
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	sp := spinner.New(spinner.WithSpinner(spinner.Dot))
	sp.Style = ui.DefaultTheme().Selected
	c := &common{cfg: cfg, theme: ui.DefaultTheme(), keys: ui.Keys(), width: 80, height: 24,
		saver: newSaver(cfg.Store), spinner: sp, progress: st.Progress}
	m := &Model{c: c, help: help.New(), step: parseStep(st.Progress.Step)}
	m.products = newProductsScreen(c)
	m.key = newKeyScreen(c)
	m.portal = newPortalScreen(c, st.Progress.Region)
	m.waiting = newWaitingScreen(c)
	m.accounts = newMappingScreen(c, accountKind, st.Accounts)
	m.services = newMappingScreen(c, serviceKind, st.Services)
	m.review = newReviewScreen(c)
	return m
}

// Close finishes writing every choice to the store; call it after the
// program ends and before closing the store.
func (m *Model) Close() error {
	if !m.c.saver.close(5 * time.Second) {
		return fmt.Errorf("some changes were still being written to %s when the wizard stopped", m.c.cfg.Store.Path())
	}
	return nil
}

// Step is the current screen's name (for tests and status).
func (m *Model) Step() string { return m.step.String() }

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.c.spinner.Tick, m.enter(m.step, true))
}

// goTo moves to a step, saving it so a new start resumes there.
func (m *Model) goTo(s step) tea.Cmd {
	m.step = s
	m.notice, m.failure = "", ""
	m.resize()
	name := s.String()
	return tea.Batch(m.c.save(func(p *store.Progress) { p.Step = name }), m.enter(s, false))
}

// enter starts what a step needs: a connect, polling, data.
func (m *Model) enter(s step, resumed bool) tea.Cmd {
	switch s {
	case stepKey:
		return m.key.enter(resumed)
	case stepWaiting:
		return m.waiting.start()
	case stepAccounts, stepServices, stepReview, stepDone:
		if m.data == nil && !m.loading {
			return m.loadData()
		}
		if s == stepReview {
			m.review.build(m.data, m.accounts, m.services)
		}
	}
	return nil
}

func (m *Model) loadData() tea.Cmd {
	m.loading, m.loadErr = true, nil
	return loadRemote(m.c.cfg.Partner, m.c.cfg.Threshold)
}

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		m.resize()
		return m, nil
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.c.spinner, cmd = m.c.spinner.Update(msg)
		return m, cmd
	case saveFailedMsg:
		m.failure = fmt.Sprintf("Could not save to %s: %v. What is on screen is not saved; quit (q), fix the disk, and start again.", m.c.cfg.Store.Path(), msg.err)
		m.resize()
		return m, nil
	case dataMsg:
		m.loading = false
		if msg.err != nil {
			m.loadErr = msg.err
			return m, nil
		}
		m.data = msg.data
		cmd := tea.Batch(m.accounts.load(m.data), m.services.load(m.data))
		if m.step == stepReview {
			m.review.build(m.data, m.accounts, m.services)
		}
		m.resize()
		return m, cmd
	case stepMsg:
		cmd := m.goTo(msg.to)
		if msg.notice != "" {
			m.notice = msg.notice
			m.resize()
		}
		return m, cmd
	case noticeMsg:
		m.notice, m.failure = msg.text, ""
		if msg.failed {
			m.notice, m.failure = "", msg.text
		}
		m.resize()
		return m, nil
	case tea.KeyMsg:
		if cmd, handled := m.globalKey(msg); handled {
			return m, cmd
		}
	}
	return m, m.route(msg)
}

// globalKey handles quit and help, unless a screen is taking text.
func (m *Model) globalKey(k tea.KeyMsg) (tea.Cmd, bool) {
	if k.String() == "ctrl+c" {
		return tea.Quit, true
	}
	if m.typing() {
		return nil, false
	}
	switch {
	case key.Matches(k, m.c.keys.Quit):
		return tea.Quit, true
	case key.Matches(k, m.c.keys.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.resize()
		return nil, true
	case key.Matches(k, m.c.keys.Retry) && m.loadErr != nil && m.needsData():
		return m.loadData(), true
	}
	return nil, false
}

func (m *Model) needsData() bool { return m.step >= stepAccounts }

// typing reports whether the active screen is taking free text (a filter),
// so q and ? are letters there.
func (m *Model) typing() bool {
	switch m.step {
	case stepAccounts:
		return m.accounts.typing()
	case stepServices:
		return m.services.typing()
	}
	return false
}

// route passes a message to the screen it belongs to: results of I/O go
// to the screen that asked, keys to the active one.
func (m *Model) route(msg tea.Msg) tea.Cmd {
	switch msg.(type) {
	case connectedMsg, copiedMsg:
		return m.key.update(msg)
	case pollMsg, browserMsg, pollTickMsg:
		return m.waiting.update(msg)
	case undoneMsg:
		if u := msg.(undoneMsg); u.kind == store.KindServices {
			return m.services.update(msg)
		}
		return m.accounts.update(msg)
	case writtenMsg:
		return m.review.update(msg)
	}
	if m.needsData() && m.data == nil {
		return nil // keys wait until the data is there
	}
	switch m.step {
	case stepProducts:
		return m.products.update(msg)
	case stepKey:
		return m.key.update(msg)
	case stepPortal:
		return m.portal.update(msg)
	case stepWaiting:
		return m.waiting.update(msg)
	case stepAccounts:
		return m.accounts.update(msg)
	case stepServices:
		return m.services.update(msg)
	case stepReview, stepDone:
		return m.review.update(msg)
	}
	return nil
}

// layout: header (2 lines, and a gap when there is room), body, status
// (only when there is news), help.
func (m *Model) roomy() bool { return m.c.height >= 16 }

func (m *Model) statusLines() int {
	if m.failure == "" && m.notice == "" {
		return 0
	}
	return 2
}

func (m *Model) bodySize() (int, int) {
	chrome := 2 + lipgloss.Height(m.help.View(m.screenHelp())) + m.statusLines()
	if m.roomy() {
		chrome += 2 // the gap under the header and the one above the help
	}
	return m.c.width, max(m.c.height-chrome, 1)
}

func (m *Model) resize() {
	w, h := m.bodySize()
	m.products.setSize(w, h)
	m.portal.setSize(w, h)
	m.accounts.setSize(w, h)
	m.services.setSize(w, h)
	m.review.setSize(w, h)
}

func (m *Model) screenHelp() ui.Help {
	var h ui.Help
	switch m.step {
	case stepProducts:
		h = m.products.help()
	case stepKey:
		h = m.key.help()
	case stepPortal:
		h = m.portal.help()
	case stepWaiting:
		h = m.waiting.help()
	case stepAccounts:
		h = m.accounts.help()
	case stepServices:
		h = m.services.help()
	default:
		h = m.review.help()
	}
	if m.needsData() && m.loadErr != nil {
		h.Short = append([]key.Binding{m.c.keys.Retry}, h.Short...)
	}
	h.Short = append(h.Short, m.c.keys.Help, m.c.keys.Quit)
	h.Full = append(h.Full, []key.Binding{m.c.keys.Help, m.c.keys.Quit})
	return h
}

func (m *Model) View() string {
	t := m.c.theme
	w := m.c.width
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
	stepLine := t.Subtitle.Render(fmt.Sprintf("Step %d of %d · %s", int(m.step)+1, len(stepNames), stepTitles[m.step]))
	bw, bh := m.bodySize()
	body := lipgloss.NewStyle().Height(bh).Render(fit(m.body(bw), bw, bh))
	parts := []string{fit(title, w, 1), fit(stepLine, w, 1)}
	if m.roomy() {
		parts = append(parts, "")
	}
	parts = append(parts, body)
	switch {
	case m.failure != "":
		parts = append(parts, fit(t.Error.Render(wrap(m.failure, w)), w, 2))
	case m.notice != "":
		parts = append(parts, fit(t.OK.Render(wrap(m.notice, w)), w, 2))
	}
	if m.roomy() {
		parts = append(parts, "")
	}
	parts = append(parts, m.help.View(m.screenHelp()))
	return fit(strings.Join(parts, "\n"), w, max(m.c.height, 1))
}

func (m *Model) body(w int) string {
	t := m.c.theme
	if m.needsData() && m.data == nil {
		if m.loadErr != nil {
			return t.Error.Render("Could not load accounts, services, companies and products from Synthesize.") + "\n\n" +
				wrap(clean(m.loadErr.Error()), w) + "\n\n" +
				wrap("Everything you chose so far is saved. Press r to try again, or q to quit and resume later.", w)
		}
		return m.c.spinner.View() + "Loading accounts, services, companies and products from Synthesize…"
	}
	switch m.step {
	case stepProducts:
		return m.products.view()
	case stepKey:
		return m.key.view(w)
	case stepPortal:
		return m.portal.view(w)
	case stepWaiting:
		return m.waiting.view(w)
	case stepAccounts:
		return m.accounts.view(w)
	case stepServices:
		return m.services.view(w)
	default:
		return m.review.view(w, m.step == stepDone)
	}
}

// ---- messages every screen may send ----

// stepMsg asks the root to move to another step, with news to show there.
type stepMsg struct {
	to     step
	notice string
}

func goStepWith(s step, notice string) tea.Cmd {
	return func() tea.Msg { return stepMsg{to: s, notice: notice} }
}

func goStep(s step) tea.Cmd { return func() tea.Msg { return stepMsg{to: s} } }

// noticeMsg shows a line of news or, when failed, of trouble.
type noticeMsg struct {
	text   string
	failed bool
}

func notice(text string) tea.Cmd { return func() tea.Msg { return noticeMsg{text: text} } }

func failure(text string) tea.Cmd {
	return func() tea.Msg { return noticeMsg{text: text, failed: true} }
}
