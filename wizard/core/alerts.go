package core

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/ui/text"
)

// AlertLine is one Mesh alert and what became of it: a PSA ticket, or why
// not. An alert Mesh sent more than once (tried again after a failure) is
// one line, its latest attempt. Every string is safe to print.
type AlertLine struct {
	MessageID    string    `json:"message_id"`
	AlertID      string    `json:"alert_id"`
	Account      string    `json:"account"`
	AccountID    string    `json:"account_id"`
	Company      string    `json:"company"` // "" when the account was not mapped
	CompanyID    string    `json:"company_id"`
	Title        string    `json:"title"`
	Priority     int       `json:"priority"` // 1 low … 4 very high; 0 when Synthesize sent another number
	TicketStatus string    `json:"ticket_status"`
	TicketID     string    `json:"ticket_id"`
	Errors       []string  `json:"errors"`
	CreatedAt    time.Time `json:"created_at"`
	Attempts     int       `json:"attempts"`
	// Reason is why a ticket failed, in a few words, and Hint what to do
	// about it; both "" for a ticket made.
	Reason string `json:"reason,omitempty"`
	Hint   string `json:"hint,omitempty"`
	// MapAccount: the fix is mapping the account, on Update account mappings.
	MapAccount bool `json:"-"`
}

// Ticket statuses as the faces show them.
const (
	TicketPending = gradient.TicketPending
	TicketSuccess = gradient.TicketSuccess
	TicketFailed  = gradient.TicketFailed
	TicketUnknown = "unknown" // a status this program does not know
)

// PriorityName is a priority in words.
func PriorityName(p int) string {
	switch p {
	case gradient.PriorityLow:
		return "low"
	case gradient.PriorityMedium:
		return "medium"
	case gradient.PriorityHigh:
		return "high"
	case gradient.PriorityVeryHigh:
		return "very high"
	}
	return "?"
}

// TicketWord is a ticket status as a person reads it: "created" for the
// API's "success".
func TicketWord(status string) string {
	if status == TicketSuccess {
		return "created"
	}
	return status
}

// ReasonIsTheirs: the reason is Synthesize's first error (maybe cut), so
// a face that shows the errors whole need not say it twice.
func (l AlertLine) ReasonIsTheirs() bool {
	return l.Reason != "" && len(l.Errors) > 0 && strings.HasPrefix(l.Errors[0], strings.TrimSuffix(l.Reason, "…"))
}

// OneLine is the reason and what to do, for a line of its own:
// "account not mapped: map it on Update account mappings".
func (l AlertLine) OneLine() string {
	if l.Hint == "" {
		return l.Reason
	}
	return l.Reason + ": " + l.Hint
}

// AlertCounts are alerts by their ticket status.
type AlertCounts struct {
	Pending int `json:"pending"`
	Success int `json:"success"`
	Failed  int `json:"failed"`
	Unknown int `json:"unknown,omitempty"`
}

// Total is every alert counted.
func (c AlertCounts) Total() int { return c.Pending + c.Success + c.Failed + c.Unknown }

// Alerts is what the Alerts screen and `alerts` show.
type Alerts struct {
	Enabled  bool        `json:"enabled"` // Alerts is among the integration's types
	PullFlow bool        `json:"-"`       // connected by Mesh API key: alerts come with Synthesize's syncs
	Counts   AlertCounts `json:"counts"`
	Lines    []AlertLine `json:"alerts"`
}

// Failed are the lines whose ticket failed, in order.
func (a Alerts) Failed() []AlertLine { return a.Only(true, time.Time{}).Lines }

// alertNames are what BuildAlerts names and explains alerts with.
type alertNames struct {
	accounts  map[string]string // id → sanitized name
	companies map[string]string // may be nil: companies are then shown by id
	mappings  map[string]gradient.AccountMapping
}

