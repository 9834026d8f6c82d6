// Package wizard is the full-screen face of mesh-gradient: a bubbletea
// state machine whose screens walk a technician through connecting Mesh
// to Synthesize, and the home screen of a connected integration. Every
// rule and every call to Synthesize is the core's (wizard/core); the
// screens show, ask, and report what the user did as events.
package wizard

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/pkg/browser"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// screen is what every step's model does; the root routes to the active one.
type screen interface {
	update(tea.Msg) tea.Cmd
	view(width int) string
	help() ui.Help
	setSize(width, height int)
	// bindings are the keys the screen takes in its present state.
	bindings() []key.Binding
}

// globalKeys work on every screen, unless it is taking text.
type globalKeys struct {
	Quit, Help, ForceQuit key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Quit:      ui.Key("q", "quit", "q"),
		Help:      ui.Key("?", "more keys", "?"),
		ForceQuit: ui.Key("ctrl+c", "quit", "ctrl+c"),
	}
}

// Model is the root model: it owns the step shown, routes messages to the
// active screen, and handles what every screen shares (quit, help, size,
// the data loaded from Synthesize).
type Model struct {
	c       *common
	step    core.Step
	keys    globalKeys
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
	apiKeys   *apiKeysScreen
	meshKey   *meshKeyScreen
	alerts    *alertsScreen
	configure *configureScreen
	screens   []screen // by step

	// focus is the account a failed alert's fix maps: the account screen
	// opens its picker once the data is in, and says why.
	focus followMsg

	load loader
	// finishing: billing was reached from the final sync in this run,
	// the onboarding's last step ("Step 9 of 9").
	finishing bool
}

// silenceBrowser keeps pkg/browser from writing into the screen (it writes
// the opener's output to the terminal by default); its settings are global.
var silenceBrowser sync.Once

