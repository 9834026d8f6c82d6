//go:build !windows && !plan9 && !solaris && !aix && !android

package store

import "syscall"

// openNonBlock keeps open(2) from waiting for a writer when the path is a
// FIFO; on a regular file it changes nothing.
const openNonBlock = syscall.O_NONBLOCK
