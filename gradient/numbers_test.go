package gradient_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
)

// TestNumbersOutOfRangeAreRefused: quantities and prices a PSA could not
// hold (1e308, negative, past the caps) are typed errors naming the row
// and field, for billing, products and a reconcile's answer.
func TestNumbersOutOfRangeAreRefused(t *testing.T) {
	t.Parallel()
	row := func(field, v string) string {
		fields := map[string]string{"usage": "3", "billed_quantity": "3", "unit_price": "1.5"}
		fields[field] = v
		return `{"account_id":"m-1","service_id":"s-1","company_id":"c-1","product_id":"p-1","usage":` + fields["usage"] +
			`,"billed_quantity":` + fields["billed_quantity"] + `,"unit_price":` + fields["unit_price"] + `,"snapshot_at":"2026-11-24T09:30:00Z"}`
	}
	cases := []struct {
		name, path, body, says string
		call                   func(*gradient.PartnerClient) error
	}{
		{"huge usage", "/api/partner/v1/billing", `{"data":[` + row("usage", "1e308") + `],"next_cursor":""}`, "usage is 1e+308",
			func(pc *gradient.PartnerClient) error { _, err := pc.Billing(context.Background()); return err }},
		{"negative quantity", "/api/partner/v1/billing", `{"data":[` + row("billed_quantity", "-4") + `],"next_cursor":""}`, "billed_quantity is -4",
			func(pc *gradient.PartnerClient) error { _, err := pc.Billing(context.Background()); return err }},
		{"price past the cap", "/api/partner/v1/psa/products", `{"data":[{"id":"p-1","name":"P","unit_price":5e9}],"next_cursor":""}`, "unit_price is 5e+09",
			func(pc *gradient.PartnerClient) error { _, err := pc.Products(context.Background()); return err }},
		{"reconcile answer", "/api/partner/v1/billing/reconcile", `[` + row("usage", "1e308") + `]`, "the reconcile was sent",
			func(pc *gradient.PartnerClient) error {
				_, err := pc.Reconcile(context.Background(), []gradient.BillingKey{{AccountID: "m-1", ServiceID: "s-1"}})
				return err
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := newCounted(t)
			srv.emu.Inject(synthemu.Fault{Kind: synthemu.FaultBody, Body: []byte(c.body), PathPrefix: c.path})
			err := c.call(partner(t, srv))
			var invalid *gradient.InvalidAnswerError
			if !errors.As(err, &invalid) || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("err = %v; want an invalid answer saying %q", err, c.says)
			}
		})
	}
}
