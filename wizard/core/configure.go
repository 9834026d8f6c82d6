package core

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui/text"
)

// Configuration is what is integrated now, and what a change of it
// would touch: each chosen product's service mapping and billing rows.
type Configuration struct {
	Products, Types []string // Synthesize's, in the catalogue's order
	PullFlow        bool     // connected by Mesh API key: Synthesize reads Mesh
	// ServiceMapping is, per product key, "Mesh 365 → Mesh 365 Protection",
	// or "" when its service has no PSA product.
	ServiceMapping map[string]string
	BillingRows    map[string]int // per product key
}

// Configuration reads what is integrated now. ErrNotConnected when Mesh
// is not connected.
func (s *Session) Configuration(ctx context.Context) (Configuration, error) {
	ctx, cancel := CallContext(ctx)
	defer cancel()
	var (
		services []gradient.Service
		products []gradient.Product
		m        gradient.Mappings
		rows     []gradient.BillingRow
	)
	d, err := s.gather(ctx,
		func(pc *gradient.PartnerClient) (err error) { services, err = pc.Services(ctx); return err },
		func(pc *gradient.PartnerClient) (err error) { products, err = pc.Products(ctx); return err },
		func(pc *gradient.PartnerClient) (err error) { m, err = pc.Mappings(ctx); return err },
		func(pc *gradient.PartnerClient) (err error) { rows, err = pc.Billing(ctx); return err },
	)
	if err != nil {
		return Configuration{}, err
	}
	c := Configuration{Products: inOrder(d.Products, ProductKeys), Types: inOrder(d.Types, TypeKeys),
		PullFlow: d.Method == gradient.MethodMeshAPIKey, ServiceMapping: map[string]string{}, BillingRows: map[string]int{}}
	productNames := map[string]string{}
	for _, p := range products {
		productNames[p.ID] = text.Sanitize(p.Name)
	}
	mapped := map[string]string{}
	for _, sm := range m.Services {
		mapped[sm.ServiceID] = sm.ProductID
	}
	keyOf := map[string]string{} // service id → product key
	for _, sv := range services {
		p, ok := mesh.ProductByServiceName(sv.Name)
		if !ok {
			continue
		}
		keyOf[sv.ID] = p.Key
		if pid := mapped[sv.ID]; pid != "" {
			c.ServiceMapping[p.Key] = text.Sanitize(sv.Name) + " → " + name(productNames, pid)
		}
	}
	for _, r := range rows {
		if k, ok := keyOf[r.ServiceID]; ok {
			c.BillingRows[k]++
		}
	}
	return c, nil
}

// inOrder keeps the known keys of xs in the catalogue's order, then the
// unknown ones (sanitized), so nothing Synthesize says is hidden.
func inOrder(xs, order []string) []string {
	var out []string
	for _, k := range order {
		if slices.Contains(xs, k) {
			out = append(out, k)
		}
	}
	for _, x := range xs {
		if !slices.Contains(order, x) {
			out = append(out, text.Sanitize(x))
		}
	}
	return out
}

// ConfigChange is a change of products and types, and what it does.
type ConfigChange struct {
	Products, Types           []string // after the change
	AddProducts, DropProducts []string
	AddTypes, DropTypes       []string
}

// Empty: nothing would change.
func (c ConfigChange) Empty() bool {
	return len(c.AddProducts)+len(c.DropProducts)+len(c.AddTypes)+len(c.DropTypes) == 0
}

// PlanConfigure compares the chosen products and types with what is
// integrated now.
func PlanConfigure(now Configuration, products, types []string) ConfigChange {
	diff := func(a, b []string) (added []string) {
		for _, x := range a {
			if !slices.Contains(b, x) {
				added = append(added, x)
			}
		}
		return added
	}
	products, types = inOrder(products, ProductKeys), inOrder(types, TypeKeys)
	return ConfigChange{Products: products, Types: types,
		AddProducts: diff(products, now.Products), DropProducts: diff(now.Products, products),
		AddTypes: diff(types, now.Types), DropTypes: diff(now.Types, types)}
}

