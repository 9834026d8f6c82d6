package core

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui/text"
)

// BillingLine is one account × service of the billing view, with names,
// and the difference at the level the PSA bills: one agreement per
// company and product.
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
	Difference     float64   `json:"difference"` // agreement usage − billed quantity
	UnitPrice      float64   `json:"unit_price"`
	SnapshotAt     time.Time `json:"snapshot_at"`
	Shared         int       `json:"-"` // accounts on the agreement
	Cycle          *float64  `json:"-"` // Mesh's start-of-cycle count, when known
	// Mesh's own numbers, when the program or Synthesize read Mesh: what
	// it bills this cycle, its protected users now (only from a read by
	// this program), and when the cycle ends ("2026-12-01").
	MeshBilled *float64 `json:"mesh_licenses_billed"`
	MeshUsers  *float64 `json:"mesh_user_count"`
	CycleEnds  string   `json:"cycle_ends"`
}

// Key names the line for a reconcile.
func (l BillingLine) Key() gradient.BillingKey {
	return gradient.BillingKey{AccountID: l.AccountID, ServiceID: l.ServiceID}
}

// JoinBilling gives each billing row its names, the usage of every
// account on its agreement, the difference at that level and, when
// known, Mesh's cycle count. d may be nil (names are then the ids).
func JoinBilling(raw []gradient.BillingRow, d *Data, cycle func(accountID, product string) (float64, bool)) []BillingLine {
	if d == nil {
		d = &Data{}
	}
	type agreement struct{ company, product string }
	usage, shared := map[agreement]float64{}, map[agreement]int{}
	for _, r := range raw {
		a := agreement{r.CompanyID, r.ProductID}
		usage[a] += r.Usage
		shared[a]++
	}
	lines := make([]BillingLine, 0, len(raw))
	for _, r := range raw {
		a := agreement{r.CompanyID, r.ProductID}
		l := BillingLine{Company: name(d.companyNames, r.CompanyID), CompanyID: r.CompanyID,
			Account: name(d.accountNames, r.AccountID), AccountID: r.AccountID,
			Service: name(d.serviceNames, r.ServiceID), ServiceID: r.ServiceID,
			Product: name(d.productNames, r.ProductID), ProductID: r.ProductID,
			Usage: r.Usage, AgreementUsage: usage[a], BilledQuantity: r.BilledQuantity,
			Difference: usage[a] - r.BilledQuantity, UnitPrice: r.UnitPrice, SnapshotAt: r.SnapshotAt, Shared: shared[a]}
		if key, ok := d.serviceProduct[r.ServiceID]; ok && cycle != nil {
			if n, ok := cycle(r.AccountID, key); ok {
				l.Cycle = &n
			}
		}
		lines = append(lines, l)
	}
	withMesh(lines, raw, MeshRead{})
	return lines
}

// SortLines orders lines by company (then account and service), or by
// the size of the difference first.
func SortLines(lines []BillingLine, byDifference bool) {
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		if byDifference && math.Abs(a.Difference) != math.Abs(b.Difference) {
			return math.Abs(a.Difference) > math.Abs(b.Difference)
		}
		if a.Company != b.Company {
			return strings.ToLower(a.Company) < strings.ToLower(b.Company)
		}
		return a.Account+a.Service < b.Account+b.Service
	})
}

// Differing answers one reconcile item per agreement that differs (and
// has a PSA product), and the total change in units and money.
func Differing(lines []BillingLine) (items []gradient.BillingKey, units, money float64) {
	seen := map[[2]string]bool{}
	for _, l := range lines {
		a := [2]string{l.CompanyID, l.ProductID}
		if l.Difference == 0 || l.ProductID == "" || seen[a] {
			continue
		}
		seen[a] = true
		items = append(items, l.Key())
		units += l.Difference
		money += l.Difference * l.UnitPrice
	}
	return items, units, money
}

// Why explains a line's difference: Mesh's own cycle count when known,
// else the guide's note.
func Why(l BillingLine) string {
	if l.MeshBilled != nil {
		until := ""
		if l.CycleEnds != "" {
			until = " (until " + CycleEndsShort(l.CycleEnds) + ")"
		}
		out := fmt.Sprintf("Mesh bills %s this cycle%s; Synthesize's snapshot is %s.", text.Qty(*l.MeshBilled), until, text.Qty(l.Usage))
		if l.MeshUsers != nil {
			out += fmt.Sprintf(" Mesh protects %s %s now.", text.Qty(*l.MeshUsers), text.Plural(int(*l.MeshUsers), "user", "users"))
		}
		return out
	}
	if l.Cycle != nil {
		return fmt.Sprintf("Mesh's own portal shows %s: the count at the start of this billing cycle. Synthesize got a snapshot of %s, so the two differ.",
			text.Qty(*l.Cycle), text.Qty(l.Usage))
	}
	return mesh.DiscrepancyNote
}

// BillingRows reads the billing view of Mesh as Synthesize has it.
func (s *Session) BillingRows(ctx context.Context) ([]gradient.BillingRow, error) {
	ctx, cancel := CallContext(ctx)
	defer cancel()
	return s.cfg.Partner.Billing(ctx)
}

