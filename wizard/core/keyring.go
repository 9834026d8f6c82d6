package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/meshgradient/mesh-gradient/store"
)

// Keyring keeps one secret per name in the OS keyring (Secret Service,
// the macOS Keychain, the Windows Credential Manager).
type Keyring interface {
	Get(name string) (string, error)
	Set(name, secret string) error
	Delete(name string) error
}

// ErrNoKeyring: there is no OS keyring to keep the key in here.
var ErrNoKeyring = errors.New("there is no OS keyring here (no Secret Service on this session bus)")

// keyringService is the service the OS keyring files the key under.
const keyringService = "mesh-gradient"

// keyringTimeout bounds a keyring call: a keyring may wait for the user
// to unlock it, and nothing here may hang on that.
const keyringTimeout = 10 * time.Second

// OSKeyring is the OS keyring through go-keyring. getenv is the
// program's environment: on Linux, without a session bus the keyring is
// absent (go-keyring would otherwise try to start one), as in CI or over
// a bare SSH login.
func OSKeyring(getenv func(string) string) Keyring {
	if runtime.GOOS == "linux" || runtime.GOOS == "freebsd" || runtime.GOOS == "openbsd" || runtime.GOOS == "netbsd" {
		if getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
			if dir := getenv("XDG_RUNTIME_DIR"); dir == "" || !exists(filepath.Join(dir, "bus")) {
				return noKeyring{}
			}
		}
	}
	return osKeyring{}
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

type noKeyring struct{}

func (noKeyring) Get(string) (string, error) { return "", ErrNoKeyring }
func (noKeyring) Set(string, string) error   { return ErrNoKeyring }
func (noKeyring) Delete(string) error        { return ErrNoKeyring }

type osKeyring struct{}

// bounded runs a keyring call with keyringTimeout; a call still running
// then is left to end on its own.
func bounded[T any](fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	out := make(chan result, 1)
	go func() { v, err := fn(); out <- result{v, err} }()
	select {
	case r := <-out:
		return r.v, r.err
	case <-time.After(keyringTimeout):
		var zero T
		return zero, fmt.Errorf("the OS keyring did not answer within %s (is it locked?)", keyringTimeout)
	}
}

func (osKeyring) Get(name string) (string, error) {
	return bounded(func() (string, error) { return keyring.Get(keyringService, name) })
}

func (osKeyring) Set(name, secret string) error {
	_, err := bounded(func() (struct{}, error) { return struct{}{}, keyring.Set(keyringService, name, secret) })
	return err
}

func (osKeyring) Delete(name string) error {
	_, err := bounded(func() (struct{}, error) { return struct{}{}, keyring.Delete(keyringService, name) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// keyringName files the key per state file, so two state files (two MSPs)
// keep two keys.
func (s *Session) keyringName() string {
	path, err := filepath.Abs(s.StatePath())
	if err != nil {
		path = s.StatePath()
	}
	return "mesh-api-key " + path
}

// KeyringMissing says why there is no OS keyring to keep the key in, or
// "" when there may be one (asking it may still fail).
func (s *Session) KeyringMissing() string {
	switch s.cfg.Keyring.(type) {
	case nil, noKeyring:
		return "there is no OS keyring here (no Secret Service); set MESH_API_KEY in later runs instead"
	}
	return ""
}

func (s *Session) keyringSet(key string) error {
	if s.cfg.Keyring == nil {
		return ErrNoKeyring
	}
	return s.cfg.Keyring.Set(s.keyringName(), key)
}

// KeepMeshKey keeps the Mesh API key given in this run in the OS keyring,
// with the user's consent, so later runs can read Mesh's own counts. It
// is never written to the state file; the file only notes that the
// keyring has it.
func (s *Session) KeepMeshKey() error {
	s.mu.Lock()
	key := s.meshKey
	s.mu.Unlock()
	if key == "" {
		return errors.New("no Mesh API key was given in this run; give one first (mesh-gradient mesh-key replace --mesh-key-file FILE --keyring)")
	}
	if err := s.keyringSet(key); err != nil {
		return fmt.Errorf("the Mesh API key was not kept in the OS keyring: %w. Set MESH_API_KEY instead to show Mesh's own counts", err)
	}
	if err := s.Save(func(p *store.Progress) { p.MeshKeyring = true })(); err != nil {
		return s.unsaved("the OS keyring has the Mesh API key", err)
	}
	return nil
}

// ForgetMeshKey removes the key from the OS keyring and the note of it.
func (s *Session) ForgetMeshKey() error {
	if s.cfg.Keyring != nil {
		if err := s.cfg.Keyring.Delete(s.keyringName()); err != nil && !errors.Is(err, ErrNoKeyring) {
			return fmt.Errorf("removing the Mesh API key from the OS keyring: %w", err)
		}
	}
	return s.Save(func(p *store.Progress) { p.MeshKeyring = false })()
}
