// Package synthemu is an in-memory emulator of Synthesize serving both
// the vendor API (what Mesh calls) and the partner API (what the wizard
// calls) over real HTTP. Tests use NewServer; the sandbox mounts Handler.
package synthemu

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"github.com/meshgradient/mesh-gradient/mesh"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
)

// PSA is the emulated PSA's side: companies, products and agreements.
type PSA struct {
	Companies  []gradient.Company `json:"companies"`
	Products   []gradient.Product `json:"products"`
	Agreements []Agreement        `json:"agreements"`
	// NoTicketBoard are companies with no ticket board (a ConnectWise
	// service board, an Autotask queue): their alerts cannot become tickets.
	NoTicketBoard []string `json:"no_ticket_board,omitempty"`
}

// Agreement is the PSA's billed quantity of one product for one company.
type Agreement struct {
	CompanyID string  `json:"company_id"`
	ProductID string  `json:"product_id"`
	Quantity  float64 `json:"quantity"`
}

// Option configures an Emulator.
type Option func(*Emulator)

// WithPSA seeds the PSA side.
func WithPSA(p PSA) Option { return func(e *Emulator) { e.seed = p } }

// WithProductServices tells which vendor service (SKU name) belongs to which
// product key, so the partner service list shows only chosen products.
func WithProductServices(m map[string]string) Option {
	return func(e *Emulator) { e.productServices = m }
}

// WithRateLimit sets the vendor API's requests per second (default 100,
// as the real service; 0 turns it off).
func WithRateLimit(perSecond int) Option { return func(e *Emulator) { e.rateLimit = perSecond } }

// WithClock replaces time.Now (for stable snapshot times in tests).
func WithClock(now func() time.Time) Option { return func(e *Emulator) { e.now = now } }

// WithMeshOptions tunes the client the emulator reads Mesh with, when
// connected by Mesh API key (default: 30 s an attempt, 2 attempts).
func WithMeshOptions(o gradient.Options) Option { return func(e *Emulator) { e.meshOpts = o } }

// WithTicketDelay sets how long an alert stays pending before the PSA
// takes or refuses it (default 2s, by the emulator's clock; 0: at once).
func WithTicketDelay(d time.Duration) Option { return func(e *Emulator) { e.ticketDelay = d } }

// Emulator holds Synthesize's state in memory, safe for concurrent use.
type Emulator struct {
	partnerToken    string
	vendorKey       string
	productServices map[string]string
	rateLimit       int
	ticketDelay     time.Duration
	now             func() time.Time
	seed            PSA
	mux             *http.ServeMux
	inFlight        atomic.Int64
	meshOpts        gradient.Options
	pulls           puller
	meshAlerts      func() []MeshAlert
	ticketFailures  map[string]string // alert id → why its ticket fails
	noTicketBoard   map[string]bool   // company ids

	mu         sync.Mutex
	faults     []Fault
	rateSecond int64
	rateCount  int
	throttled  int

	vendor      gradient.Vendor
	vendorTimes [2]time.Time // created, updated
	skuSeq      int
	integ       integration
	accounts    map[string]*account
	accountIDs  []string // accounts' ids, sorted; nil once an account is added
	accountMap  map[string]gradient.AccountMapping
	serviceMap  map[string]string // service id → product id
	mapVersion  int64             // the mappings' version: up by one with every write, never back
	// mappingsBody is GET mappings' answer, kept for the version it was
	// made at (mappingsAt): every command reads the whole set, and sorting
	// and encoding 10,000 mappings for each read was most of the sandbox's
	// time for a command. nil: make it again.
	mappingsBody []byte
	mappingsAt   int64
	usage        map[usageKey]snapshot
	alerts       map[string]alertRecord // by message id
	latestAlert  map[alertKey]string    // each alert's last message
	alertSeq     int
	companies    map[string]gradient.Company
	products     map[string]gradient.Product
	agreements   map[agreementKey]float64
	companyOrder []string
	productOrder []string
	meshGen      int // moves at every connect, key change and disconnect: a pull begun before one is void
}

type integration struct {
	connected   bool
	status      string
	products    []string
	types       []string
	keyHash     [32]byte // the key itself is never kept, as a real service would not
	keyHint     string
	id          string
	connectedAt *time.Time
	lastSyncAt  *time.Time
	// By Mesh API key (API.md §2a). meshKey is kept in memory only, never
	// in a snapshot: after a restart it is "" and a pull says so.
	method        string
	meshURL       string
	meshKey       string
	meshKeyHint   string
	lastSyncError string
}

// account is a vendor account as Synthesize keeps it; whether it is
// mapped lives in accountMap.
type account struct {
	ID          string
	Name        string
	Description string
	active      bool
	arrears     bool
}

