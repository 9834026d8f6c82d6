//go:build windows || plan9 || solaris || aix || android

package store

// openNonBlock: these systems get no FIFO guard in open itself; checkKind
// has already refused a FIFO by its mode.
const openNonBlock = 0
