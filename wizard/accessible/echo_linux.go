package accessible

import "golang.org/x/sys/unix"

// echoOff stops the terminal on fd echoing what is typed (lines are
// still read whole) and answers how to restore it; nil when fd is not a
// terminal.
func echoOff(fd uintptr) func() {
	old, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
	if err != nil {
		return nil
	}
	quiet := *old
	quiet.Lflag &^= unix.ECHO
	if unix.IoctlSetTermios(int(fd), unix.TCSETS, &quiet) != nil {
		return nil
	}
	return func() { _ = unix.IoctlSetTermios(int(fd), unix.TCSETS, old) }
}