type usageKey struct{ account, service string }

type agreementKey struct{ company, product string }

type snapshot struct {
	units float64
	at    time.Time
	// From a pull: what Mesh bills this cycle and when the cycle ends.
	vendorBilled *float64
	cycleEnds    string
}

// New builds an emulator; serve it with Handler or NewServer.
func New(opts ...Option) *Emulator {
	e := &Emulator{rateLimit: 100, ticketDelay: 2 * time.Second, now: time.Now,
		meshOpts: gradient.Options{Timeout: 30 * time.Second, Retry: gradient.RetryPolicy{MaxAttempts: 2, BaseDelay: 200 * time.Millisecond}}}
	for _, o := range opts {
		o(e)
	}
	e.pulls.init()
	if e.partnerToken == "" {
		e.partnerToken = "pt_" + randomToken(20)
	}
	if e.vendorKey == "" {
		e.vendorKey = "vk_" + randomToken(20)
	}
	e.vendor = gradient.Vendor{
		ID: "vendor-mesh", Name: "Mesh", Description: "Mesh email security",
		IntegrationType: "custom", ExternalIntegrationStatus: gradient.StatusActive,
		IntegrationPortalURL: "https://hub-us.emailsecurity.app",
		VendorSupportPageURL: mesh.SupportURL,
		Modules:              []gradient.Module{{Variation: gradient.TypeBilling}, {Variation: gradient.TypeAlerts}},
		SKUs:                 []gradient.SKU{},
	}
	e.vendorTimes = [2]time.Time{e.now().UTC(), e.now().UTC()}
	e.companies = map[string]gradient.Company{}
	e.products = map[string]gradient.Product{}
	e.agreements = map[agreementKey]float64{}
	for _, c := range e.seed.Companies {
		e.companies[c.ID] = c
		e.companyOrder = append(e.companyOrder, c.ID)
	}
	for _, p := range e.seed.Products {
		e.products[p.ID] = p
		e.productOrder = append(e.productOrder, p.ID)
	}
	for _, a := range e.seed.Agreements {
		e.agreements[agreementKey{a.CompanyID, a.ProductID}] = a.Quantity
	}
	e.noTicketBoard = map[string]bool{}
	for _, id := range e.seed.NoTicketBoard {
		e.noTicketBoard[id] = true
	}
	e.resetIntegration()
	e.routes()
	return e
}

// resetIntegration forgets everything the connection made: key, accounts,
// mappings, usage and alerts. PSA data and the vendor's SKUs stay.
func (e *Emulator) resetIntegration() {
	e.integ = integration{status: gradient.StatusInactive}
	e.meshGen++
	e.accounts, e.accountIDs = map[string]*account{}, nil
	e.accountMap = map[string]gradient.AccountMapping{}
	e.serviceMap = map[string]string{}
	e.mapVersion++
	e.usage = map[usageKey]snapshot{}
	e.alerts = map[string]alertRecord{}
	e.latestAlert = map[alertKey]string{}
}

// PartnerToken is the bearer token of the partner API.
func (e *Emulator) PartnerToken() string { return e.partnerToken }

// Throttled counts the 429s the vendor API's rate limit has answered.
func (e *Emulator) Throttled() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.throttled
}

// VendorKey is the vendor's half of GRADIENT-TOKEN.
func (e *Emulator) VendorKey() string { return e.vendorKey }

// Handler serves /api/vendor-api/... and /api/partner/v1/....
func (e *Emulator) Handler() http.Handler { return http.HandlerFunc(e.serve) }

// Server is an emulator listening on loopback.
type Server struct {
	*Emulator
	URL string // http://127.0.0.1:PORT
	srv *http.Server
}

// NewServer starts an emulator on a free loopback port; Close stops it.
// It panics when loopback cannot be listened on, as httptest does: it is
// for tests and rehearsals, where that means the machine is broken.
func NewServer(opts ...Option) *Server {
	e := New(opts...)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("synthemu: cannot listen on loopback: " + err.Error())
	}
	s := &Server{Emulator: e, URL: "http://" + l.Addr().String(), srv: &http.Server{Handler: e.Handler()}}
	go s.srv.Serve(l)
	return s
}

// Close stops the emulator's pulls, then the server, dropping its
// connections.
func (s *Server) Close() {
	s.Emulator.Close()
	s.srv.Close()
}

// InFlight is how many requests are being answered now: a test that gave
// up on a call waits for it to end before it looks at what it did.
func (e *Emulator) InFlight() int64 { return e.inFlight.Load() }

func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	e.inFlight.Add(1)
	defer e.inFlight.Add(-1)
	if e.applyFault(w, r) {
		return
	}
	e.mux.ServeHTTP(w, r)
}