// tmuxOption reads one tmux option's value; "" when tmux cannot say.
func tmuxOption(args ...string) string {
	out, err := exec.Command("tmux", append([]string{"show-options", "-qv"}, args...)...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// New builds the screens on the session's state.
func New(cfg Config) *Model {
	if cfg.OpenURL == nil {
		silenceBrowser.Do(func() { browser.Stdout, browser.Stderr = io.Discard, io.Discard })
		cfg.OpenURL = browser.OpenURL
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	inTmux, inScreen := cfg.Getenv("TMUX") != "", cfg.Getenv("STY") != ""
	// How OSC 52 gets out, asked of tmux once, when first needed (in a
	// command, never in Update).
	var routeOnce sync.Once
	var route ui.Route
	routeOf := func() ui.Route {
		routeOnce.Do(func() { route = ui.RouteFor(inTmux, inScreen, tmuxOption) })
		return route
	}
	if cfg.Copy == nil {
		term := cfg.Terminal
		cfg.Copy = func(text string) ui.CopyResult { return ui.Copy(text, term, routeOf()) }
	}
	if cfg.ClearClipboard == nil {
		term := cfg.Terminal
		cfg.ClearClipboard = func(text string) ui.ClearResult { return ui.ClearIfStill(text, term, routeOf()) }
	}
	if cfg.ClipboardClear == 0 {
		cfg.ClipboardClear = 45 * time.Second
	}
	sp := spinner.New(spinner.WithSpinner(spinner.Dot))
	theme := ui.DefaultTheme()
	sp.Style = theme.Selected
	c := &common{cfg: cfg, sess: cfg.Session, theme: theme, width: 80, height: 24, spinner: sp}
	m := &Model{c: c, keys: newGlobalKeys(), help: help.New(), notice: cfg.Notice, step: core.StartStep(cfg.Session.Progress())}
	m.build()
	return m
}

// build makes every screen afresh from the session.
func (m *Model) build() {
	c := m.c
	m.products = newProductsScreen(c)
	m.key = newKeyScreen(c)
	m.portal = newPortalScreen(c)
	m.waiting = newWaitingScreen(c)
	m.accounts = newMappingScreen(c, core.Accounts)
	m.services = newMappingScreen(c, core.Services)
	m.review = newReviewScreen(c)
	m.finalSync = newFinalSyncScreen(c)
	m.billing = newBillingScreen(c)
	m.home = newHomeScreen(c)
	m.apiKeys = newAPIKeysScreen(c)
	m.meshKey = newMeshKeyScreen(c)
	m.alerts = newAlertsScreen(c)
	m.configure = newConfigureScreen(c)
	// In step order: screens[s] is step s's screen.
	m.screens = []screen{m.products, m.key, m.portal, m.waiting, m.accounts, m.services, m.review, m.finalSync, m.billing, m.home,
		m.apiKeys, m.meshKey, m.alerts, m.configure}
	m.load = newLoader()
	m.resize()
}

// Close finishes writing every choice to the store; call it after the
// program ends and before closing the store.
func (m *Model) Close() error { return m.c.sess.Close(5 * time.Second) }

// Step is the step on screen (for tests and the exit message).
func (m *Model) Step() core.Step { return m.step }

// Wrap wraps a message for the terminal the program last drew on, between
// words (the terminal would cut words at its edge), with no padding.
func (m *Model) Wrap(msg string) string {
	if m.c.width < minWidth {
		return msg
	}
	lines := strings.Split(wrap(msg, m.c.width), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// NextStart is the title of the step the next start opens, and whether it
// is the one on screen now (a connected integration starts at home).
func (m *Model) NextStart() (title string, same bool) {
	next := core.StartStep(m.c.progress())
	return next.Title(), next == m.step
}

func (m *Model) Init() tea.Cmd { return guard(m.init()) }

func (m *Model) init() tea.Cmd {
	to, pending := m.c.sess.Resume()
	notice := m.notice // the start's news (a permissions warning) outlives the first show
	m.show(to)
	m.notice = notice
	cmds := []tea.Cmd{m.c.spinner.Tick, persisted(pending, nil), m.enter(to, true)}
	if m.c.progress().KeyHint != "" {
		cmds = append(cmds, checkStillConnected(m.c.sess))
	}
	return tea.Batch(cmds...)
}

// show switches the screen without starting what the step needs.
func (m *Model) show(s core.Step) {
	m.step = s
	m.finishing = false
	m.c.shown++
	m.notice, m.failure = "", ""
	m.resize()
}

// goTo shows a step the core moved to and starts what it needs.
func (m *Model) goTo(s core.Step) tea.Cmd {
	m.show(s)
	cmd := m.enter(s, false)
	if m.c.spinnerIdle && s != core.StepKey {
		m.c.spinnerIdle = false
		cmd = tea.Batch(cmd, m.c.spinner.Tick)
	}
	return cmd
}

// enter starts what a step needs: a connect, polling, data.
func (m *Model) enter(s core.Step, resumed bool) tea.Cmd {
	switch s {
	case core.StepKey:
		return m.key.enter()
	case core.StepMeshKey:
		return m.meshKey.enter()
	case core.StepWaiting:
		return m.waiting.start()
	case core.StepFinalSync:
		return m.finalSync.start()
	case core.StepHome:
		return tea.Batch(m.home.load(), m.loadData())
	case core.StepAlerts:
		return m.alerts.load()
	case core.StepConfigure:
		return m.configure.load()
	case core.StepBilling:
		cmds := []tea.Cmd{m.billing.load()}
		if m.load.data == nil && !m.load.busy {
			cmds = append(cmds, m.loadData())
		}
		return tea.Batch(cmds...)
	case core.StepAccounts, core.StepServices, core.StepReview:
		if m.load.data == nil && !m.load.busy {
			return m.loadData()
		}
		if s == core.StepReview {
			m.review.build(m.load.data)
		}
	}
	return nil
}

// advance takes an event through the core's step graph and shows where
// it leads.
func (m *Model) advance(ev core.Event, news string) tea.Cmd {
	switch ev {
	case core.UpdateAccounts, core.UpdateServices:
		// Updating starts from what Synthesize holds now: load it first.
		k := core.Accounts
		if ev == core.UpdateServices {
			k = core.Services
		}
		m.load.update, m.load.data = &k, nil
		return m.loadData()
	}
	from := m.step
	to, pending := m.c.sess.Advance(ev)
	finishing := from == core.StepFinalSync && to == core.StepBilling
	var cmd tea.Cmd
	if ev == core.OpenConfigure && from == core.StepAlerts {
		m.configure.preset = gradient.TypeAlerts // the Alerts screen's c: turn Alerts on
	}
	if ev == core.NewKey {
		m.show(to)
		cmd = tea.Batch(persisted(pending, nil), m.key.rotate())
	} else {
		cmd = tea.Batch(persisted(pending, nil), m.goTo(to))
	}
	m.finishing = finishing
	if news != "" {
		m.notice = news
		m.resize()
	}
	return cmd
}

// restartOnboarding starts over at the first screen; the core has already
// forgotten the integration.
func (m *Model) restartOnboarding(news string) tea.Cmd {
	m.build()
	to, pending := m.c.sess.Resume()
	cmd := m.goTo(to)
	m.notice = news
	m.resize()
	return tea.Batch(persisted(pending, nil), cmd)
}

// Update routes msg, and guards every command it returns: bubbletea
// recovers panics in Update and View, not in commands, which run on their
// own goroutines and would kill the process with the terminal still raw.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	// Keys that arrive in one read (typed fast, or over a slow SSH link)
	// come as one message of several runes; each is its own key press.
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyRunes && len(k.Runes) > 1 && !k.Paste {
		var cmds []tea.Cmd
		for _, r := range k.Runes {
			one := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: k.Alt}
			quits := !m.typing() && !m.modal() && key.Matches(one, m.keys.Quit)
			_, cmd := m.update(one)
			cmds = append(cmds, cmd)
			if quits {
				break // what was typed after q is not for this run
			}
		}
		return m, guard(tea.Batch(cmds...))
	}
	model, cmd := m.update(msg)
	return model, guard(cmd)
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case panicMsg:
		m.failure = fmt.Sprintf("Internal error (a bug in mesh-gradient): %s. Everything saved so far is kept; "+
			"quit (q), start again to resume, and please report it.", text.Sanitize(fmt.Sprint(msg.value)))
		m.load.busy = false
		m.resize()
		return m, nil
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		m.resize()
		return m, nil
	case spinner.TickMsg:
		if m.step == core.StepKey && m.key.showing() {
			// No spinner shows beside the key, and every frame drawn holds
			// a copy of it: the ticks stop until the key screen is left.
			m.c.spinnerIdle = true
			return m, nil
		}
		var cmd tea.Cmd
		m.c.spinner, cmd = m.c.spinner.Update(msg)
		return m, cmd
	case saveFailedMsg:
		m.failure = "Not saved: " + text.Sanitize(msg.err.Error()) + ". Rows marked (not saved) are not in the file; quit (q), fix it, and start again."
		var we *store.WriteError
		if errors.As(msg.err, &we) {
			m.failure = fmt.Sprintf("Not saved: the state file could not be written (%s; is the disk full?). Rows marked (not saved) are not in it; "+
				"quit (q), free some space, and start again.", text.Sanitize(we.Err.Error()))
		}
		m.resize()
		return m, nil
	case stillConnectedMsg:
		if msg.gone {
			return m, m.restartOnboarding(core.DisconnectedElsewhere)
		}
		return m, nil
	case loadProgressMsg, dataMsg:
		return m, m.onLoad(msg)
	case eventMsg:
		return m, m.advance(msg.event, msg.notice)
	case movedMsg:
		cmd := m.goTo(msg.to)
		m.notice = msg.notice
		m.resize()
		return m, cmd
	case noticeMsg:
		if msg.shown != m.c.shown {
			return m, nil // news of a screen no longer shown
		}
		m.notice, m.failure = msg.text, ""
		if msg.failed {
			m.notice, m.failure = "", msg.text
		}
		m.resize()
		return m, nil
	case disconnectedMsg:
		if msg.err != nil {
			return m, m.home.update(msg)
		}
		return m, m.restartOnboarding("Disconnected: Synthesize revoked the key and deleted every mapping, and the local state for Mesh was wiped. Connect again below.")
	case retryMsg:
		return m, tea.Batch(m.screens[msg.dest].update(msg), waitNext(msg.next))
	case followMsg:
		m.focus = msg
		return m, m.advance(core.UpdateAccounts, "")
	case tea.KeyMsg:
		wasModal := m.modal()
		cmd, handled := m.globalKey(msg) // q may open a dialog too
		if !handled {
			cmd = m.route(msg)
		}
		if !wasModal && m.modal() && m.notice != "" {
			// A dialog just opened: the news under it was of something
			// before ("Cancelled: nothing changed" under a new question).
			m.notice = ""
			m.resize()
		}
		return m, cmd
	}
	return m, m.route(msg)
}

// quitGuard is a screen that holds something a quit would lose (the
// one-time key): it asks first, and answers whether it did.
type quitGuard interface{ guardQuit(force bool) bool }

// quit quits, unless the screen asks first; force is ctrl+c.
func (m *Model) quit(force bool) tea.Cmd {
	if g, ok := m.screens[m.step].(quitGuard); ok && g.guardQuit(force) {
		m.resize()
		return nil
	}
	return tea.Quit
}

// globalKey handles quit and help, unless a screen is taking text.
func (m *Model) globalKey(k tea.KeyMsg) (tea.Cmd, bool) {
	if key.Matches(k, m.keys.ForceQuit) {
		return m.quit(true), true
	}
	if m.typing() || m.modal() {
		return nil, false
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		return m.quit(false), true
	case key.Matches(k, m.keys.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.resize()
		return nil, true
	case m.waitingForData() && key.Matches(k, m.load.keys()...):
		return m.loadData(), true
	}
	return nil, false
}

// needsData: these screens cannot show anything before the lists arrive
// (billing shows names, not ids).
func (m *Model) needsData() bool {
	switch m.step {
	case core.StepAccounts, core.StepServices, core.StepReview, core.StepBilling:
		return true
	}
	return false
}

// waitingForData: the screen shows the load (or its failure) instead of itself.
func (m *Model) waitingForData() bool { return m.needsData() && m.load.data == nil }

// modal reports whether the active screen shows a dialog: its keys are
// the dialog's (ctrl+c still quits).
func (m *Model) modal() bool {
	return m.screens != nil && !m.waitingForData() && m.screens[m.step].help().Modal
}

// typing reports whether the active screen is taking free text (a filter,
// a file name), so q and ? are letters there.
func (m *Model) typing() bool {
	if t, ok := m.screens[m.step].(interface{ typing() bool }); ok && !m.waitingForData() {
		return t.typing()
	}
	return false
}
