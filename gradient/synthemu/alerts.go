package synthemu

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// maxTicketSummary is the longest title a PSA takes as a ticket summary
// (ConnectWise's limit); a longer one makes the ticket fail.
const maxTicketSummary = 100

// alertRecord is one alert Synthesize took: a message of the vendor API
// and the ticket it became, or why not. Its ticket status is not stored:
// it is pending until the ticket delay has passed by the emulator's
// clock, then success or (errors set) failed. An alert that failed before
// it reached the PSA (no company to file it under) is failed at once.
type alertRecord struct {
	seq       int
	accountID string
	companyID string // the company the account was mapped to when it came
	alertID   string
	title     string
	priority  int
	messageID string
	createdAt time.Time
	ticketID  string
	errors    []string
	atOnce    bool
}

type alertKey struct{ account, alert string }

// MeshAlert is an alert Mesh raises for an account, as the emulator takes
// it at a pull (API.md §2a): Mesh's API lists no alerts and the pull flow
// has no Gradient key to push them with, so the sandbox hands them over.
type MeshAlert struct {
	AccountID string
	Alert     gradient.Alert
}

// WithMeshAlerts gives the alerts Mesh raises at every pull of an
// integration connected by Mesh API key.
func WithMeshAlerts(fn func() []MeshAlert) Option { return func(e *Emulator) { e.meshAlerts = fn } }

// WithTicketFailures makes the tickets of these alert ids fail with the
// reason given (a scenario's ticket_fails): the PSA refusing a ticket for
// a reason of its own.
func WithTicketFailures(byAlertID map[string]string) Option {
	return func(e *Emulator) { e.ticketFailures = byAlertID }
}

func (e *Emulator) hasType(t string) bool {
	for _, x := range e.integ.types {
		if x == t {
			return true
		}
	}
	return false
}

// wholeIn reports whether n is a whole number from lo to hi.
func wholeIn(n *float64, lo, hi float64) bool {
	return n != nil && *n == math.Trunc(*n) && *n >= lo && *n <= hi
}

const alertsDisabled = "Alerts are not enabled for this integration: the MSP did not choose Alerts in Synthesize"

func (e *Emulator) postAlert(w http.ResponseWriter, r *http.Request) {
	if !e.hasType(gradient.TypeAlerts) {
		// Our assumption: the real service documents no such refusal.
		vendorError(w, http.StatusForbidden, alertsDisabled)
		return
	}
	// The SDK's CreateAlertingDto; priority and status are numbers.
	var in struct {
		Title       string          `json:"title"`
		Description *string         `json:"description"`
		AlertID     string          `json:"alertId"`
		Priority    *float64        `json:"priority"`
		Status      *float64        `json:"status"`
		DueDateTime json.RawMessage `json:"dueDateTime"` // deprecated: accepted, ignored
		ServiceID   *string         `json:"serviceId"`
	}
	if !decodeBody(w, r, &in, vendorError) {
		return
	}
	switch {
	case strings.TrimSpace(in.Title) == "" || in.Description == nil || in.AlertID == "":
		vendorError(w, http.StatusBadRequest, "title, description and alertId are required")
		return
	case !wholeIn(in.Priority, gradient.PriorityLow, gradient.PriorityVeryHigh):
		vendorError(w, http.StatusBadRequest, "priority must be a number from 1 to 4")
		return
	case !wholeIn(in.Status, 1, gradient.AlertStatusMax):
		vendorError(w, http.StatusBadRequest, "status must be a number from 1 to 6")
		return
	}
	rec, status, msg := e.takeAlert(r.PathValue("accountId"), gradient.Alert{Title: in.Title, Description: *in.Description,
		AlertID: in.AlertID, Priority: int(*in.Priority), Status: int(*in.Status), ServiceID: deref(in.ServiceID)})
	if status != 0 {
		vendorError(w, status, msg)
		return
	}
	writeJSON(w, http.StatusCreated, gradient.AlertReceipt{MessageID: rec.messageID, AlertID: rec.alertID, CorrelationID: "corr-" + randomToken(8)})
}

// takeAlert files an alert for an account, pushed or pulled; it answers
// the record, or the vendor API's status and message for a refusal. The
// same alert (account and alertId) sent again while its ticket is pending
// or made is the same message, so a PSA never gets two tickets for one
// event; after a failure it is tried again as a new message. An account
// that is not billable still gets its alert: it fails at once, saying
// why, so the MSP can see every alert that did not become a ticket.
func (e *Emulator) takeAlert(aid string, in gradient.Alert) (alertRecord, int, string) {
	if in.ServiceID != "" {
		if _, ok := e.skuByID(in.ServiceID); !ok {
			return alertRecord{}, http.StatusNotFound, "No service found with id: " + in.ServiceID
		}
	}
	if e.accounts[aid] == nil {
		return alertRecord{}, http.StatusNotFound, "No account found with id: " + aid
	}
	key := alertKey{aid, in.AlertID}
	if id, ok := e.latestAlert[key]; ok {
		if prev := e.alerts[id]; e.ticketStatus(prev) != gradient.TicketFailed {
			return prev, 0, ""
		}
	}
	e.alertSeq++
	rec := alertRecord{seq: e.alertSeq, accountID: aid, alertID: in.AlertID, title: in.Title, priority: in.Priority,
		messageID: "msg-" + randomToken(8), createdAt: e.now().UTC()}
	m, billable := e.billable(aid)
	switch {
	case !billable && m.Ignored:
		rec.errors, rec.atOnce = []string{fmt.Sprintf("Account %s is marked do not bill in Synthesize, so it has no PSA company to file a ticket under", aid)}, true
	case !billable:
		rec.errors, rec.atOnce = []string{fmt.Sprintf("No account map found with id: %s: the account is not mapped to a PSA company in Synthesize", aid)}, true
	default:
		rec.companyID = m.CompanyID
		rec.errors = e.ticketErrors(in, m.CompanyID)
	}
	if len(rec.errors) == 0 {
		rec.ticketID = fmt.Sprintf("T-%d", 1000+rec.seq)
	}
	e.alerts[rec.messageID] = rec
	e.latestAlert[key] = rec.messageID
	if !rec.atOnce {
		e.checkIn() // as a count for an unmapped account, one that lands nowhere is no check-in
	}
	return rec, 0, ""
}

