package core

import (
	"fmt"
	"time"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/store"
)

// Step is a place in the journey. The first nine are the onboarding, in
// order; Home is where a connected integration starts.
type Step int

const (
	StepProducts Step = iota
	StepKey
	StepPortal
	StepWaiting
	StepAccounts
	StepServices
	StepReview
	StepFinalSync
	StepBilling
	StepHome
	// Connecting by Mesh API key (flow 1b): its steps 2 and 3, in place
	// of the key and the portal; they come last so stored names keep
	// their numbers.
	StepMeshAPIKeys
	StepMeshKey
	StepAlerts    // a home action: whether Mesh's alerts became PSA tickets
	StepConfigure // a home action: change products and types
)

// OnboardingSteps is how many steps the onboarding has.
const OnboardingSteps = 9

var stepNames = [...]string{"products", "key", "portal", "waiting", "accounts", "services", "review", "final-sync", "billing", "home",
	"mesh-api-keys", "mesh-key", "alerts", "configure"}

var stepTitles = [...]string{"Products and types", "API key", "Mesh portal", "Waiting for Gradient Sync",
	"Map accounts", "Map services", "Review and confirm", "Final Gradient Sync", "Billing and reconcile", "Home",
	"Create a Mesh API key", "Mesh API key", "Alerts", "Change products and types"}

// String is the step's name in the state file.
func (s Step) String() string { return stepNames[s] }

// Title is what the user reads.
func (s Step) Title() string { return stepTitles[s] }

// ParseStep reads a stored step name; anything unknown is the start.
func ParseStep(name string) Step {
	for i, n := range stepNames {
		if n == name {
			return Step(i)
		}
	}
	return StepProducts
}

// Mode is which journey the steps belong to: the first onboarding, an
// update of the mappings from home, or the connected integration's home
// actions.
type Mode int

const (
	Onboarding Mode = iota
	Updating
	Connected
	// MeshKeyOnboarding is the onboarding when connecting by Mesh API
	// key: its own steps 2–4, then the onboarding's (find falls back).
	MeshKeyOnboarding
)

// ModeOf reads the mode from the stored progress.
func ModeOf(p store.Progress) Mode {
	switch {
	case p.Updating:
		return Updating
	case p.Onboarded:
		return Connected
	case p.Method == gradient.MethodMeshAPIKey:
		return MeshKeyOnboarding
	}
	return Onboarding
}

// Event is what happened on a step.
type Event int

const (
	Chosen          Event = iota // products and types chosen; a portal chosen
	KeyConfirmed                 // the user saved the one-time key
	SyncArrived                  // Mesh's first Gradient Sync brought accounts and services
	Next                         // go on with what is chosen so far
	Back                         // one step back (or home)
	MappingsWritten              // the mappings are in Synthesize
	UsageArrived                 // the final sync brought the usage
	UpdateAccounts               // home: update account mappings
	UpdateServices               // home: update service mappings
	OpenBilling                  // home: billing and reconcile
	NewKey                       // home: issue a new key
	MeshKeyGiven                 // Synthesize took a Mesh API key (connect or replace)
	ReplaceMeshKey               // home: replace the Mesh API key
	OpenAlerts                   // home: the alerts and their tickets
	OpenConfigure                // home: change products and types
)

// anyStep in a transition matches every step.
const anyStep Step = -1

// transition is one edge of the step graph, with the bookkeeping that
// taking it writes down (in the same change as the step).
type transition struct {
	mode   Mode
	from   Step
	event  Event
	to     Step
	effect func(p *store.Progress, now time.Time)
}

func keyConfirmed(p *store.Progress, _ time.Time)  { p.KeyConfirmed = true }
func startUpdating(p *store.Progress, _ time.Time) { p.Updating = true }
func stopUpdating(p *store.Progress, _ time.Time)  { p.Updating = false }
func renewed(p *store.Progress, _ time.Time)       { p.Renewal = nil }

// onboarded: the first mappings are written and the final sync is past.
func onboarded(p *store.Progress, now time.Time) { p.UsageArrivedAt, p.Onboarded = now, true }