// BuildAlerts turns Synthesize's alert records into one line per alert
// (its latest attempt), named, explained and ordered: failed first, then
// pending, then the tickets made; newest first within each.
func BuildAlerts(records []gradient.AlertRecord, accounts []gradient.Account, companies []gradient.Company, m gradient.Mappings) ([]AlertLine, AlertCounts) {
	n := alertNames{accounts: map[string]string{}, mappings: map[string]gradient.AccountMapping{}}
	for _, a := range accounts {
		n.accounts[a.ID] = text.Sanitize(a.Name)
	}
	if companies != nil {
		n.companies = map[string]string{}
		for _, c := range companies {
			n.companies[c.ID] = text.Sanitize(c.Name)
		}
	}
	for _, am := range m.Accounts {
		n.mappings[am.AccountID] = am
	}
	type key struct{ account, alert string }
	latest, order := map[key]int{}, []key{}
	attempts := map[key]int{}
	for i, r := range records {
		k := key{r.AccountID, r.AlertID}
		j, seen := latest[k]
		if !seen {
			order = append(order, k)
		}
		if !seen || !r.CreatedAt.Before(records[j].CreatedAt) {
			latest[k] = i
		}
		attempts[k]++
	}
	lines := make([]AlertLine, 0, len(order))
	for _, k := range order {
		l := n.line(records[latest[k]])
		l.Attempts = attempts[k]
		lines = append(lines, l)
	}
	rank := map[string]int{TicketFailed: 0, TicketPending: 1, TicketSuccess: 3}
	rankOf := func(s string) int {
		if r, ok := rank[s]; ok {
			return r
		}
		return 2
	}
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		if ra, rb := rankOf(a.TicketStatus), rankOf(b.TicketStatus); ra != rb {
			return ra < rb
		}
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.After(b.CreatedAt)
		}
		return strings.ToLower(a.Account) < strings.ToLower(b.Account)
	})
	return lines, CountAlerts(lines)
}

// CountAlerts counts lines by ticket status.
func CountAlerts(lines []AlertLine) AlertCounts {
	var c AlertCounts
	for _, l := range lines {
		switch l.TicketStatus {
		case TicketPending:
			c.Pending++
		case TicketSuccess:
			c.Success++
		case TicketFailed:
			c.Failed++
		default:
			c.Unknown++
		}
	}
	return c
}

// Only keeps the failed alerts (failedOnly) raised at or after since (when
// not zero); the counts are of what is kept.
func (a Alerts) Only(failedOnly bool, since time.Time) Alerts {
	kept := []AlertLine{}
	for _, l := range a.Lines {
		if failedOnly && l.TicketStatus != TicketFailed || !since.IsZero() && l.CreatedAt.Before(since) {
			continue
		}
		kept = append(kept, l)
	}
	a.Lines, a.Counts = kept, CountAlerts(kept)
	return a
}

// line names one record and says why its ticket failed. Everything from
// Synthesize is sanitized; numbers out of the API's range are not shown
// as if they were in it.
func (n alertNames) line(r gradient.AlertRecord) AlertLine {
	l := AlertLine{MessageID: text.Sanitize(r.MessageID), AlertID: text.Sanitize(r.AlertID), AccountID: text.Sanitize(r.AccountID),
		CompanyID: text.Sanitize(r.CompanyID), Title: text.Sanitize(r.Title), TicketID: text.Sanitize(r.TicketID),
		CreatedAt: r.CreatedAt, Errors: make([]string, 0, len(r.Errors))}
	l.Account = name(n.accounts, r.AccountID)
	if r.CompanyID != "" {
		l.Company = name(n.companies, r.CompanyID)
	}
	if p := r.Priority; p == math.Trunc(p) && p >= gradient.PriorityLow && p <= gradient.PriorityVeryHigh {
		l.Priority = int(p) // one odd number must not hide the whole list, nor pass as a known priority
	}
	for _, e := range r.Errors {
		l.Errors = append(l.Errors, text.Sanitize(e))
	}
	switch r.TicketStatus {
	case TicketPending, TicketSuccess, TicketFailed:
		l.TicketStatus = r.TicketStatus
	default:
		l.TicketStatus = TicketUnknown
		l.Reason = "Synthesize gave a ticket status this program does not know (" + text.Sanitize(r.TicketStatus) + ")"
	}
	if l.TicketStatus == TicketFailed {
		n.explain(&l, r)
	}
	return l
}

