package store

import (
	"errors"
	"fmt"
	"io/fs"
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

// ErrNotRegular means the state path names something other than a regular
// file (or a symlink to one).
var ErrNotRegular = errors.New("state path is not a regular file")

// NotRegularError says what the state path names instead of a file.
type NotRegularError struct {
	Path string
	// What it is: "a directory", "a named pipe (FIFO)", "a socket", "a
	// device", or "a symlink to a file that does not exist".
	What string
}

func (e *NotRegularError) Error() string {
	switch e.What {
	case "a directory":
		return fmt.Sprintf("the state file %s is a directory; name a file instead, for example --state %s",
			e.Path, filepath.Join(e.Path, "state.db"))
	case "a symlink to a file that does not exist":
		return fmt.Sprintf("the state file %s is a symlink to a file that does not exist; create that file (an empty file starts afresh) or name another with --state", e.Path)
	}
	return fmt.Sprintf("the state file %s is %s, not a regular file; name a regular file with --state (a new name starts afresh)", e.Path, e.What)
}

func (e *NotRegularError) Is(target error) bool { return target == ErrNotRegular }

// kindOf names a file mode that is not a regular file's.
func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

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
		return fmt.Sprintf("%s is open to other users (mode %04o); the state file in it is 0600, but others can see it and its name there: "+
			"keep --state in a directory only you can read", path, was)
	}
	if err := os.Chmod(path, want); err != nil {
		return fmt.Sprintf("%s is open to other users (mode %04o) and could not be made %04o: %v", path, was, want, err)
	}
	return fmt.Sprintf("%s was open to other users (mode %04o); it is now %04o", path, was, want)
}

// DefaultPath is $XDG_STATE_HOME/mesh-gradient/state.db, or
// $HOME/.local/state/mesh-gradient/state.db, read from getenv.
func DefaultPath(getenv func(string) string) (string, error) {
	dir := getenv("XDG_STATE_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return "", fmt.Errorf("no XDG_STATE_HOME and no HOME: give the state file with --state FILE")
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "mesh-gradient", "state.db"), nil
}

// OpenDefault opens the state file at DefaultPath. Its directory is
// mesh-gradient's own, so a looser mode there is tightened, not only
// reported.
func OpenDefault(getenv func(string) string) (*Store, error) {
	path, err := DefaultPath(getenv)
	if err != nil {
		return nil, err
	}
	return open(path, true)
}

// Open opens (creating if needed) the state file, with its directory 0700
// and the file 0600, and migrates it to the current schema. If another
// process holds it, Open gives up after a second with a *LockedError; a
// path that is not a regular file gives a *NotRegularError at once, and a
// file whose pages do not hold a *DamagedError, the file untouched.
func Open(path string) (*Store, error) { return open(path, false) }

func open(path string, ownDir bool) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the state directory: %w", err)
	}
	if err := checkKind(path); err != nil {
		return nil, err
	}
	var file *os.File
	opts := &bolt.Options{Timeout: time.Second, OpenFile: func(_ string, flag int, mode os.FileMode) (*os.File, error) {
		f, err := openChecked(path, flag, mode)
		file = f
		return f, err
	}}
	var db *bolt.DB
	err := guard(path, func() (err error) {
		db, err = bolt.Open(path, 0o600, opts)
		return err
	})
	var notRegular *NotRegularError
	var damaged *DamagedError
	if errors.As(err, &damaged) && damaged.panicked && file != nil {
		// bbolt panicked with the file open, locked and mapped. Its map
		// keeps the file open after Close, so the lock is dropped by hand;
		// the map itself stays until the process exits.
		unlockFile(file)
		file.Close()
	}
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, &LockedError{Path: path}
	case errors.As(err, &notRegular):
		return nil, notRegular
	case errors.As(err, &damaged):
		return nil, damaged
	case errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrVersionMismatch) || errors.Is(err, berrors.ErrChecksum):
		return nil, &DamagedError{Path: path, Reason: err.Error()}
	case err != nil:
		return nil, fmt.Errorf("opening state %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.migrate(); err != nil {
		s.Close()
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
	if w := tighten(filepath.Dir(path), 0o700, ownDir); w != "" {
		s.warnings = append(s.warnings, w)
	}
	return s, nil
}

// checkKind refuses, before anything opens it, a path that is not a
// regular file or a symlink to one: opening a FIFO waits for a writer, and
// a directory would otherwise read as a damaged file. A missing path is a
// new state. A symlink whose target is missing is refused rather than
// followed, so the state is never created somewhere the user did not name.
func checkKind(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("opening state %s: %w", path, err)
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		if info, err = os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return &NotRegularError{Path: path, What: "a symlink to a file that does not exist"}
		} else if err != nil {
			return fmt.Errorf("opening state %s: %w", path, err)
		}
	}
	if !info.Mode().IsRegular() {
		return &NotRegularError{Path: path, What: kindOf(info.Mode())}
	}
	return nil
}

// openRegular opens path for bbolt (or the header check) without waiting
// on a FIFO swapped in after checkKind, and refuses anything that is not a
// regular file by what it opened.
func openRegular(path string, flag int, mode os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|openNonBlock, mode)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("opening state %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, &NotRegularError{Path: path, What: kindOf(info.Mode())}
	}
	return f, nil
}

// openChecked is bbolt's OpenFile: openRegular, then the lock bbolt is
// about to take (on the same open file, so bbolt's own flock then succeeds
// at once), then a check of every page under that lock, so that another
// mesh-gradient's write in progress is never mistaken for damage and
// bbolt maps only a file whose pages hold.
func openChecked(path string, flag int, mode os.FileMode) (*os.File, error) {
	f, err := openRegular(path, flag, mode)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*os.File, error) {
		f.Close()
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		return fail(fmt.Errorf("opening state %s: %w", path, err))
	}
	if err := lockFile(f, time.Second); err != nil {
		return fail(err)
	}
	if err := checkFile(f, path, info.Size()); err != nil {
		return fail(err)
	}
	return f, nil
}
