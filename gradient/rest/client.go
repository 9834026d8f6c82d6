// Package rest is the HTTP machinery every API client of this program
// shares (Synthesize's partner and vendor APIs, Mesh's API): one attempt
// timeout, jittered retries of what may be retried, answers read into
// memory up to a cap, typed errors, and secrets kept out of every error
// and log line.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
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

// Config says which API a client calls and how it authenticates.
type Config struct {
	Service string // first word of every error and log line: "gradient", "mesh"
	Peer    string // who answers, in retry reasons: "Synthesize", "Mesh"
	BaseURL string // as the user gave it
	Suffix  string // the API's root below BaseURL, e.g. "/api/partner/v1"
	Auth    func(http.Header)
	Secrets []string // never printed: in errors and logs they become [redacted]
	// Wrapped: answers may come as {"status", "data", "message"} (the
	// vendor API's envelope); data is then what is decoded.
	Wrapped bool
	Options Options
}

// Client is one API's base URL, credentials and policies.
type Client struct {
	service, peer string
	base          *url.URL
	opts          Options
	auth          func(http.Header)
	wrapped       bool
	pace          *pacer

	mu      sync.Mutex
	secrets []string
}

// New checks the base URL and builds a client.
func New(cfg Config) (*Client, error) {
	u, err := parseBase(service(cfg.Service), cfg.BaseURL, cfg.Suffix)
	if err != nil {
		return nil, err
	}
	opts := cfg.Options.withDefaults()
	c := &Client{service: service(cfg.Service), peer: cfg.Peer, base: u, opts: opts, auth: cfg.Auth,
		wrapped: cfg.Wrapped, secrets: append([]string(nil), cfg.Secrets...)}
	c.opts.HTTPClient = c.guardRedirects(opts.HTTPClient)
	if c.peer == "" {
		c.peer = "the server"
	}
	if opts.MaxPerSecond > 0 {
		c.pace = &pacer{gap: time.Duration(float64(time.Second) / opts.MaxPerSecond)}
	}
	return c, nil
}

// AddSecret adds a secret (an issued key) that must never appear in
// errors or logs.
func (c *Client) AddSecret(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.secrets = append(c.secrets, s)
}

// Secrets are the strings this client redacts.
func (c *Client) Secrets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.secrets...)
}

// Call describes one API call.
type Call struct {
	Op         string
	Method     string
	Path       string // below the base, starting with /, its segments escaped
	Query      url.Values
	Body       any
	Idempotent bool  // may be retried after an answer that was lost
	MaxBody    int64 // the largest answer read; default MaxAnswer
	// Header holds request headers of this call (If-Match, say).
	Header http.Header
	// Secret: the answer holds a credential; its bytes are zeroed once
	// decoded, so the only copy left is the one decoded into out.
	Secret bool
	// ErrorInto, when set, also receives an error answer's body as JSON
	// (a 412 that carries the current state); a body that does not decode
	// leaves it as it was.
	ErrorInto any
	// Fast, when set, decodes a success answer's body without
	// encoding/json (see Scanner); when it answers false, what it wrote
	// is overwritten by decoding the body into out as usual.
	Fast func(body []byte) bool
}

// MaxAnswer caps an answer read into memory when the call sets no cap: the
// unpaged answers (mappings, billing) of 100,000 accounts fit below it. A
// larger answer is a fault.
const MaxAnswer = 32 << 20

// ErrTooLarge is an answer larger than the cap for its call.
var ErrTooLarge = errors.New("the answer is too large")

// envelope is the vendor API's wrapper.
type envelope struct {
	Status  *int            `json:"status"`
	Data    json.RawMessage `json:"data"`
	Message string          `json:"message"`
}

// errorBody covers every error shape we meet: the partner API's
// {"error": {...}}, the vendor API's {"statusCode", "message"} and Mesh's
// {"errors": [...]}.
type errorBody struct {
	Error *struct {
		Code    string   `json:"code"`
		Message string   `json:"message"`
		Unknown []string `json:"unknown"`
	} `json:"error"`
	Errors     []json.RawMessage `json:"errors"`
	StatusCode int               `json:"statusCode"`
	Message    string            `json:"message"`
}

