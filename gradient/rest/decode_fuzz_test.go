package rest

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

var fuzzSecrets = []string{"mg_live_k3y_s3cr3t_0123456789", "pt_partner_token_abcdef"}

// Shapes like the ones the clients decode: pages, cards, mappings.
type (
	fzPage struct {
		Data []struct {
			ID, Name, Description string
			UnitPrice             float64 `json:"unit_price"`
		} `json:"data"`
		NextCursor string `json:"next_cursor"`
	}
	fzMappings struct {
		Accounts []struct {
			AccountID string `json:"account_id"`
			CompanyID string `json:"company_id"`
			Ignored   bool   `json:"ignored"`
		} `json:"accounts"`
	}
	fzCard struct {
		Connected bool       `json:"connected"`
		Products  []string   `json:"products"`
		LastSync  *time.Time `json:"last_sync_at"`
		Counts    struct{ Accounts int }
	}
	fzCustomers struct {
		Count   *int             `json:"count"`
		Results []map[string]any `json:"results"`
	}
)

// FuzzDecodeAnswers feeds arbitrary bodies, as Synthesize or Mesh might
// answer them, to the decoding of every kind of answer and of error bodies: no
// panic, only typed errors, and no secret or control character in any
// message, whatever the body holds.
func FuzzDecodeAnswers(f *testing.F) {
	seeds := []string{
		`{"data":[{"id":"c-1","name":"Acme"}],"next_cursor":""}`,
		`{"status":200,"data":{"accounts":[],"services":[]},"message":"Success"}`,
		`{"data":[{"id":1,"name":["x"]}]}`,
		`{"accounts":[{"account_id":"a","company_id":null,"ignored":"yes"}]}`,
		`{"error":{"code":"unknown_ids","message":"no such company","unknown":["c-9"]}}`,
		`{"statusCode":404,"message":"No account map found with id: m-1"}`,
		`<html>502 Bad Gateway</html>`,
		`{"data":[{"id":"c-1","name":"\u001b]52;c;aGk=\u0007Acme"}]}`,
		`{"error":{"message":"key mg_live_k3y_s3cr3t_0123456789 is wrong"}}`,
		strings.Repeat(`{"a":`, 500),
		`{"data":[` + strings.Repeat(`{"id":"x","name":"y"},`, 50) + `{"id":"dup","name":"y"},{"id":"dup","name":"z"}]}`,
		"\xff\xfe\x00garbage",
		strings.Repeat("x", 105) + "mg_live_k3y_s3cr3t_0123456789", // the cut used to fall inside the secret
		`{"errors":["Invalid API key mg_live_k3y_s3cr3t_0123456789"]}`,
		`{"errors":[{"detail":"Not found.\u001b[2J"},7,null,{"code":"x"}]}`,
		`{"count":2345,"next":"https://hub-us.emailsecurity.app/api/customers/?_from=1000","results":[{"id":"u-1"}]}`,
		``,
	}
	for _, s := range seeds {
		f.Add([]byte(s), 200)
	}
	f.Add([]byte(`{"error":{"code":"rate_limited"}}`), 429)
	t0, err := New(Config{BaseURL: "http://127.0.0.1:1", Suffix: "/api/partner/v1", Auth: func(http.Header) {}, Secrets: fuzzSecrets, Wrapped: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		c := Call{Op: "fuzz", Method: http.MethodGet, Path: "/x"}
		hdr := http.Header{"Content-Type": {"application/json"}}
		outs := []any{new(fzPage), new(fzMappings), new(fzCard), new([]fzCard), new(fzCustomers), new(any)}
		var msgs []string
		for _, out := range outs {
			if err := t0.decode(c, "/x", status, hdr, body, out, fuzzSecrets); err != nil {
				var de *DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("untyped decode error %T: %v", err, err)
				}
				msgs = append(msgs, err.Error())
			}
		}
		msgs = append(msgs, t0.apiError(c, "/x", status, body, fuzzSecrets).Error())
		for _, m := range msgs {
			for _, sec := range fuzzSecrets {
				// Half a secret may be shown only where the body had half a
				// secret of its own: a whole one is never cut in two.
				half := sec[:len(sec)/2]
				ownHalf := strings.Contains(strings.ReplaceAll(string(body), sec, ""), half)
				if strings.Contains(m, sec) || !ownHalf && strings.Contains(m, half) {
					t.Fatalf("a secret (or half of it) in %q", m)
				}
			}
			if strings.ContainsAny(m, "\x1b\x07\x00\r\n\u009b") {
				t.Fatalf("a control character in %q", m)
			}
		}
	})
}
