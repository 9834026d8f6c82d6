package rest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// parseBase checks a base URL as a user gives it (GRADIENT_URL, a Mesh
// hub) and joins the API's root below its path. User info is refused: the
// credentials have their own variables, and a password in a URL ends up
// in logs and error messages. A query or fragment is refused too: the
// API's paths would land inside it.
func parseBase(svc, raw, suffix string) (*url.URL, error) {
	u, err := url.Parse(raw)
	fail := func(why string) error { return fmt.Errorf("%s: base URL %s %s", svc, showRaw(raw), why) }
	switch {
	case err != nil:
		return nil, fail("is not a URL")
	case u.User != nil:
		return nil, fail("holds a user name or password: remove them (the token is given on its own, and a URL is printed and logged)")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, fail("has a query (?…) or a fragment (#…): remove them; the API's paths are added below the URL's path")
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Opaque != "":
		return nil, fail("is not an http(s) URL")
	}
	base := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: strings.TrimRight(u.Path, "/") + suffix}
	if u.RawPath != "" {
		base.RawPath = strings.TrimRight(u.RawPath, "/") + suffix
	}
	return base, nil
}

// showRaw is a URL that may not parse, fit to print: no user info, no
// query or fragment, no control characters, at most 200 characters.
func showRaw(raw string) string {
	s := raw
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i] + "?…"
	}
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		host := rest
		if i := strings.Index(rest, "/"); i >= 0 {
			host = rest[:i]
		}
		if at := strings.LastIndex(host, "@"); at >= 0 {
			s = scheme + "://…@" + rest[at+1:]
		}
	} else if strings.Contains(s, "@") {
		s = "(a URL with user info)"
	}
	s = Redact(s, nil)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// showURL is a parsed URL fit to print: scheme, host and path; user info
// and query are marked, not shown.
func showURL(u *url.URL, secrets []string) string {
	var b strings.Builder
	b.WriteString(u.Scheme + "://")
	if u.User != nil {
		b.WriteString("…@")
	}
	b.WriteString(u.Host + u.EscapedPath())
	if u.RawQuery != "" || u.ForceQuery {
		b.WriteString("?…")
	}
	s := Redact(b.String(), secrets)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// RedirectError is a redirect the client refused to follow: it led to
// another origin (scheme, host or port), from https to http, or to a URL
// with user info. Requests carry credentials (a Bearer token, the vendor's
// GRADIENT-TOKEN, Mesh's API-KEY), and Go's client would send the custom
// headers anywhere and the Bearer token to another port. It is not retried.
type RedirectError struct {
	Service string
	Op      string
	Method  string
	Path    string
	Status  int    // the redirect's status, e.g. 307
	From    string // the origin called
	To      string // where the redirect pointed, without user info or query
	Reason  string // what changed: "another host", "https to http", ...
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s %s (%s %s): redirect refused, not followed: the %d answer pointed to %s: %s (the call went to %s), and the request carries credentials",
		service(e.Service), e.Op, e.Method, e.Path, e.Status, e.To, e.Reason, e.From)
}

// refused is what CheckRedirect returns; Fetch turns it into a
// RedirectError naming the call. (net/http wraps it in a url.Error whose
// URL is the raw Location, which is never shown.)
type refused struct {
	status   int
	from, to string
	reason   string
}

func (r *refused) Error() string { return "redirect refused: " + r.reason }

// maxRedirects is as many as Go's own policy follows.
const maxRedirects = 10

// guardRedirects copies hc with a CheckRedirect that refuses every
// redirect leaving the first request's origin, then asks hc's own policy.
func (c *Client) guardRedirects(hc *http.Client) *http.Client {
	guarded := *hc
	own := hc.CheckRedirect
	guarded.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		first := via[0].URL
		if why := crossOrigin(first, req.URL); why != "" {
			status := 0
			if req.Response != nil {
				status = req.Response.StatusCode
			}
			secrets := c.Secrets()
			return &refused{status: status, from: showURL(&url.URL{Scheme: first.Scheme, Host: first.Host}, secrets),
				to: showURL(req.URL, secrets), reason: why}
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		if own != nil {
			return own(req, via)
		}
		return nil
	}
	return &guarded
}

// crossOrigin says how to differs from from's origin, or "" when it does not.
func crossOrigin(from, to *url.URL) string {
	fs, fh, fp := origin(from)
	ts, th, tp := origin(to)
	switch {
	case fs == "https" && ts == "http":
		return "https to http"
	case fs != ts:
		return "another scheme"
	case fh != th:
		return "another host"
	case fp != tp:
		return "another port"
	case to.User != nil:
		return "user info in the URL"
	}
	return ""
}

func origin(u *url.URL) (scheme, host, port string) {
	scheme, host, port = strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme, host, port
}
