package wizard

import (
	"context"
	"fmt"
	"strings"
	"sync"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/wizard/match"
)

// remoteData is what Synthesize holds that the mapping screens need, with
// the suggestions already computed.
type remoteData struct {
	accounts  []gradient.Account
	services  []gradient.Service
	companies []gradient.Company
	products  []gradient.Product
	mappings  gradient.Mappings

	companyIndex *match.Index
	productIndex *match.Index
	// suggestions: vendor id → best candidate (absent when nothing is alike)
	accountSuggestions map[string]match.Scored
	serviceSuggestions map[string]match.Scored
	companyNames       map[string]string
	productNames       map[string]string
	accountNames       map[string]string
	serviceNames       map[string]string
	serviceProduct     map[string]string // service id → Mesh product key
}

type dataMsg struct {
	data *remoteData
	err  error
}

// loadRemote fetches the five lists at once and computes suggestions, all
// off the UI goroutine (thousands of tenants take a moment to match).
func loadRemote(pc *gradient.PartnerClient, threshold float64) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 5*callTimeout)
		defer cancel()
		d := &remoteData{}
		var wg sync.WaitGroup
		errs := make([]error, 5)
		run := func(i int, f func() error) {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = f() }()
		}
		run(0, func() (err error) { d.accounts, err = pc.Accounts(ctx); return })
		run(1, func() (err error) { d.services, err = pc.Services(ctx); return })
		run(2, func() (err error) { d.companies, err = pc.Companies(ctx); return })
		run(3, func() (err error) { d.products, err = pc.Products(ctx); return })
		run(4, func() (err error) { d.mappings, err = pc.Mappings(ctx); return })
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return dataMsg{err: err}
			}
		}
		d.index()
		return dataMsg{data: d}
	}
}

// candidates sanitizes names once, for both the matcher and the screens.
func candidates[T any](items []T, idName func(T) (string, string)) ([]match.Candidate, map[string]string) {
	out, names := make([]match.Candidate, 0, len(items)), make(map[string]string, len(items))
	for _, it := range items {
		id, raw := idName(it)
		name := clean(raw)
		names[id] = name
		out = append(out, match.Candidate{ID: id, Name: name})
	}
	return out, names
}

func (d *remoteData) index() {
	cs, companyNames := candidates(d.companies, func(c gradient.Company) (string, string) { return c.ID, c.Name })
	ps, productNames := candidates(d.products, func(p gradient.Product) (string, string) { return p.ID, p.Name })
	d.companyNames, d.productNames = companyNames, productNames
	d.companyIndex, d.productIndex = match.NewIndex(cs), match.NewIndex(ps)
	d.accountNames = map[string]string{}
	for _, a := range d.accounts {
		d.accountNames[a.ID] = clean(a.Name)
	}
	d.serviceNames, d.serviceProduct = map[string]string{}, map[string]string{}
	for _, s := range d.services {
		d.serviceNames[s.ID] = clean(s.Name)
		for _, p := range mesh.Products {
			if strings.EqualFold(p.ServiceName, s.Name) {
				d.serviceProduct[s.ID] = p.Key
			}
		}
	}
	d.accountSuggestions = map[string]match.Scored{}
	for _, a := range d.accounts {
		if s, ok := d.companyIndex.Best(clean(a.Name)); ok && s.Score >= minSuggestion {
			d.accountSuggestions[a.ID] = s
		}
	}
	d.serviceSuggestions = map[string]match.Scored{}
	for _, s := range d.services {
		if best, ok := d.productIndex.Best(clean(s.Name)); ok && best.Score >= minSuggestion {
			d.serviceSuggestions[s.ID] = best
		}
	}
}

// minSuggestion: below this a "suggestion" is noise (the demo's accounts
// with no company score under 0.3), so the row shows none.
const minSuggestion = 0.45

func percent(score float64) string { return fmt.Sprintf("%d%%", int(score*100+0.5)) }

// name returns a readable name for an id, or the id itself when
// Synthesize no longer lists it.
func name(names map[string]string, id string) string {
	if n, ok := names[id]; ok && n != "" {
		return n
	}
	if id == "" {
		return "—"
	}
	return id
}
