package gradient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options tune a client. The zero value is usable.
type Options struct {
	// HTTPClient carries the requests; default a client with no overall
	// timeout (each attempt gets Timeout instead).
	HTTPClient *http.Client
	// Timeout bounds one attempt; default 20s.
	Timeout time.Duration
	// Retry says how often and how patiently to retry; default 5 attempts,
	// 250ms doubling to at most 8s, jittered.
	Retry RetryPolicy
	// Logger receives one line per attempt (method, path, status, time).
	// Never headers or bodies. Default: discard.
	Logger *slog.Logger
	// MaxPerSecond spaces requests out on the client side (0: no limit).
	// The vendor API answers 429 above 100 requests a second.
	MaxPerSecond float64
	// UserAgent is sent with every request.
	UserAgent string
}

// RetryPolicy: which attempts, how far apart.
type RetryPolicy struct {
	MaxAttempts int
	BaseDelay   time.Duration
	MaxDelay    time.Duration
}

func (o Options) withDefaults() Options {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	if o.Retry.MaxAttempts <= 0 {
		o.Retry.MaxAttempts = 5
	}
	if o.Retry.BaseDelay <= 0 {
		o.Retry.BaseDelay = 250 * time.Millisecond
	}
	if o.Retry.MaxDelay <= 0 {
		o.Retry.MaxDelay = 8 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.UserAgent == "" {
		o.UserAgent = "mesh-gradient"
	}
	return o
}

// transport is what both clients share: base URL, auth, retries, decoding.
type transport struct {
	base *url.URL
	opts Options
	auth func(http.Header)
	pace *pacer

	mu      sync.Mutex
	secrets []string // never printed: in errors and logs they become [redacted]
}

func (t *transport) addSecret(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.secrets = append(t.secrets, s)
}

func (t *transport) secretList() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.secrets...)
}

func newTransport(baseURL, suffix string, opts Options, auth func(http.Header), secrets []string) (*transport, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/") + suffix)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("gradient: base URL %q is not an http(s) URL", baseURL)
	}
	opts = opts.withDefaults()
	t := &transport{base: u, opts: opts, auth: auth, secrets: secrets}
	if opts.MaxPerSecond > 0 {
		t.pace = &pacer{gap: time.Duration(float64(time.Second) / opts.MaxPerSecond)}
	}
	return t, nil
}

// call describes one API call.
type call struct {
	op         string
	method     string
	path       string // below the base, starting with /, its segments escaped
	query      url.Values
	body       any
	idempotent bool  // may be retried after an answer that was lost
	maxBody    int64 // the largest answer read; default maxAnswer
}

// Answers are read into memory, so their size is capped: a page of 1,000
// items is far below maxPage, and the unpaged answers (mappings, billing)
// of 100,000 accounts below maxAnswer. A larger answer is a fault.
const (
	maxAnswer = 32 << 20
	maxPage   = 4 << 20
)

// ErrTooLarge is an answer larger than the cap for its call.
var ErrTooLarge = errors.New("the answer is too large")

// envelope is the vendor API's wrapper; the partner API answers bare.
type envelope struct {
	Status  *int            `json:"status"`
	Data    json.RawMessage `json:"data"`
	Message string          `json:"message"`
}

// errorBody covers both APIs' error shapes.
type errorBody struct {
	Error *struct {
		Code    string   `json:"code"`
		Message string   `json:"message"`
		Unknown []string `json:"unknown"`
	} `json:"error"`
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
}

