package gradient

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/meshgradient/mesh-gradient/gradient/rest"
)

// The HTTP machinery lives in gradient/rest, shared with Mesh's client;
// these names keep gradient's API as it was.
type (
	// Options tune a client. The zero value is usable.
	Options = rest.Options
	// RetryPolicy: which attempts, how far apart.
	RetryPolicy = rest.RetryPolicy
	// Retry is news that an attempt failed and the call will be tried again.
	Retry = rest.Retry
	// RetryReport hears every retry of calls made under a context.
	RetryReport = rest.RetryReport
	// PageProgress hears, after each page of a list, how many items of it
	// have arrived and whether that was the last page.
	PageProgress = rest.PageProgress
	// RedirectError is a redirect refused because it left the origin
	// called (scheme, host or port) or went from https to http.
	RedirectError = rest.RedirectError
)

// ErrTooLarge is an answer larger than the cap for its call.
var ErrTooLarge = rest.ErrTooLarge

// WithRetryReport makes every call under ctx report its retries, so a
// screen waiting on a struggling Synthesize can say what is happening
// instead of spinning in silence.
func WithRetryReport(ctx context.Context, report RetryReport) context.Context {
	return rest.WithRetryReport(ctx, report)
}

// WithPageProgress makes every list call under ctx report each page: a
// list of 10,000 takes ten requests, and a screen waiting on it can say how
// far it got.
func WithPageProgress(ctx context.Context, report PageProgress) context.Context {
	return rest.WithPageProgress(ctx, report)
}

// newTransport is a rest client for one of Synthesize's APIs.
func newTransport(baseURL, suffix string, opts Options, auth func(http.Header), secrets []string) (*rest.Client, error) {
	return rest.New(rest.Config{Service: "gradient", Peer: "Synthesize", BaseURL: baseURL, Suffix: suffix,
		Auth: auth, Secrets: secrets, Wrapped: true, Options: opts})
}

// Pages have at most PageSize items of at most MaxItemBytes of JSON each;
// the emulator refuses larger accounts, and the client reads a page up to
// twice the largest legal one.
const (
	PageSize     = rest.PageSize
	MaxItemBytes = rest.MaxItemBytes
)

type page[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
}

// listAll follows next_cursor until the list ends, under the rules of
// rest.List: ids present and unique, no cursor twice, the list's caps.
func listAll[T any](ctx context.Context, t *rest.Client, op, path string, query url.Values, id func(T) string) ([]T, error) {
	list := rest.NewList(ctx, t, op, path, id)
	cursor := ""
	for {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("limit", strconv.Itoa(PageSize))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var p page[T]
		call := rest.Call{Op: op, Method: http.MethodGet, Path: path, Query: q, Idempotent: true, MaxBody: rest.PageCap(PageSize)}
		if field := fieldsOf[T](); field != nil {
			call.Fast = fastPage(&p, field)
		}
		size, err := t.Fetch(ctx, call, &p)
		if err != nil {
			return nil, err
		}
		if err := list.Add(p.Data, size, p.NextCursor == ""); err != nil {
			return nil, err
		}
		if p.NextCursor == "" {
			return list.Items(), nil
		}
		if err := list.Next(p.NextCursor); err != nil {
			return nil, err
		}
		cursor = p.NextCursor
	}
}
