package wizard

// Faults and hostile input: sizes, panics, names that try to drive the
// terminal.

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// TestEveryScreenAtEverySmallSize draws every step at every size from 1×1
// to 30×14 and back to 100×30: nothing panics, nothing overflows, and below
// 20×10 the screen asks for a larger terminal.
func TestEveryScreenAtEverySmallSize(t *testing.T) {
	t.Parallel()
	for s := core.StepProducts; s <= core.StepConfigure; s++ {
		m := testModel(t, nil, store.Progress{Step: s.String(), KeyHint: "abcd"}, nil)
		m.step = s
		for w := 1; w <= 30; w++ {
			for h := 1; h <= 14; h++ {
				m.Update(tea.WindowSizeMsg{Width: w, Height: h})
				view := m.View()
				lines := strings.Split(view, "\n")
				if len(lines) > h {
					t.Fatalf("%s at %d×%d: %d lines", s, w, h, len(lines))
				}
				for _, l := range lines {
					if lipgloss.Width(l) > w {
						t.Fatalf("%s at %d×%d: %q is %d wide", s, w, h, l, lipgloss.Width(l))
					}
				}
				small := w < minWidth || h < minHeight
				if small && w >= 12 && h >= 4 && !strings.Contains(view, "Enlarge") {
					t.Fatalf("%s at %d×%d does not ask for a larger terminal:\n%s", s, w, h, view)
				}
				if !small && strings.Contains(view, "Enlarge") {
					t.Fatalf("%s at %d×%d asks for a larger terminal", s, w, h)
				}
			}
		}
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		if v := m.View(); !strings.Contains(v, s.Title()) {
			t.Fatalf("%s after growing back:\n%s", s, v)
		}
	}
}

// TestPanicsInCommandsAreCaught: a command that panics, alone or inside a
// batch, becomes a message the screen reports, and the wizard goes on; a
// write that panics fails alone and the saver keeps writing.
func TestPanicsInCommandsAreCaught(t *testing.T) {
	t.Parallel()
	boom := func() tea.Msg { panic("boom \x1b]52;c;aGk=\x07") }
	if msg, ok := guard(boom)().(panicMsg); !ok || msg.value == nil {
		t.Fatalf("a panicking command answered %#v", msg)
	}
	batch := guard(tea.Batch(func() tea.Msg { return nil }, boom))().(tea.BatchMsg)
	var caught bool
	for _, c := range batch {
		if c != nil {
			if _, ok := c().(panicMsg); ok {
				caught = true
			}
		}
	}
	if !caught {
		t.Fatal("a panic inside a batch was not caught")
	}
	// A watched call runs on a goroutine of its own, out of guard's reach.
	if msg, ok := watched(context.Background(), core.StepReview, 1, func(context.Context) tea.Msg { panic("in a call") })().(panicMsg); !ok || msg.value != "in a call" {
		t.Fatalf("a panicking watched call answered %#v", msg)
	}

	m := testModel(t, nil, store.Progress{}, nil)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(panicMsg{value: "boom \x1b]52;c;aGk=\x07"})
	view := m.View()
	if !strings.Contains(view, "Internal error") || !strings.Contains(view, "Everything saved so far is kept") || strings.Contains(view, "\x1b]52") {
		t.Fatalf("the panic is not reported, or not cleaned:\n%q", view)
	}
}

// hostileNames hide terminal commands and layout tricks in names, as a
// compromised or careless PSA or vendor could.
var hostileNames = []string{
	"Acme \x1b]52;c;cm0gLXJmIH4=\x07Corp",   // OSC 52: write the clipboard
	"Title \x1b]0;owned\x1b\\Ltd",           // OSC 0: set the window title
	"Clear \x1b[2J\x1b[H\x1b[31mRed",        // CSI: clear, home, colour
	"C1 \u009b2J\u009d0;x\u009cInc",         // the same in 8-bit C1 controls
	"Bidi \u202eevil\u202c \u2066iso\u2069", // bidi overrides and isolates
	"Bell\x07 Back\bspace Nul\x00 Del\x7f",
	"Tab\tNew\nline\rCR",
	strings.Repeat("宽字符公司 🏢 ", 40), // wide characters, far too long
}

