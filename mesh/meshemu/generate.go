package meshemu

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/gradient/synthemu"
)

// Generate builds a scenario of n Mesh customers and n PSA companies for
// scale tests and rehearsals: every account has one true company, named as
// an MSP's PSA would name it (a legal suffix added or dropped, different
// case, words joined or split, "&" for "and", an abbreviation), and the
// companies are shuffled. truth maps account id → its company's id. The
// same n and seed give the same scenario.
func Generate(n int, seed uint64) (sc *Scenario, truth map[string]string) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	sc = &Scenario{PSA: synthemu.PSA{Products: []gradient.Product{
		{ID: "p-gw", Name: "Mesh Gateway (per mailbox)", UnitPrice: 1.5},
		{ID: "p-365", Name: "Mesh 365 (per user)", UnitPrice: 2},
		{ID: "p-uni", Name: "Mesh Unified (per user)", UnitPrice: 3},
	}}}
	truth = make(map[string]string, n)
	taken := make(map[string]bool, n)
	companies := make([]gradient.Company, 0, n)
	for i := 0; len(sc.Mesh.Accounts) < n; i++ {
		name, key := genName(rng, i)
		if taken[key] {
			continue
		}
		taken[key] = true
		id := fmt.Sprintf("m-%06d", len(sc.Mesh.Accounts)+1)
		cid := fmt.Sprintf("c-%06d", len(sc.Mesh.Accounts)+1)
		users := float64(5 + rng.IntN(400))
		acct := ScenarioAccount{ID: id, Name: name, Usage: map[string]float64{"gateway": users}}
		if rng.IntN(4) == 0 {
			acct.CycleUsage = map[string]float64{"gateway": users - float64(rng.IntN(5))}
		}
		sc.Mesh.Accounts = append(sc.Mesh.Accounts, acct)
		companies = append(companies, gradient.Company{ID: cid, Name: psaVariant(rng, name)})
		truth[id] = cid
		if rng.IntN(3) == 0 {
			q := users
			if rng.IntN(2) == 0 {
				q += float64(rng.IntN(7) - 3)
			}
			sc.PSA.Agreements = append(sc.PSA.Agreements, synthemu.Agreement{CompanyID: cid, ProductID: "p-gw", Quantity: max(q, 0)})
		}
	}
	rng.Shuffle(len(companies), func(i, j int) { companies[i], companies[j] = companies[j], companies[i] })
	sc.PSA.Companies = companies
	return sc, truth
}

var (
	genFirst = []string{"Acme", "Harbor", "Summit", "Riverside", "Pinnacle", "Cedar", "Maple", "Golden", "Northwind", "Contoso",
		"Fabrikam", "Evergreen", "Lakeside", "Redwood", "Quantum", "Prairie", "Coastal", "Keystone", "Liberty", "Orchard",
		"Blue Ridge", "Silver Creek", "Oak Hill", "Stone Bridge", "Granite", "Willow", "Aspen", "Beacon", "Bright Path", "Cascade",
		"Crescent", "Desert Sun", "Eagle", "Falcon", "Frontier", "Greenfield", "Highland", "Horizon", "Ironwood", "Juniper",
		"Lighthouse", "Meadow", "Midtown", "Mountain View", "Northstar", "Oakridge", "Pacific", "Pioneer", "Red Rock", "Sierra",
		"Smith", "Johnson", "Garcia", "Miller", "Davis", "Martinez", "Anderson", "Taylor", "Thomas", "Moore",
		"Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker",
		"Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker", "Nelson",
		"Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards", "Collins",
		"St. Mary's", "St. Luke's", "Tri-County", "Bay Area", "Metro", "Capital", "Central", "First", "United", "Heritage"}
	genTrade = []string{"Dental", "Legal", "Plumbing", "Realty", "Logistics", "Bakery", "Clinic", "Partners", "Group", "Solutions",
		"Accounting", "Architects", "Auto Repair", "Builders", "Cardiology", "Chiropractic", "Construction", "Consulting", "Credit Union", "Dermatology",
		"Electric", "Engineering", "Family Practice", "Farms", "Financial", "Fitness", "Florist", "Foods", "Freight", "Heating and Cooling",
		"Home Health", "Hospitality", "Insurance", "Interiors", "Landscaping", "Law Firm", "Machining", "Management", "Marketing", "Medical Center",
		"Motors", "Orthodontics", "Pediatrics", "Pharmacy", "Physical Therapy", "Printing", "Property Management", "Roofing", "Staffing", "Veterinary"}
	genSuffix = []string{"", "", "", "Inc", "LLC", "Ltd", "Corp", "Co", "Associates", "& Sons", "Services", "International"}
	genPSA    = []string{"Inc.", "LLC", "Ltd", "Corporation", "Co.", "Incorporated", "L.L.C.", "GmbH", "PLC"}
	genAbbrev = map[string]string{"Management": "Mgmt", "International": "Intl", "Associates": "Assoc", "Services": "Svcs", "Center": "Ctr", "Medical": "Med"}
)

// genName is a customer name as Mesh lists it; past the plain word
// combinations a town or branch number keeps names apart, as MSPs do. key
// is the name without its legal suffix: two customers that differ only by
// "Inc" or "LLC" could not be told apart by a person either, so they are
// never both generated.
func genName(rng *rand.Rand, i int) (name, key string) {
	parts := []string{genFirst[rng.IntN(len(genFirst))], genTrade[rng.IntN(len(genTrade))]}
	if s := genSuffix[rng.IntN(len(genSuffix))]; s != "" {
		parts = append(parts, s)
	}
	if i >= 2000 || rng.IntN(5) == 0 {
		parts = append(parts, genPlace(rng))
	}
	var kept []string
	for _, p := range parts {
		if !genLegal[p] {
			kept = append(kept, strings.ToLower(strings.ReplaceAll(p, " ", "")))
		}
	}
	return strings.Join(parts, " "), strings.Join(kept, "")
}

var genLegal = map[string]bool{"Inc": true, "LLC": true, "Ltd": true, "Corp": true, "Co": true}

var genPlaces = []string{"North", "South", "East", "West", "Downtown", "Uptown", "Springfield", "Riverside", "Fairview", "Franklin",
	"Greenville", "Bristol", "Clinton", "Salem", "Madison", "Georgetown", "Arlington", "Ashland", "Dover", "Oxford"}

func genPlace(rng *rand.Rand) string {
	p := genPlaces[rng.IntN(len(genPlaces))]
	if rng.IntN(2) == 0 {
		return fmt.Sprintf("%s %d", p, 1+rng.IntN(99))
	}
	return fmt.Sprintf("of %s", p)
}

// psaVariant is how a PSA might spell the same company.
func psaVariant(rng *rand.Rand, name string) string {
	words := strings.Fields(name)
	for k, w := range words {
		if a, ok := genAbbrev[w]; ok && rng.IntN(2) == 0 {
			words[k] = a
		}
		if w == "and" && rng.IntN(2) == 0 {
			words[k] = "&"
		}
	}
	// Join the first two words, as "Harbor View" and "Harborview".
	if len(words) >= 3 && rng.IntN(6) == 0 {
		words = append([]string{words[0] + strings.ToLower(words[1])}, words[2:]...)
	}
	out := strings.Join(words, " ")
	switch rng.IntN(6) {
	case 0:
		out = strings.ToUpper(out)
	case 1:
		out = strings.ToLower(out)
	}
	if rng.IntN(2) == 0 {
		out += ", " + genPSA[rng.IntN(len(genPSA))]
	}
	return out
}
