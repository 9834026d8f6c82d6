package mesh

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// Account is one of Mesh's customer accounts with its current usage per
// product key.
type Account struct {
	ID          string
	Name        string
	Description string
	Usage       map[string]float64
}

// Alert is a security event Mesh raises for an account.
type Alert struct {
	AccountID   string
	Title       string
	Description string
	Severity    string // low, medium, high, critical
	Priority    int    // the alerting API's 1–4; when 0, from Severity
	AlertID     string
}

// VendorAlert is the body Mesh sends for a: numeric priority and status,
// its alert id, and the service it concerns ("" for none).
func VendorAlert(a Alert, serviceID string) gradient.Alert {
	prio := a.Priority
	if prio < gradient.PriorityLow || prio > gradient.PriorityVeryHigh {
		var ok bool
		if prio, ok = Priority(a.Severity); !ok {
			prio = gradient.PriorityMedium
		}
	}
	// Status is a number (1 to 6) that the MSP's PSA maps to a ticket
	// status; Mesh sends the SDK's default, 1, never a word.
	return gradient.Alert{Title: a.Title, Description: a.Description, AlertID: alertID(a), Priority: prio,
		Status: gradient.AlertStatusDefault, ServiceID: serviceID}
}

// Priority maps a severity to the alerting API's priority (1–4).
func Priority(severity string) (int, bool) {
	switch strings.ToLower(severity) {
	case "low":
		return gradient.PriorityLow, true
	case "medium":
		return gradient.PriorityMedium, true
	case "high":
		return gradient.PriorityHigh, true
	case "critical", "very high":
		return gradient.PriorityVeryHigh, true
	}
	return 0, false
}

// SyncInput is what one Gradient Sync pushes.
type SyncInput struct {
	Accounts []Account
	Products []string // product keys whose usage is sent
	Alerts   []Alert
	Workers  int // counts sent at once; default 4
}

// SyncReport says what a Gradient Sync sent and what it skipped.
type SyncReport struct {
	ServicesCreated []string // SKU names created this time
	AccountsSent    int
	CountsSent      int
	CountsSkipped   int      // 404: accounts the MSP has not mapped
	SkippedAccounts []string // their ids, each once, in order
	AlertsSent      int      // accepted; whether each became a ticket is Synthesize's to say
	AlertsSkipped   int      // refused with 404: an account or service Synthesize does not know
	AlertsDisabled  bool     // the integration does not include Alerts (403)
}

func (r SyncReport) String() string {
	s := fmt.Sprintf("%d accounts sent, %d counts sent, %d counts skipped for %d unmapped accounts",
		r.AccountsSent, r.CountsSent, r.CountsSkipped, len(r.SkippedAccounts))
	if len(r.ServicesCreated) > 0 {
		s += fmt.Sprintf(", services created: %s", strings.Join(r.ServicesCreated, ", "))
	}
	switch {
	case r.AlertsDisabled:
		s += ", alerts not enabled"
	case r.AlertsSent+r.AlertsSkipped > 0:
		s += fmt.Sprintf(", %d alerts sent, %d skipped", r.AlertsSent, r.AlertsSkipped)
	}
	return s
}

// Submit is the portal's Submit: check the key, then say the integration
// is pending, as Mesh does.
func Submit(ctx context.Context, vc *gradient.VendorClient) (gradient.Organization, error) {
	org, err := vc.Organization(ctx)
	if err != nil {
		return org, err
	}
	if err := vc.SetStatus(ctx, gradient.StatusPending); err != nil {
		return org, err
	}
	org.Status = gradient.StatusPending
	return org, nil
}

// Sync is a Gradient Sync: create the missing services, post the accounts,
// then one count per account and product, then the alerts. Unmapped
// accounts answer 404 to counts; that is normal and only counted.
func Sync(ctx context.Context, vc *gradient.VendorClient, in SyncInput) (SyncReport, error) {
	var rep SyncReport
	services, created, err := ensureServices(ctx, vc, in.Products)
	if err != nil {
		return rep, err
	}
	rep.ServicesCreated = created

	if len(in.Accounts) > 0 {
		accounts := make([]gradient.VendorAccount, len(in.Accounts))
		for i, a := range in.Accounts {
			accounts[i] = gradient.VendorAccount{ID: a.ID, Name: a.Name, Description: a.Description}
		}
		if err := vc.UpsertAccounts(ctx, accounts); err != nil {
			return rep, err
		}
		rep.AccountsSent = len(accounts)
	}

	if err := sendCounts(ctx, vc, in, services, &rep); err != nil {
		return rep, err
	}
	return rep, sendAlerts(ctx, vc, in.Alerts, alertServices(in, services), &rep)
}

