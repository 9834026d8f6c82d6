package ui

import (
	"fmt"
	"io"

	"github.com/atotto/clipboard"
	"github.com/aymanbagabas/go-osc52/v2"
)

// CopyResult says where a copy went.
type CopyResult struct {
	OSC52     bool  // the OSC 52 sequence was written to the terminal
	Native    bool  // the system clipboard took it
	NativeErr error // why the system clipboard did not
	// Held: inside tmux with neither set-clipboard nor allow-passthrough
	// on, so tmux would drop OSC 52: it was not sent.
	Held bool
}

// writeNative writes the system clipboard (a test replaces it, so tests
// never touch the clipboard of the machine they run on).
var writeNative = clipboard.WriteAll

// Route is how OSC 52 reaches the terminal from where the program runs.
type Route int

const (
	RouteDirect          Route = iota // no multiplexer
	RouteScreen                       // GNU screen: wrapped for it
	RouteTmuxClipboard                // tmux with set-clipboard on: it takes OSC 52 and passes it on
	RouteTmuxPassthrough              // tmux with allow-passthrough: wrapped, passed through
	RouteTmuxHeld                     // tmux with neither: OSC 52 would be dropped
)

// RouteFor finds the route; tmuxOption reads a tmux option's value (as
// `tmux show-options -qv` would), and is only asked inside tmux.
func RouteFor(inTmux, inScreen bool, tmuxOption func(args ...string) string) Route {
	switch {
	case inScreen && !inTmux:
		return RouteScreen
	case !inTmux:
		return RouteDirect
	}
	// "external" lets tmux set the clipboard but ignores applications.
	if tmuxOption("-s", "set-clipboard") == "on" {
		return RouteTmuxClipboard
	}
	switch tmuxOption("-gw", "allow-passthrough") {
	case "on", "all":
		return RouteTmuxPassthrough
	}
	return RouteTmuxHeld
}

func (r Route) wrap(seq osc52.Sequence) (osc52.Sequence, bool) {
	switch r {
	case RouteScreen:
		return seq.Screen(), true
	case RouteTmuxPassthrough:
		return seq.Tmux(), true
	case RouteTmuxHeld:
		return seq, false
	}
	return seq, true
}

// Message tells the user what happened, honestly: OSC 52 cannot be
// confirmed, only sent.
func (r CopyResult) Message() string {
	switch {
	case r.Native && r.OSC52:
		return "Copied to the system clipboard, and sent to your terminal's clipboard (OSC 52)."
	case r.Native:
		return "Copied to the system clipboard."
	case r.OSC52:
		return fmt.Sprintf("Sent to your terminal's clipboard (OSC 52; works over SSH if your terminal allows it). System clipboard: %v. If pasting fails, select the key on screen.", r.NativeErr)
	case r.Held:
		return fmt.Sprintf("Not copied: inside tmux, the terminal's clipboard (OSC 52) is reached only with set-clipboard on "+
			"(set -s set-clipboard on in tmux.conf), and the system clipboard failed (%v). Select the key on screen and copy it by hand.", r.NativeErr)
	default:
		return fmt.Sprintf("Could not copy (%v). Select the key on screen and copy it by hand.", r.NativeErr)
	}
}

// Copy sends text to the terminal's clipboard with OSC 52 (as the route
// needs, and not at all where tmux would drop it) and to the system
// clipboard.
func Copy(text string, term io.Writer, route Route) CopyResult {
	var r CopyResult
	seq, ok := route.wrap(osc52.New(text))
	r.Held = !ok
	if term != nil && ok {
		if _, err := seq.WriteTo(term); err == nil {
			r.OSC52 = true
		}
	}
	if clipboard.Unsupported {
		r.NativeErr = fmt.Errorf("no clipboard tool (xclip, xsel or wl-copy) found")
	} else if err := writeNative(text); err != nil {
		r.NativeErr = err
	} else {
		r.Native = true
	}
	return r
}

// ClearResult says what a clipboard clear did.
type ClearResult struct {
	Native bool // the system clipboard still held the text and was emptied
	OSC52  bool // an OSC 52 clear was sent to the terminal
	Kept   bool // the system clipboard holds something else now: left alone
}

// Message says what happened, for the screen.
func (r ClearResult) Message() string {
	switch {
	case r.Kept:
		return "The clipboard holds something else now, so it was left alone."
	case r.Native && r.OSC52:
		return "Cleared the key from the system clipboard and asked your terminal to clear its clipboard."
	case r.Native:
		return "Cleared the key from the system clipboard."
	case r.OSC52:
		return "Asked your terminal to clear its clipboard (OSC 52), so the key does not linger there."
	}
	return "Could not clear the clipboard: clear it yourself if it still holds the key."
}

// ClearIfStill empties the clipboard if it still holds text. The system
// clipboard is checked first and left alone when it holds something else.
// The terminal's clipboard cannot be read, so an OSC 52 clear is sent
// when the system clipboard still held text or cannot be read at all.
func ClearIfStill(text string, term io.Writer, route Route) ClearResult {
	var r ClearResult
	canCheck := !clipboard.Unsupported
	if canCheck {
		current, err := clipboard.ReadAll()
		switch {
		case err != nil:
			canCheck = false
		case current != text:
			return ClearResult{Kept: true}
		default:
			r.Native = clipboard.WriteAll("") == nil
		}
	}
	if seq, ok := route.wrap(osc52.Clear()); term != nil && ok && (r.Native || !canCheck) {
		if _, err := seq.WriteTo(term); err == nil {
			r.OSC52 = true
		}
	}
	return r
}