// transitions is the whole step graph. A step's screen, prompt or command
// reports an event; this table alone says where it leads.
var transitions = []transition{
	{Onboarding, StepProducts, Chosen, StepKey, nil},
	{Onboarding, StepKey, KeyConfirmed, StepPortal, keyConfirmed},
	{Onboarding, StepKey, Back, StepProducts, nil},
	{Onboarding, StepPortal, Chosen, StepWaiting, nil},
	{Onboarding, StepPortal, Back, StepKey, nil},
	{Onboarding, StepWaiting, Back, StepPortal, nil},
	// A script may wait for the sync without passing the portal screen;
	// Mesh syncing proves the key reached it.
	{Onboarding, StepKey, SyncArrived, StepAccounts, keyConfirmed},
	{Onboarding, StepPortal, SyncArrived, StepAccounts, nil},
	{Onboarding, StepWaiting, SyncArrived, StepAccounts, nil},
	{Onboarding, StepAccounts, Next, StepServices, nil},
	{Onboarding, StepAccounts, Back, StepPortal, nil},
	{Onboarding, StepServices, Next, StepReview, nil},
	{Onboarding, StepServices, Back, StepAccounts, nil},
	{Onboarding, StepReview, Back, StepServices, nil},
	// A scripted write may come from any step before the final sync.
	{Onboarding, anyStep, MappingsWritten, StepFinalSync, nil},
	{Onboarding, StepFinalSync, UsageArrived, StepBilling, onboarded},
	{Onboarding, StepFinalSync, Next, StepBilling, onboarded},

	{Updating, StepAccounts, Next, StepReview, nil},
	{Updating, StepServices, Next, StepReview, nil},
	{Updating, anyStep, Back, StepHome, stopUpdating},
	{Updating, anyStep, MappingsWritten, StepHome, stopUpdating},

	{Connected, StepHome, UpdateAccounts, StepAccounts, startUpdating},
	{Connected, StepHome, UpdateServices, StepServices, startUpdating},
	{Connected, StepHome, OpenBilling, StepBilling, nil},
	// A new key for a connected integration goes the onboarding's way:
	// the key, the portal, the wait for Mesh to take it, then home.
	{Connected, StepHome, NewKey, StepKey, nil},
	{Connected, StepKey, KeyConfirmed, StepPortal, keyConfirmed},
	{Connected, StepPortal, Chosen, StepWaiting, nil},
	{Connected, StepWaiting, SyncArrived, StepHome, renewed},
	{Connected, anyStep, Back, StepHome, nil},
	{Connected, StepBilling, Next, StepHome, nil},

	// Flow 1b: Mesh's API-keys page, the key (checked against Mesh, then
	// given to Synthesize), Synthesize's first pull; then as above.
	{MeshKeyOnboarding, StepProducts, Chosen, StepMeshAPIKeys, nil},
	{MeshKeyOnboarding, StepMeshAPIKeys, Chosen, StepMeshKey, nil},
	{MeshKeyOnboarding, StepMeshAPIKeys, Back, StepProducts, nil},
	// A script gives the key without passing the key screen.
	{MeshKeyOnboarding, StepMeshAPIKeys, MeshKeyGiven, StepWaiting, keyConfirmed},
	{MeshKeyOnboarding, StepMeshKey, MeshKeyGiven, StepWaiting, keyConfirmed},
	{MeshKeyOnboarding, StepMeshKey, Back, StepMeshAPIKeys, nil},
	{MeshKeyOnboarding, StepWaiting, Back, StepMeshKey, nil},
	{MeshKeyOnboarding, StepAccounts, Back, StepMeshKey, nil},
	// A new Mesh key for a connected integration: the page, the key,
	// Synthesize's pull with it, then home.
	{Connected, StepHome, ReplaceMeshKey, StepMeshAPIKeys, nil},
	{Connected, StepMeshAPIKeys, Chosen, StepMeshKey, nil},
	{Connected, StepMeshKey, MeshKeyGiven, StepWaiting, nil},
	{Connected, StepHome, OpenAlerts, StepAlerts, nil},
	{Connected, StepHome, OpenConfigure, StepConfigure, nil},
	// A failed alert's fix: map its account, then home as any update.
	{Connected, StepAlerts, UpdateAccounts, StepAccounts, startUpdating},
	{Connected, StepAlerts, OpenConfigure, StepConfigure, nil},
	{Connected, StepConfigure, Chosen, StepHome, nil},
}

func find(mode Mode, from Step, ev Event) (transition, bool) {
	for _, t := range transitions {
		if t.mode == mode && t.event == ev && (t.from == from || t.from == anyStep) {
			return t, true
		}
	}
	if mode == MeshKeyOnboarding { // its steps 5–9 are the onboarding's
		return find(Onboarding, from, ev)
	}
	return transition{}, false
}

// NextStep is where event leads from step in mode; ok is false when the
// event does not move (the step stays).
func NextStep(mode Mode, from Step, ev Event) (Step, bool) {
	t, ok := find(mode, from, ev)
	if !ok {
		return from, false
	}
	return t.to, true
}

