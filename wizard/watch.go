package wizard

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/ui"
)

// retryMsg says a call a screen waits on failed an attempt and will be
// tried again. The root hands it to dest and keeps reading next, where
// the rest of the call's messages come.
type retryMsg struct {
	dest  step
	gen   int
	retry gradient.Retry
	next  <-chan tea.Msg
}

// watched runs call on a goroutine of its own with a context that reports
// retries, so the screen can say "Synthesize answered 503; trying again
// in 2s" instead of spinning in silence. It answers retryMsgs as retries
// happen, then call's own message.
func watched(ctx context.Context, dest step, gen int, call func(context.Context) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		out := make(chan tea.Msg, 1)
		go func() {
			msg := safeCall(gradient.WithRetryReport(ctx, func(r gradient.Retry) {
				select { // news, not data: dropped when the screen lags
				case out <- retryMsg{dest: dest, gen: gen, retry: r, next: out}:
				default:
				}
			}), call)
			for { // the call's answer must arrive
				select {
				case out <- msg:
					return
				case <-out: // undelivered news, superseded
				}
			}
		}()
		return <-out
	}
}

// safeCall runs call, turning a panic into a panicMsg: this goroutine is
// not a command, so guard does not cover it.
func safeCall(ctx context.Context, call func(context.Context) tea.Msg) (msg tea.Msg) {
	defer func() {
		if r := recover(); r != nil {
			msg = panicMsg{value: r}
		}
	}()
	return call(ctx)
}

// waitNext delivers the next message of a watched call or a load.
func waitNext(ch <-chan tea.Msg) tea.Cmd { return func() tea.Msg { return <-ch } }

// retryLine says what a retry is about, in one line.
func retryLine(t ui.Theme, r gradient.Retry, w int) string {
	wait := "now"
	if d := r.Wait.Round(100 * time.Millisecond); d > 0 {
		wait = "in " + d.String()
	}
	return t.Warn.Render(wrap(fmt.Sprintf("Retrying: %s; trying again %s (attempt %d of %d).",
		clean(r.Reason), wait, r.Attempt+1, r.MaxAttempts), w))
}