// ticketErrors are the PSA's reasons to refuse the ticket, none when it
// takes it.
func (e *Emulator) ticketErrors(in gradient.Alert, companyID string) []string {
	var errs []string
	if e.noTicketBoard[companyID] {
		errs = append(errs, fmt.Sprintf("Company %s has no ticket board in the PSA (a service board, queue or team), so the ticket cannot be filed", companyID))
	}
	if why, ok := e.ticketFailures[in.AlertID]; ok {
		errs = append(errs, why)
	}
	if n := len([]rune(in.Title)); n > maxTicketSummary {
		errs = append(errs, fmt.Sprintf("summary: the PSA takes at most %d characters, got %d", maxTicketSummary, n))
	}
	return errs
}

// pullAlerts takes Mesh's alerts at a pull, each under its customer's
// service when it names none; the caller holds the lock.
func (e *Emulator) pullAlerts(services map[string]string) {
	if e.meshAlerts == nil || !e.hasType(gradient.TypeAlerts) {
		return
	}
	for _, a := range e.meshAlerts() {
		if a.Alert.ServiceID == "" {
			a.Alert.ServiceID = services[a.AccountID]
		}
		e.takeAlert(a.AccountID, a.Alert) // an alert for a customer the pull did not bring is dropped
	}
}

func (e *Emulator) ticketStatus(rec alertRecord) string {
	switch {
	case rec.atOnce:
		return gradient.TicketFailed
	case e.now().Before(rec.createdAt.Add(e.ticketDelay)):
		return gradient.TicketPending
	case len(rec.errors) > 0:
		return gradient.TicketFailed
	}
	return gradient.TicketSuccess
}

// debugOut is the SDK's RetrieveAlertResponseDto.
type debugOut struct {
	TicketID   *string   `json:"ticketId"`
	CreatedAt  time.Time `json:"createdAt"`
	Message    string    `json:"message"`
	MessageID  string    `json:"messageId"`
	Status     string    `json:"status"`
	StatusCode *int      `json:"statusCode"`
	Errors     []string  `json:"errors"`
}

func (e *Emulator) debugOut(rec alertRecord) debugOut {
	out := debugOut{CreatedAt: rec.createdAt, MessageID: rec.messageID, Errors: []string{}}
	code := func(c int) *int { return &c }
	switch e.ticketStatus(rec) {
	case gradient.TicketPending:
		out.Status, out.Message = gradient.TicketPending, "Alert is queued for ticket creation"
	case gradient.TicketFailed:
		out.Status, out.Message, out.StatusCode = gradient.TicketFailed, "Ticket creation failed", code(http.StatusBadRequest)
		out.Errors = append(out.Errors, rec.errors...)
	default:
		out.Status, out.Message, out.StatusCode = gradient.TicketSuccess, "Ticket created", code(http.StatusCreated)
		out.TicketID = &rec.ticketID
	}
	return out
}

func (e *Emulator) getAlertDebug(w http.ResponseWriter, r *http.Request) {
	rec, ok := e.alerts[r.PathValue("messageId")]
	if !ok {
		vendorError(w, http.StatusNotFound, "No message found with id: "+r.PathValue("messageId"))
		return
	}
	writeJSON(w, http.StatusOK, e.debugOut(rec))
}

// alertOut is a record as the partner API lists it (API.md §2b).
func (e *Emulator) alertOut(rec alertRecord) gradient.AlertRecord {
	d := e.debugOut(rec)
	out := gradient.AlertRecord{MessageID: rec.messageID, AlertID: rec.alertID, AccountID: rec.accountID, CompanyID: rec.companyID,
		Title: rec.title, Priority: float64(rec.priority), TicketStatus: d.Status, Errors: d.Errors, CreatedAt: rec.createdAt}
	if d.TicketID != nil {
		out.TicketID = *d.TicketID
	}
	return out
}

// listAlerts answers every alert in the order it came, or those whose
// ticket status is ?status=.
func (e *Emulator) listAlerts(w http.ResponseWriter, r *http.Request) {
	want := r.URL.Query().Get("status")
	switch want {
	case "", gradient.TicketPending, gradient.TicketSuccess, gradient.TicketFailed:
	default:
		partnerError(w, http.StatusBadRequest, "bad_status", "status must be pending, success or failed")
		return
	}
	recs := make([]alertRecord, 0, len(e.alerts))
	for _, rec := range e.alerts {
		recs = append(recs, rec)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].seq < recs[j].seq })
	out := []gradient.AlertRecord{}
	for _, rec := range recs {
		if a := e.alertOut(rec); want == "" || a.TicketStatus == want {
			out = append(out, a)
		}
	}
	paged(w, r, out)
}
