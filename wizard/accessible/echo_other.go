//go:build !linux

package accessible

// echoOff is not done here: only Linux's terminal settings are known to
// this program. A pasted key is then echoed; give it with
// mesh-gradient connect --mesh-key-file instead.
func echoOff(uintptr) func() { return nil }
