package synthemu

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
)

// Connecting by Mesh API key (API.md §2a): the emulator checks the key
// against Mesh over HTTP, keeps it in memory only, and pulls Mesh's
// customers into accounts, services and usage.
//
// The key is never in a snapshot. After a restart (a sandbox reopened on
// its state file) the card keeps its method, hub and hint, and the next
// pull fails with status error and a last_sync_error that says to
// replace the key; the emulated Mesh forgets its keys at a restart too,
// so a kept key would only be refused.

// errForgotten is a pull after a restart: the key was never written down.
var errForgotten = errors.New("the sandbox forgot the Mesh API key when it restarted (it never writes it to disk): replace the key")

// puller runs one pull at a time in the background; a sync asked for
// during a pull makes it run once more.
type puller struct {
	mu       sync.Mutex
	running  bool
	again    bool
	idle     chan struct{} // closed while no pull runs
	ctx      context.Context
	stop     context.CancelFunc
	onChange func()
}

func (p *puller) init() {
	p.idle = make(chan struct{})
	close(p.idle)
	p.ctx, p.stop = context.WithCancel(context.Background())
}

// OnChange sets fn to run after every background pull, for a sandbox that
// saves the emulator's state when it changes.
func (e *Emulator) OnChange(fn func()) {
	e.pulls.mu.Lock()
	defer e.pulls.mu.Unlock()
	e.pulls.onChange = fn
}

