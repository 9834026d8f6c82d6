//go:build windows || plan9 || solaris || aix || android

package store

import (
	"os"
	"time"
)

// openNonBlock: these systems get no FIFO guard in open itself; checkKind
// has already refused a FIFO by its mode.
const openNonBlock = 0

// lockFile leaves the lock to bbolt here (its lock on these systems is not
// flock); the pages are then checked just before bbolt locks the file.
func lockFile(*os.File, time.Duration) error { return nil }

// unlockFile: the lock here is not flock; a panic inside bolt.Open leaves
// it to the process's exit.
func unlockFile(*os.File) {}