// cleanFrame fails unless a frame holds no escape sequence, control or
// bidi character, and no line wider than w.
func cleanFrame(t *testing.T, label, view string, w int) {
	t.Helper()
	for _, r := range view {
		if r == 0x1b || r == 0x7f || r < 0x20 && r != '\n' || r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			t.Fatalf("%s: %U reached the terminal:\n%q", label, r, view)
		}
	}
	for _, l := range strings.Split(view, "\n") {
		if lipgloss.Width(l) > w {
			t.Fatalf("%s: a line %d wide: %q", label, lipgloss.Width(l), l)
		}
	}
}

// TestHostileNamesNeverReachTheTerminal: accounts, companies and products
// with hostile names, drawn on the mapping screen, in the picker with a
// filter, and on the review: the frames hold no escape sequence (tests
// draw without colour, so any ESC would be the names') and no control or
// bidi character, and no line is wider than the terminal.
func TestHostileNamesNeverReachTheTerminal(t *testing.T) {
	t.Parallel()
	var psa synthemu.PSA
	accounts := make([]gradient.VendorAccount, len(hostileNames))
	for i, n := range hostileNames {
		accounts[i] = gradient.VendorAccount{ID: fmt.Sprintf("m-%d", i), Name: n}
		psa.Companies = append(psa.Companies, gradient.Company{ID: fmt.Sprintf("c-%d", i), Name: n + " LLC"})
	}
	psa.Products = []gradient.Product{{ID: "p-1", Name: hostileNames[0], UnitPrice: 1}}
	pc := syncedServer(t, psa, accounts)
	m := testModel(t, pc, store.Progress{Step: core.StepAccounts.String()}, nil)
	const w, h = 80, 24
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.load.gen = 1
	m.Update(loadAll(m.c.sess, 1))
	check := func(label string) {
		t.Helper()
		view := m.View()
		cleanFrame(t, label, view, w)
		if !strings.Contains(view, "SANDBOX") {
			t.Fatalf("%s: the frame lost its header:\n%s", label, view)
		}
	}
	check("accounts")
	for _, k := range []string{"j", "j", "a", "enter"} {
		runSync(m, func() tea.Msg { return keyMsg(k) }, 0)
	}
	check("picker")
	for _, k := range []string{"/", "c", "o"} {
		runSync(m, func() tea.Msg { return keyMsg(k) }, 0)
	}
	check("picker filtered")
	for _, k := range []string{"esc", "esc", "n"} {
		runSync(m, func() tea.Msg { return keyMsg(k) }, 0)
	}
	check("services")
	runSync(m, func() tea.Msg { return keyMsg("n") }, 0)
	if m.step != core.StepReview {
		t.Fatalf("at %s, not the review", m.step)
	}
	check("review")
}

// A state file whose key hint is hostile (written by an older or altered
// program) never reaches the terminal as written: the key screen that
// says the key cannot be shown again, and home, draw it clean.
func TestHostileKeyHintInTheStateFile(t *testing.T) {
	t.Parallel()
	pc := syncedServer(t, synthemu.PSA{}, nil)
	for _, hint := range hostileNames {
		for _, p := range []store.Progress{
			{Step: core.StepKey.String(), KeyHint: hint, Products: []string{"gateway"}, Types: []string{"billing"}},
			{Step: core.StepHome.String(), KeyHint: hint, KeyConfirmed: true, Onboarded: true, Products: []string{"gateway"}, Types: []string{"billing"}},
		} {
			m := testModel(t, pc, p, nil)
			m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
			runSync(m, m.Init(), 0)
			view := m.View()
			cleanFrame(t, p.Step+" with the hint "+fmt.Sprintf("%q", hint), view, 80)
			if p.Step == core.StepKey.String() && !strings.Contains(view, "was shown before") {
				t.Fatalf("the key screen does not say the key is gone:\n%s", view)
			}
		}
	}
}
