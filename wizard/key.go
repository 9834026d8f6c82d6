package wizard

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type keyPhase int

const (
	keyConnecting keyPhase = iota
	keyShown
	keyLost   // issued before, no longer in memory
	keyFailed // the call failed; r tries again
)

type keyKeys struct {
	Copy, Saved, SavedYes, NewKey, Retry, Back key.Binding
}

// keyScreen is step 2: connect in Synthesize and show the one-time key.
// The key lives only in this struct's memory, and only until the user
// confirms they saved it.
type keyScreen struct {
	c        *common
	keys     keyKeys
	phase    keyPhase
	secret   string
	copied   string
	err      error
	rotating bool // the last call was a new key, not a connect
	lostWhy  string
}

func newKeyScreen(c *common) *keyScreen {
	return &keyScreen{c: c, keys: keyKeys{
		Copy:     ui.Key("c", "copy key", "c"),
		Saved:    ui.Key("enter", "I saved it", "enter", "y", "Y"),
		SavedYes: ui.Key("y", "I saved it", "y", "Y"),
		NewKey:   ui.Key("r", "issue a new key", "r"),
		Retry:    ui.Key("r", "try again", "r"),
		Back:     ui.Key("esc", "back", "esc"),
	}}
}

// connectedMsg carries a new key (from connect or new key) or the failure.
type connectedMsg struct {
	key string
	err error
}

type copiedMsg struct {
	res    ui.CopyResult
	secret string
}

// clearClipboardMsg: time to clear a copied key from the clipboard.
type clearClipboardMsg struct{ secret string }

func (s *keyScreen) enter() tea.Cmd {
	switch p := s.c.progress(); {
	case s.secret != "":
		s.phase = keyShown
	case p.KeyHint != "":
		s.phase = keyLost
		s.lostWhy = "The key ending …" + text.Sanitize(p.KeyHint) + " was shown before and cannot be shown again: it is never written to disk."
	default:
		return s.connect()
	}
	return nil
}

func (s *keyScreen) connect() tea.Cmd {
	s.phase, s.rotating, s.err = keyConnecting, false, nil
	sess, p := s.c.sess, s.c.progress()
	return func() tea.Msg {
		ctx, cancel := core.CallContext(context.Background())
		defer cancel()
		k, err := sess.Connect(ctx, p.Products, p.Types, false)
		return connectedMsg{key: k, err: err}
	}
}

func (s *keyScreen) rotate() tea.Cmd {
	s.phase, s.rotating, s.err = keyConnecting, true, nil
	sess := s.c.sess
	return func() tea.Msg {
		ctx, cancel := core.CallContext(context.Background())
		defer cancel()
		k, err := sess.Rekey(ctx, false)
		return connectedMsg{key: k, err: err}
	}
}

func (s *keyScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case connectedMsg:
		switch {
		case msg.key != "":
			// The key is shown even when saving its fingerprint failed:
			// Synthesize will not show it again.
			s.secret, s.phase, s.copied = msg.key, keyShown, ""
			if msg.err != nil {
				return s.c.failure(text.Sanitize(msg.err.Error()))
			}
		case errors.Is(msg.err, core.ErrAlreadyConnected):
			s.phase = keyLost
			s.lostWhy = "Synthesize says Mesh is already connected, but this wizard never received that key (it was issued elsewhere, or its answer was lost)."
		case s.rotating && errors.Is(msg.err, core.ErrNotConnected):
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
		clear, secret, shown := s.c.cfg.ClearClipboard, msg.secret, s.c.shown
		return func() tea.Msg { return noticeMsg{text: "Clipboard: " + clear(secret).Message(), shown: shown} }
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

func (s *keyScreen) key(k tea.KeyMsg) tea.Cmd {
	s.setKeys()
	switch {
	case key.Matches(k, s.keys.Copy):
		secret, cp := s.secret, s.c.cfg.Copy
		return func() tea.Msg { return copiedMsg{res: cp(secret), secret: secret} }
	case key.Matches(k, s.keys.Saved), key.Matches(k, s.keys.SavedYes):
		return s.confirm()
	case key.Matches(k, s.keys.NewKey):
		return s.rotate()
	case key.Matches(k, s.keys.Retry):
		if s.rotating {
			return s.rotate()
		}
		return s.connect()
	case key.Matches(k, s.keys.Back):
		return emit(core.Back)
	}
	return nil
}

// setKeys enables the keys of the present phase.
func (s *keyScreen) setKeys() {
	k := &s.keys
	k.Copy.SetEnabled(s.phase == keyShown)
	k.Saved.SetEnabled(s.phase == keyShown)
	k.SavedYes.SetEnabled(s.phase == keyLost)
	k.NewKey.SetEnabled(s.phase == keyLost)
	k.Retry.SetEnabled(s.phase == keyFailed)
	k.Back.SetEnabled(s.phase == keyLost || s.phase == keyFailed)
}

// confirm forgets the key and moves on: it has been shown once. After a
// new key from home, Mesh needs it: home says so.
func (s *keyScreen) confirm() tea.Cmd {
	s.secret, s.copied = "", ""
	if s.c.progress().Onboarded {
		return emitWith(core.KeyConfirmed, "New key saved. In Mesh, Settings → Gradient: paste it, press Submit, then Gradient Sync.")
	}
	return emit(core.KeyConfirmed)
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
		out := ui.KeyBox(t, "Gradient API key", text.Sanitize(s.secret), min(w, 76)) + "\n" +
			wrap("Shown "+t.Strong.Render("only this once")+" and never saved by this program: copy it now and keep it somewhere safe (a password manager).", w) + "\n\n"
		if s.copied != "" {
			out += wrap(s.copied, w) + "\n\n"
		}
		next := "continue to the Mesh portal"
		if s.c.progress().Onboarded {
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
		return t.Error.Render(what) + "\n\n" + wrap(text.Sanitize(s.err.Error()), w) + "\n\n" +
			wrap("Nothing was lost: your choices are saved. Press r to try again, esc to go back, or q to quit and resume later.", w)
	}
}

// setSize: this screen lays itself out at view time.
func (s *keyScreen) setSize(int, int) {}

func (s *keyScreen) help() ui.Help {
	return ui.ShortOnly(s.bindings()...)
}

func (s *keyScreen) bindings() []key.Binding {
	s.setKeys()
	k := s.keys
	return ui.Enabled(k.Copy, k.Saved, k.SavedYes, k.NewKey, k.Retry, k.Back)
}