// do runs c, retrying what may be retried, and decodes the answer into out
// (nil: ignore the body).
func (t *transport) do(ctx context.Context, c call, out any) error {
	var payload []byte
	if c.body != nil {
		var err error
		if payload, err = json.Marshal(c.body); err != nil {
			return fmt.Errorf("gradient %s: encoding request: %w", c.op, err)
		}
	}
	// c.path is already escaped: keep it as RawPath, so net/url does not
	// escape its "%" a second time (an id "m 1" must go as m%201).
	u := *t.base
	u.RawPath = t.base.EscapedPath() + c.path
	if p, err := url.PathUnescape(u.RawPath); err == nil {
		u.Path = p
	} else {
		return fmt.Errorf("gradient %s: path %q is not escaped properly: %w", c.op, c.path, err)
	}
	u.RawQuery = c.query.Encode()
	display := t.base.Path + c.path
	secrets := t.secretList()

	var lastErr error
	lost := false // an earlier attempt may have arrived, its answer lost
	for attempt := 1; ; attempt++ {
		if t.pace != nil {
			if err := t.pace.wait(ctx); err != nil {
				return &RequestError{Op: c.op, Method: c.method, Path: display, Attempts: attempt - 1, Err: err}
			}
		}
		limit := c.maxBody
		if limit <= 0 {
			limit = maxAnswer
		}
		status, hdr, body, err := t.once(ctx, c.method, u.String(), payload, limit)
		if errors.Is(err, ErrTooLarge) {
			return &DecodeError{Op: c.op, Method: c.method, Path: display, Status: status,
				ContentType: hdr.Get("Content-Type"), Snippet: snippet(body, secrets),
				Err: fmt.Errorf("%w (over %d MiB; reading stopped there)", ErrTooLarge, limit>>20)}
		}
		t.opts.Logger.Debug("gradient", "op", c.op, "method", c.method, "path", display, "attempt", attempt, "status", status, "err", errString(err, secrets))
		var wait time.Duration
		retry := false
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return &RequestError{Op: c.op, Method: c.method, Path: display, Attempts: attempt, Err: ctx.Err()}
			}
			lastErr = &RequestError{Op: c.op, Method: c.method, Path: display, Attempts: attempt, Err: errors.New(errString(err, secrets))}
			lost = lost || !isDialError(err)
			// A request that never left can always be retried; one whose
			// answer was lost only when repeating it is harmless.
			retry = c.idempotent || isDialError(err)
		case status >= 200 && status < 300:
			return t.decode(c, status, hdr, body, out, secrets)
		default:
			ae := t.apiError(c, display, status, body, secrets)
			ae.AfterLostAnswer = lost
			lastErr = ae
			switch {
			case status == http.StatusTooManyRequests, status == http.StatusServiceUnavailable:
				retry = true // the server says it did nothing
				wait = retryAfter(hdr.Get("Retry-After"))
			case status >= 500:
				retry = c.idempotent
			}
		}
		if !retry || attempt >= t.opts.Retry.MaxAttempts {
			return lastErr
		}
		if wait <= 0 {
			wait = t.backoff(attempt)
		}
		if report, ok := ctx.Value(retryKey{}).(RetryReport); ok {
			report(Retry{Op: c.op, Attempt: attempt, MaxAttempts: t.opts.Retry.MaxAttempts, Wait: wait,
				Reason: reason(status, err, t.opts.Timeout, secrets)})
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return &RequestError{Op: c.op, Method: c.method, Path: display, Attempts: attempt, Err: ctx.Err()}
		case <-timer.C:
		}
	}
}

func (t *transport) once(ctx context.Context, method, target string, payload []byte, limit int64) (int, http.Header, []byte, error) {
	actx, cancel := context.WithTimeout(ctx, t.opts.Timeout)
	defer cancel()
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, method, target, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", t.opts.UserAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	t.auth(req.Header)
	resp, err := t.opts.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return 0, nil, nil, err
	}
	if int64(len(body)) > limit {
		return resp.StatusCode, resp.Header, body[:512], ErrTooLarge
	}
	return resp.StatusCode, resp.Header, body, nil
}

func (t *transport) decode(c call, status int, hdr http.Header, body []byte, out any, secrets []string) error {
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	data := body
	var env envelope
	if json.Unmarshal(body, &env) == nil && env.Status != nil && env.Data != nil {
		data = env.Data
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &DecodeError{Op: c.op, Method: c.method, Path: t.base.Path + c.path, Status: status,
			ContentType: hdr.Get("Content-Type"), Snippet: snippet(body, secrets), Err: err}
	}
	return nil
}

func (t *transport) apiError(c call, display string, status int, body []byte, secrets []string) *APIError {
	e := &APIError{Op: c.op, Method: c.method, Path: display, Status: status}
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil {
		switch {
		case eb.Error != nil:
			e.Code, e.Message, e.Unknown = eb.Error.Code, eb.Error.Message, eb.Error.Unknown
		case eb.Message != "":
			e.Message = eb.Message
		}
	}
	if e.Message == "" {
		e.Message = strings.TrimSpace(snippet(body, secrets))
		if e.Message == "" {
			e.Message = http.StatusText(status)
		}
	}
	e.Message = redact(e.Message, secrets)
	return e
}

