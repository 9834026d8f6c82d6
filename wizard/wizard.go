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

// step is a screen. The first nine are the onboarding, in order; home is
// where a connected integration starts.
type step int

const (
	stepProducts step = iota
	stepKey
	stepPortal
	stepWaiting
	stepAccounts
	stepServices
	stepReview
	stepFinalSync
	stepBilling
	stepHome
)

const onboardingSteps = 9

var stepNames = []string{"products", "key", "portal", "waiting", "accounts", "services", "review", "final-sync", "billing", "home"}

var stepTitles = []string{"Products and types", "API key", "Mesh portal", "Waiting for Gradient Sync",
	"Map accounts", "Map services", "Review and confirm", "Final Gradient Sync", "Billing and reconcile", "Home"}

func (s step) String() string { return stepNames[s] }

func parseStep(name string) step {
	for i, n := range stepNames {
		if n == name {
			return step(i)
		}
	}
	return stepProducts
}

// screen is what every step's model does; the root routes to the active one.
type screen interface {
	update(tea.Msg) tea.Cmd
	view(width int) string
	help() ui.Help
	setSize(width, height int)
}

// Model is the root model: it owns the step, routes messages to the
// active screen, and handles what every screen shares (quit, help, size,
// the data loaded from Synthesize).
type Model struct {
	c       *common
	step    step
	help    help.Model
	notice  string // the last thing that happened, shown above the help
	failure string // the last thing that went wrong

	products  *productsScreen
	key       *keyScreen
	portal    *portalScreen
	waiting   *waitingScreen
	accounts  *mappingScreen
	services  *mappingScreen
	review    *reviewScreen
	finalSync *finalSyncScreen
	billing   *billingScreen
	home      *homeScreen
	screens   []screen // by step

	data          *remoteData
	loading       bool
	loadGen       int          // which load is current; older ones' answers are dropped
	loadProgress  loadProgress // how far the current load has got
	loadErr       error
	loadRetry     *retryNote // a page of the load under way is being retried
	pendingUpdate step       // after the next load, start updating mappings at this step
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
	if cfg.ClearClipboard == nil {
		term := cfg.Terminal
		cfg.ClearClipboard = func(text string) ui.ClearResult {
			return ui.ClearIfStill(text, term, cfg.Getenv("TMUX") != "", cfg.Getenv("STY") != "")
		}
	}
	if cfg.ClipboardClear == 0 {
		cfg.ClipboardClear = 45 * time.Second
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
	if cfg.SyncQuiet <= 0 {
		cfg.SyncQuiet = 3 * time.Second
	}
	sp := spinner.New(spinner.WithSpinner(spinner.Dot))
	sp.Style = ui.DefaultTheme().Selected
	c := &common{cfg: cfg, theme: ui.DefaultTheme(), keys: ui.Keys(), width: 80, height: 24,
		saver: newSaver(cfg.Store), spinner: sp, progress: st.Progress}
	m := &Model{c: c, help: help.New(), step: parseStep(st.Progress.Step), notice: cfg.Notice}
	m.build(st)
	return m
}

// build makes every screen afresh from stored state.
func (m *Model) build(st store.State) {
	c := m.c
	m.products = newProductsScreen(c)
	m.key = newKeyScreen(c)
	m.portal = newPortalScreen(c, st.Progress.Region)
	m.waiting = newWaitingScreen(c)
	m.accounts = newMappingScreen(c, accountKind, st.Accounts)
	m.services = newMappingScreen(c, serviceKind, st.Services)
	m.review = newReviewScreen(c)
	m.finalSync = newFinalSyncScreen(c)
	m.billing = newBillingScreen(c)
	m.home = newHomeScreen(c)
	// In step order: screens[s] is step s's screen.
	m.screens = []screen{m.products, m.key, m.portal, m.waiting, m.accounts, m.services, m.review, m.finalSync, m.billing, m.home}
	m.data, m.loading, m.loadErr = nil, false, nil
	m.resize()
}

// Close finishes writing every choice to the store; call it after the
// program ends and before closing the store.
func (m *Model) Close() error {
	if !m.c.saver.close(5 * time.Second) {
		return fmt.Errorf("some changes were still being written to %s when the wizard stopped", m.c.cfg.Store.Path())
	}
	return nil
}

// Step is the current screen's name (for tests and the exit message).
func (m *Model) Step() string { return m.step.String() }

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func (m *Model) Init() tea.Cmd { return guard(m.init()) }

func (m *Model) init() tea.Cmd {
	cmds := []tea.Cmd{m.c.spinner.Tick, m.enter(m.step, true)}
	if m.c.progress.KeyHint != "" {
		cmds = append(cmds, checkRemote(m.c.cfg.Partner))
	}
	return tea.Batch(cmds...)
}

// goTo moves to a step, saving it so a new start resumes there.
func (m *Model) goTo(s step) tea.Cmd {
	m.show(s)
	return tea.Batch(m.c.save(func(p *store.Progress) { p.Step = s.String() }), m.enter(s, false))
}

// show switches the screen without starting what the step needs.
func (m *Model) show(s step) {
	m.step = s
	m.notice, m.failure = "", ""
	m.resize()
}

// enter starts what a step needs: a connect, polling, data.
func (m *Model) enter(s step, resumed bool) tea.Cmd {
	switch s {
	case stepKey:
		return m.key.enter(resumed)
	case stepWaiting:
		return m.waiting.start()
	case stepFinalSync:
		return m.finalSync.start()
	case stepHome:
		return tea.Batch(m.home.load(), m.loadData())
	case stepBilling:
		cmds := []tea.Cmd{m.billing.load()}
		if m.data == nil && !m.loading {
			cmds = append(cmds, m.loadData())
		}
		return tea.Batch(cmds...)
	case stepAccounts, stepServices, stepReview:
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
	m.loadGen++
	m.loadProgress, m.loadRetry = loadProgress{}, nil
	return loadRemote(m.c.cfg.Partner, m.loadGen)
}

// startUpdate reloads what Synthesize holds and opens a mapping screen on
// it (home → update account or service mappings).
func (m *Model) startUpdate(s step) tea.Cmd {
	m.pendingUpdate = s
	m.data = nil
	return m.loadData()
}

// onData installs freshly loaded data in every screen that shows it.
func (m *Model) onData(d *remoteData) tea.Cmd {
	m.data = d
	var cmds []tea.Cmd
	if m.pendingUpdate != 0 {
		// Updating starts from what Synthesize holds now, not a stale draft.
		to := m.pendingUpdate
		m.pendingUpdate = 0
		accounts, services := remoteDrafts(d.mappings)
		m.accounts.reset(accounts)
		m.services.reset(services)
		cmds = append(cmds, m.c.saver.do(func(st *store.Store) tea.Msg {
			if err := st.Replace(vendor, store.KindAccounts, accounts); err != nil {
				return saveFailedMsg{err: err}
			}
			if err := st.Replace(vendor, store.KindServices, services); err != nil {
				return saveFailedMsg{err: err}
			}
			return nil
		}), m.c.save(func(p *store.Progress) { p.Updating = true }))
		cmds = append(cmds, m.goTo(to))
	}
	cmds = append(cmds, m.accounts.load(d), m.services.load(d))
	if m.step == stepReview {
		m.review.build(d, m.accounts, m.services)
	}
	m.billing.setData(d)
	m.resize()
	return tea.Batch(cmds...)
}

// restartOnboarding forgets the integration locally, in one transaction,
// and starts over at the first screen.
func (m *Model) restartOnboarding(news string) tea.Cmd {
	wipe := m.c.saver.do(func(st *store.Store) tea.Msg {
		if err := st.Wipe(vendor); err != nil {
			return saveFailedMsg{err: err}
		}
		return nil
	})
	m.c.progress = store.Progress{}
	m.build(store.State{})
	cmd := m.goTo(stepProducts)
	m.notice = news
	return tea.Batch(wipe, cmd)
}

// Update routes msg, and guards every command it returns: bubbletea
// recovers panics in Update and View, not in commands, which run on their
// own goroutines and would kill the process with the terminal still raw.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	model, cmd := m.update(msg)
	return model, guard(cmd)
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case panicMsg:
		m.failure = fmt.Sprintf("Internal error (a bug in mesh-gradient): %s. Everything saved so far is kept; "+
			"quit (q), start again to resume, and please report it.", clean(fmt.Sprint(msg.value)))
		m.loading = false
		m.resize()
		return m, nil
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
	case remoteCheckMsg:
		if msg.err == nil && !msg.detail.Connected {
			return m, m.restartOnboarding("Mesh was disconnected in Synthesize (from elsewhere), so nothing kept here is valid any more: local progress was cleared. Connect again below.")
		}
		return m, nil
	case loadProgressMsg:
		if msg.gen == m.loadGen {
			if r := msg.progress.retry; r == nil {
				m.loadRetry = nil
			} else if m.loadProgress.retry != r {
				m.loadRetry = noteRetry(m.c, *r)
			}
			m.loadProgress = msg.progress
		}
		return m, waitNext(msg.next)
	case dataMsg:
		if msg.gen != m.loadGen {
			return m, nil // a load that a newer one replaced
		}
		m.loading = false
		if msg.err != nil {
			m.loadErr = msg.err
			m.pendingUpdate = 0
			return m, nil
		}
		return m, m.onData(msg.data)
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
	case homeActionMsg:
		return m, m.homeAction(msg)
	case disconnectedMsg:
		if msg.err != nil {
			return m, m.home.update(msg)
		}
		return m, m.restartOnboarding("Disconnected: Synthesize revoked the key and deleted every mapping, and the local state for Mesh was wiped. Connect again below.")
	case retryMsg:
		return m, tea.Batch(m.screens[msg.dest].update(msg), waitNext(msg.next))
	case tea.KeyMsg:
		if cmd, handled := m.globalKey(msg); handled {
			return m, cmd
		}
	}
	return m, m.route(msg)
}

