package core

import (
	"context"
	"fmt"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/ui/text"
)

// Mesh's own numbers beside Synthesize's: with a Mesh API key the
// program reads Mesh's customers itself and shows, per billing line, what
// Mesh bills this cycle (licenses_billed), its protected users now
// (user_count) and when the cycle ends.

// MeshRead is one read of Mesh's customers, or why there was none.
type MeshRead struct {
	From      string                   // where the key came from: "this run's key", "MESH_API_KEY", "the OS keyring"
	Customers map[string]mesh.Customer // by id; nil when not read
	Err       error                    // the read failed
	At        time.Time
}

// Read: Mesh's own counts are at hand.
func (r MeshRead) Read() bool { return r.Customers != nil }

// HowToAddMesh says how to add Mesh's own numbers to the billing view.
const HowToAddMesh = "Mesh's own numbers: set MESH_API_KEY (see README)."

// Note says where the numbers came from, or why there are none, for
// every face.
func (r MeshRead) Note() string {
	switch {
	case r.Err != nil:
		return "Could not read Mesh's own numbers (" + Explain(r.Err).String() + "); showing what Synthesize has."
	case r.Read():
		return fmt.Sprintf("Mesh's own numbers read from Mesh with %s (%s).", r.From, text.Count(len(r.Customers), "customer", "customers"))
	}
	return HowToAddMesh
}

// MeshNoteFor is r's note for lines: Synthesize's own copy of what Mesh
// bills (flow 1b) counts as Mesh's numbers, without users now.
func MeshNoteFor(r MeshRead, lines []BillingLine) string {
	if r.Read() || r.Err != nil {
		return r.Note()
	}
	for _, l := range lines {
		if l.MeshBilled != nil {
			return "Mesh's billed counts are as Synthesize last read them; for users now, set MESH_API_KEY or keep the key in the OS keyring (see README)."
		}
	}
	return r.Note()
}

// meshKeyAt is the key to read Mesh with, where it comes from and its hub;
// the keyring is asked only when the user chose to keep the key there.
func (s *Session) meshKeyAt() (key, from, hub string) {
	s.mu.Lock()
	key, hub = s.meshKey, s.meshKeyHub
	s.mu.Unlock()
	if key != "" {
		return key, "the key given in this run", hub
	}
	p := s.Progress()
	hub = p.MeshHub
	if hub == "" {
		region := p.Region
		if region == "" {
			region = mesh.Portals[0].Region
		}
		hub, _ = mesh.HubURL(region, s.cfg.MeshPortal)
	}
	if s.cfg.MeshKey != "" {
		return s.cfg.MeshKey, "MESH_API_KEY", hub
	}
	if p.MeshKeyring && s.cfg.Keyring != nil {
		if k, err := s.cfg.Keyring.Get(s.keyringName()); err == nil && k != "" {
			return k, "the key in the OS keyring", hub
		}
	}
	return "", "", hub
}

// ReadMesh reads Mesh's customers with the key at hand (this run's, then
// MESH_API_KEY, then the OS keyring's) and keeps the result for Join.
// Without a key it reads nothing, and the result says how to add one.
func (s *Session) ReadMesh(ctx context.Context) MeshRead {
	key, from, hub := s.meshKeyAt()
	r := MeshRead{From: from, At: s.cfg.Now()}
	if key != "" {
		c, err := s.meshClient(hub, key)
		if err == nil {
			ctx, cancel := CallContext(ctx)
			var list []mesh.Customer
			list, err = c.Customers(ctx)
			cancel()
			if mesh.IsKeyRejected(err) {
				err = fmt.Errorf("Mesh refused %s (401): it has expired or was deleted", from)
			}
			if err == nil {
				r.Customers = make(map[string]mesh.Customer, len(list))
				for _, c := range list {
					r.Customers[c.ID] = c
				}
			}
		}
		r.Err = err
	}
	s.mu.Lock()
	s.meshRead = r
	s.mu.Unlock()
	return r
}

// MeshNumbers is the last read of Mesh's counts.
func (s *Session) MeshNumbers() MeshRead {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.meshRead
}

// withMesh adds Mesh's own numbers to lines: from Synthesize's rows when
// it reads Mesh itself (flow 1b), and from a read of Mesh, which is newer.
func withMesh(lines []BillingLine, raw []gradient.BillingRow, r MeshRead) {
	for i := range lines {
		l := &lines[i]
		if row := raw[i]; row.VendorBilledQuantity != nil {
			n := *row.VendorBilledQuantity
			l.MeshBilled, l.CycleEnds = &n, row.VendorCycleEnds
		}
		c, ok := r.Customers[l.AccountID]
		if !ok {
			continue
		}
		billed, users := float64(c.LicensesBilled), float64(c.UserCount)
		l.MeshBilled, l.MeshUsers, l.CycleEnds = &billed, &users, ""
		if !c.NextInvoiceDate.IsZero() {
			l.CycleEnds = c.NextInvoiceDate.Format(time.DateOnly)
		}
	}
}

// CycleEndsShort is a cycle's end as a line says it: "1 Dec".
func CycleEndsShort(date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return text.Sanitize(date)
	}
	return t.Format("2 Jan")
}
