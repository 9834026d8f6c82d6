package wizard

import (
	"context"
	"fmt"
	"testing"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/gradienttest"
	"github.com/meshgradient/mesh-gradient/mesh"
)

var scaleWords = []string{"Acme", "Harbor", "Summit", "Riverside", "Pinnacle", "Cedar", "Maple", "Golden", "Northwind", "Contoso",
	"Dental", "Legal", "Plumbing", "Realty", "Logistics", "Bakery", "Clinic", "Partners", "Group", "Solutions"}

// scaleServer is Synthesize with n Mesh accounts and n PSA companies whose
// names resemble them.
func scaleServer(b *testing.B, n int) *gradient.PartnerClient {
	b.Helper()
	var psa gradienttest.PSA
	accounts := make([]gradient.VendorAccount, n)
	for i := range n {
		base := fmt.Sprintf("%s %s %d", scaleWords[i%len(scaleWords)], scaleWords[(i/7)%len(scaleWords)], i)
		accounts[i] = gradient.VendorAccount{ID: fmt.Sprintf("m-%05d", i), Name: base}
		psa.Companies = append(psa.Companies, gradient.Company{ID: fmt.Sprintf("c-%05d", i), Name: base + " LLC"})
	}
	psa.Products = []gradient.Product{{ID: "p-gw", Name: "Mesh Gateway (per mailbox)", UnitPrice: 1.5}}
	srv := gradienttest.NewServer(gradienttest.WithPSA(psa), gradienttest.WithProductServices(mesh.ProductServices()), gradienttest.WithRateLimit(0))
	b.Cleanup(srv.Close)
	ctx := context.Background()
	pc, _ := gradient.NewPartnerClient(srv.URL, srv.PartnerToken(), gradient.Options{})
	conn, err := pc.Connect(ctx, []string{"gateway"}, []string{"billing"})
	if err != nil {
		b.Fatal(err)
	}
	vc, _ := gradient.NewVendorClient(srv.URL, srv.VendorKey(), conn.APIKey, gradient.Options{})
	if _, err := mesh.Sync(ctx, vc, mesh.SyncInput{Products: []string{"gateway"}}); err != nil {
		b.Fatal(err)
	}
	if err := vc.UpsertAccounts(ctx, accounts); err != nil {
		b.Fatal(err)
	}
	return pc
}

// BenchmarkLoadRemote: what the mapping screens wait for behind their
// spinner: five lists over loopback HTTP (paged, 1000 a page) and every
// suggestion.
func BenchmarkLoadRemote(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		pc := scaleServer(b, n)
		b.Run(fmt.Sprintf("tenants-%d", n), func(b *testing.B) {
			for b.Loop() {
				msg := loadRemote(pc, 0.8)().(dataMsg)
				if msg.err != nil || len(msg.data.accountSuggestions) != n {
					b.Fatalf("%v, %d suggestions", msg.err, len(msg.data.accountSuggestions))
				}
			}
		})
	}
}
