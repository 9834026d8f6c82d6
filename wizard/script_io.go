package wizard

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// mappingColumns are the export's CSV columns; an import needs kind,
// mesh_id, mapped_id and do_not_bill, and ignores the rest.
var mappingColumns = []string{"kind", "mesh_id", "mesh_name", "mapped_id", "mapped_name", "do_not_bill",
	"suggestion_id", "suggestion_name", "confidence"}

// WriteMappings writes rows as CSV (for a spreadsheet: names that would
// read as formulas get a leading ') or as a JSON array.
func WriteMappings(w io.Writer, rows []MappingRow, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []MappingRow{}
		}
		return enc.Encode(rows)
	}
	cw := csv.NewWriter(w)
	_ = cw.Write(mappingColumns)
	for _, r := range rows {
		conf := ""
		if r.SuggestionID != "" {
			conf = strconv.FormatFloat(r.Confidence, 'f', 2, 64)
		}
		_ = cw.Write([]string{r.Kind, cell(r.MeshID), cell(r.MeshName), cell(r.MappedID), cell(r.MappedName),
			strconv.FormatBool(r.DoNotBill), cell(r.SuggestionID), cell(r.SuggestionName), conf})
	}
	cw.Flush()
	return cw.Error()
}

// ReadMappings reads an export, edited or not: CSV with a header row, or a
// JSON array (format "" decides by the first non-blank byte). Every
// problem of shape is reported at once; rows remember their line in the
// file (CSV) or place in the array (JSON), for messages.
func ReadMappings(r io.Reader, format string) ([]MappingRow, error) {
	raw, err := io.ReadAll(io.LimitReader(r, 256<<20))
	if err != nil {
		return nil, err
	}
	if format == "" {
		format = "csv"
		if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
			format = "json"
		}
	}
	if format == "json" {
		var rows []MappingRow
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rows); err != nil {
			return nil, &InputError{Problems: []string{"not a JSON array of mapping rows: " + err.Error()}}
		}
		for i := range rows {
			rows[i].line = i + 1
		}
		return rows, nil
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &InputError{Problems: []string{"the file is empty; want a header row (" + strings.Join(mappingColumns, ",") + ") and rows"}}
	}
	if err != nil {
		return nil, &InputError{Problems: []string{"not valid CSV: " + err.Error()}}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	var problems []string
	for _, need := range []string{"kind", "mesh_id", "mapped_id"} {
		if _, ok := col[need]; !ok {
			problems = append(problems, fmt.Sprintf("the header has no %q column (it has: %s)", need, strings.Join(header, ", ")))
		}
	}
	if problems != nil {
		return nil, &InputError{Problems: problems}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return uncell(strings.TrimSpace(rec[i]))
		}
		return ""
	}
	var rows []MappingRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &InputError{Problems: append(problems, "not valid CSV: "+err.Error())}
		}
		line, _ := cr.FieldPos(0)
		row := MappingRow{Kind: get(rec, "kind"), MeshID: get(rec, "mesh_id"), MeshName: get(rec, "mesh_name"), MappedID: get(rec, "mapped_id"), line: line}
		switch v := strings.ToLower(get(rec, "do_not_bill")); v {
		case "", "false", "no", "0":
		case "true", "yes", "1":
			row.DoNotBill = true
		default:
			// Reported with the other rows' problems, all at once.
			row.problem = fmt.Sprintf("do_not_bill is %q; want true or false", v)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// uncell undoes cell's guard against formulas.
func uncell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// IsInputError reports whether err is bad input (exit status 2).
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
