package store_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/meshgradient/mesh-gradient/store"
)

const pageSize = 4096 // bbolt's default on amd64/arm64 Linux, what these files use

// stateWithHistory writes a state file with progress, 300 account and 20
// service mappings, and undo records: a dozen or more pages, with nested
// buckets, leaves, a branch and a freelist.
func stateWithHistory(t testing.TB, path string) []byte {
	t.Helper()
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.UpdateProgress("mesh", func(p *store.Progress) {
		p.Step, p.KeyHint, p.Products = "accounts", "abcd", []string{"gateway"}
	}))
	all := map[string]store.Mapping{}
	for i := range 300 {
		all[fmt.Sprintf("m-%05d", i)] = store.Mapping{Target: fmt.Sprintf("c-%05d", i)}
	}
	must(s.Replace("mesh", store.KindAccounts, all))
	for i := range 20 {
		_, err := s.Apply("mesh", store.KindServices, map[string]*store.Mapping{fmt.Sprintf("s-%02d", i): {Target: "p"}})
		must(err)
	}
	_, err = s.Apply("mesh", store.KindAccounts, map[string]*store.Mapping{"m-00007": {Ignored: true}, "m-00150": nil})
	must(err)
	_, _, err = s.Undo("mesh", store.KindServices)
	must(err)
	must(s.Close())
	b, err := os.ReadFile(path)
	must(err)
	return b
}

// garbage overwrites page id with bytes that are no page at all.
func garbage(b []byte, id int) {
	for i := range pageSize {
		b[id*pageSize+i] = byte(i*131 + id*7 + 1)
	}
}

// pageFlags is the type of page id: 1 branch, 2 leaf, 4 meta, 0x10 freelist.
func pageFlags(b []byte, id int) uint16 { return binary.LittleEndian.Uint16(b[id*pageSize+8:]) }

// newestFreelist is the freelist page of the meta page bbolt will use.
func newestFreelist(b []byte) int {
	meta := func(id int) []byte { return b[id*pageSize+16:] }
	m := meta(0)
	if binary.LittleEndian.Uint64(meta(1)[48:]) > binary.LittleEndian.Uint64(m[48:]) {
		m = meta(1)
	}
	return int(binary.LittleEndian.Uint64(m[32:]))
}

// inUse says whether page id is part of the newest tree: below the high
// water mark and not on the freelist. (bbolt spills buckets in map order,
// so which pages those are can differ from run to run.)
func inUse(b []byte, id int) bool {
	fl := b[newestFreelist(b)*pageSize:]
	for i := range int(binary.LittleEndian.Uint16(fl[10:])) {
		if binary.LittleEndian.Uint64(fl[16+8*i:]) == uint64(id) {
			return false
		}
	}
	return id >= 2 && id*pageSize < len(b) && pageFlags(b, id) != 0
}

