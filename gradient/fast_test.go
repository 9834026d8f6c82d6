package gradient

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// fastSeeds are answers as servers write them and as they should not.
var fastSeeds = []string{
	`{"data":[{"id":"c-1","name":"Acme"}],"next_cursor":""}`,
	`{"data":[{"id":"c-1","name":"Smith \u0026 Sons \u003cx\u003e","description":"caf\u00e9 \"q\" \\ \/ \b\f\n\r\t"}],"next_cursor":"abc"}`,
	"{ \"data\" : [ { \"id\" : \"c-1\" , \"name\" : \"Zürich ✓ 東京\" } ] ,\n\t\"next_cursor\" : \"\" }\r\n",
	`{"data":[],"next_cursor":""}`,
	`{"data":[{}],"next_cursor":""}`,
	`{}`,
	`{"data":null}`,
	`{"data":[null]}`,
	`{"data":[{"id":null}]}`,
	`{"data":[{"id":1}]}`,
	`{"data":[{"ID":"c-1"}]}`,
	`{"data":[{"id":"a","id":"b"}]}`,
	`{"data":[{"id":"a"}],"data":[{"id":"b"}]}`,
	`{"data":[{"id":"a"}],"other":1}`,
	`{"data":[{"id":"\ud83d\ude00"}]}`,
	`{"data":[{"id":"\ud83d"}]}`,
	"{\"data\":[{\"id\":\"\xff\"}]}",
	"{\"data\":[{\"id\":\"a\x01\"}]}",
	`{"data":[{"id":"a\x"}]}`,
	`{"data":[{"id":"a"}]} x`,
	`{"data":[{"id":"a"},]}`,
	`{"data":[{"id":"a"}}`,
	`{"data":[{"id":"a","unit_price":12.5}]}`,
	`{"data":[{"id":"a","unit_price":-0.5e-3}]}`,
	`{"data":[{"id":"a","unit_price":1e400}]}`,
	`{"data":[{"id":"a","unit_price":01}]}`,
	`{"data":[{"id":"a","unit_price":"1"}]}`,
	`{"data":[{"id":"a","unit_price":1.}]}`,
	`{"data":[{"id":"a","unit_price":-}]}`,
	`{"status":200,"data":{"data":[]}}`,
	`{"d\u0061ta":[{"id":"a"}]}`,
	`{"data":[{"id":"a"}],"next_cursor":"x","next_cursor":"y"}`,
	`{"accounts":[{"account_id":"m-1","company_id":"c-1","ignored":false},{"account_id":"m-2","company_id":"","ignored":true}],"services":[{"service_id":"s","product_id":"p"}],"version":"7"}`,
	`{"accounts":[],"services":[],"version":7}`,
	`{"accounts":[{"account_id":"m-1","ignored":"yes"}]}`,
	`{"accounts":[{"account_id":"m-1","ignored":truex}]}`,
	`{"accounts":[{"account_id":"m-1","ignored":tru}]}`,
	`{"accounts":null,"services":[]}`,
	`{"accounts":[],"accounts":[]}`,
	``,
	`[]`,
	`"x"`,
}

// checkFast decodes body both ways: where the scanner takes it, it must
// give what encoding/json gives.
func checkFast[T any](t *testing.T, body string, fast func(*T) func([]byte) bool) bool {
	t.Helper()
	var want, got T
	wantErr := json.Unmarshal([]byte(body), &want)
	if !fast(&got)([]byte(body)) {
		if !reflect.DeepEqual(got, *new(T)) {
			t.Errorf("%q: a refused answer left %+v", body, got)
		}
		return false
	}
	if wantErr != nil {
		t.Errorf("%q: the scanner took an answer encoding/json refuses (%v): %+v", body, wantErr, got)
	} else if !reflect.DeepEqual(got, want) {
		t.Errorf("%q: scanner %+v, encoding/json %+v", body, got, want)
	}
	return true
}

func checkAllFast(t *testing.T, body string) (taken int) {
	t.Helper()
	for _, ok := range []bool{
		checkFast(t, body, func(p *page[Account]) func([]byte) bool { return fastPage(p, accountField) }),
		checkFast(t, body, func(p *page[Company]) func([]byte) bool { return fastPage(p, companyField) }),
		checkFast(t, body, func(p *page[Service]) func([]byte) bool { return fastPage(p, serviceField) }),
		checkFast(t, body, func(p *page[Product]) func([]byte) bool { return fastPage(p, productField) }),
		checkFast(t, body, fastMappings),
	} {
		if ok {
			taken++
		}
	}
	return taken
}

func TestFastDecodingEqualsEncodingJSON(t *testing.T) {
	taken := 0
	for _, body := range fastSeeds {
		taken += checkAllFast(t, body)
	}
	if taken < 10 {
		t.Errorf("the scanner took only %d of the seeds", taken)
	}
}

// TestFastDecodingTakesWhatServersWrite: pages as encoding/json writes
// them (escaping &, < and >), with every kind of name the generator
// makes, are read by the scanner, not handed back.
func TestFastDecodingTakesWhatServersWrite(t *testing.T) {
	names := []string{"Smith & Sons <Ltd>", "Zürich GmbH", "O'Brien \"Bros\"", "back\\slash", "tab\there", "emoji 😀", "\u2028line"}
	var accounts []Account
	var products []Product
	for i, n := range names {
		accounts = append(accounts, Account{ID: fmt.Sprint("m-", i), Name: n, Description: strings.ToUpper(n)})
		products = append(products, Product{ID: fmt.Sprint("p-", i), Name: n, UnitPrice: float64(i) * 1.25})
	}
	for _, v := range []any{page[Account]{Data: accounts, NextCursor: "next"}, page[Product]{Data: products}} {
		raw, _ := json.Marshal(v)
		if n := checkAllFast(t, string(raw)); n == 0 {
			t.Errorf("the scanner did not take %s", raw)
		}
	}
	m := Mappings{Accounts: []AccountMapping{{AccountID: "m-1", CompanyID: "c-1"}, {AccountID: "m-2", Ignored: true}},
		Services: []ServiceMapping{{ServiceID: "s", ProductID: "p"}}, Version: "12"}
	raw, _ := json.Marshal(m)
	var got Mappings
	if !fastMappings(&got)(raw) || !reflect.DeepEqual(got, m) {
		t.Errorf("mappings %s: got %+v", raw, got)
	}
}

func FuzzFastDecoding(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) { checkAllFast(t, body) })
}
