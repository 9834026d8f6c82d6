package wizard

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// retryMsg says a call a screen waits on failed an attempt and will be
// tried again. The root hands it to dest and keeps reading next, where
// the rest of the call's messages come.
type retryMsg struct {
	dest  core.Step
	gen   int
	retry gradient.Retry
	next  <-chan tea.Msg
}

// watched runs call on a goroutine of its own with a context that reports
// retries, so the screen can say "Synthesize answered 503; trying again
// in 2s" instead of spinning in silence. It answers retryMsgs as retries
// happen, then call's own message.
func watched(ctx context.Context, dest core.Step, gen int, call func(context.Context) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		out := make(chan tea.Msg, 1)
		go func() {
			msg := safeCall(gradient.WithRetryReport(ctx, func(r gradient.Retry) {
				select { // news, not data: dropped when the screen lags
				case out <- retryMsg{dest: dest, gen: gen, retry: r, next: out}:
				default:
				}
			}), call)
			deliver(out, msg)
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

// retryNote is a retry as a screen keeps it: with when the next attempt
// starts, so the line can count down and then say it is under way.
type retryNote struct {
	gradient.Retry
	next time.Time
}

func noteRetry(c *common, r gradient.Retry) *retryNote {
	return &retryNote{Retry: r, next: c.now().Add(r.Wait)}
}

// retryLine says what a retry is about, in one line.
func retryLine(c *common, n *retryNote, w int) string {
	when := fmt.Sprintf("trying again (attempt %d of %d)", n.Attempt+1, n.MaxAttempts)
	if left := n.next.Sub(c.now()).Round(100 * time.Millisecond); left > 0 {
		when = fmt.Sprintf("trying again in %s (attempt %d of %d)", left, n.Attempt+1, n.MaxAttempts)
	}
	return c.theme.Warn.Render(wrap(fmt.Sprintf("Retrying: %s; %s.", text.Sanitize(n.Reason), when), w))
}