// patchedIssueFile is the case from issue 17: a state file with intact
// meta pages whose pages 4, 5, 8 and 9, all in use, hold garbage.
func patchedIssueFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	b := stateWithHistory(t, path)
	for _, id := range []int{4, 5, 8, 9} {
		if f := pageFlags(b, id); f != 1 && f != 2 || !inUse(b, id) {
			t.Fatalf("page %d is not a tree page in use (flags %#x): the file's layout changed", id, f)
		}
		garbage(b, id)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPatchedPagesAreDamagedNotAPanic: pages 4, 5, 8 and 9 overwritten
// inside a file whose meta pages are intact made bbolt panic on the first
// Load, killing the process. Open now finds it, says what to do, and
// leaves the file as it was.
func TestPatchedPagesAreDamagedNotAPanic(t *testing.T) {
	t.Parallel()
	path := patchedIssueFile(t)
	if s, err := store.Open(path); err == nil {
		_, err = s.Load("mesh") // where bbolt panicked
		s.Close()
		t.Fatalf("opened; Load said %v", err)
	}
	refusesUntouched(t, path, "pages 4, 5, 8, 9 patched")
}

// TestPageDamageIsFound: one field broken at a time, each of a kind that
// bbolt trusts (a page calling itself another, a child pointing back at
// its parent or past the end, a count larger than the page, a freelist
// that is not one, or that frees a page in use, keys out of order).
func TestPageDamageIsFound(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := stateWithHistory(t, filepath.Join(dir, "base.db"))
	branch, leaf := -1, -1
	for id := 2; id*pageSize < len(base); id++ {
		if !inUse(base, id) {
			continue
		}
		switch pageFlags(base, id) {
		case 1:
			branch = id
		case 2:
			if leaf < 0 && binary.LittleEndian.Uint16(base[id*pageSize+10:]) > 2 {
				leaf = id
			}
		}
	}
	if branch < 0 || leaf < 0 {
		t.Fatalf("no branch (%d) or leaf (%d) page in the base file", branch, leaf)
	}
	freelist := newestFreelist(base)
	put16 := func(b []byte, at int, v uint16) { binary.LittleEndian.PutUint16(b[at:], v) }
	put32 := func(b []byte, at int, v uint32) { binary.LittleEndian.PutUint32(b[at:], v) }
	put64 := func(b []byte, at int, v uint64) { binary.LittleEndian.PutUint64(b[at:], v) }
	cases := map[string]func(b []byte){
		"a page calls itself another":      func(b []byte) { put64(b, leaf*pageSize, 1) },
		"a branch's child is the branch":   func(b []byte) { put64(b, branch*pageSize+16+8, uint64(branch)) },
		"a branch's child is past the end": func(b []byte) { put64(b, branch*pageSize+16+8, 1<<40) },
		"a branch's child is a meta page":  func(b []byte) { put64(b, branch*pageSize+16+8, 1) },
		"a leaf counts more than it holds": func(b []byte) { put16(b, leaf*pageSize+10, 0xFFFF) },
		"a page overflows past the end":    func(b []byte) { put32(b, leaf*pageSize+12, 1<<31) },
		"a key runs out of the page":       func(b []byte) { put32(b, leaf*pageSize+16+8, 1<<20) },
		"keys out of order": func(b []byte) { // the first element takes the second's key
			e := leaf*pageSize + 16
			put32(b, e+4, binary.LittleEndian.Uint32(b[e+16+4:])+16)
			copy(b[e+8:e+16], b[e+16+8:e+32])
		},
		"the freelist is a leaf":              func(b []byte) { put16(b, freelist*pageSize+8, 2) },
		"the freelist counts 2^63 pages":      func(b []byte) { put16(b, freelist*pageSize+10, 0xFFFF); put64(b, freelist*pageSize+16, 1<<63) },
		"the freelist frees a page in use":    func(b []byte) { put16(b, freelist*pageSize+10, 1); put64(b, freelist*pageSize+16, uint64(leaf)) },
		"a page is neither used nor free":     func(b []byte) { put16(b, freelist*pageSize+10, 0) },
		"a tree page has the freelist's type": func(b []byte) { put16(b, leaf*pageSize+8, 0x10) },
	}
	for name, patch := range cases {
		b := bytes.Clone(base)
		patch(b)
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		refusesUntouched(t, path, name)
	}
}

// TestBboltPanicsBecomeDamage switches the page check off so that bbolt
// meets the damage itself: its panics, at Open (a freelist page that is
// not one) and in each operation (all six reach a patched page), come back
// as a *DamagedError; the store then refuses further calls, closes, and
// leaves the file unlocked.
// Not parallel: it switches a package-wide check off.
func TestBboltPanicsBecomeDamage(t *testing.T) {
	store.WithoutPageCheck(t)

	t.Run("open", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.db")
		b := stateWithHistory(t, path)
		binary.LittleEndian.PutUint16(b[newestFreelist(b)*pageSize+8:], 2)
		os.WriteFile(path, b, 0o600)
		for range 2 { // the second time proves the first released its lock
			_, err := store.Open(path)
			var damaged *store.DamagedError
			if !errors.As(err, &damaged) || !strings.Contains(err.Error(), "freelist") {
				t.Fatalf("open: %v", err)
			}
		}
	})

	ops := map[string]func(s *store.Store) error{
		"Load": func(s *store.Store) error { _, err := s.Load("mesh"); return err },
		"UpdateProgress": func(s *store.Store) error {
			return s.UpdateProgress("mesh", func(p *store.Progress) { p.Step = "review" })
		},
		"Apply": func(s *store.Store) error {
			_, err := s.Apply("mesh", store.KindAccounts, map[string]*store.Mapping{"m-00100": {Target: "x"}, "m-00290": nil})
			return err
		},
		"Replace": func(s *store.Store) error {
			return s.Replace("mesh", store.KindAccounts, map[string]store.Mapping{"a": {}})
		},
		"Undo": func(s *store.Store) error { _, _, err := s.Undo("mesh", ""); return err },
		"Wipe": func(s *store.Store) error { return s.Wipe("mesh") },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			s := open(t, patchedIssueFile(t))
			err := op(s)
			t.Logf("%s: %v", name, err)
			var damaged *store.DamagedError
			if !errors.As(err, &damaged) || !strings.Contains(err.Error(), "bbolt could not read it") {
				t.Fatalf("%s: %v, want the *DamagedError of a recovered panic", name, err)
			}
			if _, again := s.Load("mesh"); !errors.As(again, &damaged) {
				t.Fatalf("after the damage, Load says %v", again)
			}
			if err := s.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
		})
	}
}

