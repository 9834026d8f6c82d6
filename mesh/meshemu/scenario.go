package meshemu

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/mesh"
)

// Scenario seeds both emulators: Mesh's customers, usage and alerts, and
// the PSA's companies, products and agreements (API.md §4).
type Scenario struct {
	Mesh MeshData     `json:"mesh"`
	PSA  synthemu.PSA `json:"psa"`
}

// MeshData is Mesh's side of a scenario.
type MeshData struct {
	Accounts []ScenarioAccount `json:"accounts"`
	Alerts   []ScenarioAlert   `json:"alerts"`
}

// ScenarioAccount is a Mesh customer: Usage is the snapshot Mesh pushes,
// CycleUsage the start-of-cycle count Mesh's own portal shows. The rest
// are Mesh's customer fields as its API serves them (API.md §7), all
// optional: what is missing is derived from Usage and CycleUsage (see
// customers.go), and Usage from them when it is missing.
type ScenarioAccount struct {
	ID              string             `json:"id"`
	Name            string             `json:"name"`
	Description     string             `json:"description,omitempty"`
	Usage           map[string]float64 `json:"usage"`
	CycleUsage      map[string]float64 `json:"cycle_usage,omitempty"`
	ServiceName     string             `json:"service_name,omitempty"`      // a Mesh product, e.g. "Mesh 365"
	UserCount       *int               `json:"user_count,omitempty"`        // protected users now
	LicensesBilled  *int               `json:"licenses_billed,omitempty"`   // billed this cycle
	NextInvoiceDate string             `json:"next_invoice_date,omitempty"` // "2026-12-01" or "N/A"
	State           string             `json:"state,omitempty"`             // active (default), suspended, trial
	PrimaryDomain   string             `json:"primary_domain,omitempty"`
}