func (m *Model) homeAction(a homeActionMsg) tea.Cmd {
	switch a.action {
	case actionAccounts:
		return m.startUpdate(stepAccounts)
	case actionServices:
		return m.startUpdate(stepServices)
	case actionBilling:
		return m.goTo(stepBilling)
	case actionRekey:
		m.show(stepKey)
		return tea.Batch(m.c.save(func(p *store.Progress) { p.Step = stepKey.String() }), m.key.rotate())
	case actionDisconnect:
		return disconnect(m.c.cfg.Partner)
	}
	return nil
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

// needsData: these screens cannot show anything before the lists arrive.
func (m *Model) needsData() bool {
	return m.step == stepAccounts || m.step == stepServices || m.step == stepReview
}

// typing reports whether the active screen is taking free text (a filter,
// a file name), so q and ? are letters there.
func (m *Model) typing() bool {
	switch m.step {
	case stepAccounts:
		return m.accounts.typing()
	case stepServices:
		return m.services.typing()
	case stepBilling:
		return m.billing.typing()
	}
	return false
}

// route passes a message to the screen it belongs to: results of I/O go
// to the screen that asked, keys to the active one.
func (m *Model) route(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case connectedMsg, copiedMsg, clearClipboardMsg:
		return m.key.update(msg)
	case pollMsg, browserMsg, pollTickMsg:
		if m.step == stepFinalSync {
			return m.finalSync.update(msg)
		}
		return m.waiting.update(msg)
	case usageMsg, usageTickMsg:
		return m.finalSync.update(msg)
	case undoneMsg:
		if msg.kind == store.KindServices {
			return m.services.update(msg)
		}
		return m.accounts.update(msg)
	case savedMsg:
		if msg.kind == store.KindServices {
			return m.services.update(msg)
		}
		return m.accounts.update(msg)
	case writtenMsg:
		return m.review.update(msg)
	case billingMsg, reconciledMsg, exportedMsg:
		return m.billing.update(msg)
	case homeMsg:
		return m.home.update(msg)
	}
	if m.needsData() && m.data == nil {
		return nil // keys wait until the data is there
	}
	return m.screens[m.step].update(msg)
}

