package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrLocked means another process holds the state file.
var ErrLocked = errors.New("state file is in use")

// LockedError says which file another mesh-gradient holds.
type LockedError struct{ Path string }

func (e *LockedError) Error() string {
	return fmt.Sprintf("another mesh-gradient is using %s (close it and try again)", e.Path)
}

func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// tighten makes path's mode exactly want when group or others had access,
// and says so; a directory the user chose is only reported, because
// tightening, say, /tmp would break other programs.
func tighten(path string, want os.FileMode, fix bool) string {
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm()&0o077 == 0 {
		return ""
	}
	was := info.Mode().Perm()
	if !fix {
		return fmt.Sprintf("%s is open to other users (mode %04o); the state file in it is 0600, but consider chmod 700 %s", path, was, path)
	}
	if err := os.Chmod(path, want); err != nil {
		return fmt.Sprintf("%s is open to other users (mode %04o) and could not be made %04o: %v", path, was, want, err)
	}
	return fmt.Sprintf("%s was open to other users (mode %04o); it is now %04o", path, was, want)
}

// DefaultPath is $XDG_STATE_HOME/mesh-gradient/state.db, or
// ~/.local/state/mesh-gradient/state.db.
func DefaultPath() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no XDG_STATE_HOME and no home directory: %w (use --state FILE)", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "mesh-gradient", "state.db"), nil
}

// Open opens (creating if needed) the state file, with its directory 0700
// and the file 0600, and migrates it to the current schema. If another
// process holds it, Open gives up after a second with a *LockedError.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the state directory: %w", err)
	}
	if err := checkFile(path); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, &LockedError{Path: path}
	}
	if errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrVersionMismatch) || errors.Is(err, berrors.ErrChecksum) {
		return nil, &DamagedError{Path: path, Reason: err.Error()}
	}
	if err != nil {
		return nil, fmt.Errorf("opening state %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.migrate(); err != nil {
		db.Close()
		var damaged *DamagedError
		if errors.As(err, &damaged) {
			return nil, damaged
		}
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	// Looser modes are tightened only once the file is known to be ours;
	// the directory only when it is mesh-gradient's own default one.
	if w := tighten(path, 0o600, true); w != "" {
		s.warnings = append(s.warnings, w)
	}
	own := false
	if def, err := DefaultPath(); err == nil {
		own = filepath.Clean(filepath.Dir(def)) == filepath.Clean(filepath.Dir(path))
	}
	if w := tighten(filepath.Dir(path), 0o700, own); w != "" {
		s.warnings = append(s.warnings, w)
	}
	return s, nil
}
