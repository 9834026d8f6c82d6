package gradient

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// APIError is an answer from Synthesize with a status that is not 2xx. It
// says which call failed, the status and the server's own message.
type APIError struct {
	Op      string // the call, e.g. "connect"
	Method  string
	Path    string
	Status  int
	Code    string // partner API error code, when given
	Message string // the server's message, secrets removed
	Unknown []string
	// AfterLostAnswer: an earlier attempt of this call got no answer, so it
	// may have taken effect even though this answer is an error.
	AfterLostAnswer bool
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "no message"
	}
	code := ""
	if e.Code != "" {
		code = " " + e.Code
	}
	return fmt.Sprintf("gradient %s (%s %s): %d%s: %s", e.Op, e.Method, e.Path, e.Status, code, msg)
}

// RequestError is a call that got no usable answer: the connection failed,
// timed out or was dropped, after every allowed attempt.
type RequestError struct {
	Op       string
	Method   string
	Path     string
	Attempts int
	Err      error
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("gradient %s (%s %s): no answer after %d attempt(s): %v", e.Op, e.Method, e.Path, e.Attempts, e.Err)
}

func (e *RequestError) Unwrap() error { return e.Err }

// DecodeError is an answer whose body is not the JSON the call expects.
type DecodeError struct {
	Op          string
	Method      string
	Path        string
	Status      int
	ContentType string
	Snippet     string // the start of the body, sanitized
	Err         error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("gradient %s (%s %s): answer %d is not the expected JSON (content-type %q, body starts %q): %v",
		e.Op, e.Method, e.Path, e.Status, e.ContentType, e.Snippet, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// InvalidAnswerError is well-formed JSON that breaks the API's rules: an
// item without an id, an id listed twice.
type InvalidAnswerError struct {
	Op      string
	Method  string
	Path    string
	Problem string
}

func (e *InvalidAnswerError) Error() string {
	return fmt.Sprintf("gradient %s (%s %s): invalid answer: %s", e.Op, e.Method, e.Path, e.Problem)
}

// StatusOf returns the HTTP status of an *APIError in err's chain, or 0.
func StatusOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// IsNotFound reports whether err is a 404 answer (for counts: an unmapped
// account, which a vendor treats as normal).
func IsNotFound(err error) bool { return StatusOf(err) == 404 }

// IsUnauthorized reports whether err is a 401 answer: a wrong, revoked or
// missing key.
func IsUnauthorized(err error) bool { return StatusOf(err) == 401 }

// redact replaces every secret in s with a marker, and strips control
// characters so a message can be printed or logged safely.
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
