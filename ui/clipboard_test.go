package ui

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/atotto/clipboard"
)

// TestCopyInsideTmuxIsHonest: where tmux would drop OSC 52 nothing is
// sent and the message says so and how to fix it; where it would pass it
// on, the sequence is the one that passes.
func TestCopyInsideTmuxIsHonest(t *testing.T) {
	// Not parallel: it replaces the system clipboard's writer.
	writeNative = func(string) error { return errors.New("no clipboard in this test") }
	t.Cleanup(func() { writeNative = clipboard.WriteAll })
	options := func(vals map[string]string) func(args ...string) string {
		return func(args ...string) string { return vals[args[len(args)-1]] }
	}
	cases := []struct {
		name    string
		tmux    bool
		vals    map[string]string
		route   Route
		sends   bool
		wrapped bool
	}{
		{"no tmux", false, nil, RouteDirect, true, false},
		{"tmux default (external)", true, map[string]string{"set-clipboard": "external"}, RouteTmuxHeld, false, false},
		{"tmux set-clipboard on", true, map[string]string{"set-clipboard": "on"}, RouteTmuxClipboard, true, false},
		{"tmux allow-passthrough", true, map[string]string{"set-clipboard": "off", "allow-passthrough": "on"}, RouteTmuxPassthrough, true, true},
	}
	for _, c := range cases {
		route := RouteFor(c.tmux, false, options(c.vals))
		if route != c.route {
			t.Errorf("%s: route %d, want %d", c.name, route, c.route)
			continue
		}
		var term bytes.Buffer
		r := Copy("gsk_secret", &term, route)
		if sent := term.Len() > 0; sent != c.sends || r.OSC52 != c.sends || r.Held == c.sends {
			t.Errorf("%s: sent %v, result %+v", c.name, sent, r)
		}
		if wrapped := strings.HasPrefix(term.String(), "\x1bPtmux;"); wrapped != c.wrapped {
			t.Errorf("%s: wrapped for tmux %v, want %v: %q", c.name, wrapped, c.wrapped, term.String())
		}
		if !c.sends && !r.Native && (!strings.Contains(r.Message(), "Not copied") || !strings.Contains(r.Message(), "set-clipboard on")) {
			t.Errorf("%s: the message claims more than happened: %s", c.name, r.Message())
		}
	}
}
