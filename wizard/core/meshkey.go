package core

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui/text"
)

// Connecting by Mesh API key (flow 1b, API.md §2a): the technician makes
// a key in Mesh, the program checks it against Mesh itself (§7), then
// gives it and the hub to Synthesize, which reads Mesh. The key lives in
// this process's memory only; the state file keeps its fingerprint, as
// it does of a Synthesize key.

// Hub is a Mesh hub a key can be given for.
type Hub struct {
	Region, Name, URL string
}

// Hubs are the regional hubs (below the portal override in a sandbox).
func (s *Session) Hubs() []Hub {
	out := make([]Hub, 0, len(mesh.Portals))
	for _, p := range mesh.Portals {
		u, _ := mesh.HubURL(p.Region, s.cfg.MeshPortal)
		out = append(out, Hub{Region: p.Region, Name: p.Name, URL: u})
	}
	return out
}

// HubURL reads a hub as a script gives it (--hub us|eu|URL) or as the
// screens choose it (a region).
func (s *Session) HubURL(choice string) (string, error) {
	choice = strings.TrimSpace(choice)
	for _, h := range s.Hubs() {
		if strings.EqualFold(choice, h.Region) {
			return h.URL, nil
		}
	}
	u, err := url.Parse(choice)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", Input("--hub %q: give us, eu, or the hub's address (for example %s)", choice, mesh.Portals[0].URL)
	}
	return strings.TrimRight(choice, "/"), nil
}

// RegionOf is the region whose hub is url, or "".
func (s *Session) RegionOf(hubURL string) string {
	for _, h := range s.Hubs() {
		if h.URL == strings.TrimRight(hubURL, "/") {
			return h.Region
		}
	}
	return ""
}

// ErrMeshKeyMalformed: what was pasted cannot be a key.
var ErrMeshKeyMalformed = errors.New("that is not a Mesh API key: it is empty, holds spaces or control characters, or is over 512 characters")

// ErrMeshKeyRefused: Mesh answered 401 to the key.
var ErrMeshKeyRefused = errors.New("Mesh refused the API key (401): it is mistyped, has expired or was deleted; nothing was sent to Synthesize")

// meshClient reads Mesh with key at hub.
func (s *Session) meshClient(hub, key string) (*mesh.Client, error) {
	key = strings.TrimSpace(key)
	if !WellFormedKey(key) {
		return nil, ErrMeshKeyMalformed
	}
	c, err := mesh.NewClient(hub, key, s.cfg.MeshOptions)
	if err != nil {
		return nil, Input("%s", strings.TrimPrefix(err.Error(), "mesh: "))
	}
	return c, nil
}

// CheckMeshKey reads Mesh's customers with key, before anything goes to
// Synthesize, and answers what it sees per product. A key Mesh refuses is
// ErrMeshKeyRefused.
func (s *Session) CheckMeshKey(ctx context.Context, hub, key string) (mesh.Summary, error) {
	c, err := s.meshClient(hub, key)
	if err != nil {
		return mesh.Summary{}, err
	}
	ctx, cancel := CallContext(ctx)
	defer cancel()
	customers, err := c.Customers(ctx)
	switch {
	case mesh.IsKeyRejected(err):
		return mesh.Summary{}, ErrMeshKeyRefused
	case err != nil:
		return mesh.Summary{}, fmt.Errorf("reading Mesh at %s: %w", hub, err)
	}
	return mesh.Summarize(customers), nil
}

// KeyWorks is what a face says of a key Mesh took.
func KeyWorks(sum mesh.Summary) string { return "Key works: " + sum.String() }

// ErrMeshAlreadyConnected: a connect found Mesh connected by a Synthesize
// key; a Mesh key cannot be added to that.
var ErrMeshAlreadyConnected = errors.New("Mesh is already connected in Synthesize by a Synthesize key. " +
	"To connect by Mesh API key instead, disconnect first (mesh-gradient disconnect --yes), then connect again")

// GiveMeshKey hands a checked key and its hub to Synthesize: a connect
// with the chosen products and types, or, when this state file has
// connected already (a pull that failed, a key that expired), a
// replacement. The step then moves to the wait for Synthesize's pull.
func (s *Session) GiveMeshKey(ctx context.Context, hub, key string) (gradient.IntegrationDetail, error) {
	if p := s.Progress(); p.Method == gradient.MethodMeshAPIKey && p.KeyHint != "" {
		return s.ReplaceMeshKey(ctx, hub, key)
	}
	p := s.Progress()
	return s.ConnectMeshKey(ctx, p.Products, p.Types, hub, key)
}

