package synthemu

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// maxTicketSummary is the longest title a PSA takes as a ticket summary
// (ConnectWise's limit); a longer one makes the ticket fail, which is how
// the emulator shows the "failed" side of the alert debug record.
const maxTicketSummary = 100

// alertRecord is an alert in Synthesize's queue. Its ticket status is not
// stored: it is pending until the ticket delay has passed by the
// emulator's clock, then success or (refusal set) failed.
type alertRecord struct {
	accountID string
	messageID string
	createdAt time.Time
	ticketID  string
	refusal   string
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

func (e *Emulator) postAlert(w http.ResponseWriter, r *http.Request) {
	if !e.hasType(gradient.TypeAlerts) {
		// Our assumption: the real service documents no such refusal.
		vendorError(w, http.StatusForbidden, "Alerts are not enabled for this integration: the MSP did not choose Alerts in Synthesize")
		return
	}
	aid := r.PathValue("accountId")
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
	if in.ServiceID != nil && *in.ServiceID != "" {
		if _, ok := e.skuByID(*in.ServiceID); !ok {
			vendorError(w, http.StatusNotFound, "No service found with id: "+*in.ServiceID)
			return
		}
	}
	if _, ok := e.billable(aid); !ok || e.accounts[aid] == nil {
		vendorError(w, http.StatusNotFound, "No account map found with id: "+aid)
		return
	}
	rec := alertRecord{accountID: aid, messageID: "msg-" + randomToken(8),
		createdAt: e.now().UTC(), ticketID: fmt.Sprintf("T-%d", 1000+len(e.alerts)+1)}
	if n := len([]rune(in.Title)); n > maxTicketSummary {
		rec.refusal = fmt.Sprintf("summary: the PSA takes at most %d characters, got %d", maxTicketSummary, n)
	}
	e.alerts[rec.messageID] = rec
	e.checkIn()
	writeJSON(w, http.StatusCreated, gradient.AlertReceipt{MessageID: rec.messageID, AlertID: in.AlertID, CorrelationID: "corr-" + randomToken(8)})
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
	switch {
	case e.now().Before(rec.createdAt.Add(e.ticketDelay)):
		out.Status, out.Message = gradient.TicketPending, "Alert is queued for ticket creation"
	case rec.refusal != "":
		out.Status, out.Message, out.StatusCode = gradient.TicketFailed, "Ticket creation failed", code(http.StatusBadRequest)
		out.Errors = []string{rec.refusal}
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
