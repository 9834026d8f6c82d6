//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package store_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/store"
)

// openWithin runs store.Open in a goroutine and fails the test if it has
// not answered within a few seconds: opening a FIFO used to wait forever
// for a writer.
func openWithin(t *testing.T, path string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		s, err := store.Open(path)
		if err == nil {
			s.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second): // a failure guard, not a wait
		t.Fatalf("Open(%s) still blocked after 5s", path)
		return nil
	}
}

// TestNotRegularFilesAreRefusedAtOnce: --state naming a FIFO blocked in
// open, a directory was called damaged. Each non-regular file, directly
// or through a symlink, is refused at once with a *NotRegularError that
// says what it is, and is left as it was.
func TestNotRegularFilesAreRefusedAtOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// If an Open is stuck in the FIFO, a writer's open lets it go.
	t.Cleanup(func() {
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	sub := filepath.Join(dir, "a-directory")
	os.Mkdir(sub, 0o700)
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	link := func(name, target string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct{ path, says string }{
		{fifo, "is a named pipe (FIFO), not a regular file"},
		{sub, "is a directory; name a file instead, for example --state " + filepath.Join(sub, "state.db")},
		{sock, "is a socket"},
		{link("to-fifo", fifo), "is a named pipe (FIFO)"},
		{link("to-directory", sub), "is a directory"},
		{link("to-nothing", filepath.Join(dir, "missing.db")), "is a symlink to a file that does not exist"},
	}
	if _, err := os.Stat("/dev/null"); err == nil {
		cases = append(cases, struct{ path, says string }{"/dev/null", "is a device"})
	}
	for _, c := range cases {
		start := time.Now()
		err := openWithin(t, c.path)
		if !errors.Is(err, store.ErrNotRegular) || !strings.Contains(err.Error(), c.path+" "+c.says) || strings.Contains(err.Error(), "damaged") {
			t.Errorf("%s: %v", c.path, err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("%s: refused after %v, not at once", c.path, took)
		}
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was changed: %v %v", fi, err)
	}
	if entries, _ := os.ReadDir(sub); len(entries) != 0 {
		t.Fatalf("something was created in the directory: %v", entries)
	}
	if _, err := os.Lstat(filepath.Join(dir, "missing.db")); !os.IsNotExist(err) {
		t.Fatalf("a file was created through the dangling symlink: %v", err)
	}
}

// TestSymlinkToAStateFileIsFollowed: a symlink to a regular file (as a
// dotfile manager leaves) is the state file it points to.
func TestSymlinkToAStateFileIsFollowed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere", "state.db")
	s := open(t, target)
	s.UpdateProgress("mesh", func(p *store.Progress) { p.Step = "portal" })
	s.Close()
	link := filepath.Join(dir, "state.db")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	s = open(t, link)
	err := s.UpdateProgress("mesh", func(p *store.Progress) { p.KeyHint = "abcd" })
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	s = open(t, target)
	defer s.Close()
	if st, err := s.Load("mesh"); err != nil || st.Progress.Step != "portal" || st.Progress.KeyHint != "abcd" {
		t.Fatalf("through the link: %+v %v", st.Progress, err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced: %v %v", fi, err)
	}
}
