package wizard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
)

type keyPhase int

const (
	keyConnecting keyPhase = iota
	keyShown
	keyLost   // issued before, no longer in memory
	keyFailed // the call failed; r tries again
)

// keyScreen is step 2: connect in Synthesize and show the one-time key.
// The key lives only in this struct's memory, and only until the user
// confirms they saved it.
type keyScreen struct {
	c        *common
	phase    keyPhase
	secret   string
	copied   string
	err      error
	rotating bool // the last call was a re-key, not a connect
	lostWhy  string
}

func newKeyScreen(c *common) *keyScreen { return &keyScreen{c: c} }

// connectedMsg carries a new key (from connect or re-key) or the failure.
type connectedMsg struct {
	key     string
	rotated bool
	err     error
}

type copiedMsg struct {
	res    ui.CopyResult
	secret string
}

// clearClipboardMsg: time to clear a copied key from the clipboard.
type clearClipboardMsg struct{ secret string }

const callTimeout = time.Minute

func (s *keyScreen) enter(resumed bool) tea.Cmd {
	switch {
	case s.secret != "":
		s.phase = keyShown
	case s.c.progress.KeyHint != "":
		s.phase = keyLost
		s.lostWhy = "The key ending …" + s.c.progress.KeyHint + " was shown before and cannot be shown again: it is never written to disk."
	default:
		return s.connect()
	}
	return nil
}

func (s *keyScreen) connect() tea.Cmd {
	s.phase, s.rotating, s.err = keyConnecting, false, nil
	pc := s.c.cfg.Partner
	products, types := s.c.progress.Products, s.c.progress.Types
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		conn, err := pc.Connect(ctx, products, types)
		return connectedMsg{key: conn.APIKey, err: err}
	}
}

func (s *keyScreen) rotate() tea.Cmd {
	s.phase, s.rotating, s.err = keyConnecting, true, nil
	pc := s.c.cfg.Partner
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		k, err := pc.RotateKey(ctx)
		return connectedMsg{key: k, rotated: true, err: err}
	}
}

// fingerprint is what the store keeps of a key.
func fingerprint(k string) (hint, sha string) {
	sum := sha256.Sum256([]byte(k))
	return k[max(len(k)-4, 0):], hex.EncodeToString(sum[:])[:16]
}