// layout: header (2 lines, and a gap when there is room), body, status
// (only when there is news), help.
func (m *Model) roomy() bool { return m.c.height >= 16 }

// statusLines is the news line's height: as wrapped, at most three lines.
func (m *Model) statusLines() int {
	text := m.failure
	if text == "" {
		text = m.notice
	}
	if text == "" {
		return 0
	}
	return min(lipgloss.Height(wrap(text, m.c.width)), 3)
}

func (m *Model) bodySize() (int, int) {
	chrome := 2 + lipgloss.Height(m.help.View(m.screenHelp())) + m.statusLines()
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
	h := m.screens[m.step].help()
	if m.needsData() && m.loadErr != nil {
		h.Short = append([]key.Binding{m.c.keys.Retry}, h.Short...)
	}
	if m.typing() {
		// q and ? are letters now; only ctrl+c quits.
		quit := key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))
		h.Short = append(h.Short, quit)
		h.Full = append(h.Full, []key.Binding{quit})
		return h
	}
	h.Short = append(h.Short, m.c.keys.Help, m.c.keys.Quit)
	h.Full = append(h.Full, []key.Binding{m.c.keys.Help, m.c.keys.Quit})
	return h
}

// stepLine says where the user is: a numbered onboarding step, or the
// part of the connected integration's screens.
func (m *Model) stepLine() string {
	switch {
	case m.c.progress.Updating && (m.step == stepAccounts || m.step == stepServices || m.step == stepReview):
		return "Update mappings · " + stepTitles[m.step]
	case m.step == stepHome, m.c.progress.Onboarded:
		return stepTitles[m.step]
	}
	return fmt.Sprintf("Step %d of %d · %s", int(m.step)+1, onboardingSteps, stepTitles[m.step])
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
	parts := []string{fit(title, w, 1), fit(t.Subtitle.Render(m.stepLine()), w, 1)}
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
	parts = append(parts, m.help.View(m.screenHelp()))
	return fit(strings.Join(parts, "\n"), w, max(m.c.height, 1))
}