// StartStep is where a start opens: home once onboarded, else the step
// the state file saved.
func StartStep(p store.Progress) Step {
	if p.Onboarded && !p.Updating {
		return StepHome
	}
	return ParseStep(p.Step)
}

// Line says where the user is: "Step 5 of 9 · Map accounts", or the part
// of a connected integration's screens.
func Line(p store.Progress, s Step) string {
	switch {
	case p.Updating && (s == StepAccounts || s == StepServices || s == StepReview):
		return "Update mappings · " + s.Title()
	case s == StepHome, p.Onboarded:
		return TitleOf(p, s)
	}
	return fmt.Sprintf("Step %d of %d · %s", s.Number(), OnboardingSteps, TitleOf(p, s))
}

// TitleOf is the step's title in the journey p is on: connected by Mesh
// API key, Synthesize reads Mesh itself, so no one presses Gradient Sync.
func TitleOf(p store.Progress, s Step) string {
	if p.Method == gradient.MethodMeshAPIKey {
		switch s {
		case StepWaiting:
			return "Synthesize reads Mesh"
		case StepFinalSync:
			return "Sync now"
		}
	}
	return s.Title()
}

// OnboardingLine numbers an onboarding step: "Step 9 of 9 · Billing and
// reconcile" (the last step is onboarded already when it shows).
func OnboardingLine(s Step) string {
	return fmt.Sprintf("Step %d of %d · %s", s.Number(), OnboardingSteps, s.Title())
}

// Number is the step's place in its onboarding: flow 1b's own steps are
// its 2 and 3.
func (s Step) Number() int {
	switch s {
	case StepMeshAPIKeys:
		return 2
	case StepMeshKey:
		return 3
	}
	return int(s) + 1
}

// HomeAction is one thing a connected integration's home offers, in the
// order every face lists them.
type HomeAction struct {
	Title, Desc string
	Event       Event // where it leads in the step graph
	Kind        Kind  // the mappings an update changes
	Disconnect  bool  // the disconnect, which leaves the graph
	Sync        bool  // sync now, which stays home
	// Method, when set, offers the action only on a connection made that
	// way (gradient.MethodGradientKey or MethodMeshAPIKey).
	Method string
}

// HomeActions are the home's actions.
var HomeActions = []HomeAction{
	{Title: "Update account mappings", Desc: "Mesh accounts → PSA companies; new ones marked", Event: UpdateAccounts, Kind: Accounts},
	{Title: "Update service mappings", Desc: "Mesh services → PSA products", Event: UpdateServices, Kind: Services},
	{Title: "Billing and reconcile", Desc: "Mesh usage against PSA quantities; export CSV", Event: OpenBilling},
	{Title: "Sync now", Desc: "Synthesize reads Mesh now: accounts, services and usage", Sync: true, Method: gradient.MethodMeshAPIKey},
	{Title: "Alerts", Desc: "whether Mesh's alerts became PSA tickets; failed first", Event: OpenAlerts},
	{Title: "Change products and types", Desc: "add or remove a product, Billing or Alerts", Event: OpenConfigure},
	{Title: "Issue a new key", Desc: "the old key stops working; Mesh needs the new one", Event: NewKey, Method: gradient.MethodGradientKey},
	{Title: "Replace the Mesh API key", Desc: "for one that expired or was deleted in Mesh", Event: ReplaceMeshKey, Method: gradient.MethodMeshAPIKey},
	{Title: "Disconnect", Desc: "remove the integration and every mapping", Disconnect: true},
}

// Method is a way to connect, as the first step offers them, with the
// Synthesize card that each matches.
type Method struct {
	Key, Name, Card string
}

// Methods are both ways to connect; both are first-class.
var Methods = []Method{
	{Key: gradient.MethodGradientKey, Name: "Synthesize key", Card: "Synthesize shows a key to paste into Mesh"},
	{Key: gradient.MethodMeshAPIKey, Name: "Mesh API key", Card: "Synthesize asks for a Mesh API key + hub"},
}

// StoredMethod is how the progress record keeps a method ("" for the
// Synthesize key, as records made before there were two do).
func StoredMethod(key string) string {
	if key == gradient.MethodMeshAPIKey {
		return key
	}
	return ""
}

// MethodOf is how p's integration is (or will be) connected.
func MethodOf(p store.Progress) string {
	if p.Method == "" {
		return gradient.MethodGradientKey
	}
	return p.Method
}

// HomeActionsOf are the home's actions for p's connection method.
func HomeActionsOf(p store.Progress) []HomeAction {
	var out []HomeAction
	for _, a := range HomeActions {
		if a.Method == "" || a.Method == MethodOf(p) {
			out = append(out, a)
		}
	}
	return out
}
