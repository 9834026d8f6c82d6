package gradient

import (
	"fmt"
	"math"
)

// The ranges a number from Synthesize may take. Anything else (1e308, a
// negative count) is an answer that breaks the contract: refused with the
// row and the field named, never summed into "+Inf units" or "$NaN".
const (
	MaxQuantity = 10_000_000 // seats, mailboxes: far above any one company
	MaxPrice    = 1_000_000  // dollars a unit a month
)

// checkNumber says what is wrong with v as field, or "".
func checkNumber(field string, v, most float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Sprintf("%s is %v", field, v)
	case v < 0 || v > most:
		return fmt.Sprintf("%s is %g, outside 0 to %g", field, v, most)
	}
	return ""
}

// check says what is wrong with a billing row's numbers, or "".
func (b BillingRow) check() string {
	for _, n := range []struct {
		field string
		v     float64
		most  float64
	}{{"usage", b.Usage, MaxQuantity}, {"billed_quantity", b.BilledQuantity, MaxQuantity}, {"unit_price", b.UnitPrice, MaxPrice}} {
		if p := checkNumber(n.field, n.v, n.most); p != "" {
			return fmt.Sprintf("billing row %s / %s: %s", b.AccountID, b.ServiceID, p)
		}
	}
	if b.VendorBilledQuantity != nil {
		if p := checkNumber("vendor_billed_quantity", *b.VendorBilledQuantity, MaxQuantity); p != "" {
			return fmt.Sprintf("billing row %s / %s: %s", b.AccountID, b.ServiceID, p)
		}
	}
	return ""
}

// checkRows answers the first problem of rows' numbers, or "".
func checkRows[T interface{ check() string }](rows []T) string {
	for _, r := range rows {
		if p := r.check(); p != "" {
			return p
		}
	}
	return ""
}

func (p Product) check() string {
	if q := checkNumber("unit_price", p.UnitPrice, MaxPrice); q != "" {
		return fmt.Sprintf("PSA product %s: %s", p.ID, q)
	}
	return ""
}