// Effects says, one line per change, what it does: to usage counts,
// mappings, billing and tickets.
func (c ConfigChange) Effects(now Configuration) []string {
	sync := "the next Gradient Sync in Mesh"
	if now.PullFlow {
		sync = "Synthesize's next sync from Mesh"
	}
	var out []string
	for _, k := range c.AddProducts {
		out = append(out, fmt.Sprintf("Adds %s: its usage counts reach billing from %s. If its service has no PSA product yet, map it on Update service mappings.", productName(k), sync))
	}
	for _, k := range c.DropProducts {
		rows := ""
		if n := now.BillingRows[k]; n > 0 {
			rows = fmt.Sprintf(" (%s go from the billing view)", text.Count(n, "billing row", "billing rows"))
		}
		kept := "Its service has no mapping to lose."
		if sm := now.ServiceMapping[k]; sm != "" {
			kept = fmt.Sprintf("Its service mapping (%s) stays in Synthesize and is used again if you add %s back.", sm, productName(k))
		}
		out = append(out, fmt.Sprintf("Removes %s: its usage counts stop reaching billing and reconcile%s. %s PSA quantities already set are not changed; account mappings stay.",
			productName(k), rows, kept))
	}
	for _, t := range c.AddTypes {
		switch t {
		case gradient.TypeAlerts:
			out = append(out, fmt.Sprintf("Adds Alerts: from %s, Mesh's security alerts become PSA tickets for mapped accounts; the Alerts screen shows any that fail, and why.", sync))
		case gradient.TypeBilling:
			out = append(out, "Adds Billing: Mesh's usage shows in billing and reconcile again.")
		}
	}
	for _, t := range c.DropTypes {
		switch t {
		case gradient.TypeAlerts:
			out = append(out, "Removes Alerts: Synthesize refuses Mesh's alerts from now on, so no new PSA tickets; tickets already made stay in the PSA.")
		case gradient.TypeBilling:
			out = append(out, "Removes Billing: Synthesize stops showing Mesh's usage for billing and reconcile. Usage counts and mappings are kept, so adding Billing back brings them back; PSA quantities are not changed.")
		}
	}
	return out
}

// Summary is the change in one line: "Gateway, Mesh 365 · Billing, Alerts".
func (c ConfigChange) Summary() string {
	names := make([]string, len(c.Products))
	for i, k := range c.Products {
		names[i] = productName(k)
	}
	types := make([]string, len(c.Types))
	for i, k := range c.Types {
		types[i] = TypeName(k)
	}
	return strings.Join(names, ", ") + " · " + strings.Join(types, ", ")
}

func productName(k string) string {
	if p, ok := mesh.ProductByKey(k); ok {
		return p.Name
	}
	return text.Sanitize(k)
}

// TypeName is an integration type's name ("Alerts").
func TypeName(k string) string {
	for _, t := range IntegrationTypes {
		if t.Key == k {
			return t.Name
		}
	}
	return text.Sanitize(k)
}

// Configure changes what is integrated (PATCH /integrations/mesh) and
// records the new choice in the state file. Bad products or types are
// bad input, found before Synthesize is asked.
func (s *Session) Configure(ctx context.Context, products, types []string) (gradient.IntegrationDetail, error) {
	if err := CheckChoice(products, types); err != nil {
		return gradient.IntegrationDetail{}, err
	}
	ctx, cancel := CallContext(ctx)
	defer cancel()
	d, err := s.cfg.Partner.Configure(ctx, gradient.Configuration{Products: products, Types: types})
	switch {
	case gradient.StatusOf(err) == 409:
		return d, ErrNotConnected
	case err != nil:
		return d, fmt.Errorf("Synthesize did not change the products and types (%w); nothing changed, run it again", err)
	}
	if err := s.Save(func(p *store.Progress) { p.Products, p.Types = products, types })(); err != nil {
		return d, s.unsaved("changed in Synthesize", err)
	}
	return d, nil
}
