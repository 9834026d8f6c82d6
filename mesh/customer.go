package mesh

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Customer is one of the MSP's customers in Mesh's API (API.md §7), the
// fields we use; Mesh sends more, which are ignored.
type Customer struct {
	ID                string // a UUID in Mesh; treated as an opaque string
	CompanyName       string
	Active            bool
	Suspended         bool
	PrimaryDomain     string
	SecondaryDomains  []string
	ServiceName       string // the Mesh product; ProductByServiceName maps it
	EmailPlatformName string
	UserCount         int // protected users now
	LicensesBilled    int // what Mesh bills for the current cycle
	LicensesService   int
	NextInvoiceDate   time.Time // the end of the cycle; zero when Mesh says "N/A"
	TerminationDate   time.Time // zero when none
	DateCreated       time.Time
	DateModified      time.Time
}

// Product is the Mesh product of the customer's service, when known.
func (c Customer) Product() (Product, bool) { return ProductByServiceName(c.ServiceName) }

// UnmarshalJSON reads a customer leniently where Mesh's documents leave
// the type open (ids and counts as numbers or strings, null for empty,
// dates as dates or date-times, secondary domains as a list or one string)
// and strictly where we bill from it: a count must be a whole number from
// 0 to maxCount.
func (c *Customer) UnmarshalJSON(b []byte) error {
	var w struct {
		ID                text     `json:"id"`
		CompanyName       text     `json:"company_name"`
		Active            *bool    `json:"active"`
		Suspended         *bool    `json:"suspended"`
		PrimaryDomain     text     `json:"primary_domain"`
		SecondaryDomains  textList `json:"secondary_domains"`
		ServiceName       text     `json:"service_name"`
		EmailPlatformName text     `json:"email_platform_name"`
		UserCount         count    `json:"user_count"`
		LicensesBilled    count    `json:"licenses_billed"`
		LicensesService   count    `json:"licenses_service"`
		NextInvoiceDate   date     `json:"next_invoice_date"`
		TerminationDate   date     `json:"termination_date"`
		DateCreated       date     `json:"date_created"`
		DateModified      date     `json:"date_modified"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = Customer{ID: string(w.ID), CompanyName: string(w.CompanyName), Active: w.Active != nil && *w.Active,
		Suspended: w.Suspended != nil && *w.Suspended, PrimaryDomain: string(w.PrimaryDomain),
		SecondaryDomains: w.SecondaryDomains, ServiceName: string(w.ServiceName), EmailPlatformName: string(w.EmailPlatformName),
		UserCount: int(w.UserCount), LicensesBilled: int(w.LicensesBilled), LicensesService: int(w.LicensesService),
		NextInvoiceDate: time.Time(w.NextInvoiceDate), TerminationDate: time.Time(w.TerminationDate),
		DateCreated: time.Time(w.DateCreated), DateModified: time.Time(w.DateModified)}
	return nil
}

// text is a string, a number (as its digits) or null ("").
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	var s string
	switch {
	case bytes.Equal(b, []byte("null")):
	case json.Unmarshal(b, &s) == nil:
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		s = string(b)
	default:
		return fmt.Errorf("want a string, got %.20s", b)
	}
	*t = text(s)
	return nil
}

// textList is a list of strings, one comma-separated string, or null.
type textList []string

func (l *textList) UnmarshalJSON(b []byte) error {
	var list []text
	if err := json.Unmarshal(b, &list); err == nil {
		*l = make(textList, 0, len(list))
		for _, s := range list {
			if s != "" {
				*l = append(*l, string(s))
			}
		}
		return nil
	}
	var one text
	if err := one.UnmarshalJSON(b); err != nil {
		return err
	}
	*l = nil
	for _, s := range strings.Split(string(one), ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// maxCount is more users than any one customer has: a larger count is a
// broken answer, not a bill.
const maxCount = 10_000_000

// count is a whole number of users or licences, as a number or a string
// of digits; null is 0.
type count int

func (n *count) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*n = 0
		return nil
	}
	s := string(b)
	var quoted string
	if json.Unmarshal(b, &quoted) == nil {
		s = strings.TrimSpace(quoted)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > maxCount || f != math.Trunc(f) {
		return fmt.Errorf("%.20q is not a count from 0 to %d", s, maxCount)
	}
	*n = count(f)
	return nil
}

// date is a date ("2026-12-01") or a date-time; "N/A", "", null and what
// does not parse are zero: a date only labels the cycle, so one odd value
// must not refuse a whole list of customers.
type date time.Time

func (d *date) UnmarshalJSON(b []byte) error {
	var s string
	*d = date{}
	if json.Unmarshal(b, &s) != nil {
		return nil
	}
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			*d = date(t)
			return nil
		}
	}
	return nil
}

// Summary counts customers per product, what the wizard shows when a key
// works: "412 customers — Gateway 120, Mesh 365 280, Unified 12".
type Summary struct {
	Customers int
	ByProduct map[string]int // product key → customers
	Other     int            // a service_name that is no product we know, or none
}

// Summarize counts cs per product.
func Summarize(cs []Customer) Summary {
	s := Summary{Customers: len(cs), ByProduct: map[string]int{}}
	for _, c := range cs {
		if p, ok := c.Product(); ok {
			s.ByProduct[p.Key]++
		} else {
			s.Other++
		}
	}
	return s
}

// String is the summary in one line, products in the catalog's order,
// those with no customer left out. Names from Mesh are not in it.
func (s Summary) String() string {
	noun := "customers"
	if s.Customers == 1 {
		noun = "customer"
	}
	var parts []string
	for _, p := range Products {
		if n := s.ByProduct[p.Key]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", p.ShortName, n))
		}
	}
	if s.Other > 0 {
		parts = append(parts, fmt.Sprintf("other %d", s.Other))
	}
	out := fmt.Sprintf("%d %s", s.Customers, noun)
	if len(parts) > 0 {
		out += " — " + strings.Join(parts, ", ")
	}
	return out
}
