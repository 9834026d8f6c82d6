package wizard

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/wizard/match"
)

// Accessible is the wizard as plain numbered line prompts, for screen
// readers, dumb terminals and piped answers: no alternate screen, no
// cursor movement, no animation, no colour. It walks the same steps and
// keeps the same state file as the full-screen wizard, so either can
// resume what the other began.
type Accessible struct {
	cfg   Config
	sc    Script
	in    *bufio.Scanner
	out   io.Writer
	prog  store.Progress
	ctx   context.Context
	lines chan string // answers, read on a goroutine so Ctrl+C is heard while waiting
}

// ErrInputEnded: stdin ended before the wizard was done.
var ErrInputEnded = errors.New("the answers ended before the wizard was done; everything so far is saved: run it again to resume")

// ErrInterrupted: the user stopped the wizard (Ctrl+C).
var ErrInterrupted = errors.New("stopped; everything so far is saved: run it again to resume")

// NewAccessible prepares the line wizard on cfg's client and state file.
func NewAccessible(cfg Config, in io.Reader, out io.Writer) *Accessible {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = time.Second
	}
	if cfg.SyncQuiet <= 0 {
		cfg.SyncQuiet = 3 * time.Second
	}
	if cfg.Threshold <= 0 {
		cfg.Threshold = 0.8
	}
	return &Accessible{cfg: cfg, in: bufio.NewScanner(in), out: out,
		sc: Script{Partner: cfg.Partner, Store: cfg.Store, Progress: out, Now: cfg.Now, PollEvery: cfg.PollEvery, CycleUsage: cfg.CycleUsage}}
}

// Run walks the steps from where the state file says, to the end.
func (a *Accessible) Run(ctx context.Context) error {
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
	st, err := a.cfg.Store.Load(vendor)
	if err != nil {
		return err
	}
	a.prog = st.Progress
	if a.cfg.Notice != "" {
		a.say("Note: %s", a.cfg.Notice)
	}
	if a.prog.Step == "" {
		a.say("mesh-gradient connects Mesh email security billing to Gradient Synthesize, in 9 steps.")
		a.say("You need a Synthesize login (this program uses its API) and access to your Mesh MSP portal.")
		a.say("Answer each question and press Enter; what you choose is saved as you go, so you can stop and resume.")
	}
	if a.prog.KeyHint != "" {
		if d, err := a.cfg.Partner.Integration(ctx); err == nil && !d.Connected {
			if err := a.cfg.Store.Wipe(vendor); err != nil {
				return err
			}
			a.prog = store.Progress{}
			a.say("Mesh was disconnected in Synthesize (from elsewhere), so local progress was cleared. Connect again below.")
		}
	}
	// A connected integration opens at home; onboarding shows billing once,
	// as its last step, in the run that finished it.
	first := true
	for {
		s := parseStep(a.prog.Step)
		if a.prog.Onboarded && (first || s < stepBilling) {
			s = stepHome
		}
		first = false
		if s == stepHome {
			return a.home(ctx)
		}
		a.say("\nStep %d of 9 · %s", int(s)+1, stepTitles[s])
		next, err := a.step(ctx, s)
		if err != nil {
			return err
		}
		if next == stepHome && s == stepBilling {
			a.say("\nOnboarding is done. Run mesh-gradient again to see billing, update mappings or disconnect.")
			return nil
		}
		if err := a.save(func(p *store.Progress) { p.Step = next.String() }); err != nil {
			return err
		}
	}
}

func (a *Accessible) step(ctx context.Context, s step) (step, error) {
	switch s {
	case stepProducts:
		return a.products()
	case stepKey:
		return a.key(ctx)
	case stepPortal:
		return a.portal()
	case stepWaiting:
		a.say("Waiting for Mesh's first Gradient Sync. In the portal (%s): paste the key, Submit, then Gradient Sync.", portalURL(a.cfg, a.prog.Region))
		if err := a.sc.WaitSync(ctx); err != nil {
			if ctx.Err() != nil {
				return s, ErrInterrupted
			}
			return s, err
		}
		return stepAccounts, nil
	case stepAccounts, stepServices:
		return a.mapping(ctx, s, false)
	case stepReview:
		return a.review(ctx)
	case stepFinalSync:
		return a.finalSync(ctx)
	case stepBilling:
		return stepHome, a.billing(ctx)
	}
	return stepHome, nil
}

func (a *Accessible) say(format string, args ...any) { fmt.Fprintf(a.out, format+"\n", args...) }

