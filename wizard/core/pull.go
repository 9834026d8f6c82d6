package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui/text"
)

// PullError: Synthesize's pull from Mesh failed; Why is Synthesize's
// last_sync_error.
type PullError struct{ Why string }

func (e *PullError) Error() string {
	return "Synthesize could not read Mesh: " + text.Sanitize(e.Why)
}

// KeyRejected: Mesh answered 401, which usually means the key expired or
// was deleted in Mesh.
func (e *PullError) KeyRejected() bool { return PullKeyRejected(e.Why) }

// PullKeyRejected reads a last_sync_error: Mesh answered 401.
func PullKeyRejected(why string) bool {
	return strings.Contains(why, "401") || strings.Contains(strings.ToLower(why), "refused the api key")
}

// PullAdvice says what to do about a failed pull.
func PullAdvice(why string) string {
	if PullKeyRejected(why) {
		return "The key has usually expired or was deleted in Mesh: make a new one there (Settings → API Keys) " +
			"and replace it (home → Replace the Mesh API key, or mesh-gradient mesh-key replace)"
	}
	return "The mappings and earlier counts are kept; sync again later (home → Sync now, or mesh-gradient sync)"
}

// ErrPushFlow: sync now is for a connection by Mesh API key; with a
// Synthesize key, Mesh pushes.
var ErrPushFlow = errors.New("Mesh is connected by a Synthesize key, so Mesh sends the counts: press Gradient Sync in the Mesh portal (Settings → Gradient)")

// StartSync asks Synthesize to read Mesh now; the pull may end after the
// answer (see WaitPull).
func (s *Session) StartSync(ctx context.Context) error {
	ctx, cancel := CallContext(ctx)
	defer cancel()
	err := s.cfg.Partner.SyncNow(ctx)
	var ae *gradient.APIError
	switch {
	case errors.As(err, &ae) && ae.Code == "wrong_method":
		return ErrPushFlow
	case errors.As(err, &ae) && ae.Code == "not_connected":
		return ErrNotConnected
	case err != nil:
		return fmt.Errorf("sync now: %w", err)
	}
	return nil
}

// SyncNow asks Synthesize to read Mesh and waits until it has: the card's
// last sync moves past the one before. A pull that failed is a
// *PullError. say hears what is going on.
func (s *Session) SyncNow(ctx context.Context, say func(string)) (gradient.IntegrationDetail, error) {
	before, err := s.PollIntegration(ctx)
	if err != nil {
		return before, err
	}
	if before.Method != gradient.MethodMeshAPIKey {
		return before, ErrPushFlow
	}
	if err := s.StartSync(ctx); err != nil {
		return before, err
	}
	var since time.Time
	if before.LastSyncAt != nil {
		since = *before.LastSyncAt
	}
	say("Synthesize is reading Mesh…")
	return s.WaitPull(ctx, since)
}

// WaitPull polls until Synthesize's last sync is after since, then
// answers the card; a failed pull is a *PullError. A connected
// integration's renewal (a replaced key) ends with it.
func (s *Session) WaitPull(ctx context.Context, since time.Time) (gradient.IntegrationDetail, error) {
	p := poller{first: s.cfg.PollEvery}
	for {
		d, err := s.PollIntegration(ctx)
		if err == nil && d.LastSyncAt != nil && d.LastSyncAt.After(since) {
			if s.Progress().Renewal != nil {
				if err := s.Save(func(p *store.Progress) { p.Renewal = nil })(); err != nil {
					return d, s.unsaved("Synthesize read Mesh", err)
				}
			}
			if d.Status == gradient.StatusError {
				return d, &PullError{Why: d.LastSyncError}
			}
			return d, nil
		}
		wait := p.same()
		switch {
		case errors.Is(err, ErrNotConnected):
			return d, err
		case err != nil && ctx.Err() != nil:
			return d, fmt.Errorf("Synthesize has not finished reading Mesh (%w); run mesh-gradient status to see when it does", err)
		case err != nil:
			wait = p.failed()
		}
		if sleep(ctx, wait) != nil {
			return d, errors.New("Synthesize has not finished reading Mesh yet; run mesh-gradient status to see when it does")
		}
	}
}