// Do runs c, retrying what may be retried, and decodes the answer into out
// (nil: ignore the body).
func (c *Client) Do(ctx context.Context, call Call, out any) error {
	_, err := c.Fetch(ctx, call, out)
	return err
}

// Fetch is Do that also says how many bytes the answer had, for callers
// that budget what they hold in memory.
func (c *Client) Fetch(ctx context.Context, call Call, out any) (int64, error) {
	var payload []byte
	if call.Body != nil {
		var err error
		if payload, err = json.Marshal(call.Body); err != nil {
			return 0, fmt.Errorf("%s %s: encoding request: %w", c.service, call.Op, err)
		}
	}
	// call.Path is already escaped: keep it as RawPath, so net/url does
	// not escape its "%" a second time (an id "m 1" must go as m%201).
	u := *c.base
	u.RawPath = c.base.EscapedPath() + call.Path
	if p, err := url.PathUnescape(u.RawPath); err == nil {
		u.Path = p
	} else {
		return 0, fmt.Errorf("%s %s: path %q is not escaped properly: %w", c.service, call.Op, call.Path, err)
	}
	u.RawQuery = call.Query.Encode()
	display := c.base.Path + call.Path
	secrets := c.Secrets()
	limit := call.MaxBody
	if limit <= 0 {
		limit = MaxAnswer
	}
	reqErr := func(attempts int, err error) *RequestError {
		return &RequestError{Service: c.service, Op: call.Op, Method: call.Method, Path: display, Attempts: attempts, Err: err}
	}

	var lastErr error
	lost := false // an earlier attempt may have arrived, its answer lost
	for attempt := 1; ; attempt++ {
		if c.pace != nil {
			if err := c.pace.wait(ctx); err != nil {
				return 0, reqErr(attempt-1, err)
			}
		}
		status, hdr, body, err := c.once(ctx, call, u.String(), payload, limit)
		var rf *refused
		if errors.As(err, &rf) {
			c.opts.Logger.Debug(c.service, "op", call.Op, "method", call.Method, "path", display, "attempt", attempt, "status", rf.status, "err", rf.Error())
			return 0, &RedirectError{Service: c.service, Op: call.Op, Method: call.Method, Path: display,
				Status: rf.status, From: rf.from, To: rf.to, Reason: rf.reason}
		}
		if errors.Is(err, ErrTooLarge) {
			return 0, &DecodeError{Service: c.service, Op: call.Op, Method: call.Method, Path: display, Status: status,
				ContentType: hdr.Get("Content-Type"), Snippet: snippet(body, secrets),
				Err: fmt.Errorf("%w (over %d MiB; reading stopped there)", ErrTooLarge, limit>>20)}
		}
		c.opts.Logger.Debug(c.service, "op", call.Op, "method", call.Method, "path", display, "attempt", attempt, "status", status, "err", errString(err, secrets))
		var wait time.Duration
		retry := false
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return 0, reqErr(attempt, ctx.Err())
			}
			lastErr = reqErr(attempt, errors.New(errString(err, secrets)))
			lost = lost || !isDialError(err)
			// A request that never left can always be retried; one whose
			// answer was lost only when repeating it is harmless.
			retry = call.Idempotent || isDialError(err)
		case status >= 200 && status < 300:
			err := c.decode(call, display, status, hdr, body, out, secrets)
			if call.Secret {
				clear(body)
			}
			return int64(len(body)), err
		default:
			ae := c.apiError(call, display, status, body, secrets)
			ae.AfterLostAnswer = lost
			if call.ErrorInto != nil {
				_ = json.Unmarshal(body, call.ErrorInto)
			}
			lastErr = ae
			switch {
			case status == http.StatusTooManyRequests, status == http.StatusServiceUnavailable:
				retry = true // the server says it did nothing
				wait = retryAfter(hdr.Get("Retry-After"))
			case status >= 500:
				retry = call.Idempotent
			}
		}
		if !retry || attempt >= c.opts.Retry.MaxAttempts {
			return 0, lastErr
		}
		if wait <= 0 {
			wait = c.opts.Retry.backoff(attempt)
		}
		if report, ok := ctx.Value(retryKey{}).(RetryReport); ok {
			report(Retry{Op: call.Op, Attempt: attempt, MaxAttempts: c.opts.Retry.MaxAttempts, Wait: wait,
				Reason: reason(c.peer, status, err, c.opts.Timeout, secrets)})
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return 0, reqErr(attempt, ctx.Err())
		case <-timer.C:
		}
	}
}

