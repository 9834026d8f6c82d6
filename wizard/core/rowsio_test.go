package core

import (
	"bytes"
	"strings"
	"testing"
)

// hostileIDs are ids a vendor or a PSA may really hold, and that a
// spreadsheet or a careless reader would change.
var hostileIDs = []string{
	" lead", "trail ", "  both  ", "=x", "'=x", "''=x", "+1", "-1", "@sum", "'", "''", "'a", "\tTab", "a\ttab",
	"new\nline", "\nfirst", "ünïcødé", "日本", "a,b", `quo"te`, "plain",
}

// TestExportImportIsARoundTrip: every exported id reads back byte for
// byte, in both formats, and no two ids export alike.
func TestExportImportIsARoundTrip(t *testing.T) {
	t.Parallel()
	var rows []MappingRow
	for i, id := range hostileIDs {
		rows = append(rows, MappingRow{Kind: "account", MeshID: id, MeshName: "name " + id, MappedID: hostileIDs[len(hostileIDs)-1-i]})
	}
	for _, format := range []string{"csv", "json"} {
		var buf bytes.Buffer
		if err := WriteMappings(&buf, rows, format); err != nil {
			t.Fatal(err)
		}
		back, err := ReadMappings(bytes.NewReader(buf.Bytes()), "")
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if len(back) != len(rows) {
			t.Fatalf("%s: %d rows back, want %d", format, len(back), len(rows))
		}
		for i := range rows {
			if back[i].MeshID != rows[i].MeshID || back[i].MappedID != rows[i].MappedID || back[i].MeshName != rows[i].MeshName {
				t.Errorf("%s: row %d came back as %q → %q, want %q → %q", format, i, back[i].MeshID, back[i].MappedID, rows[i].MeshID, rows[i].MappedID)
			}
		}
	}
	seen := map[string]string{}
	for _, id := range hostileIDs {
		if other, dup := seen[Cell(id)]; dup {
			t.Errorf("%q and %q both export as %q", id, other, Cell(id))
		}
		seen[Cell(id)] = id
	}
}

// TestDuplicateColumnIsRefused: a header naming a column twice would be
// read as one of them silently; it is an input error naming both.
func TestDuplicateColumnIsRefused(t *testing.T) {
	t.Parallel()
	_, err := ReadMappings(strings.NewReader("kind,mesh_id,mapped_id,mesh_id\naccount,a,c,b\n"), "csv")
	if !IsInputError(err) || !strings.Contains(err.Error(), `"mesh_id" twice (columns 2 and 4)`) {
		t.Fatalf("err = %v; want an input error naming mesh_id twice", err)
	}
}

// FuzzCellRoundTrip: the formula guard is reversible for every string.
func FuzzCellRoundTrip(f *testing.F) {
	for _, id := range hostileIDs {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := Uncell(Cell(s)); got != s {
			t.Fatalf("Uncell(Cell(%q)) = %q", s, got)
		}
		if c := Cell(s); c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			t.Fatalf("Cell(%q) = %q starts a formula", s, c)
		}
	})
}
