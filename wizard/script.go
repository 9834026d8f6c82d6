package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
)

// Script runs the wizard's steps without a screen, for the scripted
// commands. It writes the same state file as the wizard, so a person can
// open the wizard at any point of a scripted onboarding and carry on.
type Script struct {
	Partner *gradient.PartnerClient
	Store   *store.Store
	// Progress hears what a long step is doing (stderr, for a person
	// watching a script run); nil discards it.
	Progress io.Writer
	// Now is the clock; default time.Now.
	Now func() time.Time
	// PollEvery is the first wait between polls of Synthesize; default 1s.
	PollEvery time.Duration
	// CycleUsage: as Config.CycleUsage.
	CycleUsage func(accountID, product string) (float64, bool)
}

// InputError is bad input from the user or a file: the command's usage,
// or rows of an import. Its message lists every problem.
type InputError struct{ Problems []string }

func (e *InputError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0]
	}
	return fmt.Sprintf("%d problems:\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// ErrAlreadyConnected: a connect found Mesh connected already, so its key
// was issued before (elsewhere, or in an answer that was lost).
var ErrAlreadyConnected = errors.New("Mesh is already connected in Synthesize, and its key cannot be shown again. " +
	"For a new key run mesh-gradient and press r on the key screen; to start over, mesh-gradient disconnect --yes")

// ErrNotConnected: Mesh is not connected in Synthesize.
var ErrNotConnected = errors.New("Mesh is not connected in Synthesize; run mesh-gradient, or mesh-gradient connect")

func (s Script) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s Script) say(format string, args ...any) {
	if s.Progress != nil {
		fmt.Fprintf(s.Progress, format+"\n", args...)
	}
}

// CheckConnectChoice validates products and types before anything is
// asked of Synthesize.
func CheckConnectChoice(products, types []string) error {
	productKeys := make([]string, len(mesh.Products))
	for i, p := range mesh.Products {
		productKeys[i] = p.Key
	}
	typeKeys := make([]string, len(integrationTypes))
	for i, t := range integrationTypes {
		typeKeys[i] = t.key
	}
	problems := append(checkChoice("product", "--products", products, productKeys), checkChoice("type", "--types", types, typeKeys)...)
	if problems != nil {
		return &InputError{Problems: problems}
	}
	return nil
}

func checkChoice(what, flag string, given, known []string) []string {
	list := strings.Join(known, ", ")
	if len(given) == 0 {
		return []string{fmt.Sprintf("choose at least one %s with %s (%s)", what, flag, list)}
	}
	var problems []string
	for _, g := range given {
		if !slices.Contains(known, g) {
			problems = append(problems, fmt.Sprintf("unknown %s %q (%ss: %s)", what, g, what, list))
		}
	}
	return problems
}

// Connect connects Mesh and answers the one-time key. The state file keeps
// the choice and the key's fingerprint, and marks the key as saved: the
// caller has put it in a file or on stdout, where it stays.
func (s Script) Connect(ctx context.Context, products, types []string) (string, error) {
	return s.connect(ctx, products, types, true)
}

// connect connects; saved says whether the key counts as saved already
// (a script put it in a file) or waits for the person to say so.
func (s Script) connect(ctx context.Context, products, types []string, saved bool) (string, error) {
	if err := CheckConnectChoice(products, types); err != nil {
		return "", err
	}
	conn, err := s.Partner.Connect(ctx, products, types)
	if gradient.StatusOf(err) == 409 {
		return "", ErrAlreadyConnected
	}
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	hint, sha := fingerprint(conn.APIKey)
	now := s.now().UTC()
	err = s.Store.UpdateProgress(vendor, func(p *store.Progress) {
		p.Products, p.Types = products, types
		p.KeyHint, p.KeySHA256, p.KeyConfirmed, p.ConnectedAt = hint, sha, saved, now
		p.Step = stepPortal.String()
		if !saved {
			p.Step = stepKey.String()
		}
	})
	if err != nil {
		return conn.APIKey, fmt.Errorf("connected, but saving progress to %s failed: %w", s.Store.Path(), err)
	}
	return conn.APIKey, nil
}

