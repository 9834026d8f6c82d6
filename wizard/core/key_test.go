package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
	"github.com/meshgradient/mesh-gradient/store"
)

// TestHostileKeysAreRefused: a connect or a new key whose answer holds an
// empty, oversized or hostile key ends in an error that says so; the key
// is never answered (so never drawn) and no fingerprint is written.
func TestHostileKeysAreRefused(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		key  string
		want error
	}{
		"empty":    {"", ErrNoKey},
		"escape":   {"gsk_abc\x1b]0;owned\x07def", ErrMalformedKey},
		"newline":  {"gsk_abc\ndef", ErrMalformedKey},
		"space":    {"gsk_abc def", ErrMalformedKey},
		"c1":       {"gsk_abc\u009b31mdef", ErrMalformedKey},
		"oversize": {"gsk_" + strings.Repeat("k", 600), ErrMalformedKey},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := synthemu.NewServer()
			t.Cleanup(srv.Close)
			pc, err := gradient.NewPartnerClient(srv.URL, srv.Emulator.PartnerToken(), gradient.Options{})
			if err != nil {
				t.Fatal(err)
			}
			st, err := store.Open(filepath.Join(t.TempDir(), "state.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			s, err := Open(Config{Partner: pc, Store: st})
			if err != nil {
				t.Fatal(err)
			}
			quoted, _ := json.Marshal(c.key)
			body := fmt.Sprintf(`{"integration": {"vendor": "mesh", "connected": true, "status": "inactive"}, "api_key": %s}`, quoted)
			srv.Emulator.Inject(synthemu.Fault{Kind: synthemu.FaultBody, Status: 201, Body: []byte(body), Method: "POST", PathPrefix: "/api/partner/v1/integrations/mesh/connect"})
			key, err := s.Connect(context.Background(), []string{"gateway"}, []string{"billing"}, false)
			if key != "" || !errors.Is(err, c.want) {
				t.Fatalf("connect answered key %q, err %v; want no key and %v", key, err, c.want)
			}
			if p := s.Progress(); p.KeyHint != "" || p.KeySHA256 != "" {
				t.Fatalf("a fingerprint of the refused key was written: %+v", p)
			}
			// A new key is refused the same way.
			srv.Emulator.Inject(synthemu.Fault{Kind: synthemu.FaultBody, Status: 200, Body: []byte(fmt.Sprintf(`{"api_key": %s}`, quoted)), Method: "POST",
				PathPrefix: "/api/partner/v1/integrations/mesh/key"})
			if key, err := s.Rekey(context.Background(), false); key != "" || !errors.Is(err, c.want) {
				t.Fatalf("new key answered %q, err %v; want no key and %v", key, err, c.want)
			}
		})
	}
}