// TestCallersPanicIsTheirs: a panic in UpdateProgress's function is the
// caller's bug, re-raised as it was, not taken for damage in the file; the
// transaction is rolled back and the store keeps working.
func TestCallersPanicIsTheirs(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	defer s.Close()
	func() {
		defer func() {
			if r := recover(); r != "caller's bug" {
				t.Fatalf("recovered %v", r)
			}
		}()
		s.UpdateProgress("mesh", func(p *store.Progress) { p.Step = "half"; panic("caller's bug") })
	}()
	if err := s.UpdateProgress("mesh", func(p *store.Progress) { p.KeyHint = "wxyz" }); err != nil {
		t.Fatal(err)
	}
	st, err := s.Load("mesh")
	if err != nil || st.Progress.Step != "" || st.Progress.KeyHint != "wxyz" {
		t.Fatalf("after a caller's panic: %+v %v", st.Progress, err)
	}
}

// TestDamagedRecordsAndBuckets: a structurally sound file whose records do
// not decode, or whose buckets are gone, is damaged too, with the same
// advice, rather than a bare JSON error or a nil bucket.
func TestDamagedRecordsAndBuckets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, spoil := range map[string]func(tx *bolt.Tx) error{
		"progress": func(tx *bolt.Tx) error { return mesh(tx).Put([]byte("progress"), []byte("{")) },
		"mapping": func(tx *bolt.Tx) error {
			return mesh(tx).Bucket([]byte("accounts")).Put([]byte("m-00001"), []byte("["))
		},
		"undo": func(tx *bolt.Tx) error {
			return mesh(tx).Bucket([]byte("undo")).Put([]byte("zzzzzzzz"), []byte(`{"kind":"undo"}`))
		},
		"bucket": func(tx *bolt.Tx) error { return mesh(tx).DeleteBucket([]byte("services")) },
	} {
		path := filepath.Join(dir, name+".db")
		stateWithHistory(t, path)
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(spoil); err != nil {
			t.Fatal(err)
		}
		db.Close()
		s := open(t, path)
		var damaged *store.DamagedError
		_, err = s.Load("mesh")
		if name == "undo" { // Load does not read undo records; Undo does
			_, _, err = s.Undo("mesh", "")
		}
		if !errors.As(err, &damaged) || !strings.Contains(err.Error(), "Move it aside") {
			t.Fatalf("%s: %v", name, err)
		}
		s.Close()
	}
}

func mesh(tx *bolt.Tx) *bolt.Bucket { return tx.Bucket([]byte("integrations")).Bucket([]byte("mesh")) }