func (a *Accessible) save(change func(*store.Progress)) error {
	change(&a.prog)
	return a.cfg.Store.UpdateProgress(vendor, change)
}

// ask prints a prompt and reads one line.
func (a *Accessible) ask(prompt string) (string, error) {
	fmt.Fprint(a.out, prompt)
	select {
	case line, ok := <-a.lines:
		if !ok {
			fmt.Fprintln(a.out)
			if err := a.in.Err(); err != nil {
				return "", err
			}
			return "", ErrInputEnded
		}
		return strings.TrimSpace(line), nil
	case <-a.ctx.Done():
		fmt.Fprintln(a.out)
		return "", ErrInterrupted
	}
}

// yes asks a yes/no question until it gets one; empty takes def.
func (a *Accessible) yes(question string, def bool) (bool, error) {
	hint := "yes/no"
	for {
		answer, err := a.ask(fmt.Sprintf("%s (%s, Enter for %s): ", question, hint, map[bool]string{true: "yes", false: "no"}[def]))
		if err != nil {
			return false, err
		}
		switch strings.ToLower(answer) {
		case "":
			return def, nil
		case "y", "yes":
			return true, nil
		case "n", "no":
			return false, nil
		}
		a.say("Please answer yes or no.")
	}
}

// numbers reads a comma-separated list of numbers from 1 to n.
func (a *Accessible) numbers(prompt string, n int, def []int) ([]int, error) {
	for {
		answer, err := a.ask(prompt)
		if err != nil {
			return nil, err
		}
		if answer == "" && def != nil {
			return def, nil
		}
		var picked []int
		ok := answer != ""
		for _, f := range strings.FieldsFunc(answer, func(r rune) bool { return r == ',' || r == ' ' }) {
			i, err := strconv.Atoi(f)
			if err != nil || i < 1 || i > n {
				ok = false
				break
			}
			picked = append(picked, i)
		}
		if ok {
			return picked, nil
		}
		a.say("Type numbers from 1 to %d, separated by commas (for example 1,3).", n)
	}
}

