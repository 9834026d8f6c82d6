package wizard

import (
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
)

// choice is one row of the products screen: a product or a type.
type choice struct {
	key     string
	name    string
	summary string
	isType  bool
}

func (c choice) FilterValue() string { return c.name }

var integrationTypes = []choice{
	{key: gradient.TypeBilling, name: "Billing", summary: "usage counts reconciled against your PSA", isType: true},
	{key: gradient.TypeAlerts, name: "Alerts", summary: "Mesh security alerts become PSA tickets", isType: true},
}

// productsScreen is step 1: which products and integration types.
type productsScreen struct {
	c       *common
	list    list.Model
	refusal string
}

func newProductsScreen(c *common) *productsScreen {
	s := &productsScreen{c: c}
	var items []list.Item
	for _, p := range mesh.Products {
		items = append(items, choice{key: p.Key, name: p.Name, summary: p.Summary})
	}
	for _, t := range integrationTypes {
		items = append(items, t)
	}
	s.list = ui.NewList(c.theme, items, s.renderRow, "choice", "choices")
	s.list.SetFilteringEnabled(false)
	s.list.SetShowStatusBar(false)
	s.list.SetShowPagination(false)
	return s
}

// locked: once connected, the choices are Synthesize's and fixed.
func (s *productsScreen) locked() bool { return s.c.progress.KeyHint != "" }

func (s *productsScreen) chosen(ch choice) bool {
	set := s.c.progress.Products
	if ch.isType {
		set = s.c.progress.Types
	}
	for _, k := range set {
		if k == ch.key {
			return true
		}
	}
	return false
}

func (s *productsScreen) renderRow(it list.Item, selected bool, width int) string {
	t := s.c.theme
	ch := it.(choice)
	box := "[ ]"
	if s.chosen(ch) {
		box = t.OK.Render("[x]")
	}
	kind := "product"
	if ch.isType {
		kind = "type"
	}
	name := lipgloss.NewStyle().Width(14).Render(ch.name)
	if selected {
		name = t.Selected.Render(name)
	}
	return box + " " + name + " " + t.Muted.Render(kind+" · "+ch.summary)
}

func (s *productsScreen) setSize(w, h int) {
	room := h - 6
	if s.showIntro() {
		room -= lipgloss.Height(wrap(intro, w)) + 1
	}
	s.list.SetSize(w, min(len(s.list.Items()), max(room, 1)))
}

func (s *productsScreen) update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	keys := s.c.keys
	switch {
	case key.Matches(k, keys.Toggle):
		if s.locked() {
			s.refusal = "Mesh is already connected with these choices; they are fixed at connect. To change them, disconnect first."
			return nil
		}
		s.refusal = ""
		ch, ok := s.list.SelectedItem().(choice)
		if !ok {
			return nil
		}
		on := !s.chosen(ch)
		return s.c.save(func(p *store.Progress) {
			if ch.isType {
				p.Types = toggle(p.Types, ch.key, on, typeOrder)
			} else {
				p.Products = toggle(p.Products, ch.key, on, productOrder)
			}
		})
	case key.Matches(k, keys.Enter):
		if len(s.c.progress.Products) == 0 || len(s.c.progress.Types) == 0 {
			s.refusal = missingChoice(s.c.progress)
			return nil
		}
		s.refusal = ""
		return goStep(stepKey)
	}
	var cmd tea.Cmd
	s.list, cmd = s.list.Update(msg)
	return cmd
}

func missingChoice(p store.Progress) string {
	switch {
	case len(p.Products) == 0 && len(p.Types) == 0:
		return "Choose at least one product and one integration type: space ticks the row under the cursor."
	case len(p.Products) == 0:
		return "Choose at least one product (Mesh Gateway, Mesh 365 or Mesh Unified): space ticks it."
	default:
		return "Choose Billing and/or Alerts: space ticks it."
	}
}

var (
	productOrder = func() []string {
		var out []string
		for _, p := range mesh.Products {
			out = append(out, p.Key)
		}
		return out
	}()
	typeOrder = []string{gradient.TypeBilling, gradient.TypeAlerts}
)

// toggle adds or removes k, keeping the catalogue's order.
func toggle(set []string, k string, on bool, order []string) []string {
	has := map[string]bool{}
	for _, x := range set {
		has[x] = true
	}
	has[k] = on
	var out []string
	for _, x := range order {
		if has[x] {
			out = append(out, x)
		}
	}
	return out
}

// firstRun: nothing has been chosen yet, so say what is ahead.
func (s *productsScreen) firstRun() bool {
	p := s.c.progress
	return p.KeyHint == "" && len(p.Products) == 0 && (p.Step == "" || p.Step == stepProducts.String())
}

// showIntro: the intro only where it leaves the list room.
func (s *productsScreen) showIntro() bool { return s.firstRun() && s.c.height >= 24 }

// intro is the first run's three lines: what happens, what is needed,
// and that stopping is safe.
const intro = "Nine steps: pick products, get an API key, paste it in Mesh, map accounts and services, reconcile.\n" +
	"You need a Synthesize login (this program uses its API) and access to your Mesh MSP portal.\n" +
	"Every choice is saved as you make it: quit any time (q) and run mesh-gradient again to resume."

func (s *productsScreen) view(w int) string {
	t := s.c.theme
	out := ""
	if s.showIntro() {
		out = t.Muted.Render(wrap(intro, w)) + "\n\n"
	}
	out += "What do you want to integrate? Tick the Mesh products you resell and the integration types.\n\n" +
		s.list.View() + "\n"
	if s.locked() {
		out += "\n" + t.Muted.Render("Connected: these choices are fixed. Enter continues.")
	}
	if s.refusal != "" {
		out += "\n" + t.Error.Render(s.refusal)
	}
	return out
}

func (s *productsScreen) help() ui.Help {
	k := s.c.keys
	short := []key.Binding{k.Up, k.Down, k.Toggle, k.Enter}
	return ui.Help{Short: short, Full: [][]key.Binding{short}}
}