// explain says why a ticket failed and, when the fix is here, where.
// Whether the account had a company is the record's own fact; what it
// has now is Synthesize's mappings, so an alert that failed before the
// account was mapped says the next one will go through.
func (n alertNames) explain(l *AlertLine, r gradient.AlertRecord) {
	now, mapped := n.mappings[r.AccountID]
	joined := strings.ToLower(strings.Join(r.Errors, " "))
	switch {
	case r.CompanyID == "" && mapped && now.CompanyID != "" && !now.Ignored:
		l.Reason = "account was not mapped when the alert came"
		l.Hint = "it is mapped now (to " + n.company(now.CompanyID) + "), so Mesh's next alert for it becomes a ticket"
	case r.CompanyID == "" && mapped && now.Ignored:
		l.Reason, l.MapAccount = "account is marked do not bill", true
		l.Hint = "map it to a company on Update account mappings if its alerts should become tickets"
	case r.CompanyID == "":
		l.Reason, l.MapAccount = "account not mapped", true
		l.Hint = "map it on Update account mappings"
	case strings.Contains(joined, "ticket board") || strings.Contains(joined, "service board"):
		l.Reason = "company has no ticket board in the PSA"
		l.Hint = "give " + n.company(r.CompanyID) + " a ticket board (service board, queue) in the PSA; Mesh's next alert then becomes a ticket"
	case len(l.Errors) > 0:
		l.Reason = firstLine(l.Errors[0])
		l.Hint = "fix what the PSA names above in the PSA, or ask Gradient support"
	default:
		l.Reason = "Synthesize gave no reason"
		l.Hint = "ask Gradient support about message " + l.MessageID
	}
}

// company names a company, or says "its company" when companies are not
// known (home asks Synthesize for fewer lists).
func (n alertNames) company(id string) string {
	if n.companies == nil {
		return "its company"
	}
	return name(n.companies, id)
}

// firstLine is the start of an error, short enough for one line.
func firstLine(s string) string {
	const most = 90
	if r := []rune(s); len(r) > most {
		return string(r[:most-1]) + "…"
	}
	return s
}

// Alerts reads every alert Mesh sent and what became of it, with the
// names of their accounts and companies and Synthesize's mappings now.
// ErrNotConnected when Mesh is not connected.
func (s *Session) Alerts(ctx context.Context) (Alerts, error) {
	ctx, cancel := CallContext(ctx)
	defer cancel()
	var (
		records   []gradient.AlertRecord
		accounts  []gradient.Account
		companies []gradient.Company
		m         gradient.Mappings
	)
	d, err := s.gather(ctx,
		func(pc *gradient.PartnerClient) (err error) { records, err = pc.Alerts(ctx, false); return err },
		func(pc *gradient.PartnerClient) (err error) { accounts, err = pc.Accounts(ctx); return err },
		func(pc *gradient.PartnerClient) (err error) { companies, err = pc.Companies(ctx); return err },
		func(pc *gradient.PartnerClient) (err error) { m, err = pc.Mappings(ctx); return err },
	)
	if err != nil {
		return Alerts{}, err
	}
	out := Alerts{Enabled: slices.Contains(d.Types, gradient.TypeAlerts), PullFlow: d.Method == gradient.MethodMeshAPIKey}
	out.Lines, out.Counts = BuildAlerts(records, accounts, companies, m)
	if out.Lines == nil {
		out.Lines = []AlertLine{}
	}
	return out, nil
}

// gather asks Synthesize for the card and makes the calls, all at once:
// a screen that needs several lists waits for the slowest, not the sum.
// ErrNotConnected when the card says Mesh is not connected.
func (s *Session) gather(ctx context.Context, calls ...func(*gradient.PartnerClient) error) (gradient.IntegrationDetail, error) {
	pc := s.cfg.Partner
	var d gradient.IntegrationDetail
	errs := make([]error, len(calls)+1)
	var wg sync.WaitGroup
	wg.Add(len(calls) + 1)
	go func() { defer wg.Done(); d, errs[0] = pc.Integration(ctx) }()
	for i, call := range calls {
		go func() { defer wg.Done(); errs[i+1] = call(pc) }()
	}
	wg.Wait()
	if errs[0] == nil && !d.Connected {
		return d, ErrNotConnected
	}
	return d, errors.Join(errs...)
}

// AlertsSummary is the counts in words: "5 tickets made · 1 pending · 2
// failed" (a face colours the parts).
func AlertsSummary(c AlertCounts) []string {
	out := []string{text.Count(c.Success, "ticket made", "tickets made")}
	if c.Pending > 0 {
		out = append(out, fmt.Sprintf("%d pending", c.Pending))
	}
	out = append(out, fmt.Sprintf("%d failed", c.Failed))
	if c.Unknown > 0 {
		out = append(out, fmt.Sprintf("%d unknown", c.Unknown))
	}
	return out
}
