package wizard

import (
	"context"
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
)

// finalSyncScreen is step 8: the user presses Gradient Sync in Mesh again,
// and the wizard waits until usage for the mapped accounts has arrived.
type finalSyncScreen struct {
	c        *common
	gen      int
	started  time.Time
	wait     time.Duration
	arrived  int // mapped accounts with a billing row
	expected int // accounts mapped to a company
	lastSync time.Time
	quiet    time.Time // when lastSync last changed (monotonic, local)
	polled   bool
	still    int // polls since the last change
	err      error
	retry    *retryNote // the poll under way is being retried
	browser  browserMsg
}

func newFinalSyncScreen(c *common) *finalSyncScreen { return &finalSyncScreen{c: c} }

type usageMsg struct {
	gen      int
	arrived  int
	expected int
	lastSync time.Time
	err      error
}

type usageTickMsg struct{ gen int }

func (s *finalSyncScreen) start() tea.Cmd {
	s.gen++
	s.started, s.wait, s.err, s.still = s.c.cfg.Now(), s.c.cfg.PollEvery, nil, 0
	return s.poll()
}

func (s *finalSyncScreen) poll() tea.Cmd {
	gen, pc := s.gen, s.c.cfg.Partner
	return watched(context.Background(), stepFinalSync, gen, func(ctx context.Context) tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		d, err := pc.Integration(ctx)
		if err != nil {
			return usageMsg{gen: gen, err: err}
		}
		m, err := pc.Mappings(ctx)
		if err != nil {
			return usageMsg{gen: gen, err: err}
		}
		rows, err := pc.Billing(ctx)
		if err != nil {
			return usageMsg{gen: gen, err: err}
		}
		arrived, expected := usageArrived(m, rows)
		msg := usageMsg{gen: gen, arrived: arrived, expected: expected}
		if d.LastSyncAt != nil {
			msg.lastSync = *d.LastSyncAt
		}
		return msg
	})
}

// usageArrived counts the accounts mapped to a company, and those of them
// with a billing row (before the mappings, their counts were refused).
func usageArrived(m gradient.Mappings, rows []gradient.BillingRow) (arrived, expected int) {
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
	return len(fresh), len(mapped)
}

// synced: Synthesize heard from Mesh after the mappings were written, and
// some usage of mapped accounts is in.
func (s *finalSyncScreen) synced(msg usageMsg) bool {
	return msg.arrived > 0 && !msg.lastSync.IsZero() && msg.lastSync.After(s.c.progress.SyncBeforeFinal)
}

func (s *finalSyncScreen) finish() tea.Cmd {
	now := s.c.cfg.Now().UTC()
	return tea.Batch(s.c.save(func(p *store.Progress) { p.UsageArrivedAt, p.Onboarded = now, true }), goStep(stepBilling))
}

func (s *finalSyncScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case browserMsg:
		s.browser = msg
	case retryMsg:
		if msg.gen == s.gen {
			s.retry = noteRetry(s.c, msg.retry)
		}
	case usageMsg:
		if msg.gen != s.gen {
			return nil
		}
		s.retry = nil
		s.err, s.polled = msg.err, true
		switch {
		case msg.err != nil:
			s.wait = min(s.wait*2, 30*time.Second)
		case msg.expected > 0 && msg.arrived >= msg.expected:
			s.arrived, s.expected = msg.arrived, msg.expected
			return s.finish()
		case s.synced(msg) && msg.lastSync.Equal(s.lastSync) && time.Since(s.quiet) >= s.c.cfg.SyncQuiet:
			// Mesh synced after the mappings and has been quiet a while:
			// done, even if some mapped accounts have no usage of these
			// products.
			s.arrived, s.expected = msg.arrived, msg.expected
			return s.finish()
		default:
			if msg.arrived != s.arrived || msg.expected != s.expected || !msg.lastSync.Equal(s.lastSync) {
				s.wait, s.still = min(s.c.cfg.PollEvery, s.c.cfg.SyncQuiet), 0
			} else {
				s.wait, s.still = min(s.wait*3/2, 8*time.Second), s.still+1
			}
			if !msg.lastSync.Equal(s.lastSync) {
				s.quiet = time.Now()
			}
			s.arrived, s.expected, s.lastSync = msg.arrived, msg.expected, msg.lastSync
		}
		gen := s.gen
		return tea.Tick(s.wait, func(time.Time) tea.Msg { return usageTickMsg{gen: gen} })
	case usageTickMsg:
		if msg.gen == s.gen {
			return s.poll()
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, s.c.keys.Open):
			return openPortal(s.c.cfg, portalURL(s.c.cfg, s.c.progress.Region))
		case key.Matches(msg, s.c.keys.Next):
			s.gen++
			return s.finish()
		}
	}
	return nil
}

func (s *finalSyncScreen) view(w int) string {
	t := s.c.theme
	url := portalURL(s.c.cfg, s.c.progress.Region)
	out := t.OK.Render("✓ Mappings written to Synthesize.") + " One more Gradient Sync brings the usage in.\n\n"
	out += fmt.Sprintf("In Mesh (%s):\n", url)
	for i, st := range mesh.FinalSyncSteps {
		out += fmt.Sprintf("  %d. %s\n", i+1, st)
	}
	elapsed := s.c.cfg.Now().Sub(s.started).Truncate(time.Second)
	out += "\n" + s.c.spinner.View() + fmt.Sprintf("Waiting for usage… %s\n", elapsed)
	out += fmt.Sprintf("  Usage arrived for %d of %d mapped accounts\n", s.arrived, s.expected)
	switch {
	case s.retry != nil:
		out += "\n" + retryLine(s.c, s.retry, w)
	case s.err != nil:
		out += "\n" + retrying(t, s.err, s.wait, w)
	case s.arrived > 0 && s.still >= 3:
		out += "\n" + t.Muted.Render(wrap("Still waiting for some accounts. If they have no usage in Mesh, press n to go on with what has arrived.", w))
	default:
		out += "\n" + t.Muted.Render("This screen moves on by itself once every mapped account's usage is in.")
	}
	return out
}

// setSize: this screen lays itself out at view time.
func (s *finalSyncScreen) setSize(int, int) {}

func (s *finalSyncScreen) help() ui.Help {
	k := s.c.keys
	short := []key.Binding{ui.With(k.Open, "open portal"), ui.With(k.Next, "go on to billing")}
	return ui.Help{Short: short, Full: [][]key.Binding{short}}
}
