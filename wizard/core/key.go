package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
)

// IntegrationType is Billing or Alerts, as the first step offers them.
type IntegrationType struct {
	Key, Name, Summary string
}

// IntegrationTypes are the types a connect can choose, in order.
var IntegrationTypes = []IntegrationType{
	{Key: gradient.TypeBilling, Name: "Billing", Summary: "usage counts reconciled against your PSA"},
	{Key: gradient.TypeAlerts, Name: "Alerts", Summary: "Mesh security alerts become PSA tickets"},
}

// ProductKeys and TypeKeys are the catalogue's keys, in its order.
var (
	ProductKeys = func() []string {
		out := make([]string, len(mesh.Products))
		for i, p := range mesh.Products {
			out[i] = p.Key
		}
		return out
	}()
	TypeKeys = func() []string {
		out := make([]string, len(IntegrationTypes))
		for i, t := range IntegrationTypes {
			out[i] = t.Key
		}
		return out
	}()
)

// Toggle adds or removes k from set, keeping the catalogue's order.
func Toggle(set []string, k string, on bool, order []string) []string {
	var out []string
	for _, x := range order {
		if x == k && on || x != k && slices.Contains(set, x) {
			out = append(out, x)
		}
	}
	return out
}

// ErrAlreadyConnected: a connect found Mesh connected already, so its key
// was issued before (elsewhere, or in an answer that was lost).
var ErrAlreadyConnected = errors.New("Mesh is already connected in Synthesize, and its key cannot be shown again. " +
	"For a new key run mesh-gradient rekey --key-file FILE; to start over, mesh-gradient disconnect --yes")

// ErrNotConnected: Mesh is not connected in Synthesize.
var ErrNotConnected = errors.New("Mesh is not connected in Synthesize; run mesh-gradient, or mesh-gradient connect")

// ErrNoKey: Synthesize answered a connect or a new key without one.
var ErrNoKey = errors.New("Synthesize answered without an API key, so there is nothing to paste in Mesh; " +
	"issue a new key (mesh-gradient rekey, or r on the key screen)")

// ErrMalformedKey: Synthesize answered a key no one could paste: too
// long, or with spaces, control characters or escape sequences. It is
// never shown or written down.
var ErrMalformedKey = errors.New("Synthesize answered an API key that is not well formed (spaces, control characters or over 512 characters), " +
	"so it was not shown; issue a new key (mesh-gradient rekey, or r on the key screen), and report it if it happens again")

// maxKeyLen bounds a key: real ones are tens of characters.
const maxKeyLen = 512

