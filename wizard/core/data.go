package core

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/match"
)

// Kind is what differs between mapping accounts and mapping services.
type Kind struct {
	Store       string // store.KindAccounts or store.KindServices
	Noun, Nouns string
	Target      string
	Targets     string
	AllowIgnore bool   // accounts may be "do not bill"
	UnmappedWhy string // what being unmapped costs
	UpdateEvent Event  // the home action that updates this kind
	ExportKind  string // "account" or "service" in exports
}

var (
	Accounts = Kind{Store: store.KindAccounts, Noun: "account", Nouns: "accounts", Target: "company", Targets: "companies",
		AllowIgnore: true, UnmappedWhy: "their usage will not be billed", UpdateEvent: UpdateAccounts, ExportKind: "account"}
	Services = Kind{Store: store.KindServices, Noun: "service", Nouns: "services", Target: "product", Targets: "products",
		UnmappedWhy: "their usage cannot be reconciled", UpdateEvent: UpdateServices, ExportKind: "service"}
)

// Item is a Mesh account or service as the faces list it: id and a name
// that is safe to print.
type Item struct{ ID, Name string }

// Data is what Synthesize holds that the mapping steps need, names
// sanitized once. Suggestions are computed during the load when asked for
// (LoadOptions), else the first time one is wanted.
type Data struct {
	Accounts  []gradient.Account
	Services  []gradient.Service
	Companies []gradient.Company
	Products  []gradient.Product
	Remote    gradient.Mappings // Synthesize's mappings when loaded

	matching                        sync.Once // the indexes and the suggestions, once
	companyIndex, productIndex      *match.Index
	companyCands, productCands      []match.Candidate
	companyNames, productNames      map[string]string
	accountNames, serviceNames      map[string]string
	accountSuggestions, serviceSugg map[string]match.Scored
	serviceProduct                  map[string]string // service id → Mesh product key
	accountItems, serviceItems      []Item
}

// Items lists kind's accounts or services in Synthesize's order.
func (d *Data) Items(k Kind) []Item {
	if k.Store == store.KindServices {
		return d.serviceItems
	}
	return d.accountItems
}

// Name is an account's or service's printable name.
func (d *Data) Name(k Kind, id string) string {
	if k.Store == store.KindServices {
		return name(d.serviceNames, id)
	}
	return name(d.accountNames, id)
}

// Has reports whether Synthesize lists the account or service.
func (d *Data) Has(k Kind, id string) bool {
	names := d.accountNames
	if k.Store == store.KindServices {
		names = d.serviceNames
	}
	_, ok := names[id]
	return ok
}

// Targets are the companies (or products) by id, with printable names.
func (d *Data) Targets(k Kind) map[string]string {
	if k.Store == store.KindServices {
		return d.productNames
	}
	return d.companyNames
}

// Index ranks kind's targets by likeness to a name.
func (d *Data) Index(k Kind) *match.Index {
	d.match(nil)
	if k.Store == store.KindServices {
		return d.productIndex
	}
	return d.companyIndex
}

// Suggestion is the best target for an account or service, when one is
// alike enough to suggest.
func (d *Data) Suggestion(k Kind, id string) (match.Scored, bool) {
	d.match(nil)
	sugg := d.accountSuggestions
	if k.Store == store.KindServices {
		sugg = d.serviceSugg
	}
	s, ok := sugg[id]
	return s, ok
}

// TargetName is a target's name, saying so when Synthesize no longer has it.
func (d *Data) TargetName(k Kind, id string) string {
	if n, ok := d.Targets(k)[id]; ok {
		return n
	}
	return text.Sanitize(id) + " (not in Synthesize)"
}

// Describe says what a mapping is, in words: a target, "do not bill", or
// "(unmapped)".
func (d *Data) Describe(k Kind, m *store.Mapping) string {
	switch {
	case m == nil:
		return "(unmapped)"
	case m.Ignored:
		return "do not bill"
	}
	return d.TargetName(k, m.Target)
}

