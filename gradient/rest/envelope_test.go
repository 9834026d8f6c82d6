package rest

import (
	"encoding/json"
	"testing"
)

var envelopeSeeds = []string{
	`{"status":200,"data":{"a":1},"message":"Success"}`,
	`{"STATUS":200,"data":{}}`,
	`{"ſtatus":200,"data":{}}`,
	`{"\u0073tatus":200,"data":{}}`,
	`{"data":[{"id":"c-1","name":"Status Co"}],"next_cursor":""}`,
	`{"data":[{"id":"c-1","name":"Acme"}],"next_cursor":""}`,
	`{"accounts":[],"services":[],"version":"1"}`,
}

// checkEnvelope: a body that mayBeEnvelope rules out never decodes as an
// envelope, so skipping that decoding changes nothing.
func checkEnvelope(t *testing.T, body string) {
	var env envelope
	if json.Unmarshal([]byte(body), &env) == nil && env.Status != nil && env.Data != nil && !mayBeEnvelope([]byte(body)) {
		t.Errorf("%q is an envelope, but mayBeEnvelope says it cannot be", body)
	}
}

func TestMayBeEnvelope(t *testing.T) {
	for _, s := range envelopeSeeds {
		checkEnvelope(t, s)
	}
	if mayBeEnvelope([]byte(envelopeSeeds[5])) {
		t.Error("a page without a status is read twice")
	}
}

func FuzzMayBeEnvelope(f *testing.F) {
	for _, s := range envelopeSeeds {
		f.Add(s)
	}
	f.Fuzz(checkEnvelope)
}