// backoff is exponential with equal jitter (half fixed, half random), so
// many clients do not retry in step and none retries at once.
func (t *transport) backoff(attempt int) time.Duration {
	d := t.opts.Retry.BaseDelay << (attempt - 1)
	if d > t.opts.Retry.MaxDelay || d <= 0 {
		d = t.opts.Retry.MaxDelay
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads seconds or an HTTP date; capped at a minute.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		d = time.Until(at)
	}
	if d < 0 {
		d = 0
	}
	return min(d, time.Minute)
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func errString(err error, secrets []string) string {
	if err == nil {
		return ""
	}
	return redact(err.Error(), secrets)
}

func snippet(body []byte, secrets []string) string {
	// Redact before cutting: a cut secret would no longer be recognised,
	// and its first half would be shown.
	s := redact(strings.ToValidUTF8(string(body), "?"), secrets)
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120])
	}
	return s
}

func (t *transport) invalid(op, path, problem string) *InvalidAnswerError {
	return &InvalidAnswerError{Op: op, Method: http.MethodGet, Path: t.base.Path + path, Problem: redact(problem, t.secretList())}
}

// Retry is news that an attempt failed and the call will be tried again.
type Retry struct {
	Op          string
	Attempt     int // attempts made so far
	MaxAttempts int
	Wait        time.Duration // before the next attempt
	Reason      string        // what went wrong, in words, secrets removed
}

// RetryReport hears every retry of calls made under a context.
type RetryReport func(Retry)

type retryKey struct{}

// WithRetryReport makes every call under ctx report its retries, so a
// screen waiting on a struggling Synthesize can say what is happening
// instead of spinning in silence.
func WithRetryReport(ctx context.Context, report RetryReport) context.Context {
	return context.WithValue(ctx, retryKey{}, report)
}

// reason says in words why an attempt failed.
func reason(status int, err error, timeout time.Duration, secrets []string) string {
	var ne net.Error
	switch {
	case err == nil && status == http.StatusTooManyRequests:
		return "Synthesize is limiting requests (429)"
	case err == nil:
		return fmt.Sprintf("Synthesize answered %d %s", status, http.StatusText(status))
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer within %s", timeout)
	case isDialError(err):
		return "could not connect to Synthesize"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "the connection dropped before an answer"
	}
	return errString(err, secrets)
}

// pacer spaces requests at least gap apart across goroutines.
type pacer struct {
	mu   sync.Mutex
	next time.Time
	gap  time.Duration
}

func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := time.Now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(p.gap)
	p.mu.Unlock()
	d := time.Until(at)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// pageSize is what list calls ask for: the partner API's maximum.
const pageSize = 1000

type page[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
}

// PageProgress hears, after each page of a list, how many items of it have
// arrived and whether that was the last page.
type PageProgress func(op string, fetched int, done bool)

type progressKey struct{}

// WithPageProgress makes every list call under ctx report each page: a
// list of 10,000 takes ten requests, and a screen waiting on it can say how
// far it got.
func WithPageProgress(ctx context.Context, report PageProgress) context.Context {
	return context.WithValue(ctx, progressKey{}, report)
}

// listAll follows next_cursor until the list ends.
// Every item must have an id, and no id may come twice: the screens key
// rows by id, and a list that breaks that is refused as a whole.
func listAll[T any](ctx context.Context, t *transport, op, path string, query url.Values, id func(T) string) ([]T, error) {
	var all []T
	seen := map[string]bool{}
	cursor := ""
	for {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("limit", strconv.Itoa(pageSize))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var p page[T]
		if err := t.do(ctx, call{op: op, method: http.MethodGet, path: path, query: q, idempotent: true, maxBody: maxPage}, &p); err != nil {
			return nil, err
		}
		for i, item := range p.Data {
			switch k := id(item); {
			case k == "":
				return nil, t.invalid(op, path, fmt.Sprintf("item %d has no id", len(all)+i+1))
			case seen[k]:
				return nil, t.invalid(op, path, fmt.Sprintf("id %q comes twice", k))
			default:
				seen[k] = true
			}
		}
		all = append(all, p.Data...)
		if report, ok := ctx.Value(progressKey{}).(PageProgress); ok {
			report(op, len(all), p.NextCursor == "")
		}
		if p.NextCursor == "" {
			return all, nil
		}
		if p.NextCursor == cursor {
			return nil, fmt.Errorf("gradient %s: server repeated cursor %q; stopping", op, p.NextCursor)
		}
		cursor = p.NextCursor
	}
}
