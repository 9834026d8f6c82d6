package accessible

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// Run walks the steps from where the state file says, to the end of the
// onboarding, or the home menu once onboarded.
func (a *Prompter) Run(ctx context.Context) error {
	a.ctx, a.lines = ctx, make(chan string)
	go func() {
		defer close(a.lines)
		for a.in.Scan() {
			select {
			case a.lines <- a.in.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	if a.notice != "" {
		a.say("Note: %s", a.notice)
	}
	if a.sess.Progress().Step == "" {
		a.say("mesh-gradient connects Mesh email security billing to Gradient Synthesize, in %d steps.", core.OnboardingSteps)
		a.say("You need a Synthesize login (this program uses its API) and access to your Mesh MSP portal.")
		a.say("Answer each question and press Enter; what you choose is saved as you go, so you can stop and resume.")
	}
	if gone, _ := a.sess.CheckStillConnected(ctx); gone {
		a.say("%s", core.DisconnectedElsewhere)
	}
	if _, pending := a.sess.Resume(); pending() != nil {
		return pending()
	}
	for {
		s := a.sess.Step()
		if s == core.StepHome {
			return a.home(ctx)
		}
		line := core.Line(a.sess.Progress(), s)
		if s == core.StepBilling {
			line = core.OnboardingLine(s) // this loop reaches billing only as the onboarding's last step
		}
		a.say("\n%s", line)
		if err := a.step(ctx, s); err != nil {
			if ctx.Err() != nil {
				return ErrInterrupted
			}
			return err
		}
		if s == core.StepBilling {
			a.say("\nOnboarding is done. Run mesh-gradient again to see billing, update mappings or disconnect.")
			return a.advance(core.Next)
		}
	}
}

// advance takes an event through the core's step graph.
func (a *Prompter) advance(ev core.Event) error {
	_, pending := a.sess.Advance(ev)
	return pending()
}

func (a *Prompter) step(ctx context.Context, s core.Step) error {
	switch s {
	case core.StepProducts:
		return a.products()
	case core.StepKey:
		return a.key(ctx)
	case core.StepPortal:
		return a.portal()
	case core.StepMeshAPIKeys:
		return a.apiKeys()
	case core.StepMeshKey:
		return a.meshKey(ctx)
	case core.StepWaiting:
		if a.sess.Progress().Method != "" {
			return a.waitPull(ctx)
		}
		a.say("Waiting for Mesh's first Gradient Sync. In the portal (%s): paste the key, Submit, then Gradient Sync.", a.portalURL(a.sess.Progress().Region))
		return a.sess.WaitFirstSync(ctx, func(line string) { a.say("%s", line) })
	case core.StepAccounts, core.StepServices:
		k := core.Accounts
		if s == core.StepServices {
			k = core.Services
		}
		d, err := a.sess.Load(ctx, nil)
		if err != nil {
			return err
		}
		if err := a.mapping(d, k, false); err != nil {
			return err
		}
		return a.advance(core.Next)
	case core.StepReview:
		return a.review(ctx)
	case core.StepFinalSync:
		return a.finalSync(ctx)
	case core.StepBilling:
		return a.billing(ctx)
	}
	return nil
}

func (a *Prompter) products() error {
	if p := a.sess.Progress(); core.Locked(p) {
		a.say("Connected with %s (%s): these are fixed at connect.", text.Sanitize(strings.Join(p.Products, ", ")), text.Sanitize(strings.Join(p.Types, ", ")))
		return a.advance(core.Chosen)
	}
	a.say("Which Mesh products do you resell?")
	for i, p := range mesh.Products {
		a.say("  %d. %s: %s", i+1, p.Name, p.Summary)
	}
	picked, err := a.numbers("Products (numbers, separated by commas): ", len(mesh.Products), nil)
	if err != nil {
		return err
	}
	var products, types []string
	for _, i := range picked {
		products = core.Toggle(products, mesh.Products[i-1].Key, true, core.ProductKeys)
	}
	a.say("Which integration types?")
	for i, t := range core.IntegrationTypes {
		a.say("  %d. %s: %s", i+1, t.Name, t.Summary)
	}
	if picked, err = a.numbers("Types (numbers, Enter for 1, Billing): ", len(core.IntegrationTypes), []int{1}); err != nil {
		return err
	}
	for _, i := range picked {
		types = core.Toggle(types, core.IntegrationTypes[i-1].Key, true, core.TypeKeys)
	}
	method, err := a.method()
	if err != nil {
		return err
	}
	if err := a.sess.Save(func(p *store.Progress) { p.Products, p.Types, p.Method = products, types, method })(); err != nil {
		return err
	}
	return a.advance(core.Chosen)
}

func (a *Prompter) key(ctx context.Context) error {
	p := a.sess.Progress()
	if p.KeyConfirmed {
		return a.advance(core.KeyConfirmed)
	}
	var secret string
	var err error
	if p.KeyHint == "" {
		secret, err = a.sess.Connect(ctx, p.Products, p.Types, false)
		switch {
		case errors.Is(err, core.ErrAlreadyConnected):
			a.say("Synthesize says Mesh is already connected, but this program never received that key (it was issued elsewhere, or its answer was lost).")
		case secret == "":
			return err
		}
	} else {
		a.say("The key ending …%s was shown before and cannot be shown again: it is never written to disk.", text.Sanitize(p.KeyHint))
	}
	if secret == "" {
		ok, err := a.yes("Issue a new key? The old one stops working at once", true)
		if err != nil || !ok {
			if err == nil {
				err = errors.New("no key: run mesh-gradient again when you want a new one")
			}
			return err
		}
		if secret, err = a.sess.Rekey(ctx, false); secret == "" {
			return err
		}
	}
	a.say("Synthesize issued this API key. It is shown only this once and never saved by this program; keep it somewhere safe:")
	a.say("%s", text.Sanitize(secret))
	for {
		ok, err := a.yes("Have you saved the key", false)
		if err != nil {
			return err
		}
		if ok {
			return a.advance(core.KeyConfirmed)
		}
		a.say("Save it first: Mesh needs it in the next step, and it cannot be shown again.")
	}
}

func (a *Prompter) portal() error {
	a.say("Which Mesh portal does your account live in?")
	def := 1
	for i, p := range mesh.Portals {
		a.say("  %d. %s: %s", i+1, p.Name, a.portalURL(p.Region))
		if p.Region == a.sess.Progress().Region {
			def = i + 1
		}
	}
	picked, err := a.numbers(fmt.Sprintf("Portal (Enter for %d): ", def), len(mesh.Portals), []int{def})
	if err != nil {
		return err
	}
	region := mesh.Portals[picked[0]-1].Region
	if err := a.sess.Save(func(p *store.Progress) { p.Region = region })(); err != nil {
		return err
	}
	// No browser is opened here: a line-by-line session may be a screen
	// reader's or a dumb terminal's, where a text browser would take over.
	a.say("In Mesh (%s):", a.portalURL(region))
	for i, st := range mesh.ConnectSteps {
		a.say("  %d. %s", i+1, st)
	}
	return a.advance(core.Chosen)
}

// mapping offers every suggestion above the threshold at once, then asks
// for each account (or service) still unmapped; with change (an update
// from home) it then offers to change any other row.
func (a *Prompter) mapping(d *core.Data, k core.Kind, change bool) error {
	if err := a.sess.Seed(d)(); err != nil {
		return err
	}
	draft, threshold := a.sess.Draft(k), a.sess.Config().Threshold
	set := func(id string, m *store.Mapping) error {
		_, pending := draft.Set(map[string]*store.Mapping{id: m})
		return pending()
	}
	items := d.Items(k)
	sure := map[string]*store.Mapping{}
	for _, it := range items {
		if sg, ok := d.Suggestion(k, it.ID); ok && sg.Score >= threshold && draft.Get(it.ID) == nil {
			sure[it.ID] = &store.Mapping{Target: sg.ID}
		}
	}
	a.say("%s, %d mapped so far; %d unmapped %s a suggestion at %s or more.", text.Count(len(items), k.Noun, k.Nouns),
		len(draft.All()), len(sure), text.Plural(len(sure), "has", "have"), text.Percent(threshold))
	if len(sure) > 0 {
		question := fmt.Sprintf("Accept those %d suggestions", len(sure))
		if len(sure) == 1 {
			question = "Accept the suggestion"
		}
		ok, err := a.yes(question, true)
		if err != nil {
			return err
		}
		if ok {
			if _, pending := draft.Set(sure); pending() != nil {
				return pending()
			}
			a.say("Accepted %s.", text.Count(len(sure), "suggestion", "suggestions"))
		}
	}
	var left []core.Item
	for _, it := range items {
		if draft.Get(it.ID) == nil {
			left = append(left, it)
		}
	}
	for i, it := range left {
		a.say("\n%s %d of %d unmapped: %s", strings.ToUpper(k.Noun[:1])+k.Noun[1:], i+1, len(left), it.Name)
		m, err := a.pickTarget(d, k, it.Name, "leave it unmapped")
		if err != nil {
			return err
		}
		if m != nil {
			if err := set(it.ID, m); err != nil {
				return err
			}
			a.say("Saved: %s → %s.", it.Name, d.Describe(k, m))
		}
	}
	for change {
		query, err := a.ask(fmt.Sprintf("\nChange another %s? Type part of its name, or Enter to finish: ", k.Noun))
		if err != nil || query == "" {
			return err
		}
		names := map[string]string{}
		for _, it := range items {
			names[it.ID] = it.Name
		}
		found := search(names, query, 9)
		if len(found) == 0 {
			a.say("No %s matches %q.", k.Noun, query)
			continue
		}
		for j, f := range found {
			now := "unmapped"
			if m := draft.Get(f.ID); m != nil {
				now = d.Describe(k, m)
			}
			a.say("  %d. %s (now: %s)", j+1, f.Name, now)
		}
		picked, err := a.numbers("Which one (number): ", len(found), nil)
		if err != nil {
			return err
		}
		row := found[picked[0]-1]
		m, err := a.pickTarget(d, k, row.Name, "unmap it")
		if err != nil {
			return err
		}
		if err := set(row.ID, m); err != nil {
			return err
		}
		if m == nil {
			a.say("Saved: %s is unmapped.", row.Name)
		} else {
			a.say("Saved: %s → %s.", row.Name, d.Describe(k, m))
		}
	}
	return nil
}