// name returns a readable name for an id, or the id itself when
// Synthesize no longer lists it.
func name(names map[string]string, id string) string {
	if n, ok := names[id]; ok && n != "" {
		return n
	}
	if id == "" {
		return "—"
	}
	return text.Sanitize(id) // ids are remote strings too
}

// LoadLists are what a load fetches, in the order progress lists them.
var LoadLists = [...]string{"accounts", "services", "companies", "products", "mappings"}

// LoadOptions says what a load computes besides the lists.
type LoadOptions struct {
	// Suggestions suggests a company for every account and a product for
	// every service during the load, reported as matching progress, with
	// the companies indexed while the other lists still arrive. Without
	// it, nothing is matched until a suggestion or an index is first
	// asked for: a command that shows none never pays for them.
	Suggestions bool
}

// LoadProgress is how far a load has got: items arrived per list (in
// LoadLists' order), which lists are complete, and the matching.
type LoadProgress struct {
	Fetched  [len(LoadLists)]int
	Complete [len(LoadLists)]bool
	Matched  int             // accounts given a suggestion so far
	ToMatch  int             // accounts to match; 0 until the lists are in
	Retry    *gradient.Retry // the latest retry of a page, if any
}

// concurrentLists bounds the lists fetched at once: five lists of ten
// pages each would otherwise all hit a rate-limited Synthesize together.
const concurrentLists = 3

// loadTimeout bounds a whole load of five lists.
const loadTimeout = 5 * time.Minute

// Load fetches the five lists (pages of 1,000, at most three lists at a
// time) and computes suggestions, reporting progress as pages arrive and
// accounts are matched. It catches its own panic: faces run it on a
// goroutine of their own.
func (s *Session) Load(ctx context.Context, report func(LoadProgress)) (*Data, error) {
	return s.LoadWith(ctx, LoadOptions{Suggestions: true}, report)
}

// LoadWith is Load, computing only what o asks for.
func (s *Session) LoadWith(ctx context.Context, o LoadOptions, report func(LoadProgress)) (_ *Data, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error while loading: %v", r)
		}
	}()
	if report == nil {
		report = func(LoadProgress) {}
	}
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	pc := s.cfg.Partner
	d := &Data{}
	var (
		mu   sync.Mutex
		prog LoadProgress
		wg   sync.WaitGroup
	)
	ctx = gradient.WithRetryReport(ctx, func(r gradient.Retry) {
		mu.Lock()
		prog.Retry = &r
		p := prog
		mu.Unlock()
		report(p)
	})
	errs := make([]error, len(LoadLists))
	slots := make(chan struct{}, concurrentLists)
	// Each list reports its pages as they arrive, and its size when done
	// (the mappings come in one answer, without pages).
	run := func(i int, f func(ctx context.Context) (int, error)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			ctx := gradient.WithPageProgress(ctx, func(_ string, fetched int, complete bool) {
				mu.Lock()
				prog.Fetched[i], prog.Complete[i], prog.Retry = fetched, complete, nil
				p := prog
				mu.Unlock()
				report(p)
			})
			var n int
			if n, errs[i] = f(ctx); errs[i] == nil {
				mu.Lock()
				prog.Fetched[i], prog.Complete[i] = n, true
				p := prog
				mu.Unlock()
				report(p)
			}
		}()
	}
	run(0, into(&d.Accounts, pc.Accounts))
	run(1, into(&d.Services, pc.Services))
	var indexed sync.WaitGroup
	run(2, func(ctx context.Context) (int, error) {
		n, err := into(&d.Companies, pc.Companies)(ctx)
		if err == nil && o.Suggestions {
			// Index the companies while the other lists arrive: at
			// 100,000 that is a good part of a second off the wait.
			indexed.Go(d.indexCompanies)
		}
		return n, err
	})
	run(3, into(&d.Products, pc.Products))
	run(4, func(ctx context.Context) (n int, err error) {
		d.Remote, err = pc.Mappings(ctx)
		return len(d.Remote.Accounts) + len(d.Remote.Services), err
	})
	wg.Wait()
	indexed.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	d.names()
	if o.Suggestions {
		prog.ToMatch = len(d.Accounts)
		d.match(func(matched int) {
			p := prog
			p.Matched = matched
			report(p)
		})
	}
	return d, nil
}

