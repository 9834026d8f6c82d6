package gradient

import "github.com/meshgradient/mesh-gradient/gradient/rest"

// The error types are gradient/rest's, shared with Mesh's client; their
// messages start with "gradient" for Synthesize's calls.
type (
	// APIError is an answer from Synthesize with a status that is not
	// 2xx: the call, the status and the server's own message.
	APIError = rest.APIError
	// RequestError is a call that got no usable answer: the connection
	// failed, timed out or was dropped, after every allowed attempt.
	RequestError = rest.RequestError
	// DecodeError is an answer whose body is not the JSON the call expects.
	DecodeError = rest.DecodeError
	// InvalidAnswerError is well-formed JSON that breaks the API's rules:
	// an item without an id, an id listed twice.
	InvalidAnswerError = rest.InvalidAnswerError
)

// StatusOf returns the HTTP status of an *APIError in err's chain, or 0.
func StatusOf(err error) int { return rest.StatusOf(err) }

// IsNotFound reports whether err is a 404 answer (for counts: an unmapped
// account, which a vendor treats as normal).
func IsNotFound(err error) bool { return StatusOf(err) == 404 }

// IsUnauthorized reports whether err is a 401 answer: a wrong, revoked or
// missing key.
func IsUnauthorized(err error) bool { return StatusOf(err) == 401 }
