package core

import (
	"errors"
	"fmt"
	"strings"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui/text"
)

// Trouble is a failed call explained for a person: what happened, what to
// check, and whether asking again may help without changing anything.
type Trouble struct {
	What  string // sanitized
	Check string // "" when there is nothing to check
	Retry bool   // a temporary trouble: asking again may help
}

func (t Trouble) String() string {
	if t.Check == "" {
		return t.What
	}
	return t.What + ": " + t.Check
}

// Explain says what a call's error means for the person using the
// program. Synthesize answering 4xx did answer: asking again the same
// question will not help, the settings must change. A connection that
// cannot be made says where to look, not a Go error's three lines.
func Explain(err error) Trouble {
	var ae *gradient.APIError
	var re *gradient.RequestError
	switch {
	case err == nil:
		return Trouble{}
	case errors.Is(err, ErrNotConnected):
		return Trouble{What: "Mesh is not connected in Synthesize", Check: "connect it again (mesh-gradient, or mesh-gradient connect)"}
	case meshTrouble(err) != nil:
		return *meshTrouble(err)
	case errors.As(err, &ae):
		msg := text.Sanitize(ae.Message)
		switch {
		case ae.Status == 401:
			return Trouble{What: "Synthesize refused the partner token (401: " + msg + ")",
				Check: "check GRADIENT_TOKEN: it may be mistyped, expired or revoked"}
		case ae.Status == 403:
			return Trouble{What: "Synthesize refused the request (403: " + msg + ")",
				Check: "check that the token's user may manage integrations in Synthesize"}
		case ae.Status == 404:
			return Trouble{What: "Synthesize has no such endpoint (404: " + msg + ")",
				Check: "check GRADIENT_URL: it is the base address, without /api"}
		case ae.Status == 429 || ae.Status >= 500:
			return Trouble{What: fmt.Sprintf("Synthesize is struggling (%d: %s)", ae.Status, msg), Retry: true}
		}
		return Trouble{What: fmt.Sprintf("Synthesize refused it (%d: %s)", ae.Status, msg)}
	case errors.As(err, &re):
		cause := strings.ToLower(re.Err.Error())
		switch {
		case strings.Contains(cause, "connection refused"):
			return Trouble{What: "cannot reach Synthesize (connection refused)",
				Check: "is GRADIENT_URL right, and is the service up?", Retry: true}
		case strings.Contains(cause, "no such host"), strings.Contains(cause, "server misbehaving"):
			return Trouble{What: "cannot find Synthesize's host", Check: "is GRADIENT_URL right?", Retry: true}
		case strings.Contains(cause, "certificate"), strings.Contains(cause, "tls"):
			return Trouble{What: "cannot talk to Synthesize securely (" + text.Sanitize(re.Err.Error()) + ")",
				Check: "check GRADIENT_URL and the machine's clock and certificates"}
		case strings.Contains(cause, "deadline"), strings.Contains(cause, "timeout"):
			return Trouble{What: fmt.Sprintf("Synthesize did not answer in time (%d attempts)", re.Attempts), Retry: true}
		case strings.Contains(cause, "context canceled"):
			return Trouble{What: "stopped before Synthesize answered", Retry: true}
		}
		return Trouble{What: "no answer from Synthesize (" + text.Sanitize(re.Err.Error()) + ")", Retry: true}
	}
	return Trouble{What: text.Sanitize(err.Error())}
}

// meshTrouble explains the Mesh API key flow's failures: Mesh's own
// answers, and Synthesize's about Mesh; nil for other errors.
func meshTrouble(err error) *Trouble {
	var ae *gradient.APIError
	var re *gradient.RequestError
	var pe *PullError
	switch {
	case errors.Is(err, ErrMeshKeyRefused):
		return &Trouble{What: "Mesh refused the API key (401)", Check: "paste it again, or make a new one in Mesh (Settings → API Keys)"}
	case errors.Is(err, ErrMeshKeyMalformed):
		return &Trouble{What: "that is not a Mesh API key", Check: "copy it again from Mesh (Settings → API Keys)"}
	case errors.As(err, &pe):
		return &Trouble{What: "Synthesize could not read Mesh (" + text.Sanitize(pe.Why) + ")", Check: PullAdvice(pe.Why)}
	case gradient.IsMeshKeyRejected(err):
		return &Trouble{What: "Synthesize checked the key with Mesh, and Mesh refused it", Check: "make a new key in Mesh (Settings → API Keys) and paste it"}
	case errors.As(err, &ae) && ae.Code == gradient.CodeMeshUnreachable:
		return &Trouble{What: "Synthesize could not reach Mesh (" + text.Sanitize(ae.Message) + ")", Check: "check the hub (US or EU)", Retry: true}
	case errors.As(err, &ae) && ae.Service == "mesh":
		t := &Trouble{What: fmt.Sprintf("Mesh answered %d (%s)", ae.Status, text.Sanitize(ae.Message)), Retry: ae.Status == 429 || ae.Status >= 500}
		if ae.Status == 404 {
			t.Check = "check the hub: it is the address without /api, for example " + mesh.Portals[0].URL
		}
		return t
	case errors.As(err, &re) && re.Service == "mesh":
		return &Trouble{What: "no answer from Mesh (" + text.Sanitize(re.Err.Error()) + ")", Check: "check the hub and the network", Retry: true}
	}
	return nil
}
