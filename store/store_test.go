package store_test

import (
	"bytes"
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

func open(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestModesAndReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "mesh-gradient")
	path := filepath.Join(dir, "state.db")
	s := open(t, path)
	if err := s.UpdateProgress("mesh", func(p *store.Progress) {
		p.Step, p.Products, p.KeyHint = "portal", []string{"gateway"}, "abcd"
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != want {
			t.Fatalf("%s: mode %v, want %v (%v)", p, fi.Mode().Perm(), want, err)
		}
	}
	s = open(t, path)
	defer s.Close()
	st, err := s.Load("mesh")
	if err != nil || st.Progress.Step != "portal" || st.Progress.KeyHint != "abcd" || st.Progress.Products[0] != "gateway" {
		t.Fatalf("after reopen: %+v %v", st.Progress, err)
	}
}

func TestSecondOpenSaysWhoHoldsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := open(t, path)
	defer s.Close()
	start := time.Now()
	_, err := store.Open(path)
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("took %v to give up", took)
	}
	want := "another mesh-gradient is using " + path + " (close it and try again)"
	if err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}
}

func TestApplyAndUndoInOrder(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	defer s.Close()
	m := func(target string) *store.Mapping { return &store.Mapping{Target: target} }
	steps := []map[string]*store.Mapping{
		{"a1": m("c1")},
		{"a1": m("c2"), "a2": m("c3")}, // an accept-all: one undo step
		{"a2": {Ignored: true}},
	}
	for _, set := range steps {
		if _, err := s.Apply("mesh", store.KindAccounts, set); err != nil {
			t.Fatal(err)
		}
	}
	// A change to the same value records nothing.
	if ch, _ := s.Apply("mesh", store.KindAccounts, map[string]*store.Mapping{"a1": m("c2")}); len(ch.Items) != 0 {
		t.Fatalf("no-op recorded %+v", ch)
	}
	st, _ := s.Load("mesh")
	if st.UndoDepth != 3 || st.Accounts["a1"].Target != "c2" || !st.Accounts["a2"].Ignored {
		t.Fatalf("state %+v", st)
	}
	wants := []map[string]store.Mapping{
		{"a1": {Target: "c2"}, "a2": {Target: "c3"}},
		{"a1": {Target: "c1"}},
		{},
	}
	for i, want := range wants {
		if _, ok, err := s.Undo("mesh", ""); !ok || err != nil {
			t.Fatalf("undo %d: %v %v", i, ok, err)
		}
		st, _ := s.Load("mesh")
		if len(st.Accounts) != len(want) {
			t.Fatalf("after undo %d: %+v want %+v", i, st.Accounts, want)
		}
		for id, w := range want {
			if st.Accounts[id] != w {
				t.Fatalf("after undo %d: %s = %+v want %+v", i, id, st.Accounts[id], w)
			}
		}
	}
	if _, ok, _ := s.Undo("mesh", ""); ok {
		t.Fatal("undo with nothing to undo said ok")
	}
}

func TestUndoByKind(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	defer s.Close()
	s.Apply("mesh", store.KindAccounts, map[string]*store.Mapping{"a": {Target: "c"}})
	s.Apply("mesh", store.KindServices, map[string]*store.Mapping{"s": {Target: "p"}})
	ch, ok, err := s.Undo("mesh", store.KindAccounts)
	if !ok || err != nil || ch.Kind != store.KindAccounts {
		t.Fatalf("undo accounts: %+v %v %v", ch, ok, err)
	}
	st, _ := s.Load("mesh")
	if len(st.Accounts) != 0 || st.Services["s"].Target != "p" || st.UndoDepth != 1 {
		t.Fatalf("after undoing accounts only: %+v", st)
	}
	if _, ok, _ := s.Undo("mesh", store.KindAccounts); ok {
		t.Fatal("a second accounts undo found something")
	}
}

func TestReplaceForgetsThatKindsUndo(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	defer s.Close()
	s.Apply("mesh", store.KindAccounts, map[string]*store.Mapping{"a": {Target: "c"}})
	s.Apply("mesh", store.KindServices, map[string]*store.Mapping{"s": {Target: "p"}})
	if err := s.Replace("mesh", store.KindAccounts, map[string]store.Mapping{"b": {Target: "d"}}); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Load("mesh")
	if len(st.Accounts) != 1 || st.Accounts["b"].Target != "d" || st.UndoDepth != 1 || st.Services["s"].Target != "p" {
		t.Fatalf("after replace: %+v", st)
	}
}