func (s *keyScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case connectedMsg:
		switch {
		case msg.err == nil && msg.key != "":
			s.secret, s.phase, s.copied = msg.key, keyShown, ""
			hint, sha := fingerprint(msg.key)
			now := s.c.cfg.Now().UTC()
			return s.c.save(func(p *store.Progress) {
				p.KeyHint, p.KeySHA256, p.KeyConfirmed = hint, sha, false
				if p.ConnectedAt.IsZero() {
					p.ConnectedAt = now
				}
			})
		case !msg.rotated && gradient.StatusOf(msg.err) == 409:
			s.phase = keyLost
			s.lostWhy = "Synthesize says Mesh is already connected, but this wizard never received that key (it was issued elsewhere, or its answer was lost)."
		case msg.rotated && gradient.StatusOf(msg.err) == 409:
			return s.connect() // disconnected meanwhile: connect afresh
		default:
			s.phase, s.err = keyFailed, msg.err
		}
		return nil
	case copiedMsg:
		s.copied = msg.res.Message()
		if wait := s.c.cfg.ClipboardClear; wait > 0 && (msg.res.Native || msg.res.OSC52) {
			if msg.res.Native {
				s.copied += fmt.Sprintf(" It will be cleared in %s if it still holds the key.", wait)
			} else {
				s.copied += fmt.Sprintf(" In %s the terminal will be asked to clear its clipboard.", wait)
			}
			secret := msg.secret
			return tea.Tick(wait, func(time.Time) tea.Msg { return clearClipboardMsg{secret: secret} })
		}
		return nil
	case clearClipboardMsg:
		clear, secret := s.c.cfg.ClearClipboard, msg.secret
		return func() tea.Msg { return noticeMsg{text: "Clipboard: " + clear(secret).Message()} }
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

func (s *keyScreen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.c.keys
	switch s.phase {
	case keyShown:
		switch {
		case key.Matches(k, keys.Copy):
			secret, cp := s.secret, s.c.cfg.Copy
			return func() tea.Msg { return copiedMsg{res: cp(secret), secret: secret} }
		case key.Matches(k, keys.Yes), key.Matches(k, keys.Enter):
			return s.confirm()
		}
	case keyLost:
		switch {
		case key.Matches(k, keys.NewKey):
			return s.rotate()
		case key.Matches(k, keys.Yes):
			return s.confirm()
		case key.Matches(k, keys.Back):
			return s.back()
		}
	case keyFailed:
		switch {
		case key.Matches(k, keys.Retry):
			if s.rotating {
				return s.rotate()
			}
			return s.connect()
		case key.Matches(k, keys.Back):
			return s.back()
		}
	}
	return nil
}

// confirm forgets the key and moves on: it has been shown once. After a
// re-key from home, Mesh needs the new key: home says so.
func (s *keyScreen) confirm() tea.Cmd {
	s.secret, s.copied = "", ""
	save := s.c.save(func(p *store.Progress) { p.KeyConfirmed = true })
	if s.c.progress.Onboarded {
		return tea.Batch(save, goStepWith(stepHome, "New key saved. In Mesh, Settings → Gradient: paste it, press Submit, then Gradient Sync."))
	}
	return tea.Batch(save, goStep(stepPortal))
}

// back leaves the key screen: to products while onboarding, else home.
func (s *keyScreen) back() tea.Cmd {
	if s.c.progress.Onboarded {
		return goStep(stepHome)
	}
	return goStep(stepProducts)
}

func (s *keyScreen) view(w int) string {
	t := s.c.theme
	switch s.phase {
	case keyConnecting:
		what := "Connecting Mesh in Synthesize and issuing its API key…"
		if s.rotating {
			what = "Issuing a new API key (the old one stops working)…"
		}
		return s.c.spinner.View() + what
	case keyShown:
		// The box comes first: on a small terminal it is what must show.
		out := ui.KeyBox(t, "Gradient API key", s.secret, min(w, 76)) + "\n" +
			wrap("Shown "+t.Strong.Render("only this once")+" and never saved by this program: copy it now and keep it somewhere safe (a password manager).", w) + "\n\n"
		if s.copied != "" {
			out += wrap(s.copied, w) + "\n\n"
		}
		next := "continue to the Mesh portal"
		if s.c.progress.Onboarded {
			next = "back home (then paste it in Mesh)"
		}
		out += t.Selected.Render("[ I saved it ]") + t.Muted.Render("  enter or y: "+next+" · c: copy")
		return out
	case keyLost:
		return wrap(s.lostWhy, w) + "\n\n" +
			wrap("If you saved it, press y to continue. Otherwise press r to issue a new key: the old one stops working at once, and Mesh needs the new one.", w)
	default:
		what := "Connecting Mesh in Synthesize failed."
		if s.rotating {
			what = "Issuing a new key failed."
		}
		return t.Error.Render(what) + "\n\n" + wrap(clean(s.err.Error()), w) + "\n\n" +
			wrap("Nothing was lost: your choices are saved. Press r to try again, esc to go back, or q to quit and resume later.", w)
	}
}

// setSize: this screen lays itself out at view time.
func (s *keyScreen) setSize(int, int) {}

func (s *keyScreen) help() ui.Help {
	k := s.c.keys
	var short []key.Binding
	switch s.phase {
	case keyShown:
		short = []key.Binding{k.Copy, ui.With(k.Enter, "I saved it")}
	case keyLost:
		short = []key.Binding{k.NewKey, ui.With(k.Yes, "I saved it"), k.Back}
	case keyFailed:
		short = []key.Binding{k.Retry, k.Back}
	}
	return ui.Help{Short: short, Full: [][]key.Binding{short}}
}