// FuzzDamagedPages overwrites bytes of a real state file (progress,
// mappings, undo records) at fuzzer-chosen offsets, then opens it and runs
// every operation. Allowed: success, a *DamagedError (at Open, with the
// file untouched) or another error. Not allowed: a panic, a hang, a lock
// left behind, or a file that opened once and is refused after the
// store's own writes. Stricter than users need: a bbolt panic that the
// store recovered also fails, since it means the page check let through
// something bbolt cannot read.
//
// The input is a list of patches: a 3-byte offset (taken modulo the
// file's size), a 2-byte length, then that many bytes.
func FuzzDamagedPages(f *testing.F) {
	base := stateWithHistory(f, filepath.Join(f.TempDir(), "base.db"))
	patch := func(at int, b []byte) []byte {
		return append([]byte{byte(at >> 16), byte(at >> 8), byte(at), byte(len(b) >> 8), byte(len(b))}, b...)
	}
	f.Add([]byte{})
	var issue []byte // pages 4, 5, 8 and 9, as in issue 17
	for _, id := range []int{4, 5, 8, 9} {
		b := bytes.Clone(base)
		garbage(b, id)
		issue = append(issue, patch(id*pageSize, b[id*pageSize:(id+1)*pageSize])...)
	}
	f.Add(issue)
	fl := newestFreelist(base)
	f.Add(patch(fl*pageSize+8, []byte{2, 0}))
	f.Add(patch(fl*pageSize+10, []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}))
	for id := 2; id*pageSize < len(base); id++ {
		f.Add(patch(id*pageSize+16+8, []byte{byte(id), 0, 0, 0, 0, 0, 0, 0})) // a branch's child, or a leaf's key size
		f.Add(patch(id*pageSize+10, []byte{0xFF, 0x00}))
	}
	// Damage that leaves every page sound: a record that does not decode,
	// a bucket renamed (still in order), a newer schema.
	for from, to := range map[string]string{`{"target"`: `["target"`, "accounts": "accountz", "schema_version1": "schema_version9"} {
		if at := bytes.Index(base, []byte(from)); at >= 0 {
			f.Add(patch(at, []byte(to)))
		}
	}

	f.Fuzz(func(t *testing.T, patches []byte) {
		b := bytes.Clone(base)
		for len(patches) >= 5 {
			at := (int(patches[0])<<16 | int(patches[1])<<8 | int(patches[2])) % len(b)
			n := min(int(patches[3])<<8|int(patches[4]), len(patches)-5, len(b)-at)
			copy(b[at:], patches[5:5+n])
			patches = patches[5+n:]
		}
		path := filepath.Join(t.TempDir(), "state.db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		done := make(chan string, 1)
		go func() { done <- exercise(path, b) }()
		select {
		case problem := <-done:
			if problem != "" {
				t.Fatal(problem)
			}
		case <-time.After(20 * time.Second): // a failure guard, not a wait
			t.Fatal("the store hung on this file")
		}
	})
}

// exercise opens path (holding want) and runs every operation, saying
// what went wrong, or "".
func exercise(path string, want []byte) string {
	var damaged *store.DamagedError
	s, err := store.Open(path)
	if errors.As(err, &damaged) && strings.HasPrefix(damaged.Reason, "bbolt could not read it") {
		return "the page check let through: " + err.Error()
	}
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return "a lock was left behind: " + err.Error()
		}
		if errors.As(err, &damaged) {
			if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
				return "Open said damaged but changed the file"
			}
		}
		return ""
	}
	var errs []error
	_, err = s.Load("mesh")
	errs = append(errs, err)
	errs = append(errs, s.UpdateProgress("mesh", func(p *store.Progress) { p.Step = "review" }))
	_, err = s.Apply("mesh", store.KindAccounts, map[string]*store.Mapping{"m-00003": {Target: "x"}, "m-00299": nil, "new": {Ignored: true}})
	errs = append(errs, err)
	_, _, err = s.Undo("mesh", "")
	errs = append(errs, err)
	errs = append(errs, s.Replace("mesh", store.KindServices, map[string]store.Mapping{"s-99": {Target: "q"}}))
	_, _, err = s.Undo("mesh", store.KindAccounts)
	errs = append(errs, err)
	errs = append(errs, s.Wipe("mesh"))
	_, err = s.Load("mesh")
	errs = append(errs, err)
	errs = append(errs, s.Close())
	for _, err := range errs {
		if errors.Is(err, store.ErrLocked) {
			return "an operation said locked: " + err.Error()
		}
		if errors.As(err, &damaged) && strings.HasPrefix(damaged.Reason, "bbolt could not read it") {
			return "the page check let through: " + err.Error()
		}
	}
	// The file opened, so its pages held; bbolt's own writes since must
	// leave it openable (a refusal now would be a false alarm).
	s, err = store.Open(path)
	if err != nil {
		return fmt.Sprintf("opened and written, then refused: %v", err)
	}
	s.Close()
	return ""
}
