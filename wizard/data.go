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
	gen  int
	data *remoteData
	err  error
}

// loadLists are what the mapping screens wait for, in the order the
// loading screen lists them.
var loadLists = [...]string{"accounts", "services", "companies", "products", "mappings"}

// loadProgress is how far a load has got: items arrived per list (by
// loadLists' order), which lists are complete, and the matching.
type loadProgress struct {
	fetched  [len(loadLists)]int
	complete [len(loadLists)]bool
	matched  int             // accounts given a suggestion so far
	toMatch  int             // accounts to match; 0 until the lists are in
	retry    *gradient.Retry // the latest retry of a page, if any
}

// loadProgressMsg carries progress and the channel the rest comes on.
type loadProgressMsg struct {
	gen      int
	progress loadProgress
	next     <-chan tea.Msg
}

// concurrentLists bounds the lists fetched at once: five lists of ten
// pages each would otherwise all hit a rate-limited Synthesize together.
const concurrentLists = 3

// loadRemote fetches the five lists (pages of 1,000, at most three lists
// at a time) and computes suggestions, off the UI goroutine. It answers
// with progress messages as pages arrive and as accounts are matched, and
// a dataMsg at the end; gen tells a stale load's progress apart.
func loadRemote(pc *gradient.PartnerClient, gen int) tea.Cmd {
	return func() tea.Msg {
		out := make(chan tea.Msg, 1)
		go func() {
			d, err := fetchAndMatch(pc, func(p loadProgress) {
				select { // progress is news, not data: drop it when the screen lags
				case out <- loadProgressMsg{gen: gen, progress: p, next: out}:
				default:
				}
			})
			// The final answer must arrive: wait for room rather than drop it.
			for {
				select {
				case out <- dataMsg{gen: gen, data: d, err: err}:
					return
				case <-out: // an undelivered progress message, superseded
				}
			}
		}()
		return <-out
	}
}

// fetchAndMatch runs on a goroutine of its own, not as a command, so it
// catches its own panic (the matching is where one would be).
func fetchAndMatch(pc *gradient.PartnerClient, report func(loadProgress)) (_ *remoteData, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error while loading: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*callTimeout)
	defer cancel()
	d := &remoteData{}
	var (
		mu   sync.Mutex
		prog loadProgress
		wg   sync.WaitGroup
	)
	ctx = gradient.WithRetryReport(ctx, func(r gradient.Retry) {
		mu.Lock()
		prog.retry = &r
		p := prog
		mu.Unlock()
		report(p)
	})
	errs := make([]error, len(loadLists))
	slots := make(chan struct{}, concurrentLists)
	// Each list reports its pages as they arrive, and its size when done
	// (the mappings come in one answer, without pages).
	run := func(i int, f func(ctx context.Context) (int, error)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			ctx := gradient.WithPageProgress(ctx, func(_ string, fetched int, done bool) {
				mu.Lock()
				prog.fetched[i], prog.complete[i], prog.retry = fetched, done, nil
				p := prog
				mu.Unlock()
				report(p)
			})
			var n int
			if n, errs[i] = f(ctx); errs[i] == nil {
				mu.Lock()
				prog.fetched[i], prog.complete[i] = n, true
				p := prog
				mu.Unlock()
				report(p)
			}
		}()
	}
	run(0, into(&d.accounts, pc.Accounts))
	run(1, into(&d.services, pc.Services))
	run(2, into(&d.companies, pc.Companies))
	run(3, into(&d.products, pc.Products))
	run(4, func(ctx context.Context) (n int, err error) {
		d.mappings, err = pc.Mappings(ctx)
		return len(d.mappings.Accounts) + len(d.mappings.Services), err
	})
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	prog.toMatch = len(d.accounts)
	d.index(func(matched int) {
		p := prog
		p.matched = matched
		report(p)
	})
	return d, nil
}

// into fetches a whole list into dst and answers its length.
func into[T any](dst *[]T, list func(context.Context) ([]T, error)) func(context.Context) (int, error) {
	return func(ctx context.Context) (n int, err error) {
		*dst, err = list(ctx)
		return len(*dst), err
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

// index sanitizes names, builds the matchers and suggests a company for
// every account (reporting how many are done) and a product for every
// service.
func (d *remoteData) index(matched func(int)) {
	cs, companyNames := candidates(d.companies, func(c gradient.Company) (string, string) { return c.ID, c.Name })
	ps, productNames := candidates(d.products, func(p gradient.Product) (string, string) { return p.ID, p.Name })
	d.companyNames, d.productNames = companyNames, productNames
	d.companyIndex, d.productIndex = match.NewIndex(cs), match.NewIndex(ps)
	d.accountNames = make(map[string]string, len(d.accounts))
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
	d.accountSuggestions = make(map[string]match.Scored, len(d.accounts))
	names := make([]string, len(d.accounts))
	for i, a := range d.accounts {
		names[i] = d.accountNames[a.ID]
	}
	best, ok := d.companyIndex.BestAll(names, matched)
	for i, a := range d.accounts {
		if ok[i] && best[i].Score >= minSuggestion {
			d.accountSuggestions[a.ID] = best[i]
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
	return clean(id) // ids are remote strings too
}
