package core

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui/text"
)

// MappingRow is one line of an export or an import: a Mesh account or
// service, what it is mapped to, and the suggestion with its confidence.
type MappingRow struct {
	Kind           string  `json:"kind"` // "account" or "service"
	MeshID         string  `json:"mesh_id"`
	MeshName       string  `json:"mesh_name"`
	MappedID       string  `json:"mapped_id"` // company or product id; "" unmapped
	MappedName     string  `json:"mapped_name"`
	DoNotBill      bool    `json:"do_not_bill"`
	SuggestionID   string  `json:"suggestion_id"`
	SuggestionName string  `json:"suggestion_name"`
	Confidence     float64 `json:"confidence"` // 0–1; 0 without a suggestion
	line           int     // in the imported file, for messages
	problem        string  // what reading the row found wrong
}

// ExportRows lists every account and service with its mapping in
// accounts and services and its suggestion, accounts first, each in name
// order.
func ExportRows(d *Data, accounts, services map[string]store.Mapping) []MappingRow {
	return exportRows(d, accounts, services, true)
}

// exportRows is ExportRows, with the suggestions only when suggest is true.
func exportRows(d *Data, accounts, services map[string]store.Mapping, suggest bool) []MappingRow {
	var rows []MappingRow
	for _, side := range []struct {
		k      Kind
		chosen map[string]store.Mapping
	}{{Accounts, accounts}, {Services, services}} {
		for _, it := range d.Items(side.k) {
			r := MappingRow{Kind: side.k.ExportKind, MeshID: it.ID, MeshName: it.Name}
			if m, ok := side.chosen[it.ID]; ok {
				r.MappedID, r.DoNotBill = m.Target, m.Ignored && side.k.AllowIgnore
				if m.Target != "" {
					r.MappedName = d.TargetName(side.k, m.Target)
				}
			}
			if suggest { // asking would match every account
				if sg, ok := d.Suggestion(side.k, it.ID); ok {
					r.SuggestionID, r.SuggestionName, r.Confidence = sg.ID, sg.Name, math.Round(sg.Score*100)/100
				}
			}
			rows = append(rows, r)
		}
	}
	// Accounts first ("account" < "service"; "\x00" ends the kind).
	SortFolded(rows, func(r MappingRow) string { return r.Kind + "\x00" + r.MeshName })
	return rows
}

// Export is every account and service with its mapping in Synthesize and,
// when suggestions is true, its suggestion (false matches nothing).
func (s *Session) Export(d *Data, suggestions bool) []MappingRow {
	accounts, services := RemoteDrafts(d.Remote)
	return exportRows(d, accounts, services, suggestions)
}

// Import checks every row against what Synthesize lists and, only when
// all are right, answers the mappings with the rows applied on top of
// base (accounts and services not in the rows keep theirs). Every problem
// is reported at once, with its row.
func Import(d *Data, rows []MappingRow, accounts, services map[string]store.Mapping) error {
	var problems []string
	seen := map[string]int{}
	for i, r := range rows {
		n := r.line
		if n == 0 {
			n = i + 1
		}
		at := fmt.Sprintf("row %d", n)
		kind := strings.ToLower(strings.TrimSpace(r.Kind))
		id, target := strings.TrimSpace(r.MeshID), strings.TrimSpace(r.MappedID)
		if first, dup := seen[kind+"\x00"+id]; dup {
			problems = append(problems, fmt.Sprintf("%s: %s %q is also on row %d", at, kind, id, first))
			continue
		}
		seen[kind+"\x00"+id] = n
		if r.problem != "" {
			problems = append(problems, at+": "+r.problem)
			continue
		}
		k, chosen := Accounts, accounts
		switch kind {
		case Accounts.ExportKind:
		case Services.ExportKind:
			k, chosen = Services, services
		default:
			problems = append(problems, fmt.Sprintf("%s: kind is %q; want account or service", at, r.Kind))
			continue
		}
		if !d.Has(k, id) {
			problems = append(problems, fmt.Sprintf("%s: Synthesize has no Mesh %s %q", at, k.Noun, id))
			continue
		}
		_, known := d.Targets(k)[target]
		switch {
		case r.DoNotBill && !k.AllowIgnore:
			problems = append(problems, fmt.Sprintf("%s: do_not_bill is for accounts; service %q needs a product or nothing", at, id))
		case r.DoNotBill && target != "":
			problems = append(problems, fmt.Sprintf("%s: account %q has both a company (%q) and do_not_bill; choose one", at, id, target))
		case r.DoNotBill:
			chosen[id] = store.Mapping{Ignored: true}
		case target == "":
			delete(chosen, id)
		case !known:
			problems = append(problems, fmt.Sprintf("%s: Synthesize has no PSA %s %q (for %s %q)", at, k.Target, target, k.Noun, id))
		default:
			chosen[id] = store.Mapping{Target: target}
		}
	}
	if problems != nil {
		return &InputError{Problems: problems}
	}
	return nil
}

