package wizard

import (
	"fmt"
	"slices"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// choice is one row of the products screen: a product or a type.
type choice struct {
	key     string
	name    string
	summary string
	isType  bool
	method  string // a way to connect (a radio row), else ""
}

func (c choice) FilterValue() string { return c.name }

type productsKeys struct {
	Toggle, Continue key.Binding
}

// productsScreen is step 1: which products and integration types.
type productsScreen struct {
	c       *common
	keys    productsKeys
	list    list.Model
	refusal string
	w, h    int
	// introFits: the first run's intro shows only when the list still
	// has a line for every row below it.
	introFits bool
	cut       bool // the list is taller than the screen: ↓ pages on
}

func newProductsScreen(c *common) *productsScreen {
	s := &productsScreen{c: c, keys: productsKeys{
		Toggle:   ui.Key("space", "toggle", " "),
		Continue: ui.Key("enter", "→ API key", "enter"),
	}}
	var items []list.Item
	for _, p := range mesh.Products {
		items = append(items, choice{key: p.Key, name: p.Name, summary: p.Summary})
	}
	for _, t := range core.IntegrationTypes {
		items = append(items, choice{key: t.Key, name: t.Name, summary: t.Summary, isType: true})
	}
	for _, m := range core.Methods {
		items = append(items, choice{key: m.Key, name: m.Name, summary: m.Card, method: m.Key})
	}
	s.list = ui.NewList(c.theme, items, s.renderRow, "choice", "choices")
	s.list.SetFilteringEnabled(false)
	s.list.SetShowStatusBar(false)
	s.list.SetShowPagination(false)
	return s
}

func (s *productsScreen) chosen(ch choice) bool {
	p := s.c.progress()
	if ch.method != "" {
		return core.MethodOf(p) == ch.method
	}
	if ch.isType {
		return slices.Contains(p.Types, ch.key)
	}
	return slices.Contains(p.Products, ch.key)
}

func (s *productsScreen) renderRow(it list.Item, selected bool, width int) string {
	t := s.c.theme
	ch := it.(choice)
	box := "[ ]"
	if s.chosen(ch) {
		box = t.OK.Render("[x]")
	}
	kind := "product"
	switch {
	case ch.method != "":
		box, kind = "( )", "connect by"
		if s.chosen(ch) {
			box = t.OK.Render("(•)")
		}
	case ch.isType:
		kind = "type"
	}
	name := lipgloss.NewStyle().Width(14).Render(ch.name)
	if selected {
		name = t.Selected.Render(name)
	}
	return box + " " + name + " " + t.Muted.Render(kind+" · "+ch.summary)
}

func (s *productsScreen) setSize(w, h int) {
	s.w, s.h = w, h
	room := h - 2 - lipgloss.Height(wrap(question, w)) // the question and the gaps
	if s.refusal != "" {
		room -= 1 + lipgloss.Height(wrap(s.refusal, w))
	} else {
		room-- // a refusal's line is kept free
	}
	rows := len(s.list.Items())
	introHeight := lipgloss.Height(wrap(intro, w)) + 1
	s.introFits = room-introHeight >= rows
	if s.showIntro() {
		room -= introHeight
	}
	s.cut = rows > room
	if s.cut {
		room-- // for the line that says more rows are below
	}
	s.list.SetSize(w, min(rows, max(room, 1)))
}

// refuse says why enter did not move on, or clears it (""): the list
// makes room for it.
func (s *productsScreen) refuse(why string) {
	if why != s.refusal {
		s.refusal = why
		s.setSize(s.w, s.h)
	}
}

func (s *productsScreen) update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	locked := core.Locked(s.c.progress())
	switch {
	case key.Matches(k, s.keys.Toggle):
		if locked {
			s.refuse("Mesh is already connected with these choices; they are fixed at connect. To change them, disconnect first.")
			return nil
		}
		s.refuse("")
		ch, ok := s.list.SelectedItem().(choice)
		if !ok {
			return nil
		}
		on := !s.chosen(ch)
		return persisted(s.c.sess.Save(func(p *store.Progress) {
			if ch.method != "" {
				p.Method = core.StoredMethod(ch.method)
				return
			}
			if ch.isType {
				p.Types = core.Toggle(p.Types, ch.key, on, core.TypeKeys)
			} else {
				p.Products = core.Toggle(p.Products, ch.key, on, core.ProductKeys)
			}
		}), nil)
	case key.Matches(k, s.keys.Continue):
		if missing := core.MissingChoice(s.c.progress()); missing != "" {
			s.refuse(missing + " Space ticks the row under the cursor.")
			return nil
		}
		s.refuse("")
		return emit(core.Chosen)
	}
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	return cmd
}

// firstRun: nothing has been chosen yet, so say what is ahead.
func (s *productsScreen) firstRun() bool {
	p := s.c.progress()
	return p.KeyHint == "" && len(p.Products) == 0 && (p.Step == "" || p.Step == core.StepProducts.String())
}

// showIntro: the intro only where it leaves the list room.
func (s *productsScreen) showIntro() bool { return s.firstRun() && s.c.height >= 24 && s.introFits }

// intro is the first run's three lines: what happens, what is needed,
// and that stopping is safe.
const intro = "Nine steps: pick products, get an API key, paste it in Mesh, map accounts and services, reconcile.\n" +
	"You need a Synthesize login (this program uses its API) and access to your Mesh MSP portal.\n" +
	"Every choice is saved as you make it: quit any time (q) and run mesh-gradient again to resume."

// question heads the list: products, types, and the card's method.
const question = "What do you want to integrate? Tick the Mesh products you resell and the integration types, " +
	"and choose how your Synthesize's Mesh card connects."

func (s *productsScreen) view(w int) string {
	t := s.c.theme
	out := ""
	if s.showIntro() {
		out = t.Muted.Render(wrap(intro, w)) + "\n\n"
	}
	out += wrap(question, w) + "\n\n" + s.list.View() + "\n"
	if s.cut {
		out += t.Muted.Render(fmt.Sprintf("%d rows in all (ways to connect last): ↑/↓ page through", len(s.list.Items()))) + "\n"
	}
	if core.Locked(s.c.progress()) {
		out += "\n" + t.Muted.Render(wrap("Connected: these choices are fixed. Enter continues.", w))
	}
	if s.refusal != "" {
		out += "\n" + t.Error.Render(wrap(s.refusal, w))
	}
	return out
}

func (s *productsScreen) help() ui.Help {
	lk := s.list.KeyMap
	if core.Locked(s.c.progress()) { // space only says why it cannot
		return ui.ShortOnly(lk.CursorUp, lk.CursorDown).WithMain(s.keys.Continue)
	}
	return ui.ShortOnly(s.keys.Toggle, lk.CursorUp, lk.CursorDown).WithMain(s.keys.Continue)
}

func (s *productsScreen) bindings() []key.Binding {
	return append(ui.ListBindings(s.list), s.keys.Toggle, s.keys.Continue)
}
