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
	default:
		return fmt.Sprintf("Could not copy (%v). Select the key on screen and copy it by hand.", r.NativeErr)
	}
}

// Copy sends text to the terminal's clipboard with OSC 52 (wrapped for
// tmux or screen when inside one) and to the system clipboard.
func Copy(text string, term io.Writer, inTmux, inScreen bool) CopyResult {
	var r CopyResult
	seq := osc52.New(text)
	switch {
	case inTmux:
		seq = seq.Tmux()
	case inScreen:
		seq = seq.Screen()
	}
	if term != nil {
		if _, err := seq.WriteTo(term); err == nil {
			r.OSC52 = true
		}
	}
	if clipboard.Unsupported {
		r.NativeErr = fmt.Errorf("no clipboard tool (xclip, xsel or wl-copy) found")
	} else if err := clipboard.WriteAll(text); err != nil {
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
func ClearIfStill(text string, term io.Writer, inTmux, inScreen bool) ClearResult {
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
	if term != nil && (r.Native || !canCheck) {
		seq := osc52.Clear()
		switch {
		case inTmux:
			seq = seq.Tmux()
		case inScreen:
			seq = seq.Screen()
		}
		if _, err := seq.WriteTo(term); err == nil {
			r.OSC52 = true
		}
	}
	return r
}
