package gradient

import (
	"context"
	"fmt"
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

// maxPage caps one page of a list: a page is at most 1,000 items, far
// below it.
const maxPage = 4 << 20

// pageSize is what list calls ask for: the partner API's maximum.
const pageSize = 1000

type page[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
}

// listAll follows next_cursor until the list ends.
// Every item must have an id, and no id may come twice: the screens key
// rows by id, and a list that breaks that is refused as a whole.
func listAll[T any](ctx context.Context, t *rest.Client, op, path string, query url.Values, id func(T) string) ([]T, error) {
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
		if err := t.Do(ctx, rest.Call{Op: op, Method: http.MethodGet, Path: path, Query: q, Idempotent: true, MaxBody: maxPage}, &p); err != nil {
			return nil, err
		}
		for i, item := range p.Data {
			switch k := id(item); {
			case k == "":
				return nil, t.Invalid(op, path, fmt.Sprintf("item %d has no id", len(all)+i+1))
			case seen[k]:
				return nil, t.Invalid(op, path, fmt.Sprintf("id %q comes twice", k))
			default:
				seen[k] = true
			}
		}
		all = append(all, p.Data...)
		rest.ReportPage(ctx, op, len(all), p.NextCursor == "")
		if p.NextCursor == "" {
			return all, nil
		}
		if p.NextCursor == cursor {
			return nil, fmt.Errorf("gradient %s: server repeated cursor %q; stopping", op, p.NextCursor)
		}
		cursor = p.NextCursor
	}
}
