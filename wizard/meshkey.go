package wizard

import (
	"context"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

type meshKeyPhase int

const (
	meshKeyTyping     meshKeyPhase = iota
	meshKeyChecking                // reading Mesh with the key
	meshKeyChecked                 // Mesh took it: enter gives it to Synthesize
	meshKeyConnecting              // Synthesize is taking it
)

type meshKeyKeys struct {
	Check, Hub, Connect, Keep, Edit, Back key.Binding
}

// meshKeyScreen is flow 1b's step 3: the Mesh API key, pasted into a
// masked input (never echoed, never saved), checked against Mesh itself,
// and only then given to Synthesize with the chosen hub.
type meshKeyScreen struct {
	c       *common
	keys    meshKeyKeys
	phase   meshKeyPhase
	input   textinput.Model
	hub     int // index into the session's hubs
	sum     mesh.Summary
	keep    bool  // keep the key in the OS keyring too (the user's choice)
	err     error // the last check or connect failed
	browser browserMsg
}

func newMeshKeyScreen(c *common) *meshKeyScreen {
	in := textinput.New()
	in.Prompt = "Mesh API key: "
	in.Placeholder = "paste the key (it is not shown)"
	in.EchoMode = textinput.EchoPassword
	in.EchoCharacter = '•'
	in.CharLimit = 512
	s := &meshKeyScreen{c: c, input: in, keys: meshKeyKeys{
		Check:   ui.Key("enter", "check the key with Mesh", "enter"),
		Hub:     ui.Key("tab", "other hub", "tab"),
		Connect: ui.Key("enter", "give it to Synthesize", "enter"),
		Keep:    ui.Key("k", "keep in OS keyring", "k"),
		Edit:    ui.Key("e", "paste another key", "e"),
		Back:    ui.Key("esc", "back", "esc"),
	}}
	return s
}

// meshCheckedMsg is what Mesh said of the key; meshGivenMsg what
// Synthesize did with it.
type meshCheckedMsg struct {
	sum mesh.Summary
	err error
}

type meshGivenMsg struct {
	err  error
	kept error // keeping it in the keyring failed (the connect did not)
}

func (s *meshKeyScreen) enter() tea.Cmd {
	hubs, p := s.c.sess.Hubs(), s.c.progress()
	for i, h := range hubs {
		if h.Region == p.Region || p.Region == "" && h.URL == p.MeshHub {
			s.hub = i
		}
	}
	s.phase, s.err = meshKeyTyping, nil
	s.input.SetValue("")
	s.keep = p.MeshKeyring
	return s.input.Focus()
}

func (s *meshKeyScreen) typing() bool { return s.phase == meshKeyTyping }

func (s *meshKeyScreen) hubNow() core.Hub { return s.c.sess.Hubs()[s.hub] }

func (s *meshKeyScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case browserMsg:
		s.browser = msg
	case meshCheckedMsg:
		if s.phase != meshKeyChecking {
			return nil
		}
		if msg.err != nil {
			// Refused: nothing went to Synthesize; paste again.
			s.phase, s.err = meshKeyTyping, msg.err
			s.input.SetValue("")
			return s.input.Focus()
		}
		s.phase, s.sum, s.err = meshKeyChecked, msg.sum, nil
		s.input.Blur()
	case meshGivenMsg:
		if msg.err != nil {
			s.phase, s.err = meshKeyChecked, msg.err
			return nil
		}
		s.input.SetValue("") // the session holds it now, in memory only
		news := "Synthesize has the Mesh API key …" + text.Sanitize(s.c.progress().KeyHint) + " and is reading Mesh."
		if msg.kept != nil {
			news += " " + text.Sanitize(msg.kept.Error())
		}
		to := s.c.sess.Step()
		return func() tea.Msg { return movedMsg{to: to, notice: news} }
	case tea.KeyMsg:
		return s.key(msg)
	}
	return nil
}

func (s *meshKeyScreen) key(k tea.KeyMsg) tea.Cmd {
	s.setKeys()
	switch {
	case key.Matches(k, s.keys.Back):
		return emit(core.Back)
	case key.Matches(k, s.keys.Hub):
		s.hub = (s.hub + 1) % len(s.c.sess.Hubs())
		if s.phase == meshKeyChecked { // checked at the other hub: check again
			s.phase = meshKeyTyping
			return s.input.Focus()
		}
		return nil
	case key.Matches(k, s.keys.Check):
		return s.check()
	case key.Matches(k, s.keys.Connect):
		return s.give()
	case key.Matches(k, s.keys.Keep):
		s.keep = !s.keep
		return nil
	case key.Matches(k, s.keys.Edit):
		s.phase, s.err = meshKeyTyping, nil
		s.input.SetValue("")
		return s.input.Focus()
	}
	if s.phase == meshKeyTyping {
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(k)
		return cmd
	}
	return nil
}