func TestWipeForgetsTheIntegration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := open(t, path)
	s.UpdateProgress("mesh", func(p *store.Progress) { p.Step = "review"; p.KeyHint = "wxyz" })
	s.Apply("mesh", store.KindAccounts, map[string]*store.Mapping{"a": {Target: "c"}})
	if err := s.Wipe("mesh"); err != nil {
		t.Fatal(err)
	}
	if err := s.Wipe("mesh"); err != nil {
		t.Fatal("second wipe:", err)
	}
	st, _ := s.Load("mesh")
	if st.Progress.Step != "" || len(st.Accounts) != 0 || st.UndoDepth != 0 {
		t.Fatalf("after wipe: %+v", st)
	}
	s.Close()
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := open(t, path)
	s.Close()
	// Pretend a newer build wrote the file.
	if err := store.ForceSchemaVersion(path, store.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(path); err == nil {
		t.Fatal("opened a file from a newer schema")
	}
}

// BenchmarkAcceptAll: one "A" over n accounts is one transaction with one
// undo record, fsync included.
func BenchmarkAcceptAll(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("accounts-%d", n), func(b *testing.B) {
			s, err := store.Open(filepath.Join(b.TempDir(), "state.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			set := map[string]*store.Mapping{}
			for i := range n {
				set[fmt.Sprintf("m-%05d", i)] = &store.Mapping{Target: fmt.Sprintf("c-%05d", i)}
			}
			for b.Loop() {
				if _, err := s.Apply("mesh", store.KindAccounts, set); err != nil {
					b.Fatal(err)
				}
				if _, _, err := s.Undo("mesh", store.KindAccounts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// withAcceptAll opens path holding n account mappings and an accept-all
// that changed every one of them (one undo record of n items).
func withAcceptAll(b *testing.B, path string, n int) *store.Store {
	s, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	all, set := map[string]store.Mapping{}, map[string]*store.Mapping{}
	for i := range n {
		id := fmt.Sprintf("m-%05d", i)
		all[id] = store.Mapping{Target: fmt.Sprintf("c-%05d", i)}
		set[id] = &store.Mapping{Target: fmt.Sprintf("c-%05d", n-i)}
	}
	if err := s.Replace("mesh", store.KindAccounts, all); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Apply("mesh", store.KindAccounts, set); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkOneChoice: the cost of committing a single mapping change (one
// transaction, fsync on) in a store that already holds 10,000 mappings and
// an accept-all of them in its undo history.
func BenchmarkOneChoice(b *testing.B) {
	const n = 10000
	s := withAcceptAll(b, filepath.Join(b.TempDir(), "state.db"), n)
	defer s.Close()
	i := 0
	for b.Loop() {
		i++
		id := fmt.Sprintf("m-%05d", (i*7919)%n)
		if _, err := s.Apply("mesh", store.KindAccounts, map[string]*store.Mapping{id: {Target: fmt.Sprint(i)}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen: Open reads and checks every page before bbolt maps the
// file; this is its cost on files of n mappings with an accept-all of
// them in the undo history, next to what bbolt's own tx.Check costs on
// the same file (which Open does not run).
func BenchmarkOpen(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		path := filepath.Join(b.TempDir(), "state.db")
		withAcceptAll(b, path, n).Close()
		info, _ := os.Stat(path)
		b.Run(fmt.Sprintf("accounts-%d-%dKiB/open", n, info.Size()>>10), func(b *testing.B) {
			for b.Loop() {
				s, err := store.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
		b.Run(fmt.Sprintf("accounts-%d-%dKiB/bbolt-tx-check", n, info.Size()>>10), func(b *testing.B) {
			for b.Loop() {
				db, err := bolt.Open(path, 0o600, nil)
				if err != nil {
					b.Fatal(err)
				}
				db.View(func(tx *bolt.Tx) error {
					for err := range tx.Check() {
						b.Fatal(err)
					}
					return nil
				})
				db.Close()
			}
		})
	}
}

// damage checks that Open refuses path with a DamagedError naming it, and
// leaves the file byte for byte (and mode) as it was.
func refusesUntouched(t *testing.T, path, label string) {
	t.Helper()
	before, _ := os.ReadFile(path)
	infoBefore, _ := os.Stat(path)
	s, err := store.Open(path)
	if err == nil {
		s.Close()
		t.Fatalf("%s: opened", label)
	}
	var damaged *store.DamagedError
	if !errors.As(err, &damaged) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "Move it aside") {
		t.Fatalf("%s: %v", label, err)
	}
	after, _ := os.ReadFile(path)
	infoAfter, _ := os.Stat(path)
	if !bytes.Equal(before, after) || infoBefore.Mode() != infoAfter.Mode() {
		t.Fatalf("%s: the file was changed", label)
	}
}

// TestDamagedFilesAreRefusedUntouched: a state file cut at every page
// boundary and in the middle of pages, random bytes, and another program's
// bbolt database are refused with a message that names the file and says
// what to do, never crash the process (bbolt would read past its map on a
// truncated file), and are never written.
func TestDamagedFilesAreRefusedUntouched(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	s := open(t, good)
	all := map[string]store.Mapping{}
	for i := range 3000 {
		all[fmt.Sprintf("m-%05d", i)] = store.Mapping{Target: fmt.Sprintf("c-%05d", i)}
	}
	if err := s.Replace("mesh", store.KindAccounts, all); err != nil {
		t.Fatal(err)
	}
	s.Close()
	full, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	cuts := 0
	for cut := 1; cut < len(full); cut += 4096 {
		for _, at := range []int{cut, cut + 100, cut + 4095} {
			if at >= len(full) || at == 0 {
				continue
			}
			// Cutting only the unused tail that bbolt preallocates is harmless.
			path := filepath.Join(dir, fmt.Sprintf("cut-%d.db", at))
			if err := os.WriteFile(path, full[:at], 0o644); err != nil {
				t.Fatal(err)
			}
			if s, err := store.Open(path); err == nil {
				if _, err := s.Load("mesh"); err != nil {
					t.Fatalf("cut at %d: opened, then failed: %v", at, err)
				}
				s.Close()
				continue
			}
			refusesUntouched(t, path, fmt.Sprintf("cut at %d", at))
			cuts++
		}
	}
	if cuts == 0 {
		t.Fatal("no cut was refused")
	}
	t.Logf("%d truncated copies refused untouched", cuts)

	random := filepath.Join(dir, "random.db")
	noise := make([]byte, 20000)
	for i := range noise {
		noise[i] = byte(i*7919 + i/13)
	}
	os.WriteFile(random, noise, 0o644)
	refusesUntouched(t, random, "random bytes")

	foreign := filepath.Join(dir, "foreign.db")
	db, err := bolt.Open(foreign, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("someone-else")); return err })
	db.Close()
	refusesUntouched(t, foreign, "another program's database")
}

// TestLooseModesAreReportedAndFixed: a state file readable by others is
// made 0600 with a warning; so is mesh-gradient's own default directory,
// while a directory the user chose is only reported.
func TestLooseModesAreReportedAndFixed(t *testing.T) {
	xdg := t.TempDir()
	getenv := func(k string) string { return map[string]string{"XDG_STATE_HOME": xdg}[k] }
	def, err := store.DefaultPath(getenv)
	if err != nil {
		t.Fatal(err)
	}
	chosen := filepath.Join(t.TempDir(), "shared", "state.db")
	for _, c := range []struct {
		path      string
		dirFixed  bool
		dirReport string
		open      func() (*store.Store, error)
	}{{def, true, "it is now 0700", func() (*store.Store, error) { return store.OpenDefault(getenv) }},
		{chosen, false, "keep --state in a directory only you can read", func() (*store.Store, error) { return store.Open(chosen) }}} {
		open(t, c.path).Close()
		dir := filepath.Dir(c.path)
		os.Chmod(dir, 0o755)
		os.Chmod(c.path, 0o644)
		s, err := c.open()
		if err != nil {
			t.Fatal(err)
		}
		warnings := strings.Join(s.Warnings(), "\n")
		s.Close()
		if !strings.Contains(warnings, c.path+" was open to other users (mode 0644); it is now 0600") || !strings.Contains(warnings, c.dirReport) {
			t.Fatalf("%s: warnings %q", c.path, warnings)
		}
		fi, _ := os.Stat(c.path)
		di, _ := os.Stat(dir)
		wantDir := os.FileMode(0o755)
		if c.dirFixed {
			wantDir = 0o700
		}
		if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != wantDir {
			t.Fatalf("%s: file %04o, directory %04o (want 0600, %04o)", c.path, fi.Mode().Perm(), di.Mode().Perm(), wantDir)
		}
		if s := open(t, c.path); len(s.Warnings()) > 0 && c.dirFixed {
			t.Fatalf("warned again after fixing: %q", s.Warnings())
		} else {
			s.Close()
		}
	}
}