// Suggestion is one suggestion a suggest run accepts.
type Suggestion struct {
	Kind       string  `json:"kind"`
	MeshID     string  `json:"mesh_id"`
	MeshName   string  `json:"mesh_name"`
	TargetID   string  `json:"target_id"`
	TargetName string  `json:"target_name"`
	Confidence float64 `json:"confidence"`
}

// CheckConfidence refuses a confidence that is not a number from 0 to 1.
func CheckConfidence(c float64) error {
	if math.IsNaN(c) || c < 0 || c > 1 {
		return Input("--min-confidence %v: give a number from 0 to 1 (0.8 is 80%%)", c)
	}
	return nil
}

// Suggest finds the unmapped accounts and services whose suggestion
// reaches minConfidence, and maps them in accounts and services.
func Suggest(d *Data, minConfidence float64, accounts, services map[string]store.Mapping) []Suggestion {
	var out []Suggestion
	for _, row := range ExportRows(d, accounts, services) {
		if row.MappedID != "" || row.DoNotBill || row.SuggestionID == "" || row.Confidence < minConfidence {
			continue
		}
		out = append(out, Suggestion{Kind: row.Kind, MeshID: row.MeshID, MeshName: row.MeshName,
			TargetID: row.SuggestionID, TargetName: row.SuggestionName, Confidence: row.Confidence})
		chosen := accounts
		if row.Kind == Services.ExportKind {
			chosen = services
		}
		chosen[row.MeshID] = store.Mapping{Target: row.SuggestionID}
	}
	return out
}

// Change applies a scripted change (an import, accepted suggestions) on
// top of Base and, unless dryRun or nothing changes, writes it. say hears
// where the change started from when that was the wizard's draft.
func (s *Session) Change(ctx context.Context, d *Data, dryRun bool, say func(string),
	change func(accounts, services map[string]store.Mapping) error) (Written, error) {
	accounts, services, fromDraft := s.Base(d)
	if fromDraft {
		say(fmt.Sprintf("starting from the %d account and %d service choices saved in %s and not yet written to Synthesize",
			len(accounts), len(services), s.StatePath()))
	}
	if err := change(accounts, services); err != nil {
		return Written{}, err
	}
	p := PlanWrite(d, accounts, services)
	if fromDraft {
		s.fromDrafts(&p, d)
	}
	if dryRun || p.Diff.Empty() {
		return Written{Diff: p.Diff}, nil
	}
	w, err := s.WriteMappings(ctx, p)
	var changed *RemoteChangedError
	if errors.As(err, &changed) && fromDraft {
		// The wizard's unwritten choices now start from what Synthesize
		// holds, theirs kept, so the next run does not meet the same 412.
		r, pending := s.Rebase(d, changed.Current)
		if perr := pending(); perr != nil {
			return w, fmt.Errorf("nothing was written: %v; and the saved choices could not be merged with theirs: %w", err, perr)
		}
		return w, fmt.Errorf("nothing was written: %v. The choices saved in %s now start from theirs, with your %s on top; run it again",
			err, s.StatePath(), text.Count(r.Yours, "change", "changes"))
	}
	if err != nil && !w.Wrote {
		f := FailedWrite(err)
		if f.Certain {
			return w, fmt.Errorf("nothing was written: %s", f.Why)
		}
		return w, fmt.Errorf("not marked as written: %s (run it again: writing the same set twice is safe)", f.Why)
	}
	return w, err
}
