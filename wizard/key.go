package wizard

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

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

// guardQuit asks before a quit would lose a key not yet confirmed. While
// it asks, q is the dialog's (y quits); ctrl+c quits.
func (s *keyScreen) guardQuit(force bool) bool {
	switch {
	case s.phase != keyShown:
		return false
	case s.quitDialog.Open():
		return !force
	}
	s.quitDialog.Ask("Quit without the key?", "Synthesize shows this key only once, and this program never saves it: "+
		"if you quit now it is gone. You would need a new key (the old one stops working), and Mesh needs whichever key you keep.",
		"quit, the key is gone")
	return true
}

// keyScreen is step 2: connect in Synthesize and show the one-time key.
// The key lives only in this struct's memory, and only until the user
// confirms they saved it.
type keyScreen struct {
	c          *common
	keys       keyKeys
	phase      keyPhase
	secret     string
	box        string // the key drawn (keyBox)
	boxWidth   int
	copied     string
	err        error
	rotating   bool // the last call was a new key, not a connect
	lostWhy    string
	quitDialog ui.Confirm // quit without the key?
	height     int        // the body's, for the quit dialog
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
			s.secret, s.phase, s.copied, s.box = msg.key, keyShown, "", ""
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
	if s.quitDialog.Open() {
		yes, done, _ := s.c.answer(&s.quitDialog, k)
		switch {
		case !done:
			return nil
		case yes:
			return tea.Quit
		}
		return s.c.notice("Not quitting: the key is still here. Copy it (c), then say you saved it (enter).")
	}
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

// confirm forgets the key and moves on to the portal, where it goes: it
// has been shown once.
func (s *keyScreen) confirm() tea.Cmd {
	s.forget()
	// The renderer keeps the last frame with the key until it draws the
	// next screen, and frames made before then die after: scrub once the
	// next screen is up, and again later for a loaded machine.
	return tea.Batch(emit(core.KeyConfirmed), releaseMemoryAfter(250*time.Millisecond), releaseMemoryAfter(2*time.Second))
}

// showing reports whether the key is on screen.
func (s *keyScreen) showing() bool { return s.phase == keyShown && s.secret != "" }

// forget drops the key and the one drawing of it.
func (s *keyScreen) forget() {
	s.secret, s.copied, s.box, s.boxWidth = "", "", "", 0
}

// keyBox is the key drawn once for a width: every frame reuses it, so the
// frames hold no further copies of the key.
func (s *keyScreen) keyBox(w int) string {
	if s.box == "" || s.boxWidth != w {
		s.box, s.boxWidth = ui.KeyBox(s.c.theme, "Gradient API key", text.Sanitize(s.secret), w), w
	}
	return s.box
}

// releaseMemoryAfter, d from now, collects the garbage the key's frames
// left and returns the freed memory to the system, which hands it back
// zeroed: copies of the key in dropped frames do not linger. Go never zeroes
// a dead object, and a dead frame that shares its span with live objects
// is not returned; so zeroed memory is first allocated over the free
// slots of every small size class, then dropped.
func releaseMemoryAfter(d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg {
		runtime.GC() // the frames are free slots now
		overwriteFreeSlots()
		debug.FreeOSMemory()
		return nil
	})
}

// overwriteFreeSlots allocates zeroed blocks of each small size up to
// 32 KB, enough to fill the free slots a screen's garbage leaves in
// partly used spans (an allocation takes those before new spans), so
// they hold zeros; the blocks are garbage again on return.
func overwriteFreeSlots() {
	const perSize = 256 << 10
	var keep [][]byte
	for size := 16; size <= 32<<10; size += max(16, size/8) {
		for n := 0; n < perSize; n += size {
			keep = append(keep, make([]byte, size))
		}
	}
	runtime.KeepAlive(keep)
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
		if s.quitDialog.Open() {
			dialog := s.quitDialog.View(t, w)
			if both := s.keyBox(min(w, 76)) + "\n" + dialog; lipgloss.Height(both) <= s.height {
				return both
			}
			return dialog // what it asks must show whole; No brings the key back
		}
		// The box comes first: on a small terminal it is what must show.
		out := s.keyBox(min(w, 76)) + "\n" +
			wrap("Shown "+t.Strong.Render("only this once")+": copy it now (c) and keep it somewhere safe (a password manager); "+
				"this program never saves it. You will paste it into Mesh → Settings → Gradient in the next step. "+
				"Each integration has its own key: this one is Mesh's.", w) + "\n\n"
		if s.copied != "" {
			out += wrap(s.copied, w) + "\n\n"
		}
		return out + t.Selected.Render("[ I saved it ]") + t.Muted.Render("  enter or y: continue to the Mesh portal · c: copy")
	case keyLost:
		return wrap(s.lostWhy, w) + "\n\n" +
			wrap("If you saved it, press y to continue. Otherwise press r to issue a new key: the old one stops working at once, and Mesh needs the new one.", w)
	default:
		what := "Connecting Mesh in Synthesize failed."
		if s.rotating {
			what = "Issuing a new key failed."
		}
		return t.Error.Render(what) + "\n\n" + wrap(core.Explain(s.err).String()+".", w) + "\n\n" +
			wrap("Nothing was lost: your choices are saved. Press r to try again, esc to go back, or q to quit and resume later.", w)
	}
}

// setSize: this screen lays itself out at view time.
func (s *keyScreen) setSize(_, h int) { s.height = h }

func (s *keyScreen) help() ui.Help {
	if s.quitDialog.Open() {
		h := s.quitDialog.Help()
		h.Modal = true // q is the dialog's now: it asks already
		return h
	}
	s.setKeys()
	k := s.keys
	switch s.phase {
	case keyShown:
		return ui.ShortOnly(k.Copy).WithMain(ui.With(k.Saved, "I saved it → Mesh portal"))
	case keyLost:
		return ui.ShortOnly(k.SavedYes, k.Back).WithMain(k.NewKey)
	case keyFailed:
		return ui.ShortOnly(k.Back).WithMain(k.Retry)
	}
	return ui.Help{}
}

func (s *keyScreen) bindings() []key.Binding {
	if s.quitDialog.Open() {
		return s.quitDialog.Keys().Bindings()
	}
	s.setKeys()
	k := s.keys
	return ui.Enabled(k.Copy, k.Saved, k.SavedYes, k.NewKey, k.Retry, k.Back)
}