// alertServices is each account's service for its alerts: the first
// synced product it has usage in.
func alertServices(in SyncInput, services map[string]string) map[string]string {
	out := map[string]string{}
	for _, a := range in.Accounts {
		for _, key := range in.Products {
			if _, ok := a.Usage[key]; ok && services[key] != "" {
				out[a.ID] = services[key]
				break
			}
		}
	}
	return out
}

// ensureServices returns product key → SKU id, creating the missing SKUs.
func ensureServices(ctx context.Context, vc *gradient.VendorClient, products []string) (map[string]string, []string, error) {
	v, err := vc.Vendor(ctx)
	if err != nil {
		return nil, nil, err
	}
	ids := map[string]string{}
	var created []string
	for _, key := range products {
		p, ok := ProductByKey(key)
		if !ok {
			return nil, nil, fmt.Errorf("mesh sync: unknown product %q", key)
		}
		id := skuID(v.SKUs, p.ServiceName)
		if id == "" {
			if v, err = vc.CreateService(ctx, gradient.ServiceInput{Name: p.ServiceName,
				Description: p.Summary, Category: ServiceCategory, Subcategory: ServiceSubcategory}); err != nil {
				return nil, nil, err
			}
			if id = skuID(v.SKUs, p.ServiceName); id == "" {
				return nil, nil, fmt.Errorf("mesh sync: Synthesize did not list service %q after creating it", p.ServiceName)
			}
			created = append(created, p.ServiceName)
		}
		ids[key] = id
	}
	return ids, created, nil
}

func skuID(skus []gradient.SKU, name string) string {
	for _, s := range skus {
		if strings.EqualFold(s.Name, name) {
			return s.ID
		}
	}
	return ""
}

type countJob struct {
	account string
	service string
	units   float64
}

// sendCounts posts counts with a few workers; the vendor client's pacing
// keeps them under the API's rate limit. The last count triggers the
// billing rebuild, the others defer it (no_build=true).
func sendCounts(ctx context.Context, vc *gradient.VendorClient, in SyncInput, services map[string]string, rep *SyncReport) error {
	var jobs []countJob
	for _, a := range in.Accounts {
		for _, key := range in.Products {
			if units, ok := a.Usage[key]; ok {
				jobs = append(jobs, countJob{account: a.ID, service: services[key], units: units})
			}
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	last, jobs := jobs[len(jobs)-1], jobs[:len(jobs)-1]

	workers := in.Workers
	if workers <= 0 {
		workers = 4
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		skipped  = map[string]bool{}
		wg       sync.WaitGroup
		feed     = make(chan countJob)
	)
	record := func(j countJob, err error) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			rep.CountsSent++
		case gradient.IsNotFound(err):
			rep.CountsSkipped++
			if !skipped[j.account] {
				skipped[j.account] = true
				rep.SkippedAccounts = append(rep.SkippedAccounts, j.account)
			}
		case firstErr == nil:
			firstErr = err
			cancel()
		}
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range feed {
				record(j, vc.PostCount(ctx, j.service, j.account, j.units, true))
			}
		}()
	}
feeding:
	for _, j := range jobs {
		select {
		case feed <- j:
		case <-ctx.Done():
			break feeding
		}
	}
	close(feed)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	record(last, vc.PostCount(ctx, last.service, last.account, last.units, false))
	return firstErr
}

func sendAlerts(ctx context.Context, vc *gradient.VendorClient, alerts []Alert, services map[string]string, rep *SyncReport) error {
	for _, a := range alerts {
		_, err := vc.PostAlert(ctx, a.AccountID, VendorAlert(a, services[a.AccountID]))
		switch {
		case err == nil:
			rep.AlertsSent++
		case gradient.StatusOf(err) == 403:
			rep.AlertsDisabled = true
			return nil
		case gradient.IsNotFound(err):
			rep.AlertsSkipped++
		default:
			return err
		}
	}
	return nil
}

// alertID is the alert's own id, or one made from what it says, so the
// same alert sent at two syncs carries the same id (the API requires one).
func alertID(a Alert) string {
	if a.AlertID != "" {
		return a.AlertID
	}
	sum := sha256.Sum256([]byte(a.AccountID + "\x00" + a.Title + "\x00" + a.Description))
	return "mesh-" + hex.EncodeToString(sum[:8])
}