// WaitPulls waits until no pull runs: a test's way to know that a connect
// or a sync has been pulled.
func (e *Emulator) WaitPulls(ctx context.Context) error {
	e.pulls.mu.Lock()
	idle := e.pulls.idle
	e.pulls.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the pulls and waits for them.
func (e *Emulator) Close() {
	e.pulls.stop()
	_ = e.WaitPulls(context.Background())
}

// startPull pulls in the background, or once more after the running pull.
func (e *Emulator) startPull() {
	p := &e.pulls
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running {
		p.again = true
		return
	}
	p.running, p.idle = true, make(chan struct{})
	go func() {
		for {
			e.pullOnce(p.ctx)
			p.mu.Lock()
			fn := p.onChange
			p.mu.Unlock()
			if fn != nil {
				fn() // before idle: whoever waits for the pull finds it saved
			}
			p.mu.Lock()
			if !p.again || p.ctx.Err() != nil {
				p.running = false
				close(p.idle)
				p.mu.Unlock()
				return
			}
			p.again = false
			p.mu.Unlock()
		}
	}()
}

// checkMesh reads one customer with the key, as Synthesize does before it
// takes a key; it answers the partner API's status, code and message for
// a failure, or 0.
func (e *Emulator) checkMesh(ctx context.Context, cred gradient.MeshCredentials) (int, string, string) {
	c, err := mesh.NewClient(cred.APIURL, cred.APIKey, e.meshOpts)
	if err != nil {
		return http.StatusUnprocessableEntity, "invalid", err.Error()
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	switch _, err := c.Check(ctx); {
	case mesh.IsKeyRejected(err):
		return http.StatusUnprocessableEntity, gradient.CodeMeshKeyRejected, "Mesh refused the API key (401): it is wrong, has expired or was deleted"
	case err != nil:
		return http.StatusBadGateway, gradient.CodeMeshUnreachable, "could not read Mesh: " + err.Error()
	}
	return 0, "", ""
}

// useMeshKey records a checked key and its hub; the caller holds the lock.
func (e *Emulator) useMeshKey(cred gradient.MeshCredentials) {
	key := strings.TrimSpace(cred.APIKey)
	e.integ.meshURL, e.integ.meshKey, e.integ.meshKeyHint = strings.TrimRight(cred.APIURL, "/"), key, key[max(len(key)-4, 0):]
	e.integ.status, e.integ.lastSyncError = gradient.StatusPending, ""
	e.meshGen++
}

func (e *Emulator) connectMesh(w http.ResponseWriter, r *http.Request, in gradient.ConnectRequest) {
	if status, code, msg := e.checkMesh(r.Context(), *in.Mesh); status != 0 {
		partnerError(w, status, code, msg)
		return
	}
	e.mu.Lock()
	if e.integ.connected {
		e.mu.Unlock()
		partnerError(w, http.StatusConflict, "already_connected", "Mesh is already connected; disconnect it or replace the Mesh API key")
		return
	}
	e.connected(in, gradient.MethodMeshAPIKey)
	e.useMeshKey(*in.Mesh)
	out := struct {
		Integration gradient.IntegrationDetail `json:"integration"`
	}{e.detail()}
	e.startPull() // before the answer, so that WaitPulls after it waits for this pull
	e.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

// putMeshCredentials replaces the Mesh key (and hub), checked first.
func (e *Emulator) putMeshCredentials(w http.ResponseWriter, r *http.Request) {
	var in gradient.MeshCredentials
	if !decodeBody(w, r, &in, func(w http.ResponseWriter, s int, m string) { partnerError(w, s, "bad_request", m) }) {
		return
	}
	if problem := e.meshConnected(); problem != "" {
		partnerError(w, http.StatusConflict, "wrong_method", problem)
		return
	}
	if status, code, msg := e.checkMesh(r.Context(), in); status != 0 {
		partnerError(w, status, code, msg)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.integ.connected || e.integ.method != gradient.MethodMeshAPIKey { // disconnected meanwhile
		partnerError(w, http.StatusConflict, "not_connected", "Mesh is not connected by Mesh API key")
		return
	}
	e.useMeshKey(in)
	e.startPull()
	writeJSON(w, http.StatusOK, e.detail())
}

// meshConnected says why the integration cannot pull, or "".
func (e *Emulator) meshConnected() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case !e.integ.connected:
		return "Mesh is not connected; connect it first"
	case e.integ.method != gradient.MethodMeshAPIKey:
		return "Mesh is connected by a Synthesize key: Mesh pushes, so press Gradient Sync in Mesh"
	}
	return ""
}

// syncNow starts a pull; the caller holds the lock (partnerAuth).
func (e *Emulator) syncNow(w http.ResponseWriter, r *http.Request) {
	switch {
	case !e.integ.connected:
		partnerError(w, http.StatusConflict, "not_connected", "Mesh is not connected; connect it first")
	case e.integ.method != gradient.MethodMeshAPIKey:
		partnerError(w, http.StatusConflict, "wrong_method", "Mesh is connected by a Synthesize key: Mesh pushes, so press Gradient Sync in Mesh")
	default:
		e.startPull()
		w.WriteHeader(http.StatusAccepted)
	}
}

// pullOnce reads every customer and applies them, unless the connection
// or its key changed meanwhile. last_sync_at moves at every pull, failed
// or not, so a caller waiting on it learns the outcome either way.
func (e *Emulator) pullOnce(ctx context.Context) {
	e.mu.Lock()
	if !e.integ.connected || e.integ.method != gradient.MethodMeshAPIKey {
		e.mu.Unlock()
		return
	}
	gen, url, key := e.meshGen, e.integ.meshURL, e.integ.meshKey
	e.mu.Unlock()
	var customers []mesh.Customer
	err := errForgotten
	if key != "" {
		var c *mesh.Client
		if c, err = mesh.NewClient(url, key, e.meshOpts); err == nil {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
			customers, err = c.Customers(ctx)
			cancel()
		}
	}
	if ctx.Err() != nil {
		return // stopped: no outcome to record
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.meshGen != gen {
		return
	}
	switch {
	case mesh.IsKeyRejected(err):
		e.pullFailed("Mesh refused the API key (401): it has expired or was deleted; replace it")
	case err != nil:
		e.pullFailed("could not read Mesh: " + err.Error())
	default:
		e.applyPull(customers)
	}
}

func (e *Emulator) pullFailed(why string) {
	e.integ.status, e.integ.lastSyncError = gradient.StatusError, why
	e.integ.lastSyncAt = e.stamp()
}

// applyPull turns customers into accounts, their services into SKUs, and
// the user counts of billable accounts into usage, with what Mesh bills
// this cycle. A customer whose account would list larger than a page
// allows is left out, as the vendor API refuses it.
func (e *Emulator) applyPull(customers []mesh.Customer) {
	now := *e.stamp()
	skus := map[string]string{} // product key → SKU id
	current := map[string]string{}
	for _, c := range customers {
		name := c.CompanyName
		if strings.TrimSpace(name) == "" {
			name = c.ID
		}
		a := &account{ID: c.ID, Name: name, Description: c.PrimaryDomain, active: !c.Suspended}
		if cur, ok := e.accounts[c.ID]; ok {
			a.arrears = cur.arrears
		}
		if c.ID == "" || e.oversize(a) != "" {
			continue
		}
		e.accounts[c.ID], e.accountIDs = a, nil
		p, ok := c.Product()
		if !ok {
			continue
		}
		if skus[p.Key] == "" {
			skus[p.Key] = e.meshSKU(p)
		}
		current[c.ID] = skus[p.Key]
		if _, billable := e.billable(c.ID); billable {
			billed := float64(c.LicensesBilled)
			ends := ""
			if !c.NextInvoiceDate.IsZero() {
				ends = c.NextInvoiceDate.Format(time.DateOnly)
			}
			e.usage[usageKey{c.ID, skus[p.Key]}] = snapshot{units: float64(c.UserCount), at: now, vendorBilled: &billed, cycleEnds: ends}
		}
	}
	// A customer has one service: usage under another one is stale.
	for k := range e.usage {
		if sku, ok := current[k.account]; ok && sku != k.service {
			delete(e.usage, k)
		}
	}
	e.integ.lastSyncError = ""
	if e.integ.status == gradient.StatusError || e.integ.status == gradient.StatusInactive {
		e.integ.status = gradient.StatusPending
	}
	for k := range e.usage {
		if _, ok := current[k.account]; ok {
			e.checkIn() // the first usage makes it active, as a vendor's first count does
			break
		}
	}
	e.pullAlerts(current)
	e.integ.lastSyncAt = &now
}

// meshSKU is the id of the product's service, made as Mesh makes it when
// missing.
func (e *Emulator) meshSKU(p mesh.Product) string {
	name := p.ServiceName
	if n, ok := e.productServices[p.Key]; ok {
		name = n
	}
	for _, s := range e.vendor.SKUs {
		if strings.EqualFold(s.Name, name) {
			return s.ID
		}
	}
	return e.addSKU(gradient.SKU{Name: name, Description: p.Summary, Category: mesh.ServiceCategory, Subcategory: mesh.ServiceSubcategory}).ID
}