func (a *Accessible) products() (step, error) {
	if a.prog.KeyHint != "" {
		a.say("Connected with %s (%s): these are fixed at connect.", strings.Join(a.prog.Products, ", "), strings.Join(a.prog.Types, ", "))
		return stepKey, nil
	}
	a.say("Which Mesh products do you resell?")
	for i, p := range mesh.Products {
		a.say("  %d. %s: %s", i+1, p.Name, p.Summary)
	}
	picked, err := a.numbers("Products (numbers, separated by commas): ", len(mesh.Products), nil)
	if err != nil {
		return stepProducts, err
	}
	var products, types []string
	for _, i := range picked {
		products = appendOnce(products, mesh.Products[i-1].Key)
	}
	a.say("Which integration types?")
	for i, t := range integrationTypes {
		a.say("  %d. %s: %s", i+1, t.name, t.summary)
	}
	picked, err = a.numbers("Types (numbers, Enter for 1, Billing): ", len(integrationTypes), []int{1})
	if err != nil {
		return stepProducts, err
	}
	for _, i := range picked {
		types = appendOnce(types, integrationTypes[i-1].key)
	}
	return stepKey, a.save(func(p *store.Progress) { p.Products, p.Types = products, types })
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func (a *Accessible) key(ctx context.Context) (step, error) {
	if a.prog.KeyConfirmed {
		return stepPortal, nil
	}
	var secret string
	var err error
	if a.prog.KeyHint == "" {
		secret, err = a.sc.connect(ctx, a.prog.Products, a.prog.Types, false)
		switch {
		case errors.Is(err, ErrAlreadyConnected):
			a.say("Synthesize says Mesh is already connected, but this program never received that key (it was issued elsewhere, or its answer was lost).")
		case secret == "":
			return stepKey, err
		}
		st, err := a.cfg.Store.Load(vendor)
		if err != nil {
			return stepKey, err
		}
		a.prog = st.Progress
	} else {
		a.say("The key ending …%s was shown before and cannot be shown again: it is never written to disk.", a.prog.KeyHint)
	}
	if secret == "" {
		ok, err := a.yes("Issue a new key? The old one stops working at once", true)
		if err != nil || !ok {
			if err == nil {
				err = errors.New("no key: run mesh-gradient again when you want a new one")
			}
			return stepKey, err
		}
		if secret, err = a.cfg.Partner.RotateKey(ctx); err != nil {
			return stepKey, fmt.Errorf("new key: %w", err)
		}
		hint, sha := fingerprint(secret)
		now := a.cfg.Now().UTC()
		if err := a.save(func(p *store.Progress) {
			p.KeyHint, p.KeySHA256, p.KeyConfirmed = hint, sha, false
			if p.ConnectedAt.IsZero() {
				p.ConnectedAt = now
			}
		}); err != nil {
			return stepKey, err
		}
	}
	a.say("Synthesize issued this API key. It is shown only this once and never saved by this program; keep it somewhere safe:")
	a.say("%s", secret)
	for {
		ok, err := a.yes("Have you saved the key", false)
		if err != nil {
			return stepKey, err
		}
		if ok {
			return stepPortal, a.save(func(p *store.Progress) { p.KeyConfirmed = true })
		}
		a.say("Save it first: Mesh needs it in the next step, and it cannot be shown again.")
	}
}

func (a *Accessible) portal() (step, error) {
	a.say("Which Mesh portal does your account live in?")
	def := 1
	for i, p := range mesh.Portals {
		a.say("  %d. %s: %s", i+1, p.Name, portalURL(a.cfg, p.Region))
		if p.Region == a.prog.Region {
			def = i + 1
		}
	}
	picked, err := a.numbers(fmt.Sprintf("Portal (Enter for %d): ", def), len(mesh.Portals), []int{def})
	if err != nil {
		return stepPortal, err
	}
	region := mesh.Portals[picked[0]-1].Region
	if err := a.save(func(p *store.Progress) { p.Region = region }); err != nil {
		return stepPortal, err
	}
	// No browser is opened here: a line-by-line session may be a screen
	// reader's or a dumb terminal's, where a text browser would take over.
	a.say("%s", strings.TrimRight(meshSteps(portalURL(a.cfg, region)), "\n"))
	return stepWaiting, nil
}

// targetSet is what a row can be mapped to: companies or products.
type targetSet struct {
	k       mappingKind
	index   *match.Index
	targets map[string]string
}

func (t targetSet) describe(m *store.Mapping) string {
	if m.Ignored {
		return "do not bill"
	}
	return name(t.targets, m.Target)
}

// pickTarget offers the five likeliest targets for a row, a search of all
// of them and, for accounts, do not bill. Enter answers nil (none chosen:
// leave, the words say what that means here).
func (a *Accessible) pickTarget(t targetSet, rowName, leave string) (*store.Mapping, error) {
	ranked := t.index.Rank(rowName)
	if len(ranked) > 5 {
		ranked = ranked[:5]
	}
	for j, c := range ranked {
		a.say("  %d. %s (%s)", j+1, c.Name, percent(c.Score))
	}
	prompt := fmt.Sprintf("Number, s to search all %s, or Enter to %s: ", t.k.targets, leave)
	if t.k.allowIgnore {
		a.say("  0. Do not bill")
		prompt = fmt.Sprintf("Number (0 do not bill), s to search all %s, or Enter to %s: ", t.k.targets, leave)
	}
	for {
		answer, err := a.ask(prompt)
		if err != nil || answer == "" {
			return nil, err
		}
		if strings.EqualFold(answer, "s") {
			query, err := a.ask("Search for: ")
			if err != nil {
				return nil, err
			}
			ranked = search(t.targets, query, 9)
			if len(ranked) == 0 {
				a.say("No %s matches %q.", t.k.target, query)
			}
			for j, c := range ranked {
				a.say("  %d. %s", j+1, c.Name)
			}
			continue
		}
		switch n, err := strconv.Atoi(answer); {
		case err == nil && n == 0 && t.k.allowIgnore:
			return &store.Mapping{Ignored: true}, nil
		case err == nil && n >= 1 && n <= len(ranked):
			return &store.Mapping{Target: ranked[n-1].ID}, nil
		}
		a.say("Type a number from the list.")
	}
}

// mapping asks for each account (or service) still unmapped, after
// offering every suggestion above the threshold at once; with change
// (an update from home) it then offers to change any other row.
func (a *Accessible) mapping(ctx context.Context, s step, change bool) (step, error) {
	d, err := fetchAndMatch(a.cfg.Partner, func(loadProgress) {})
	if err != nil {
		return s, err
	}
	k, ids, names, suggestions, index, targets := accountKind, d.accounts, d.accountNames, d.accountSuggestions, d.companyIndex, d.companyNames
	var order []string
	for _, x := range ids {
		order = append(order, x.ID)
	}
	if s == stepServices {
		k, names, suggestions, index, targets = serviceKind, d.serviceNames, d.serviceSuggestions, d.productIndex, d.productNames
		order = order[:0]
		for _, x := range d.services {
			order = append(order, x.ID)
		}
	}
	st, err := a.cfg.Store.Load(vendor)
	if err != nil {
		return s, err
	}
	drafts := st.Accounts
	if s == stepServices {
		drafts = st.Services
	}
	if len(drafts) == 0 {
		remoteAccounts, remoteServices := remoteDrafts(d.mappings)
		drafts = remoteAccounts
		if s == stepServices {
			drafts = remoteServices
		}
		if len(drafts) > 0 {
			if err := a.cfg.Store.Replace(vendor, k.kind, drafts); err != nil {
				return s, err
			}
		}
	}
	if drafts == nil {
		drafts = map[string]store.Mapping{}
	}
	choose := func(id string, m *store.Mapping) error {
		if m == nil {
			delete(drafts, id)
		} else {
			drafts[id] = *m
		}
		_, err := a.cfg.Store.Apply(vendor, k.kind, map[string]*store.Mapping{id: m})
		return err
	}
	var sure []string
	for _, id := range order {
		if _, done := drafts[id]; !done {
			if sg, ok := suggestions[id]; ok && sg.Score >= a.cfg.Threshold {
				sure = append(sure, id)
			}
		}
	}
	a.say("%d %s, %d mapped so far; %d unmapped %s a suggestion at %s or more.", len(order), plural(len(order), k.noun, k.nouns),
		len(drafts), len(sure), plural(len(sure), "has", "have"), percent(a.cfg.Threshold))
	if len(sure) > 0 {
		question := fmt.Sprintf("Accept those %d suggestions", len(sure))
		if len(sure) == 1 {
			question = "Accept the suggestion"
		}
		ok, err := a.yes(question, true)
		if err != nil {
			return s, err
		}
		if ok {
			set := map[string]*store.Mapping{}
			for _, id := range sure {
				m := store.Mapping{Target: suggestions[id].ID}
				set[id], drafts[id] = &m, m
			}
			if _, err := a.cfg.Store.Apply(vendor, k.kind, set); err != nil {
				return s, err
			}
			a.say("Accepted %d %s.", len(sure), plural(len(sure), "suggestion", "suggestions"))
		}
	}
	var left []string
	for _, id := range order {
		if _, done := drafts[id]; !done {
			left = append(left, id)
		}
	}
	t := targetSet{k: k, index: index, targets: targets}
	for i, id := range left {
		a.say("\n%s %d of %d unmapped: %s", strings.ToUpper(k.noun[:1])+k.noun[1:], i+1, len(left), names[id])
		m, err := a.pickTarget(t, names[id], "leave it unmapped")
		if err != nil {
			return s, err
		}
		if m != nil {
			if err := choose(id, m); err != nil {
				return s, err
			}
			a.say("Saved: %s → %s.", names[id], t.describe(m))
		}
	}
	// An update may change any mapping, not only the unmapped ones.
	for change {
		query, err := a.ask(fmt.Sprintf("\nChange another %s? Type part of its name, or Enter to finish: ", k.noun))
		if err != nil {
			return s, err
		}
		if query == "" {
			break
		}
		found := search(names, query, 9)
		if len(found) == 0 {
			a.say("No %s matches %q.", k.noun, query)
			continue
		}
		for j, f := range found {
			now := "unmapped"
			if m, ok := drafts[f.ID]; ok {
				now = t.describe(&m)
			}
			a.say("  %d. %s (now: %s)", j+1, f.Name, now)
		}
		picked, err := a.numbers("Which one (number): ", len(found), nil)
		if err != nil {
			return s, err
		}
		row := found[picked[0]-1]
		m, err := a.pickTarget(t, row.Name, "unmap it")
		if err != nil {
			return s, err
		}
		if err := choose(row.ID, m); err != nil {
			return s, err
		}
		if m == nil {
			a.say("Saved: %s is unmapped.", row.Name)
		} else {
			a.say("Saved: %s → %s.", row.Name, t.describe(m))
		}
	}
	if s == stepAccounts {
		return stepServices, nil
	}
	return stepReview, nil
}

func (a *Accessible) review(ctx context.Context) (step, error) {
	d, err := fetchAndMatch(a.cfg.Partner, func(loadProgress) {})
	if err != nil {
		return stepReview, err
	}
	st, err := a.cfg.Store.Load(vendor)
	if err != nil {
		return stepReview, err
	}
	mapped, ignored, companies := 0, 0, map[string]bool{}
	var unmapped []string
	for _, acc := range d.accounts {
		switch m, ok := st.Accounts[acc.ID]; {
		case !ok:
			unmapped = append(unmapped, d.accountNames[acc.ID])
		case m.Ignored:
			ignored++
		default:
			mapped++
			companies[m.Target] = true
		}
	}
	services := 0
	for _, sv := range d.services {
		if st.Services[sv.ID].Target != "" {
			services++
		}
	}
	a.say("%d %s: %d mapped to %d %s, %d do not bill, %d unmapped · %d %s: %d mapped.",
		len(d.accounts), plural(len(d.accounts), "account", "accounts"), mapped, len(companies), plural(len(companies), "company", "companies"),
		ignored, len(unmapped), len(d.services), plural(len(d.services), "service", "services"), services)
	if len(unmapped) > 0 {
		a.say("Unmapped, so not billed: %s.", sample(unmapped, 6))
	}
	ok, err := a.yes("Write these mappings to Synthesize (it replaces the whole set; you can update them later)", true)
	if err != nil {
		return stepReview, err
	}
	if !ok {
		return stepAccounts, nil
	}
	w, err := a.sc.write(ctx, d, st.Accounts, st.Services, false)
	if err != nil {
		return stepReview, err
	}
	a.say("Wrote the mappings to Synthesize (%s).", w)
	st, _ = a.cfg.Store.Load(vendor)
	a.prog = st.Progress
	return stepFinalSync, nil
}

// finalSync waits for the usage of the mapped accounts, as the screen
// does: all of it, or Mesh synced after the write and then went quiet.
func (a *Accessible) finalSync(ctx context.Context) (step, error) {
	a.say("One more Gradient Sync brings the usage in. In Mesh (%s):", portalURL(a.cfg, a.prog.Region))
	for i, st := range mesh.FinalSyncSteps {
		a.say("  %d. %s", i+1, st)
	}
	a.say("Waiting for usage…")
	wait, last, lastSync, quietSince := a.cfg.PollEvery, "", time.Time{}, time.Now()
	for {
		pctx, cancel := context.WithTimeout(ctx, callTimeout)
		d, err1 := a.cfg.Partner.Integration(pctx)
		m, err2 := a.cfg.Partner.Mappings(pctx)
		rows, err3 := a.cfg.Partner.Billing(pctx)
		cancel()
		if err := errors.Join(err1, err2, err3); err != nil {
			a.say("Synthesize did not answer (%s); asking again.", clean(err.Error()))
		} else {
			arrivedN, expected := usageArrived(m, rows)
			var synced time.Time
			if d.LastSyncAt != nil {
				synced = *d.LastSyncAt
			}
			if !synced.Equal(lastSync) {
				lastSync, quietSince = synced, time.Now()
			}
			if line := fmt.Sprintf("Usage arrived for %d of %d mapped accounts.", arrivedN, expected); line != last {
				a.say("%s", line)
				last = line
			}
			after := !synced.IsZero() && synced.After(a.prog.SyncBeforeFinal)
			if expected > 0 && arrivedN >= expected || arrivedN > 0 && after && time.Since(quietSince) >= a.cfg.SyncQuiet {
				now := a.cfg.Now().UTC()
				return stepBilling, a.save(func(p *store.Progress) { p.UsageArrivedAt, p.Onboarded = now, true })
			}
		}
		select {
		case <-ctx.Done():
			return stepFinalSync, ErrInterrupted
		case <-time.After(wait):
		}
		wait = min(wait*3/2, 5*time.Second)
	}
}

func (a *Accessible) billing(ctx context.Context) error {
	r, err := a.sc.Reconcile(ctx, false)
	if err != nil {
		return err
	}
	a.say("%d billing rows. %s", len(r.Lines), mesh.DiscrepancyNote)
	for _, l := range r.Lines {
		if l.Difference != 0 {
			a.say("  %s, %s, %s: Mesh usage %s, PSA %s, difference %s", l.Company, l.Account, l.Product, qty(l.AgreementUsage), qty(l.BilledQuantity), signed(l.Difference))
		}
	}
	if r.Differ == 0 {
		a.say("Every PSA quantity matches Mesh's usage.")
		return nil
	}
	ok, err := a.yes(fmt.Sprintf("Set the %d differing PSA %s to Mesh's usage (%s units, %s a month)",
		r.Differ, plural(r.Differ, "quantity", "quantities"), signed(r.Units), money2(r.Money)), false)
	if err != nil || !ok {
		if err == nil {
			a.say("Nothing was changed.")
		}
		return err
	}
	done, err := a.sc.Reconcile(ctx, true)
	if err != nil {
		return err
	}
	a.say("Set %d PSA %s to Mesh's usage.", done.Applied, plural(done.Applied, "quantity", "quantities"))
	return nil
}

// home is the connected integration's menu.
func (a *Accessible) home(ctx context.Context) error {
	for {
		status, err := CollectStatus(ctx, a.cfg.Partner, a.cfg.Store)
		if err != nil {
			return err
		}
		a.say("\nHome · Mesh is connected, vendor status %s; %d accounts (%d mapped, %d do not bill, %d unmapped).",
			clean(status.Status), status.Counts.Accounts, status.MappedAccounts, status.IgnoredAccounts, status.UnmappedAccounts)
		a.say("  1. Billing and reconcile\n  2. Update account mappings\n  3. Update service mappings\n  4. Issue a new key\n  5. Disconnect\n  6. Quit")
		picked, err := a.numbers("Choice: ", 6, nil)
		if err != nil {
			return err
		}
		switch picked[0] {
		case 1:
			err = a.billing(ctx)
		case 2:
			err = a.update(ctx, stepAccounts)
		case 3:
			err = a.update(ctx, stepServices)
		case 4:
			err = a.rekey(ctx)
		case 5:
			a.say("%s", DisconnectWarning)
			answer, err := a.ask("Type disconnect to go on, or Enter to keep everything: ")
			if err != nil {
				return err
			}
			if answer != "disconnect" {
				a.say("Not disconnected: nothing changed.")
				continue
			}
			if err := Disconnect(ctx, a.cfg.Partner, a.cfg.Store); err != nil {
				return err
			}
			a.say("Disconnected: Synthesize revoked the key and deleted every mapping, and the local state for Mesh was wiped.")
			return nil
		case 6:
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// rekey issues a new key after a yes, and shows it once.
func (a *Accessible) rekey(ctx context.Context) error {
	ok, err := a.yes("Issue a new key? The old one stops working at once, until you paste the new one in Mesh", false)
	if err != nil || !ok {
		return err
	}
	key, err := a.sc.Rekey(ctx)
	if key == "" {
		return err
	}
	a.say("The new API key, shown only this once and never saved by this program:\n%s", key)
	a.say("In the Mesh portal (%s), Settings → Gradient: paste it and press Submit.", portalURL(a.cfg, a.prog.Region))
	return err
}

// update starts from what Synthesize holds, maps what is unmapped and
// offers to change anything else, then writes the differences, as an
// update from the home screen does.
func (a *Accessible) update(ctx context.Context, s step) error {
	d, err := fetchAndMatch(a.cfg.Partner, func(loadProgress) {})
	if err != nil {
		return err
	}
	accounts, services := remoteDrafts(d.mappings)
	if err := errors.Join(a.cfg.Store.Replace(vendor, store.KindAccounts, accounts), a.cfg.Store.Replace(vendor, store.KindServices, services),
		a.save(func(p *store.Progress) { p.Updating = true })); err != nil {
		return err
	}
	if _, err := a.mapping(ctx, s, true); err != nil {
		return err
	}
	st, err := a.cfg.Store.Load(vendor)
	if err != nil {
		return err
	}
	w, err := a.sc.write(ctx, d, st.Accounts, st.Services, false)
	if err != nil {
		return err
	}
	if !w.Wrote {
		a.say("Nothing changed, so nothing was written.")
		return a.save(func(p *store.Progress) { p.Updating = false })
	}
	a.say("Mappings updated in Synthesize: %s.", w)
	return nil
}

// search finds the names that hold the query's words (the pickers'
// filter), best first as the pickers rank them, at most n.
func search(names map[string]string, query string, n int) []match.Scored {
	ids := make([]string, 0, len(names))
	for id := range names {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return strings.ToLower(names[ids[i]]) < strings.ToLower(names[ids[j]]) })
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = names[id]
	}
	var out []match.Scored
	for _, r := range ui.Filter(query, list) {
		if len(out) == n {
			break
		}
		out = append(out, match.Scored{Candidate: match.Candidate{ID: ids[r.Index], Name: list[r.Index]}})
	}
	return out
}
