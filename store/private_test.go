package store

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestWritePrivateIsPrivateWhateverWasThere: an existing 0644 file, a
// symlink planted at the path, and a planted predictable temporary name
// all end with a 0600 file of the new bytes, and the symlink's target
// untouched.
func TestWritePrivateIsPrivateWhateverWasThere(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	check := func(path, want string) {
		t.Helper()
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != 0o600 {
			t.Fatalf("%s: mode %v, want -rw-------", path, fi.Mode())
		}
		if got, _ := os.ReadFile(path); string(got) != want {
			t.Fatalf("%s holds %q, want %q", path, got, want)
		}
	}

	open := filepath.Join(dir, "open.csv")
	if err := os.WriteFile(open, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WritePrivate(open, true, write("new")); err != nil {
		t.Fatal(err)
	}
	check(open, "new")

	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, link+".tmp"); err != nil { // the old predictable name
		t.Fatal(err)
	}
	if err := WritePrivate(link, true, write("new")); err != nil {
		t.Fatal(err)
	}
	check(link, "new")
	if got, _ := os.ReadFile(victim); string(got) != "keep" {
		t.Fatalf("the symlink's target was written: %q", got)
	}

	if err := WritePrivate(open, false, write("again")); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("without replace over an existing file: %v", err)
	}
	check(open, "new")
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}
