package rest

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// APIError is an answer with a status that is not 2xx. It says which
// call failed, the status and the server's own message.
type APIError struct {
	Service string // "gradient", "mesh": who was called; "" reads as gradient
	Op      string // the call, e.g. "connect"
	Method  string
	Path    string
	Status  int
	Code    string // the partner API's error code, when given
	Message string // the server's message, secrets removed
	Unknown []string
	// Errors are the items of a {"errors": [...]} body (Mesh's shape),
	// each sanitized; Message joins them.
	Errors []string
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
	return fmt.Sprintf("%s %s (%s %s): %d%s: %s", service(e.Service), e.Op, e.Method, e.Path, e.Status, code, msg)
}

// RequestError is a call that got no usable answer: the connection failed,
// timed out or was dropped, after every allowed attempt.
type RequestError struct {
	Service  string
	Op       string
	Method   string
	Path     string
	Attempts int
	Err      error
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("%s %s (%s %s): no answer after %d attempt(s): %v", service(e.Service), e.Op, e.Method, e.Path, e.Attempts, e.Err)
}

func (e *RequestError) Unwrap() error { return e.Err }

// DecodeError is an answer whose body is not the JSON the call expects.
type DecodeError struct {
	Service     string
	Op          string
	Method      string
	Path        string
	Status      int
	ContentType string
	Snippet     string // the start of the body, sanitized
	Err         error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("%s %s (%s %s): answer %d is not the expected JSON (content-type %q, body starts %q): %v",
		service(e.Service), e.Op, e.Method, e.Path, e.Status, e.ContentType, e.Snippet, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// InvalidAnswerError is well-formed JSON that breaks the API's rules: an
// item without an id, an id listed twice.
type InvalidAnswerError struct {
	Service string
	Op      string
	Method  string
	Path    string
	Problem string
}

func (e *InvalidAnswerError) Error() string {
	return fmt.Sprintf("%s %s (%s %s): invalid answer: %s", service(e.Service), e.Op, e.Method, e.Path, e.Problem)
}

// service is the first word of a message; errors made before the field
// existed (and by callers that leave it out) are Synthesize's.
func service(s string) string {
	if s == "" {
		return "gradient"
	}
	return s
}

// StatusOf returns the HTTP status of an *APIError in err's chain, or 0.
func StatusOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// Redact replaces every secret in s with a marker, and strips control
// characters so a message can be printed or logged safely.
func Redact(s string, secrets []string) string {
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

func errString(err error, secrets []string) string {
	if err == nil {
		return ""
	}
	return Redact(err.Error(), secrets)
}

func snippet(body []byte, secrets []string) string {
	// Redact before cutting: a cut secret would no longer be recognised,
	// and its first half would be shown.
	s := Redact(strings.ToValidUTF8(string(body), "?"), secrets)
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120])
	}
	return s
}
