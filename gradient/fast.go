package gradient

import "github.com/meshgradient/mesh-gradient/gradient/rest"

// The lists of 100,000 items are read by rest.Scanner, not encoding/json:
// each field below is one the partner API writes. An answer with anything
// else (another key, a null, a number as a string) is decoded by
// encoding/json as before, so the values and the errors stay its.

// fieldsOf is how the scanner fills an item of a list of T, or nil for a
// list it does not read.
func fieldsOf[T any]() func(*T, []byte, *rest.Scanner) bool {
	var f any
	switch any((*T)(nil)).(type) {
	case *Account:
		f = accountField
	case *Company:
		f = companyField
	case *Service:
		f = serviceField
	case *Product:
		f = productField
	default:
		return nil
	}
	return f.(func(*T, []byte, *rest.Scanner) bool)
}

func accountField(a *Account, key []byte, s *rest.Scanner) (ok bool) {
	switch string(key) {
	case "id":
		a.ID, ok = s.String()
	case "name":
		a.Name, ok = s.String()
	case "description":
		a.Description, ok = s.String()
	}
	return ok
}

func companyField(c *Company, key []byte, s *rest.Scanner) (ok bool) {
	switch string(key) {
	case "id":
		c.ID, ok = s.String()
	case "name":
		c.Name, ok = s.String()
	}
	return ok
}

func serviceField(v *Service, key []byte, s *rest.Scanner) (ok bool) {
	switch string(key) {
	case "id":
		v.ID, ok = s.String()
	case "name":
		v.Name, ok = s.String()
	case "category":
		v.Category, ok = s.String()
	case "subcategory":
		v.Subcategory, ok = s.String()
	}
	return ok
}

func productField(p *Product, key []byte, s *rest.Scanner) (ok bool) {
	switch string(key) {
	case "id":
		p.ID, ok = s.String()
	case "name":
		p.Name, ok = s.String()
	case "unit_price":
		p.UnitPrice, ok = s.Float()
	}
	return ok
}

// fastPage reads a page {"data": [...], "next_cursor": "..."} into p with
// field, into a slice made for the items the page can hold.
func fastPage[T any](p *page[T], field func(*T, []byte, *rest.Scanner) bool) func([]byte) bool {
	return func(body []byte) bool {
		*p = page[T]{}
		s := rest.NewScanner(body)
		var data, cursor bool
		ok := s.Object(func(key []byte) bool {
			switch string(key) {
			case "data":
				if data {
					return false
				}
				data, p.Data = true, make([]T, 0, min(PageSize, len(body)/8+1))
				return s.Array(func() bool {
					p.Data = append(p.Data, *new(T))
					item := &p.Data[len(p.Data)-1]
					return s.Object(func(key []byte) bool { return field(item, key, s) })
				})
			case "next_cursor":
				if cursor {
					return false
				}
				cursor = true
				var ok bool
				p.NextCursor, ok = s.String()
				return ok
			}
			return false
		})
		if !ok || !s.End() {
			*p = page[T]{}
			return false
		}
		return true
	}
}

// fastMappings reads the mapping set, with its version as a string.
func fastMappings(m *Mappings) func([]byte) bool {
	return func(body []byte) bool {
		*m = Mappings{}
		s := rest.NewScanner(body)
		seen := map[string]bool{}
		ok := s.Object(func(key []byte) bool {
			k := string(key)
			if seen[k] {
				return false
			}
			seen[k] = true
			switch k {
			case "accounts":
				m.Accounts = []AccountMapping{}
				return s.Array(func() bool {
					m.Accounts = append(m.Accounts, AccountMapping{})
					a := &m.Accounts[len(m.Accounts)-1]
					return s.Object(func(key []byte) (ok bool) {
						switch string(key) {
						case "account_id":
							a.AccountID, ok = s.String()
						case "company_id":
							a.CompanyID, ok = s.String()
						case "ignored":
							a.Ignored, ok = s.Bool()
						}
						return ok
					})
				})
			case "services":
				m.Services = []ServiceMapping{}
				return s.Array(func() bool {
					m.Services = append(m.Services, ServiceMapping{})
					v := &m.Services[len(m.Services)-1]
					return s.Object(func(key []byte) (ok bool) {
						switch string(key) {
						case "service_id":
							v.ServiceID, ok = s.String()
						case "product_id":
							v.ProductID, ok = s.String()
						}
						return ok
					})
				})
			case "version":
				v, ok := s.String()
				m.Version = Version(v)
				return ok
			}
			return false
		})
		if !ok || !s.End() {
			*m = Mappings{}
			return false
		}
		return true
	}
}