func (c *Client) once(ctx context.Context, call Call, target string, payload []byte, limit int64) (int, http.Header, []byte, error) {
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, call.Method, target, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range call.Header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.auth(req.Header)
	// A credential's answer closes its connection, so the connection's
	// read buffer (a copy no one could zero) is dropped with it.
	req.Close = call.Secret
	resp, err := c.opts.HTTPClient.Do(req)
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

func (c *Client) decode(call Call, display string, status int, hdr http.Header, body []byte, out any, secrets []string) error {
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if call.Fast != nil && call.Fast(body) {
		return nil
	}
	data := body
	if c.wrapped && mayBeEnvelope(body) {
		var env envelope
		if json.Unmarshal(body, &env) == nil && env.Status != nil && env.Data != nil {
			data = env.Data
		}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &DecodeError{Service: c.service, Op: call.Op, Method: call.Method, Path: display, Status: status,
			ContentType: hdr.Get("Content-Type"), Snippet: snippet(body, secrets), Err: err}
	}
	return nil
}

// mayBeEnvelope is false when body cannot be the vendor API's envelope:
// it has no key that encoding/json would take for "status" (which matches
// keys without regard to case, after their escapes). Then the body is not
// read a second time looking for one: pages of the partner API have a
// "data" too, but never a status.
func mayBeEnvelope(body []byte) bool {
	if bytes.IndexByte(body, '\\') >= 0 {
		return true
	}
	// No other letter folds to t, a or u (only k, s and å have a second
	// form: the Kelvin, long s and Ångström signs); |0x20 lowers these
	// three and maps no other byte onto them.
	for i := 0; i+4 <= len(body); i++ {
		if body[i]|0x20 == 't' && body[i+1]|0x20 == 'a' && body[i+2]|0x20 == 't' && body[i+3]|0x20 == 'u' {
			return true
		}
	}
	return false
}

func (c *Client) apiError(call Call, display string, status int, body []byte, secrets []string) *APIError {
	e := &APIError{Service: c.service, Op: call.Op, Method: call.Method, Path: display, Status: status}
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil {
		switch {
		case eb.Error != nil:
			e.Code, e.Message, e.Unknown = eb.Error.Code, eb.Error.Message, eb.Error.Unknown
		case len(eb.Errors) > 0:
			e.Errors = errorItems(eb.Errors, secrets)
			e.Message = strings.Join(e.Errors, "; ")
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
	e.Message = Redact(e.Message, secrets)
	return e
}

// errorItems reads Mesh's error list, whose items may be strings or
// objects ({"message"}, {"detail"}, or anything: shown as its JSON), at
// most 10 of them, each sanitized and cut.
func errorItems(raw []json.RawMessage, secrets []string) []string {
	var out []string
	for _, r := range raw[:min(len(raw), 10)] {
		var s string
		if json.Unmarshal(r, &s) != nil {
			var o struct {
				Message string `json:"message"`
				Detail  string `json:"detail"`
			}
			_ = json.Unmarshal(r, &o) // not an object: shown as its JSON below
			s = o.Message + o.Detail
			if s == "" {
				s = string(r)
			}
		}
		out = append(out, snippet([]byte(s), secrets))
	}
	return out
}

// Invalid is an answer that broke the API's rules, for a GET of path.
func (c *Client) Invalid(op, path, problem string) *InvalidAnswerError {
	return &InvalidAnswerError{Service: c.service, Op: op, Method: http.MethodGet, Path: c.base.Path + path, Problem: Redact(problem, c.Secrets())}
}
