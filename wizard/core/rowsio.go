package core

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MappingColumns are the export's CSV columns; an import needs kind,
// mesh_id, mapped_id and do_not_bill, and ignores the rest.
var MappingColumns = []string{"kind", "mesh_id", "mesh_name", "mapped_id", "mapped_name", "do_not_bill",
	"suggestion_id", "suggestion_name", "confidence"}

// WriteMappings writes rows as CSV (for a spreadsheet: values that would
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
	_ = cw.Write(MappingColumns)
	for _, r := range rows {
		conf := ""
		if r.SuggestionID != "" {
			conf = strconv.FormatFloat(r.Confidence, 'f', 2, 64)
		}
		_ = cw.Write([]string{r.Kind, Cell(r.MeshID), Cell(r.MeshName), Cell(r.MappedID), Cell(r.MappedName),
			strconv.FormatBool(r.DoNotBill), Cell(r.SuggestionID), Cell(r.SuggestionName), conf})
	}
	cw.Flush()
	return cw.Error()
}

// maxImport caps what an import reads: 100,000 rows of long names fit.
const maxImport = 256 << 20

// ReadMappings reads an export, edited or not: CSV with a header row, or a
// JSON array (format "" decides by the first non-blank byte). Every
// problem of shape is reported at once; rows remember their line in the
// file (CSV) or place in the array (JSON), for messages.
func ReadMappings(r io.Reader, format string) ([]MappingRow, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxImport))
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
			return nil, Input("not a JSON array of mapping rows: %v", err)
		}
		for i := range rows {
			rows[i].line = i + 1
		}
		return rows, nil
	}
	return readCSV(raw)
}

func readCSV(raw []byte) ([]MappingRow, error) {
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, Input("the file is empty; want a header row (%s) and rows", strings.Join(MappingColumns, ","))
	}
	if err != nil {
		return nil, Input("not valid CSV: %v", err)
	}
	col := map[string]int{}
	var problems []string
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if first, twice := col[name]; twice {
			problems = append(problems, fmt.Sprintf("the header names %q twice (columns %d and %d); keep one", name, first+1, i+1))
			continue
		}
		col[name] = i
	}
	for _, need := range []string{"kind", "mesh_id", "mapped_id"} {
		if _, ok := col[need]; !ok {
			problems = append(problems, fmt.Sprintf("the header has no %q column (it has: %s)", need, strings.Join(header, ", ")))
		}
	}
	if problems != nil {
		return nil, &InputError{Problems: problems}
	}
	// Ids and names are read exactly as written: an id may begin or end
	// with a space, and only the export's own guard is undone.
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return Uncell(rec[i])
		}
		return ""
	}
	word := func(rec []string, name string) string { return strings.TrimSpace(get(rec, name)) }
	var rows []MappingRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, Input("not valid CSV: %v", err)
		}
		line, _ := cr.FieldPos(0)
		row := MappingRow{Kind: word(rec, "kind"), MeshID: get(rec, "mesh_id"), MeshName: get(rec, "mesh_name"), MappedID: get(rec, "mapped_id"), line: line}
		switch v := strings.ToLower(word(rec, "do_not_bill")); v {
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
