package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WritePrivate writes a file only its owner can read (0600), whatever was
// at path before: the bytes go to a new temporary file beside it (a
// random name, created exclusively, so nothing planted there is
// followed), which then takes path's place. Without replace, an existing
// path is left alone and the answer is fs.ErrExist.
func WritePrivate(path string, replace bool, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := errors.Join(write(tmp), tmp.Sync(), tmp.Close()); err != nil {
		return err
	}
	if replace {
		// A rename replaces the name itself: a symlink at path is
		// replaced, not followed.
		return os.Rename(tmp.Name(), path)
	}
	// A hard link never replaces: it fails when path exists.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", path, fs.ErrExist)
		}
		return err
	}
	return os.Remove(tmp.Name())
}