// check reads Mesh with the key: nothing goes to Synthesize yet.
func (s *meshKeyScreen) check() tea.Cmd {
	s.phase, s.err = meshKeyChecking, nil
	sess, hub, key := s.c.sess, s.hubNow().URL, s.input.Value()
	return func() tea.Msg {
		sum, err := sess.CheckMeshKey(context.Background(), hub, key)
		return meshCheckedMsg{sum: sum, err: err}
	}
}

// give hands the checked key and hub to Synthesize (a connect, or a
// replacement), then keeps it in the keyring if the user chose to.
func (s *meshKeyScreen) give() tea.Cmd {
	s.phase, s.err = meshKeyConnecting, nil
	sess, hub, key, keep := s.c.sess, s.hubNow().URL, s.input.Value(), s.keep
	return func() tea.Msg {
		if _, err := sess.GiveMeshKey(context.Background(), hub, key); err != nil {
			return meshGivenMsg{err: err}
		}
		var kept error
		if keep {
			kept = sess.KeepMeshKey()
		}
		return meshGivenMsg{kept: kept}
	}
}

// setKeys enables the keys of the present phase.
func (s *meshKeyScreen) setKeys() {
	k := &s.keys
	k.Check.SetEnabled(s.phase == meshKeyTyping)
	k.Hub.SetEnabled(s.phase == meshKeyTyping || s.phase == meshKeyChecked)
	k.Connect.SetEnabled(s.phase == meshKeyChecked)
	k.Keep.SetEnabled(s.phase == meshKeyChecked && s.c.sess.KeyringMissing() == "")
	k.Edit.SetEnabled(s.phase == meshKeyChecked)
	k.Back.SetEnabled(s.phase == meshKeyTyping || s.phase == meshKeyChecked)
}

func (s *meshKeyScreen) view(w int) string {
	t := s.c.theme
	h := s.hubNow()
	out := browserLine(t, s.browser, APIKeysURL(s.c.cfg.PortalURL, h.Region), w)
	if s.browser == (browserMsg{}) { // resumed here: say where keys are made
		out = t.Muted.Render("Make a key at "+APIKeysURL(s.c.cfg.PortalURL, h.Region)) + "\n"
	}
	out += "Hub: " + t.Strong.Render(h.Name) + " " + t.Muted.Render(h.URL)
	if s.phase == meshKeyTyping || s.phase == meshKeyChecked {
		out += t.Muted.Render("  (tab: other hub)")
	}
	out += "\n\n"
	switch s.phase {
	case meshKeyTyping:
		out += s.input.View() + "\n\n" + t.Muted.Render(wrap("Paste the key Mesh showed you (Settings → API Keys), then enter: it is checked with Mesh "+
			"before anything is sent to Synthesize. It is never shown, and never written to disk.", w))
		if s.err != nil {
			out += "\n\n" + t.Error.Render(wrap(core.Explain(s.err).String()+".", w))
		}
	case meshKeyChecking:
		out += s.c.spinner.View() + "Checking the key with Mesh…"
	case meshKeyConnecting:
		out += s.c.spinner.View() + "Giving the key and hub to Synthesize, which checks it with Mesh too…"
	case meshKeyChecked:
		box := "[ ]"
		if s.keep {
			box = t.OK.Render("[x]")
		}
		keep := lipgloss.JoinHorizontal(lipgloss.Top, box+" ", wrap("k: also keep the key in the OS keyring (never in the state file), so billing can show Mesh's own numbers in later runs", w-4))
		if why := s.c.sess.KeyringMissing(); why != "" {
			keep = t.Muted.Render(wrap("Not kept for later runs: "+why+".", w))
		}
		out += t.OK.Render(core.KeyWorks(s.sum)) + "\n\n" +
			wrap("Enter gives the key and hub to Synthesize, which then reads Mesh: your customers become accounts, and their products services.", w) + "\n\n" + keep
		if s.err != nil {
			out += "\n\n" + t.Error.Render(wrap(core.Explain(s.err).String()+". Nothing is connected yet: enter tries again, e pastes another key.", w))
		}
	}
	return out
}

// setSize: this screen lays itself out at view time.
func (s *meshKeyScreen) setSize(w, _ int) { s.input.Width = max(w-len(s.input.Prompt)-2, 10) }

func (s *meshKeyScreen) help() ui.Help {
	s.setKeys()
	k := s.keys
	if s.phase == meshKeyChecked {
		return ui.ShortOnly(k.Keep, k.Hub, k.Edit, k.Back).WithMain(k.Connect)
	}
	return ui.ShortOnly(ui.Enabled(k.Hub, k.Back)...).WithMain(k.Check)
}

func (s *meshKeyScreen) bindings() []key.Binding {
	s.setKeys()
	k := s.keys
	return ui.Enabled(k.Check, k.Hub, k.Connect, k.Keep, k.Edit, k.Back)
}
