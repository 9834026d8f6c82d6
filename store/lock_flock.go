//go:build !windows && !plan9 && !solaris && !aix && !android

package store

import (
	"errors"
	"os"
	"syscall"
	"time"

	berrors "go.etcd.io/bbolt/errors"
)

// openNonBlock keeps open(2) from waiting for a writer when the path is a
// FIFO; on a regular file it changes nothing.
const openNonBlock = syscall.O_NONBLOCK

// lockFile takes the exclusive flock bbolt takes, retrying as bbolt does
// (flock has no timeout of its own) until timeout, then gives
// berrors.ErrTimeout.
func lockFile(f *os.File, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case !errors.Is(err, syscall.EWOULDBLOCK):
			return err
		case time.Now().After(deadline):
			return berrors.ErrTimeout
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// unlockFile drops the lock, which closing f would not while a memory map
// of the file remains.
func unlockFile(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
