package mesh_test

import (
	"encoding/json"
	"testing"

	"github.com/meshgradient/mesh-gradient/mesh"
)

// FuzzCustomers decodes arbitrary bodies as a page of customers: never a
// panic, and a count is never negative or over ten million.
func FuzzCustomers(f *testing.F) {
	for _, s := range []string{
		`[{"id":"a","user_count":3,"licenses_billed":"4","next_invoice_date":"N/A","secondary_domains":"x, y"}]`,
		`[{"id":7,"company_name":null,"user_count":1e3,"date_created":"2024-01-02T03:04:05.999Z"}]`,
		`[{"id":"a","user_count":-0,"licenses_service":"9999999999"}]`,
		`[{"secondary_domains":[null,1,"a"]},{"id":{}}]`, `[-`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var cs []mesh.Customer
		if json.Unmarshal(body, &cs) != nil {
			return
		}
		for _, c := range cs {
			for _, n := range []int{c.UserCount, c.LicensesBilled, c.LicensesService} {
				if n < 0 || n > 10_000_000 {
					t.Fatalf("count %d from %q", n, body)
				}
			}
		}
		_ = mesh.Summarize(cs).String()
	})
}