// Join is JoinBilling with what the session knows of Mesh's cycle counts.
// and, from the last ReadMesh, Mesh's own numbers.
func (s *Session) Join(raw []gradient.BillingRow, d *Data) []BillingLine {
	lines := JoinBilling(raw, d, s.cfg.CycleUsage)
	withMesh(lines, raw, s.MeshNumbers())
	return lines
}

// Billing reads the billing view of Mesh, and Mesh's own numbers when a
// key is at hand, and joins them with d's names.
func (s *Session) Billing(ctx context.Context, d *Data) ([]BillingLine, error) {
	raw, err := s.BillingRows(ctx)
	if err != nil {
		return nil, err
	}
	s.ReadMesh(ctx)
	return s.Join(raw, d), nil
}

// Reconcile sets each item's PSA quantity to Mesh's usage.
func (s *Session) Reconcile(ctx context.Context, items []gradient.BillingKey) error {
	ctx, cancel := CallContext(ctx)
	defer cancel()
	if _, err := s.cfg.Partner.Reconcile(ctx, items); err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	return nil
}

// Reconciled is what a reconcile run saw and did: the quantities that
// differed before any change, and what --apply set.
type Reconciled struct {
	Lines    []BillingLine `json:"lines"`
	Differ   int           `json:"agreements_differing"`
	Units    float64       `json:"units_differing"`
	Money    float64       `json:"money_differing"`
	Applied  int           `json:"agreements_set"`
	UnitSet  float64       `json:"units_set"`
	MoneySet float64       `json:"money_set"`
	// Mesh says where Mesh's own numbers came from, or how to add them.
	Mesh string `json:"mesh_numbers"`
}

// ReconcileAll reads the billing view; with apply it sets every differing
// PSA quantity to Mesh's usage and reads the view again. Usage in the view
// after the mappings were written means the final sync is past.
func (s *Session) ReconcileAll(ctx context.Context, d *Data, apply bool) (Reconciled, error) {
	lines, err := s.Billing(ctx, d)
	if err != nil {
		return Reconciled{}, err
	}
	items, units, money := Differing(lines)
	out := Reconciled{Differ: len(items), Units: units, Money: money}
	if apply && len(items) > 0 {
		if err := s.Reconcile(ctx, items); err != nil {
			return out, err
		}
		out.Applied, out.UnitSet, out.MoneySet = len(items), units, money
		if lines, err = s.Billing(ctx, d); err != nil {
			return out, fmt.Errorf("reconciled %d quantities, but reading the billing view again failed: %w", len(items), err)
		}
	}
	if len(lines) > 0 && !s.Progress().MappingsWrittenAt.IsZero() {
		if _, pending := s.Advance(UsageArrived); pending() != nil {
			return out, s.unsaved("read the billing view", pending())
		}
	}
	SortLines(lines, false)
	out.Lines, out.Mesh = lines, MeshNoteFor(s.MeshNumbers(), lines)
	return out, nil
}

// BillingColumns are the CSV export's columns.
var BillingColumns = []string{"company", "company_id", "mesh_account", "account_id", "service", "service_id", "product", "product_id",
	"usage", "billed_quantity", "difference", "unit_price", "snapshot_at", "cycle_usage",
	"mesh_licenses_billed", "mesh_user_count", "cycle_ends"}

// WriteBillingCSV writes lines as CSV for a spreadsheet.
func WriteBillingCSV(w io.Writer, lines []BillingLine) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(BillingColumns)
	for _, l := range lines {
		_ = cw.Write([]string{Cell(l.Company), Cell(l.CompanyID), Cell(l.Account), Cell(l.AccountID), Cell(l.Service), Cell(l.ServiceID),
			Cell(l.Product), Cell(l.ProductID), text.Qty(l.Usage), text.Qty(l.BilledQuantity), text.Qty(l.Difference), text.Qty(l.UnitPrice),
			l.SnapshotAt.UTC().Format("2006-01-02T15:04:05Z"), optQty(l.Cycle), optQty(l.MeshBilled), optQty(l.MeshUsers), Cell(l.CycleEnds)})
	}
	cw.Flush()
	return cw.Error()
}

// optQty is a count that may be unknown ("").
func optQty(n *float64) string {
	if n == nil {
		return ""
	}
	return text.Qty(*n)
}

// Cell keeps a spreadsheet from reading a value as a formula.
func Cell(s string) string {
	if s != "" && strings.ContainsRune(cellGuarded, rune(s[0])) {
		return "'" + s
	}
	return s
}

// cellGuarded are the first characters Cell guards: those a spreadsheet
// reads as a formula, and the guard itself, so that a value that already
// starts with ' keeps it through a round trip ("'=x" is written "”=x").
const cellGuarded = "=+-@\t\r'"

// Uncell undoes Cell's guard, exactly: Uncell(Cell(s)) == s for every s.
func Uncell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune(cellGuarded, rune(s[1])) {
		return s[1:]
	}
	return s
}