// ConnectMeshKey connects Mesh by API key with products and types.
// Synthesize checks the key against Mesh too: 422 when Mesh refuses it,
// 502 when Synthesize cannot reach Mesh.
func (s *Session) ConnectMeshKey(ctx context.Context, products, types []string, hub, key string) (gradient.IntegrationDetail, error) {
	if err := CheckChoice(products, types); err != nil {
		return gradient.IntegrationDetail{}, err
	}
	key = strings.TrimSpace(key)
	if !WellFormedKey(key) {
		return gradient.IntegrationDetail{}, ErrMeshKeyMalformed
	}
	if err := s.Save(func(p *store.Progress) {
		p.Products, p.Types, p.Method, p.MeshHub = products, types, gradient.MethodMeshAPIKey, hub
	})(); err != nil {
		return gradient.IntegrationDetail{}, s.unsaved("nothing was asked of Synthesize", err)
	}
	if s.Step() == StepProducts {
		if _, pending := s.Advance(Chosen); pending() != nil {
			return gradient.IntegrationDetail{}, s.unsaved("nothing was asked of Synthesize", pending())
		}
	}
	ctx, cancel := CallContext(ctx)
	defer cancel()
	cred := gradient.MeshCredentials{APIURL: hub, APIKey: key}
	d, err := s.cfg.Partner.ConnectMeshKey(ctx, products, types, cred)
	if gradient.StatusOf(err) == 409 {
		// Connected already: by this key's flow (an answer that was lost),
		// so give the key again; or by the other flow.
		if cur, ierr := s.cfg.Partner.Integration(ctx); ierr == nil && cur.Method == gradient.MethodMeshAPIKey {
			d, err = s.cfg.Partner.ReplaceMeshKey(ctx, cred)
		} else if ierr == nil {
			return gradient.IntegrationDetail{}, ErrMeshAlreadyConnected
		}
	}
	if err != nil {
		return gradient.IntegrationDetail{}, meshKeyRefused("connect", err)
	}
	return d, s.meshKeyTaken(key, hub, "connected")
}

// ReplaceMeshKey gives Synthesize a new Mesh key (and hub) for the
// connected integration, checked against Mesh by Synthesize first.
func (s *Session) ReplaceMeshKey(ctx context.Context, hub, key string) (gradient.IntegrationDetail, error) {
	key = strings.TrimSpace(key)
	if !WellFormedKey(key) {
		return gradient.IntegrationDetail{}, ErrMeshKeyMalformed
	}
	ctx, cancel := CallContext(ctx)
	defer cancel()
	// What Synthesize says before: the pull with the new key has run once
	// its last sync moves (see FirstSync).
	var renewal *store.Renewal
	if d, err := s.cfg.Partner.Integration(ctx); err == nil && s.Progress().Onboarded {
		renewal = &store.Renewal{Status: d.Status}
		if d.LastSyncAt != nil {
			renewal.LastSync = *d.LastSyncAt
		}
	}
	d, err := s.cfg.Partner.ReplaceMeshKey(ctx, gradient.MeshCredentials{APIURL: hub, APIKey: key})
	switch {
	case gradient.StatusOf(err) == 409:
		return gradient.IntegrationDetail{}, fmt.Errorf("replace the Mesh API key: %w (%s)", ErrNotConnected, text.Sanitize(err.Error()))
	case err != nil:
		return gradient.IntegrationDetail{}, meshKeyRefused("replace the Mesh API key", err)
	}
	if renewal != nil {
		if err := s.Save(func(p *store.Progress) { p.Renewal = renewal })(); err != nil {
			return d, s.unsaved("Synthesize has the new Mesh key", err)
		}
	}
	return d, s.meshKeyTaken(key, hub, "Synthesize has the new Mesh key")
}

// meshKeyRefused names Synthesize's refusals of a Mesh key.
func meshKeyRefused(what string, err error) error {
	var ae *gradient.APIError
	switch {
	case gradient.IsMeshKeyRejected(err):
		return fmt.Errorf("%s: Synthesize checked the key with Mesh, and Mesh refused it (it is mistyped, has expired or was deleted); "+
			"make a new one in Mesh (Settings → API Keys): %w", what, err)
	case errors.As(err, &ae) && ae.Code == gradient.CodeMeshUnreachable:
		return fmt.Errorf("%s: Synthesize could not reach Mesh at the hub given (is it the right hub?): %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// meshKeyTaken writes down what Synthesize took: the method, the hub and
// the key's fingerprint (never the key), and moves to the wait for the
// pull. The key stays in memory for Mesh's own counts in this run, and
// in the OS keyring when the user agreed to keep it there.
func (s *Session) meshKeyTaken(key, hub, what string) error {
	hint, sha := fingerprint(key)
	now := s.cfg.Now().UTC()
	s.mu.Lock()
	s.meshKey, s.meshKeyHub = key, hub
	s.mu.Unlock()
	err := s.Save(func(p *store.Progress) {
		p.Method, p.MeshHub, p.KeyHint, p.KeySHA256 = gradient.MethodMeshAPIKey, hub, hint, sha
		if p.ConnectedAt.IsZero() {
			p.ConnectedAt = now
		}
	})()
	if err == nil {
		_, pending := s.Advance(MeshKeyGiven)
		err = pending()
	}
	if err != nil {
		return s.unsaved(what, err)
	}
	if s.Progress().MeshKeyring {
		// Keep the keyring's copy current; a failure is news, not an error
		// of the connect (the state file does not depend on it).
		_ = s.keyringSet(key)
	}
	return nil
}