// into fetches a whole list into dst and answers its length.
func into[T any](dst *[]T, list func(context.Context) ([]T, error)) func(context.Context) (int, error) {
	return func(ctx context.Context) (n int, err error) {
		*dst, err = list(ctx)
		return len(*dst), err
	}
}

// candidates sanitizes names once, for the matcher and every face.
func candidates[T any](items []T, idName func(T) (string, string)) ([]match.Candidate, map[string]string) {
	out, names := make([]match.Candidate, 0, len(items)), make(map[string]string, len(items))
	for _, it := range items {
		id, raw := idName(it)
		n := text.Sanitize(raw)
		names[id] = n
		out = append(out, match.Candidate{ID: id, Name: n})
	}
	return out, names
}

// minSuggestion: below this a "suggestion" is noise (the demo's accounts
// with no company score under 0.3), so the row shows none.
const minSuggestion = 0.45

// indexCompanies sanitizes the companies' names and indexes them.
func (d *Data) indexCompanies() {
	d.companyCands, d.companyNames = candidates(d.Companies, func(c gradient.Company) (string, string) { return c.ID, c.Name })
	d.companyIndex = match.NewIndex(d.companyCands)
}

// names sanitizes every name once, for every face.
func (d *Data) names() {
	if d.companyNames == nil {
		d.companyCands, d.companyNames = candidates(d.Companies, func(c gradient.Company) (string, string) { return c.ID, c.Name })
	}
	d.productCands, d.productNames = candidates(d.Products, func(p gradient.Product) (string, string) { return p.ID, p.Name })
	d.accountNames = make(map[string]string, len(d.Accounts))
	d.accountItems = make([]Item, len(d.Accounts))
	for i, a := range d.Accounts {
		n := text.Sanitize(a.Name)
		d.accountNames[a.ID], d.accountItems[i] = n, Item{a.ID, n}
	}
	d.serviceNames, d.serviceProduct = map[string]string{}, map[string]string{}
	d.serviceItems = make([]Item, len(d.Services))
	for i, s := range d.Services {
		n := text.Sanitize(s.Name)
		d.serviceNames[s.ID], d.serviceItems[i] = n, Item{s.ID, n}
		for _, p := range mesh.Products {
			if strings.EqualFold(p.ServiceName, s.Name) {
				d.serviceProduct[s.ID] = p.Key
			}
		}
	}
}

// match builds the indexes (the companies' may be built already) and
// suggests a company for every account (reporting how many are done, when
// matched is not nil) and a product for every service, the first time it
// is called.
func (d *Data) match(matched func(int)) {
	d.matching.Do(func() {
		if d.companyIndex == nil {
			d.companyIndex = match.NewIndex(d.companyCands)
		}
		d.productIndex = match.NewIndex(d.productCands)
		names := make([]string, len(d.accountItems))
		for i, it := range d.accountItems {
			names[i] = it.Name
		}
		d.accountSuggestions = make(map[string]match.Scored, len(d.Accounts))
		best, ok := d.companyIndex.BestAll(names, matched)
		for i, it := range d.accountItems {
			if ok[i] && best[i].Score >= minSuggestion {
				d.accountSuggestions[it.ID] = best[i]
			}
		}
		d.serviceSugg = map[string]match.Scored{}
		for _, s := range d.serviceItems {
			if best, ok := d.productIndex.Best(s.Name); ok && best.Score >= minSuggestion {
				d.serviceSugg[s.ID] = best
			}
		}
	})
}