// Rekey issues a new key for the connected integration (the old one
// stops working at once) and records its fingerprint.
func (s Script) Rekey(ctx context.Context) (string, error) {
	if _, err := s.connected(ctx); err != nil {
		return "", err
	}
	key, err := s.Partner.RotateKey(ctx)
	if err != nil {
		return "", fmt.Errorf("new key: %w", err)
	}
	hint, sha := fingerprint(key)
	err = s.Store.UpdateProgress(vendor, func(p *store.Progress) { p.KeyHint, p.KeySHA256, p.KeyConfirmed = hint, sha, true })
	if err != nil {
		return key, fmt.Errorf("new key issued, but saving progress to %s failed: %w", s.Store.Path(), err)
	}
	return key, nil
}

// connected fails with ErrNotConnected unless Synthesize says Mesh is.
func (s Script) connected(ctx context.Context) (gradient.IntegrationDetail, error) {
	d, err := s.Partner.Integration(ctx)
	if err != nil {
		return d, err
	}
	if !d.Connected {
		return d, ErrNotConnected
	}
	return d, nil
}

// WaitSync waits until Mesh has checked in and sent its accounts and
// services, saying on Progress what it sees as it changes.
func (s Script) WaitSync(ctx context.Context) error {
	if _, err := s.connected(ctx); err != nil {
		return err
	}
	wait := s.PollEvery
	if wait <= 0 {
		wait = time.Second
	}
	ctx = gradient.WithRetryReport(ctx, func(r gradient.Retry) {
		s.say("retrying: %s (attempt %d of %d)", clean(r.Reason), r.Attempt+1, r.MaxAttempts)
	})
	last := ""
	for {
		d, err := s.Partner.Integration(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return fmt.Errorf("Mesh has not finished its first Gradient Sync (last seen: %s); press Gradient Sync in the Mesh portal and run wait-sync again", orNothing(last))
		case err != nil:
			s.say("Synthesize did not answer (%s); asking again", clean(err.Error()))
		case !d.Connected:
			return ErrNotConnected
		case arrived(d):
			s.say("arrived: status %s, %d accounts, %d services", clean(d.Status), d.Counts.Accounts, d.Counts.Services)
			return s.Store.UpdateProgress(vendor, func(p *store.Progress) {
				if parseStep(p.Step) < stepAccounts {
					p.Step = stepAccounts.String()
				}
			})
		default:
			seen := fmt.Sprintf("status %s, %d accounts, %d services", clean(d.Status), d.Counts.Accounts, d.Counts.Services)
			if seen != last {
				s.say("waiting for Mesh's Gradient Sync: %s", seen)
				last = seen
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("Mesh has not finished its first Gradient Sync (last seen: %s); press Gradient Sync in the Mesh portal and run wait-sync again", orNothing(last))
		case <-timer.C:
		}
		wait = min(wait*3/2, 5*time.Second)
	}
}

func orNothing(s string) string {
	if s == "" {
		return "no answer yet"
	}
	return s
}

// MappingRow is one line of an export or an import: a Mesh account or
// service, what it is mapped to, and the suggestion with its confidence.
type MappingRow struct {
	Kind           string  `json:"kind"` // "account" or "service"
	MeshID         string  `json:"mesh_id"`
	MeshName       string  `json:"mesh_name"`
	MappedID       string  `json:"mapped_id"` // company or product id; "" unmapped
	MappedName     string  `json:"mapped_name"`
	DoNotBill      bool    `json:"do_not_bill"`
	SuggestionID   string  `json:"suggestion_id"`
	SuggestionName string  `json:"suggestion_name"`
	Confidence     float64 `json:"confidence"` // 0–1; 0 without a suggestion
	line           int     // in the imported file, for messages
	problem        string  // what reading the row found wrong
}

// load fetches what the mapping commands need and checks the connection.
func (s Script) load(ctx context.Context) (*remoteData, error) {
	if _, err := s.connected(ctx); err != nil {
		return nil, err
	}
	return fetchAndMatch(s.Partner, func(loadProgress) {})
}

// ExportMappings lists every account and service with its current mapping
// in Synthesize and the suggestion, accounts first, each in name order.
func (s Script) ExportMappings(ctx context.Context) ([]MappingRow, error) {
	d, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	accounts, services := remoteDrafts(d.mappings)
	return exportRows(d, accounts, services), nil
}

// base is what a scripted change starts from: Synthesize's mappings, or,
// while the wizard holds choices not yet written (onboarding before the
// write, or an update in progress), those choices, so a script never
// throws away what a person chose.
func (s Script) base(d *remoteData) (accounts, services map[string]store.Mapping, err error) {
	st, err := s.Store.Load(vendor)
	if err != nil {
		return nil, nil, err
	}
	pending := st.Progress.Updating || st.Progress.MappingsWrittenAt.IsZero()
	if pending && len(st.Accounts)+len(st.Services) > 0 {
		s.say("starting from the %d account and %d service choices saved in %s and not yet written to Synthesize",
			len(st.Accounts), len(st.Services), s.Store.Path())
		return clone(st.Accounts), clone(st.Services), nil
	}
	accounts, services = remoteDrafts(d.mappings)
	return accounts, services, nil
}

func exportRows(d *remoteData, accounts, services map[string]store.Mapping) []MappingRow {
	var rows []MappingRow
	for _, a := range d.accounts {
		r := MappingRow{Kind: "account", MeshID: a.ID, MeshName: d.accountNames[a.ID]}
		if m, ok := accounts[a.ID]; ok {
			r.MappedID, r.DoNotBill = m.Target, m.Ignored
			if m.Target != "" {
				r.MappedName = name(d.companyNames, m.Target)
			}
		}
		if sg, ok := d.accountSuggestions[a.ID]; ok {
			r.SuggestionID, r.SuggestionName, r.Confidence = sg.ID, sg.Name, round2(sg.Score)
		}
		rows = append(rows, r)
	}
	for _, sv := range d.services {
		r := MappingRow{Kind: "service", MeshID: sv.ID, MeshName: d.serviceNames[sv.ID]}
		if m, ok := services[sv.ID]; ok && m.Target != "" {
			r.MappedID, r.MappedName = m.Target, name(d.productNames, m.Target)
		}
		if sg, ok := d.serviceSuggestions[sv.ID]; ok {
			r.SuggestionID, r.SuggestionName, r.Confidence = sg.ID, sg.Name, round2(sg.Score)
		}
		rows = append(rows, r)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Kind != rows[j].Kind {
			return rows[i].Kind == "account"
		}
		return strings.ToLower(rows[i].MeshName) < strings.ToLower(rows[j].MeshName)
	})
	return rows
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// Written says what a mapping write changed.
type Written struct {
	Added, Changed, Removed int
	Wrote                   bool // false: a dry run, or nothing changed
}

func (w Written) String() string {
	return fmt.Sprintf("%d added, %d changed, %d removed", w.Added, w.Changed, w.Removed)
}

// ImportMappings checks every row against what Synthesize lists, and
// writes nothing unless all are right; then it applies them on top of the
// current mappings (accounts and services not in the file keep theirs).
func (s Script) ImportMappings(ctx context.Context, rows []MappingRow, dryRun bool) (Written, error) {
	d, err := s.load(ctx)
	if err != nil {
		return Written{}, err
	}
	nextAccounts, nextServices, err := s.base(d)
	if err != nil {
		return Written{}, err
	}
	var problems []string
	seen := map[string]int{}
	for i, r := range rows {
		n := r.line
		if n == 0 {
			n = i + 1
		}
		at := fmt.Sprintf("row %d", n)
		kind := strings.ToLower(strings.TrimSpace(r.Kind))
		id, target := strings.TrimSpace(r.MeshID), strings.TrimSpace(r.MappedID)
		if first, dup := seen[kind+"\x00"+id]; dup {
			problems = append(problems, fmt.Sprintf("%s: %s %q is also on row %d", at, kind, id, first))
			continue
		}
		seen[kind+"\x00"+id] = n
		if r.problem != "" {
			problems = append(problems, at+": "+r.problem)
			continue
		}
		switch kind {
		case "account":
			if _, ok := d.accountNames[id]; !ok {
				problems = append(problems, fmt.Sprintf("%s: Synthesize has no Mesh account %q", at, id))
				continue
			}
			switch {
			case r.DoNotBill && target != "":
				problems = append(problems, fmt.Sprintf("%s: account %q has both a company (%q) and do_not_bill; choose one", at, id, target))
			case r.DoNotBill:
				nextAccounts[id] = store.Mapping{Ignored: true}
			case target == "":
				delete(nextAccounts, id)
			case !has(d.companyNames, target):
				problems = append(problems, fmt.Sprintf("%s: Synthesize has no PSA company %q (for account %q)", at, target, id))
			default:
				nextAccounts[id] = store.Mapping{Target: target}
			}
		case "service":
			if _, ok := d.serviceNames[id]; !ok {
				problems = append(problems, fmt.Sprintf("%s: Synthesize has no Mesh service %q", at, id))
				continue
			}
			switch {
			case r.DoNotBill:
				problems = append(problems, fmt.Sprintf("%s: do_not_bill is for accounts; service %q needs a product or nothing", at, id))
			case target == "":
				delete(nextServices, id)
			case !has(d.productNames, target):
				problems = append(problems, fmt.Sprintf("%s: Synthesize has no PSA product %q (for service %q)", at, target, id))
			default:
				nextServices[id] = store.Mapping{Target: target}
			}
		default:
			problems = append(problems, fmt.Sprintf("%s: kind is %q; want account or service", at, r.Kind))
		}
	}
	if problems != nil {
		return Written{}, &InputError{Problems: problems}
	}
	return s.write(ctx, d, nextAccounts, nextServices, dryRun)
}

// Suggestion is one suggestion a suggest run accepts.
type Suggestion struct {
	Kind       string  `json:"kind"`
	MeshID     string  `json:"mesh_id"`
	MeshName   string  `json:"mesh_name"`
	TargetID   string  `json:"target_id"`
	TargetName string  `json:"target_name"`
	Confidence float64 `json:"confidence"`
}

// Suggest finds the unmapped accounts and services whose suggestion
// reaches minConfidence and, with apply, maps them in Synthesize.
func (s Script) Suggest(ctx context.Context, minConfidence float64, apply bool) ([]Suggestion, Written, error) {
	if minConfidence < 0 || minConfidence > 1 {
		return nil, Written{}, &InputError{Problems: []string{fmt.Sprintf("--min-confidence %v: give a number from 0 to 1 (0.8 is 80%%)", minConfidence)}}
	}
	d, err := s.load(ctx)
	if err != nil {
		return nil, Written{}, err
	}
	nextAccounts, nextServices, err := s.base(d)
	if err != nil {
		return nil, Written{}, err
	}
	var out []Suggestion
	for _, row := range exportRows(d, clone(nextAccounts), clone(nextServices)) {
		if row.MappedID != "" || row.DoNotBill || row.SuggestionID == "" || row.Confidence < minConfidence {
			continue
		}
		out = append(out, Suggestion{Kind: row.Kind, MeshID: row.MeshID, MeshName: row.MeshName,
			TargetID: row.SuggestionID, TargetName: row.SuggestionName, Confidence: row.Confidence})
		if row.Kind == "account" {
			nextAccounts[row.MeshID] = store.Mapping{Target: row.SuggestionID}
		} else {
			nextServices[row.MeshID] = store.Mapping{Target: row.SuggestionID}
		}
	}
	w, err := s.write(ctx, d, nextAccounts, nextServices, !apply)
	return out, w, err
}

// write puts the whole mapping set in Synthesize (unless dryRun or nothing
// changed), then records it in the state file as the review screen does.
func (s Script) write(ctx context.Context, d *remoteData, accounts, services map[string]store.Mapping, dryRun bool) (Written, error) {
	oldAccounts, oldServices := remoteDrafts(d.mappings)
	var w Written
	for _, pair := range [][2]map[string]store.Mapping{{oldAccounts, accounts}, {oldServices, services}} {
		before, after := pair[0], pair[1]
		for id, m := range after {
			if old, ok := before[id]; !ok {
				w.Added++
			} else if old != m {
				w.Changed++
			}
		}
		for id := range before {
			if _, ok := after[id]; !ok {
				w.Removed++
			}
		}
	}
	if dryRun || w == (Written{}) {
		return w, nil
	}
	var m gradient.Mappings
	for _, id := range sortedIDs(accounts) {
		a := accounts[id]
		m.Accounts = append(m.Accounts, gradient.AccountMapping{AccountID: id, CompanyID: a.Target, Ignored: a.Ignored})
	}
	for _, id := range sortedIDs(services) {
		m.Services = append(m.Services, gradient.ServiceMapping{ServiceID: id, ProductID: services[id].Target})
	}
	if err := s.Partner.PutMappings(ctx, m); err != nil {
		var ae *gradient.APIError
		if errors.As(err, &ae) && !ae.AfterLostAnswer {
			return w, fmt.Errorf("nothing was written: %w", err)
		}
		return w, fmt.Errorf("Synthesize did not answer, so it may or may not have the new mappings (run it again: writing the same set twice is safe): %w", err)
	}
	w.Wrote = true
	var lastSync time.Time
	if det, err := s.Partner.Integration(ctx); err == nil && det.LastSyncAt != nil {
		lastSync = *det.LastSyncAt
	}
	known := make([]string, 0, len(d.accounts))
	for _, a := range d.accounts {
		known = append(known, a.ID)
	}
	now := s.now().UTC()
	err := errors.Join(
		s.Store.Replace(vendor, store.KindAccounts, accounts),
		s.Store.Replace(vendor, store.KindServices, services),
		s.Store.UpdateProgress(vendor, func(p *store.Progress) {
			p.MappingsWrittenAt, p.KnownAccounts, p.Updating = now, known, false
			if !p.Onboarded {
				p.SyncBeforeFinal = lastSync
				p.Step = stepFinalSync.String()
			}
		}))
	if err != nil {
		return w, fmt.Errorf("written to Synthesize, but recording it in %s failed: %w", s.Store.Path(), err)
	}
	return w, nil
}

func clone(m map[string]store.Mapping) map[string]store.Mapping {
	out := make(map[string]store.Mapping, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func has(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func sortedIDs(m map[string]store.Mapping) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// BillingLine is one account × service of the billing view, as reconcile
// reports it.
type BillingLine struct {
	Company        string    `json:"company"`
	CompanyID      string    `json:"company_id"`
	Account        string    `json:"account"`
	AccountID      string    `json:"account_id"`
	Service        string    `json:"service"`
	ServiceID      string    `json:"service_id"`
	Product        string    `json:"product"`
	ProductID      string    `json:"product_id"`
	Usage          float64   `json:"usage"`
	AgreementUsage float64   `json:"agreement_usage"` // every account on this company's product
	BilledQuantity float64   `json:"billed_quantity"`
	Difference     float64   `json:"difference"`
	UnitPrice      float64   `json:"unit_price"`
	SnapshotAt     time.Time `json:"snapshot_at"`
}

// Reconciled is what a reconcile run saw and did.
type Reconciled struct {
	Lines   []BillingLine `json:"lines"`
	Differ  int           `json:"agreements_differing"` // before any change
	Applied int           `json:"agreements_set"`       // quantities changed by --apply
	Units   float64       `json:"units_changed"`
	Money   float64       `json:"money_changed"`
}

// Reconcile reads the billing view; with apply it sets every differing
// PSA quantity to Mesh's usage and reads the view again.
func (s Script) Reconcile(ctx context.Context, apply bool) (Reconciled, error) {
	d, err := s.load(ctx)
	if err != nil {
		return Reconciled{}, err
	}
	raw, err := s.Partner.Billing(ctx)
	if err != nil {
		return Reconciled{}, err
	}
	lines := joinBilling(nil, raw, d, s.CycleUsage)
	items, units, money := differing(lines)
	out := Reconciled{Differ: len(items), Units: units, Money: money}
	if apply && len(items) > 0 {
		if _, err := s.Partner.Reconcile(ctx, items); err != nil {
			return out, fmt.Errorf("reconcile: %w", err)
		}
		out.Applied = len(items)
		if raw, err = s.Partner.Billing(ctx); err != nil {
			return out, fmt.Errorf("reconciled %d quantities, but reading the billing view again failed: %w", len(items), err)
		}
		lines = joinBilling(nil, raw, d, s.CycleUsage)
	}
	if len(raw) > 0 {
		now := s.now().UTC()
		err := s.Store.UpdateProgress(vendor, func(p *store.Progress) {
			if !p.Onboarded && !p.MappingsWrittenAt.IsZero() {
				p.UsageArrivedAt, p.Onboarded, p.Step = now, true, stepBilling.String()
			}
		})
		if err != nil {
			return out, err
		}
	}
	for _, l := range lines {
		out.Lines = append(out.Lines, BillingLine{Company: l.company, CompanyID: l.CompanyID, Account: l.account, AccountID: l.AccountID,
			Service: l.service, ServiceID: l.ServiceID, Product: l.product, ProductID: l.ProductID, Usage: l.Usage,
			AgreementUsage: l.groupUsage, BilledQuantity: l.BilledQuantity, Difference: l.diff, UnitPrice: l.UnitPrice, SnapshotAt: l.SnapshotAt})
	}
	sort.SliceStable(out.Lines, func(i, j int) bool {
		a, b := out.Lines[i], out.Lines[j]
		if a.Company != b.Company {
			return strings.ToLower(a.Company) < strings.ToLower(b.Company)
		}
		return a.Account+a.Service < b.Account+b.Service
	})
	return out, nil
}
