package store

import (
	"encoding/json"
	"testing"
)

var mappingSeeds = []string{`{}`, `{"ignored":true}`, `{"target":"c-1"}`, `{"target":"Smith \u0026 Sons"}`, `{"target":""}`,
	`{"target":"a\"b"}`, `{"target":"a\\b"}`, `{"target":"ü"}`, `{"ignored":false}`, `{"target":"c","ignored":true}`, `{ }`, `{"target":"c"} `}

// checkMapping: where decodeMapping reads a record, encoding/json reads
// the same mapping from it.
func checkMapping(t *testing.T, v string) {
	m, ok := decodeMapping([]byte(v))
	if !ok {
		return
	}
	var want Mapping
	if err := json.Unmarshal([]byte(v), &want); err != nil || want != m {
		t.Errorf("%q: fast %+v, encoding/json %+v (%v)", v, m, want, err)
	}
}

func TestDecodeMappingEqualsEncodingJSON(t *testing.T) {
	for _, v := range mappingSeeds {
		checkMapping(t, v)
	}
	for _, m := range []Mapping{{}, {Ignored: true}, {Target: "c-000001"}, {Target: "ID 7/x"}} {
		raw, _ := json.Marshal(m)
		if got, ok := decodeMapping(raw); !ok || got != m {
			t.Errorf("%s, as written: %+v, %v", raw, got, ok)
		}
	}
}

func FuzzDecodeMapping(f *testing.F) {
	for _, v := range mappingSeeds {
		f.Add(v)
	}
	f.Fuzz(checkMapping)
}