// ScenarioAlert is an alert Mesh raises at every Gradient Sync (and every
// pull). Priority is the alerting API's 1 (low) to 4 (very high); without
// it, Severity says it. TicketFails, when set, is the reason the PSA
// refuses its ticket.
type ScenarioAlert struct {
	AccountID   string `json:"account_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Severity    string `json:"severity,omitempty"`
	Priority    int    `json:"priority,omitempty"`
	TicketFails string `json:"ticket_fails,omitempty"`
}

// ScenarioError names the file, the field and the reason.
type ScenarioError struct {
	File   string
	Field  string
	Reason string
}

func (e *ScenarioError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("scenario %s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("scenario %s: %s: %s", e.File, e.Field, e.Reason)
}

//go:embed demo.json
var demoJSON []byte

// Demo is the built-in scenario: 40 Mesh customers whose names resemble,
// but do not equal, 50 PSA companies; all three products; some quantities
// that differ from usage and from the cycle count.
func Demo() *Scenario {
	s, err := ParseScenario("built-in demo", demoJSON)
	if err != nil {
		panic(err) // the embedded file is tested; this cannot happen at run time
	}
	return s
}

// LoadScenario reads and validates a scenario file.
func LoadScenario(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &ScenarioError{File: path, Reason: err.Error()}
	}
	return ParseScenario(path, b)
}

// ParseScenario decodes strictly (unknown fields are errors) and validates.
func ParseScenario(name string, data []byte) (*Scenario, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, decodeError(name, data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &ScenarioError{File: name, Reason: "more than one JSON value in the file"}
	}
	if err := s.validate(name); err != nil {
		return nil, err
	}
	return &s, nil
}

func decodeError(name string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(data, syn.Offset)
		return &ScenarioError{File: name, Reason: fmt.Sprintf("line %d, column %d: %s", line, col, syn.Error())}
	case errors.As(err, &typ):
		line, col := position(data, typ.Offset)
		return &ScenarioError{File: name, Field: typ.Field,
			Reason: fmt.Sprintf("line %d, column %d: expected %s, found %s", line, col, typ.Type, typ.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &ScenarioError{File: name, Field: field, Reason: "unknown field (see API.md §4 for the format)"}
	case errors.Is(err, io.EOF):
		return &ScenarioError{File: name, Reason: "the file is empty"}
	}
	return &ScenarioError{File: name, Reason: err.Error()}
}

func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func (s *Scenario) validate(file string) error {
	fail := func(field, format string, args ...any) error {
		return &ScenarioError{File: file, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	accounts := map[string]bool{}
	for i, a := range s.Mesh.Accounts {
		f := fmt.Sprintf("mesh.accounts[%d]", i)
		if strings.TrimSpace(a.ID) == "" {
			return fail(f+".id", "is required")
		}
		if strings.TrimSpace(a.Name) == "" {
			return fail(f+".name", "is required")
		}
		if accounts[a.ID] {
			return fail(f+".id", "duplicate id %q", a.ID)
		}
		accounts[a.ID] = true
		if n := listedSize(gradient.VendorAccount{ID: a.ID, Name: a.Name, Description: a.Description, MappingID: mappingIDShape}); n > gradient.MaxItemBytes {
			return fail(f, "the account would list as %d bytes of JSON, over the limit of %d", n, gradient.MaxItemBytes)
		}
		for _, part := range []struct {
			name   string
			counts map[string]float64
		}{{"usage", a.Usage}, {"cycle_usage", a.CycleUsage}} {
			for _, key := range sortedKeys(part.counts) {
				if _, ok := mesh.ProductByKey(key); !ok {
					return fail(f+"."+part.name+"."+key, "unknown product (use gateway, m365 or unified)")
				}
				if n := part.counts[key]; n < 0 {
					return fail(f+"."+part.name+"."+key, "negative count %v", n)
				}
			}
		}
		if field, reason := a.checkCustomerFields(); field != "" {
			return fail(f+"."+field, "%s", reason)
		}
	}
	for i, al := range s.Mesh.Alerts {
		f := fmt.Sprintf("mesh.alerts[%d]", i)
		if !accounts[al.AccountID] {
			return fail(f+".account_id", "no Mesh account with id %q", al.AccountID)
		}
		if strings.TrimSpace(al.Title) == "" {
			return fail(f+".title", "is required")
		}
		switch _, ok := mesh.Priority(al.Severity); {
		case al.Priority == 0 && al.Severity == "":
			return fail(f, "give a priority (1 low to 4 very high) or a severity")
		case al.Priority != 0 && (al.Priority < gradient.PriorityLow || al.Priority > gradient.PriorityVeryHigh):
			return fail(f+".priority", "%d is not 1 (low) to 4 (very high)", al.Priority)
		case al.Severity != "" && !ok:
			return fail(f+".severity", "%q is not low, medium, high or critical", al.Severity)
		case al.TicketFails != "" && strings.TrimSpace(al.TicketFails) == "":
			return fail(f+".ticket_fails", "give the reason the ticket fails, or leave it out")
		}
	}
	companies, err := uniqueIDs(file, "psa.companies", s.PSA.Companies, func(c gradient.Company) (string, string) { return c.ID, c.Name })
	if err != nil {
		return err
	}
	products, err := uniqueIDs(file, "psa.products", s.PSA.Products, func(p gradient.Product) (string, string) { return p.ID, p.Name })
	if err != nil {
		return err
	}
	for i, p := range s.PSA.Products {
		if p.UnitPrice < 0 {
			return fail(fmt.Sprintf("psa.products[%d].unit_price", i), "negative price %v", p.UnitPrice)
		}
		if n := listedSize(p); n > gradient.MaxItemBytes {
			return fail(fmt.Sprintf("psa.products[%d]", i), "%d bytes of JSON, over the limit of %d", n, gradient.MaxItemBytes)
		}
	}
	for i, c := range s.PSA.Companies {
		if n := listedSize(c); n > gradient.MaxItemBytes {
			return fail(fmt.Sprintf("psa.companies[%d]", i), "%d bytes of JSON, over the limit of %d", n, gradient.MaxItemBytes)
		}
	}
	for i, id := range s.PSA.NoTicketBoard {
		if !companies[id] {
			return fail(fmt.Sprintf("psa.no_ticket_board[%d]", i), "no PSA company with id %q", id)
		}
	}
	agreed := map[[2]string]bool{}
	for i, a := range s.PSA.Agreements {
		f := fmt.Sprintf("psa.agreements[%d]", i)
		switch {
		case !companies[a.CompanyID]:
			return fail(f+".company_id", "no PSA company with id %q", a.CompanyID)
		case !products[a.ProductID]:
			return fail(f+".product_id", "no PSA product with id %q", a.ProductID)
		case a.Quantity < 0:
			return fail(f+".quantity", "negative quantity %v", a.Quantity)
		case agreed[[2]string{a.CompanyID, a.ProductID}]:
			return fail(f, "duplicate agreement for company %q and product %q", a.CompanyID, a.ProductID)
		}
		agreed[[2]string{a.CompanyID, a.ProductID}] = true
	}
	return nil
}

// mappingIDShape is as long as the emulator's mapping ids, so an account
// is measured as the vendor API lists it.
const mappingIDShape = "map-000000000000000000000000"

// listedSize is how large v is as a list item: the emulators serve pages
// of at most gradient.PageSize items of at most gradient.MaxItemBytes, so
// a scenario cannot make a page the clients refuse.
func listedSize(v any) int {
	b, _ := json.Marshal(v) // strings and numbers: cannot fail
	return len(b)
}

// uniqueIDs checks that every item has an id and a name and no id comes
// twice, and answers the ids.
func uniqueIDs[T any](file, field string, items []T, idName func(T) (string, string)) (map[string]bool, error) {
	ids := map[string]bool{}
	for i, it := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		id, name := idName(it)
		switch {
		case strings.TrimSpace(id) == "":
			return nil, &ScenarioError{File: file, Field: f + ".id", Reason: "is required"}
		case strings.TrimSpace(name) == "":
			return nil, &ScenarioError{File: file, Field: f + ".name", Reason: "is required"}
		case ids[id]:
			return nil, &ScenarioError{File: file, Field: f + ".id", Reason: fmt.Sprintf("duplicate id %q", id)}
		}
		ids[id] = true
	}
	return ids, nil
}

// MeshAccounts converts the scenario's customers for a Gradient Sync.
func (s *Scenario) MeshAccounts() []mesh.Account {
	out := make([]mesh.Account, len(s.Mesh.Accounts))
	for i, a := range s.Mesh.Accounts {
		out[i] = mesh.Account{ID: a.ID, Name: a.Name, Description: a.Description, Usage: a.usage()}
	}
	return out
}

// MeshAlerts converts the scenario's alerts for a Gradient Sync. Each
// keeps its id from sync to sync: Synthesize makes one ticket of it, and
// tries again at the next sync when the ticket failed.
func (s *Scenario) MeshAlerts() []mesh.Alert {
	out := make([]mesh.Alert, len(s.Mesh.Alerts))
	for i, a := range s.Mesh.Alerts {
		out[i] = mesh.Alert{AccountID: a.AccountID, Title: a.Title, Description: a.Description,
			Severity: a.Severity, Priority: a.Priority, AlertID: scenarioAlertID(i)}
	}
	return out
}

func scenarioAlertID(i int) string { return fmt.Sprintf("mesh-alert-%d", i+1) }

// PulledAlerts are the alerts as the emulated Synthesize takes them at a
// pull (the flow of API.md §2a), the same bodies a Gradient Sync sends.
func (s *Scenario) PulledAlerts() []synthemu.MeshAlert {
	var out []synthemu.MeshAlert
	for _, a := range s.MeshAlerts() {
		out = append(out, synthemu.MeshAlert{AccountID: a.AccountID, Alert: mesh.VendorAlert(a, "")})
	}
	return out
}

// TicketFailures are the alerts whose ticket the PSA refuses, by alert id,
// with the reason.
func (s *Scenario) TicketFailures() map[string]string {
	out := map[string]string{}
	for i, a := range s.Mesh.Alerts {
		if a.TicketFails != "" {
			out[scenarioAlertID(i)] = a.TicketFails
		}
	}
	return out
}

// CycleUsage returns the start-of-cycle count Mesh's portal shows for an
// account and product, when the scenario knows it.
func (s *Scenario) CycleUsage(accountID, product string) (float64, bool) {
	for _, a := range s.Mesh.Accounts {
		if a.ID == accountID {
			n, ok := a.CycleUsage[product]
			return n, ok
		}
	}
	return 0, false
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
