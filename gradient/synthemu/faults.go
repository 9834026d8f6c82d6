package synthemu

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind is what an injected fault does to a request.
type FaultKind int

const (
	// FaultStatus answers Status (default 503) without doing anything.
	FaultStatus FaultKind = iota
	// FaultRateLimit answers 429 with Retry-After.
	FaultRateLimit
	// FaultDrop closes the connection without an answer, before or
	// (AfterWork) after the request took effect.
	FaultDrop
	// FaultSlow waits Delay (or until the client gives up), then serves
	// the request as usual.
	FaultSlow
	// FaultBody answers Status (default 200) with Body as it is: invalid
	// JSON, wrong types, huge answers.
	FaultBody
)

// Fault is one injected failure, consumed by the next Times matching
// requests.
type Fault struct {
	Kind       FaultKind
	Status     int           // FaultStatus: default 503
	RetryAfter time.Duration // FaultRateLimit: default 1s
	Times      int           // how many requests it hits; default 1
	Method     string        // only this method ("" any)
	PathPrefix string        // only paths starting so ("" any)
	AfterWork  bool          // FaultDrop: let the request take effect, then drop the answer
	Delay      time.Duration // FaultSlow
	Body       []byte        // FaultBody
}

// Inject queues faults for the next matching requests.
func (e *Emulator) Inject(f ...Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, f...)
}

func (e *Emulator) takeFault(r *http.Request) (Fault, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range e.faults {
		f := &e.faults[i]
		if f.Method != "" && f.Method != r.Method || !strings.HasPrefix(r.URL.Path, f.PathPrefix) {
			continue
		}
		got := *f
		if f.Times <= 1 {
			e.faults = append(e.faults[:i], e.faults[i+1:]...)
		} else {
			f.Times--
		}
		return got, true
	}
	return Fault{}, false
}

// applyFault answers r with a queued fault, if one matches.
func (e *Emulator) applyFault(w http.ResponseWriter, r *http.Request) bool {
	f, ok := e.takeFault(r)
	if !ok {
		return false
	}
	switch f.Kind {
	case FaultSlow:
		// Read the body first: only then does net/http watch the
		// connection, and cancel r's context when the client gives up.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return true
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return true // the client gave up; nothing was done
		}
		return false
	case FaultBody:
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(f.Body)
	case FaultRateLimit:
		ra := f.RetryAfter
		if ra <= 0 {
			ra = time.Second
		}
		w.Header().Set("Retry-After", strconv.Itoa(int((ra+time.Second-1)/time.Second)))
		writeFaultBody(w, r, http.StatusTooManyRequests, "rate limited")
	case FaultDrop:
		if f.AfterWork {
			e.mux.ServeHTTP(discardWriter{h: http.Header{}}, r)
		}
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler) // HTTP/2 or a recorder: abort the stream
	default:
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		writeFaultBody(w, r, status, http.StatusText(status))
	}
	return true
}

func writeFaultBody(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if strings.HasPrefix(r.URL.Path, "/api/partner/") {
		partnerError(w, status, "injected", msg)
	} else {
		vendorError(w, status, msg)
	}
}

type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}
