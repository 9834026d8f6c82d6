package mesh

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/rest"
)

// Client reads Mesh's own REST API (API.md §7) with an API key. It shares
// the Synthesize clients' transport (gradient/rest): the same retries,
// timeouts, size caps, redirect rules and redaction; its errors start with
// "mesh", and the key is never in one.
type Client struct {
	t *rest.Client
}

// NewClient talks to {hubURL}/api with the header API-KEY. hubURL is a
// hub as Portals lists it (or HubURL gives it), without /api.
func NewClient(hubURL, apiKey string, opts gradient.Options) (*Client, error) {
	key := strings.TrimSpace(apiKey)
	switch {
	case key == "":
		return nil, errors.New("mesh: the API key is empty")
	case strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return nil, errors.New("mesh: the API key holds spaces or control characters; copy it again from Mesh")
	}
	if u, err := url.Parse(hubURL); err == nil && strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/api") {
		return nil, errors.New("mesh: the hub URL ends in /api; give the hub itself, for example " + Portals[0].URL)
	}
	t, err := rest.New(rest.Config{Service: "mesh", Peer: "Mesh", BaseURL: hubURL, Suffix: "/api",
		Auth: func(h http.Header) { h.Set("API-KEY", key) }, Secrets: []string{key, apiKey}, Options: opts})
	if err != nil {
		return nil, err
	}
	return &Client{t: t}, nil
}

// ErrKeyRejected is Mesh's 401: the key is wrong, has expired or was
// deleted. Errors from the client match it with errors.Is, and still hold
// the *gradient.APIError with Mesh's own words.
var ErrKeyRejected = errors.New("Mesh refused the API key: it is wrong, has expired or was deleted")

// IsKeyRejected reports whether err is Mesh's 401.
func IsKeyRejected(err error) bool { return errors.Is(err, ErrKeyRejected) }

type keyRejected struct{ api *rest.APIError }

func (e *keyRejected) Error() string        { return e.api.Error() + " (" + ErrKeyRejected.Error() + ")" }
func (e *keyRejected) Unwrap() error        { return e.api }
func (e *keyRejected) Is(target error) bool { return target == ErrKeyRejected }

// typed marks Mesh's 401 as ErrKeyRejected.
func typed(err error) error {
	var ae *rest.APIError
	if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
		return &keyRejected{api: ae}
	}
	return err
}

// customerPage is the answer of GET /api/customers/. next and previous
// (full URLs) are not followed: paging is by _from and _size, so nothing
// in an answer chooses where the key is sent next.
type customerPage struct {
	Count   *int       `json:"count"`
	Results []Customer `json:"results"`
}

const customersPath = "/customers/"

// Check reads one customer's worth of the list, as Synthesize does before
// it accepts a key (API.md §2a), and answers how many customers the key
// sees. A refused key is ErrKeyRejected.
func (c *Client) Check(ctx context.Context) (int, error) {
	var p customerPage
	err := c.t.Do(ctx, rest.Call{Op: "check the API key", Method: http.MethodGet, Path: customersPath,
		Query: url.Values{"_size": {"1"}}, Idempotent: true, MaxBody: rest.PageCap(1)}, &p)
	if err != nil {
		return 0, typed(err)
	}
	if p.Count == nil || *p.Count < 0 {
		return 0, c.t.Invalid("check the API key", customersPath, "no customer count")
	}
	return *p.Count, nil
}

// Customers lists every customer, rest.PageSize at a time, until the count
// Mesh gives; under rest.List's rules (ids present and unique, the caps).
func (c *Client) Customers(ctx context.Context) ([]Customer, error) {
	const op = "list customers"
	list := rest.NewList(ctx, c.t, op, customersPath, func(x Customer) string { return x.ID })
	for from := 0; ; {
		q := url.Values{"_from": {strconv.Itoa(from)}, "_size": {strconv.Itoa(rest.PageSize)}, "format": {"json"}}
		var p customerPage
		size, err := c.t.Fetch(ctx, rest.Call{Op: op, Method: http.MethodGet, Path: customersPath, Query: q,
			Idempotent: true, MaxBody: rest.PageCap(rest.PageSize)}, &p)
		if err != nil {
			return nil, typed(err)
		}
		if p.Count == nil || *p.Count < 0 {
			return nil, c.t.Invalid(op, customersPath, "no customer count")
		}
		from += len(p.Results)
		done := from >= *p.Count
		if len(p.Results) == 0 && !done {
			// Asking again from the same offset would never end.
			return nil, c.t.Invalid(op, customersPath, fmt.Sprintf("Mesh counts %d customers but sent none from %d on; stopping", *p.Count, from))
		}
		if err := list.Add(p.Results, size, done); err != nil {
			return nil, err
		}
		if done {
			return list.Items(), nil
		}
	}
}

// Customer reads one customer; a 404 (gradient.IsNotFound) is an id Mesh
// does not know.
func (c *Client) Customer(ctx context.Context, id string) (Customer, error) {
	const op = "get customer"
	path := customersPath + url.PathEscape(id) + "/"
	var out Customer
	if err := c.t.Do(ctx, rest.Call{Op: op, Method: http.MethodGet, Path: path, Idempotent: true, MaxBody: rest.PageCap(1)}, &out); err != nil {
		return Customer{}, typed(err)
	}
	if out.ID != id {
		return Customer{}, c.t.Invalid(op, path, fmt.Sprintf("asked for customer %q, got %q", id, out.ID))
	}
	return out, nil
}