// WellFormedKey: printable ASCII without spaces, as API keys are, so that
// drawing it can never move the cursor or start an escape sequence.
func WellFormedKey(k string) bool {
	if k == "" || len(k) > maxKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// CheckChoice validates products and types before anything is asked of
// Synthesize; the problems name the flags a script gives them with.
func CheckChoice(products, types []string) error {
	problems := append(checkChoice("product", "--products", products, ProductKeys), checkChoice("type", "--types", types, TypeKeys)...)
	if problems != nil {
		return &InputError{Problems: problems}
	}
	return nil
}

func checkChoice(what, flag string, given, known []string) []string {
	list := strings.Join(known, ", ")
	if len(given) == 0 {
		return []string{fmt.Sprintf("choose at least one %s with %s (%s)", what, flag, list)}
	}
	var problems []string
	for _, g := range given {
		if !slices.Contains(known, g) {
			problems = append(problems, fmt.Sprintf("unknown %s %q (%ss: %s)", what, g, what, list))
		}
	}
	return problems
}

// MissingChoice says what the first step still needs, or "".
func MissingChoice(p store.Progress) string {
	switch {
	case len(p.Products) == 0 && len(p.Types) == 0:
		return "Choose at least one product and one integration type."
	case len(p.Products) == 0:
		return "Choose at least one product (Mesh Gateway, Mesh 365 or Mesh Unified)."
	case len(p.Types) == 0:
		return "Choose Billing and/or Alerts."
	}
	return ""
}

// Locked: once connected, the products and types are Synthesize's.
func Locked(p store.Progress) bool { return p.KeyHint != "" }

// fingerprint is what the store keeps of a key: never the key.
func fingerprint(k string) (hint, sha string) {
	sum := sha256.Sum256([]byte(k))
	return k[max(len(k)-4, 0):], hex.EncodeToString(sum[:])[:16]
}

// keyIssued records a new key's fingerprint. kept says the caller has put
// the key where it stays (a file, a pipe), so no one needs to confirm it.
func (s *Session) keyIssued(key string, kept bool) Pending {
	hint, sha := fingerprint(key)
	now := s.cfg.Now().UTC()
	return s.Save(func(p *store.Progress) {
		p.KeyHint, p.KeySHA256, p.KeyConfirmed = hint, sha, kept
		if p.ConnectedAt.IsZero() {
			p.ConnectedAt = now
		}
	})
}

// Connect connects Mesh with the chosen products and types and answers
// the one-time key; the state file keeps the choice and the key's
// fingerprint. With kept, the key counts as saved at once.
func (s *Session) Connect(ctx context.Context, products, types []string, kept bool) (string, error) {
	if err := CheckChoice(products, types); err != nil {
		return "", err
	}
	if err := s.Save(func(p *store.Progress) { p.Products, p.Types = products, types })(); err != nil {
		return "", s.unsaved("nothing was asked of Synthesize", err)
	}
	if _, err := s.Advance(Chosen); err() != nil {
		return "", s.unsaved("nothing was asked of Synthesize", err())
	}
	conn, err := s.cfg.Partner.Connect(ctx, products, types)
	switch {
	case gradient.StatusOf(err) == 409:
		return "", ErrAlreadyConnected
	case err != nil:
		return "", fmt.Errorf("connect: %w", err)
	case conn.APIKey == "":
		return "", ErrNoKey
	case !WellFormedKey(conn.APIKey):
		return "", ErrMalformedKey
	}
	return conn.APIKey, s.recordKey(conn.APIKey, kept, "connected")
}

// Rekey issues a new key for the connected integration; the old one
// stops working at once. ErrNotConnected when Mesh is not connected.
func (s *Session) Rekey(ctx context.Context, kept bool) (string, error) {
	// What Synthesize says before the new key: Mesh has taken the new
	// one when that changes (see FirstSync).
	var before *store.Progress
	if d, err := s.cfg.Partner.Integration(ctx); err == nil && s.Progress().Onboarded {
		r := &store.Renewal{Status: d.Status}
		if d.LastSyncAt != nil {
			r.LastSync = *d.LastSyncAt
		}
		before = &store.Progress{Renewal: r}
	}
	key, err := s.cfg.Partner.RotateKey(ctx)
	switch {
	case gradient.StatusOf(err) == 409:
		return "", ErrNotConnected
	case err != nil:
		return "", fmt.Errorf("new key: %w", err)
	case key == "":
		return "", ErrNoKey
	case !WellFormedKey(key):
		return "", ErrMalformedKey
	}
	if before != nil {
		if err := s.Save(func(p *store.Progress) { p.Renewal = before.Renewal })(); err != nil {
			return key, s.unsaved("new key issued", err)
		}
	}
	return key, s.recordKey(key, kept, "new key issued")
}

// recordKey writes the fingerprint down (and, for a kept key, confirms
// it); a failure is reported with the key still answered, since Synthesize
// will not show it again.
func (s *Session) recordKey(key string, kept bool, what string) error {
	err := s.keyIssued(key, kept)()
	if err == nil && kept {
		_, pending := s.Advance(KeyConfirmed)
		err = pending()
	}
	if err != nil {
		return s.unsaved(what, err)
	}
	return nil
}

// unsaved says that what happened was not written down.
func (s *Session) unsaved(what string, err error) error {
	return fmt.Errorf("%s, but saving progress to %s failed: %w", what, s.StatePath(), err)
}