func (e *Emulator) routes() {
	m := http.NewServeMux()
	v := func(pattern string, h func(http.ResponseWriter, *http.Request)) {
		method, path, _ := strings.Cut(pattern, " ")
		m.HandleFunc(method+" /api/vendor-api"+path, e.vendorAuth(h))
	}
	v("GET ", e.getVendor)
	v("PATCH ", e.patchVendor)
	v("POST /service", e.postService)
	v("GET /service/{serviceId}", e.getService)
	v("GET /organization", e.getOrganization)
	v("PATCH /organization/status/{status}", e.patchStatus)
	v("GET /organization/accounts", e.getVendorAccounts)
	v("POST /organization/accounts", e.postVendorAccounts)
	v("PATCH /organization/accounts", e.patchVendorAccounts)
	v("PATCH /organization/accounts/{accountId}", e.patchVendorAccount)
	v("POST /service/{serviceId}/count", e.postCount)
	v("POST /alerting/{accountId}", e.postAlert)
	v("GET /alerting/debug/{messageId}", e.getAlertDebug)

	p := func(pattern string, h func(http.ResponseWriter, *http.Request)) {
		method, path, _ := strings.Cut(pattern, " ")
		m.HandleFunc(method+" /api/partner/v1"+path, e.partnerAuth(h))
	}
	// These call Mesh, so they take the lock themselves, never across a call.
	unlocked := func(pattern string, h func(http.ResponseWriter, *http.Request)) {
		method, path, _ := strings.Cut(pattern, " ")
		m.HandleFunc(method+" /api/partner/v1"+path, e.partnerCheck(h))
	}
	p("GET /integrations", e.listIntegrations)
	p("GET /integrations/{vendor}", e.getIntegration)
	p("PATCH /integrations/{vendor}", e.configure)
	p("GET /integrations/{vendor}/alerts", e.listAlerts)
	unlocked("POST /integrations/{vendor}/connect", e.connect)
	unlocked("PUT /integrations/{vendor}/mesh-credentials", e.putMeshCredentials)
	p("POST /integrations/{vendor}/sync", e.syncNow)
	p("POST /integrations/{vendor}/key", e.rotateKey)
	p("GET /integrations/{vendor}/accounts", e.listAccounts)
	p("GET /integrations/{vendor}/services", e.listServices)
	p("GET /psa/companies", e.listCompanies)
	p("GET /psa/products", e.listProducts)
	p("GET /integrations/{vendor}/mappings", e.getMappings)
	p("PUT /integrations/{vendor}/mappings", e.putMappings)
	p("GET /billing", e.listBilling)
	p("POST /billing/reconcile", e.reconcile)
	p("DELETE /integrations/{vendor}", e.disconnect)
	m.HandleFunc("/api/vendor-api/", func(w http.ResponseWriter, r *http.Request) {
		vendorError(w, http.StatusNotFound, "Cannot "+r.Method+" "+r.URL.Path)
	})
	m.HandleFunc("/api/partner/v1/", func(w http.ResponseWriter, r *http.Request) {
		partnerError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	e.mux = m
}

// ---- helpers shared by both APIs ----

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("synthemu: no randomness: " + err.Error())
	}
	return strings.ToLower(strings.TrimRight(base32.StdEncoding.EncodeToString(b), "="))
}

func hashKey(k string) [32]byte { return sha256.Sum256([]byte(k)) }

func equalSecret(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func (e *Emulator) stamp() *time.Time {
	t := e.now().UTC()
	return &t
}

// billable reports whether counts for the account land: it is mapped to a
// company and not marked "do not bill".
func (e *Emulator) billable(accountID string) (gradient.AccountMapping, bool) {
	m, ok := e.accountMap[accountID]
	return m, ok && !m.Ignored && m.CompanyID != ""
}

// chosenServices are the SKUs of the integration's chosen products (all
// SKUs whose product is unknown are shown too: better seen than lost).
func (e *Emulator) chosenServices() []gradient.SKU {
	chosen := map[string]bool{}
	for _, p := range e.integ.products {
		if name, ok := e.productServices[p]; ok {
			chosen[strings.ToLower(name)] = true
		}
	}
	known := map[string]bool{}
	for _, name := range e.productServices {
		known[strings.ToLower(name)] = true
	}
	var out []gradient.SKU
	for _, s := range e.vendor.SKUs {
		n := strings.ToLower(s.Name)
		if chosen[n] || !known[n] {
			out = append(out, s)
		}
	}
	return out
}

func (e *Emulator) skuByID(id string) (gradient.SKU, bool) {
	for _, s := range e.vendor.SKUs {
		if s.ID == id {
			return s, true
		}
	}
	return gradient.SKU{}, false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
