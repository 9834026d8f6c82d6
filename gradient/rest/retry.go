package rest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Retry is news that an attempt failed and the call will be tried again.
type Retry struct {
	Op          string
	Attempt     int // attempts made so far
	MaxAttempts int
	Wait        time.Duration // before the next attempt
	Reason      string        // what went wrong, in words, secrets removed
}

// RetryReport hears every retry of calls made under a context.
type RetryReport func(Retry)

type retryKey struct{}

// WithRetryReport makes every call under ctx report its retries, so a
// screen waiting on a struggling server can say what is happening instead
// of spinning in silence.
func WithRetryReport(ctx context.Context, report RetryReport) context.Context {
	return context.WithValue(ctx, retryKey{}, report)
}

// reason says in words why an attempt failed; peer is who was called.
func reason(peer string, status int, err error, timeout time.Duration, secrets []string) string {
	var ne net.Error
	switch {
	case err == nil && status == http.StatusTooManyRequests:
		return peer + " is limiting requests (429)"
	case err == nil:
		return fmt.Sprintf("%s answered %d %s", peer, status, http.StatusText(status))
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer within %s", timeout)
	case isDialError(err):
		return "could not connect to " + peer
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "the connection dropped before an answer"
	}
	return errString(err, secrets)
}

// backoff is exponential with equal jitter (half fixed, half random), so
// many clients do not retry in step and none retries at once.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.BaseDelay << (attempt - 1)
	if d > p.MaxDelay || d <= 0 {
		d = p.MaxDelay
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads seconds or an HTTP date; capped at a minute.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		d = time.Until(at)
	}
	if d < 0 {
		d = 0
	}
	return min(d, time.Minute)
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// pacer spaces requests at least gap apart across goroutines.
type pacer struct {
	mu   sync.Mutex
	next time.Time
	gap  time.Duration
}

func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := time.Now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(p.gap)
	p.mu.Unlock()
	d := time.Until(at)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
