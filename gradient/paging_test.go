package gradient_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
)

// TestCursorCycleStops: cursors A → B → A would be followed forever (the
// pages are empty, so no id repeats to give it away). The walk stops at the
// first cursor it has already followed.
func TestCursorCycleStops(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := map[string]string{"": "A", "A": "B", "B": "A"}[r.URL.Query().Get("cursor")]
		if calls.Add(1) > 50 {
			next = "" // the old client would loop forever: end it, and fail below
		}
		fmt.Fprintf(w, `{"data":[],"next_cursor":%q}`, next)
	}))
	defer srv.Close()
	pc, _ := gradient.NewPartnerClient(srv.URL, "tok-1234", fast)
	_, err := pc.Companies(context.Background())
	if err == nil || !strings.Contains(err.Error(), `cursor "A"`) || !strings.Contains(err.Error(), "list PSA companies") {
		t.Fatalf("want an error naming the list and the repeated cursor, got %v", err)
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("want 3 requests (start, A, B), got %d", n)
	}
}

// TestEndlessListIsCapped: a server that sends pages of new ids without
// end is read up to the cap on a list's items, then refused with an error
// naming the list and the cap; memory and time stay bounded because the
// walk stops there.
func TestEndlessListIsCapped(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		next := strconv.FormatInt(n, 10)
		if n > 1500 {
			next = "" // past the cap: end it, so a client without one fails below
		}
		var b strings.Builder
		b.WriteString(`{"data":[`)
		for i := range 1000 {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"c-%d-%d","name":"n"}`, n, i)
		}
		fmt.Fprintf(&b, `],"next_cursor":%q}`, next)
		_, _ = w.Write([]byte(b.String()))
	}))
	defer srv.Close()
	pc, _ := gradient.NewPartnerClient(srv.URL, "tok-1234", fast)
	peak := samplePeakHeap()
	start := time.Now()
	_, err := pc.Companies(context.Background())
	maxHeap := peak()
	if err == nil || !strings.Contains(err.Error(), "1,000,000") || !strings.Contains(err.Error(), "list PSA companies") {
		t.Fatalf("want an error naming the list and the cap, got %.300v", err)
	}
	if n := calls.Load(); n > 1001 {
		t.Fatalf("%d pages were read; the cap is 1,000 pages of 1,000", n)
	}
	if took := time.Since(start); took > time.Minute {
		t.Fatalf("reaching the cap took %v", took)
	}
	t.Logf("%d requests, %v, live heap at most %d MiB", calls.Load(), time.Since(start), maxHeap>>20)
	if maxHeap > 1<<30 {
		t.Fatalf("the live heap reached %d MiB", maxHeap>>20)
	}
}

// samplePeakHeap reads the live heap every 20ms until the returned func is
// called, which answers the largest reading.
func samplePeakHeap() func() uint64 {
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-stop:
				done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		return <-done
	}
}

// TestLargestLegalPageIsRead: 1,000 accounts with 4.5 KB descriptions
// are a legal page (the contract's page is 1,000 items), and so are 1,000
// accounts of the largest size the emulator accepts; every list reads
// them. One byte more is refused by the emulator, not by the client.
func TestLargestLegalPageIsRead(t *testing.T) {
	for _, tc := range []struct {
		name    string
		account func(i int) gradient.VendorAccount
	}{
		{"4.5 KB descriptions", func(i int) gradient.VendorAccount {
			return gradient.VendorAccount{ID: fmt.Sprintf("m-%04d", i), Name: fmt.Sprintf("Customer %d", i), Description: strings.Repeat("d", 4500)}
		}},
		{"the largest account", func(i int) gradient.VendorAccount { return largest(t, i, 0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := synthemu.NewServer(synthemu.WithRateLimit(0))
			defer srv.Close()
			ctx := context.Background()
			pc, _ := gradient.NewPartnerClient(srv.URL, srv.PartnerToken(), fast)
			conn, err := pc.Connect(ctx, []string{"gateway"}, []string{"billing"})
			if err != nil {
				t.Fatal(err)
			}
			vc, _ := gradient.NewVendorClient(srv.URL, srv.VendorKey(), conn.APIKey, fast)
			for batch := range 4 { // a request body holds at most 16 MiB
				accounts := make([]gradient.VendorAccount, 250)
				for i := range accounts {
					accounts[i] = tc.account(batch*250 + i)
				}
				if err := vc.UpsertAccounts(ctx, accounts); err != nil {
					t.Fatal(err)
				}
			}
			got, err := pc.Accounts(ctx)
			if err != nil || len(got) != 1000 {
				t.Fatalf("want 1,000 accounts in one page, got %d: %v", len(got), err)
			}
			if all, err := vc.Accounts(ctx); err != nil || len(all) != 1000 {
				t.Fatalf("the vendor list: %d accounts, %v", len(all), err)
			}
			if err := vc.UpsertAccounts(ctx, []gradient.VendorAccount{largest(t, 1, 1)}); gradient.StatusOf(err) != 400 ||
				!strings.Contains(err.Error(), "16384") {
				t.Fatalf("one byte over the largest account: want 400 naming the limit, got %v", err)
			}
		})
	}
}

// largest is an account whose listing, as the vendor API writes it, is
// gradient.MaxItemBytes long, plus extra bytes.
func largest(t *testing.T, i, extra int) gradient.VendorAccount {
	a := gradient.VendorAccount{ID: fmt.Sprintf("m-%04d", i), Name: fmt.Sprintf("Customer %d", i),
		IsMapped: false, MappingID: "map-" + strings.Repeat("0", 24)}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	a.Description = strings.Repeat("d", gradient.MaxItemBytes-len(b)+extra)
	return a
}