// tooSmallView asks for a larger terminal; keys still work (q quits) and
// nothing is lost while it shows.
func (m *Model) tooSmallView() string {
	w, h := max(m.c.width, 1), max(m.c.height, 1)
	text := fmt.Sprintf("Enlarge the terminal: %d×%d is too small (at least %d×%d). Nothing is lost; q quits.", m.c.width, m.c.height, minWidth, minHeight)
	if m.c.cfg.Sandbox {
		text = "SANDBOX " + text
	}
	return fit(lipgloss.NewStyle().Width(w).Render(text), w, h)
}

func (m *Model) body(w int) string {
	t := m.c.theme
	if m.needsData() && m.data == nil {
		if m.loadErr != nil {
			return t.Error.Render("Could not load accounts, services, companies and products from Synthesize.") + "\n\n" +
				wrap(clean(m.loadErr.Error()), w) + "\n\n" +
				wrap("Everything you chose so far is saved. Press r to try again, or q to quit and resume later.", w)
		}
		return m.c.spinner.View() + "Loading accounts, services, companies and products from Synthesize…\n\n" + m.loadProgressView()
	}
	return m.screens[m.step].view(w)
}

// loadProgressView lists what has arrived so far, so a load of thousands
// of tenants shows it is moving.
func (m *Model) loadProgressView() string {
	t, p := m.c.theme, m.loadProgress
	var lines []string
	for i, name := range loadLists {
		state := t.Muted.Render("waiting")
		switch {
		case p.complete[i]:
			state = t.OK.Render(fmt.Sprintf("✓ %s", thousands(p.fetched[i])))
		case p.fetched[i] > 0:
			state = fmt.Sprintf("%s so far", thousands(p.fetched[i]))
		}
		lines = append(lines, fmt.Sprintf("  %-10s %s", name, state))
	}
	if p.toMatch > 0 {
		lines = append(lines, fmt.Sprintf("  %-10s %s of %s accounts", "matching", thousands(p.matched), thousands(p.toMatch)))
	}
	if m.loadRetry != nil {
		lines = append(lines, "", retryLine(m.c, m.loadRetry, m.c.width))
	}
	return strings.Join(lines, "\n")
}

// thousands writes 12345 as 12,345.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// panicMsg is a command's panic, caught.
type panicMsg struct{ value any }

// guard runs cmd, and every command of a batch it answers, turning a panic
// into a panicMsg.
func guard(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = panicMsg{value: r}
			}
		}()
		msg = cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for i, c := range batch {
				batch[i] = guard(c)
			}
		}
		return msg
	}
}

// ---- messages every screen may send ----

// stepMsg asks the root to move to another step, with news to show there.
type stepMsg struct {
	to     step
	notice string
}

func goStep(s step) tea.Cmd { return func() tea.Msg { return stepMsg{to: s} } }

func goStepWith(s step, notice string) tea.Cmd {
	return func() tea.Msg { return stepMsg{to: s, notice: notice} }
}

// noticeMsg shows a line of news or, when failed, of trouble.
type noticeMsg struct {
	text   string
	failed bool
}

func notice(text string) tea.Cmd { return func() tea.Msg { return noticeMsg{text: text} } }

func failure(text string) tea.Cmd {
	return func() tea.Msg { return noticeMsg{text: text, failed: true} }
}
