// Package store keeps the wizard's state in one bbolt file, so that every
// choice survives a quit, a crash or a kill. It knows nothing of terminals.
//
// Bucket tree (schema version 1):
//
//	meta/
//	    schema_version      → decimal, the version the file was migrated to
//	integrations/
//	    <vendor>/           ("mesh")
//	        progress        → JSON Progress: step, choices, key fingerprint, times
//	        accounts/       account id → JSON Mapping (company, or do-not-bill)
//	        services/       service id → JSON Mapping (product)
//	        undo/           8-byte big-endian sequence → JSON Change, oldest first
//
// The one-time API key is never stored: only its last four characters and
// a SHA-256 prefix.
//
// The state path must be a regular file, a new name, or a symlink to an
// existing regular file (followed, as dotfile managers expect). Anything
// else (a directory, FIFO, socket, device, or a symlink to nothing) is
// refused at once with a *NotRegularError; nothing is created through a
// dangling symlink. A file whose pages do not hold, or on which bbolt
// panics, gives a *DamagedError and is never written.
package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketMeta         = []byte("meta")
	bucketIntegrations = []byte("integrations")
	keySchemaVersion   = []byte("schema_version")
	keyProgress        = []byte("progress")
	bucketUndo         = []byte("undo")
)

// Mapping kinds, which are also bucket names.
const (
	KindAccounts = "accounts"
	KindServices = "services"
)

// Store is an open state file.
type Store struct {
	db       *bolt.DB
	path     string
	warnings []string
	broken   atomic.Pointer[DamagedError] // set once bbolt has panicked on the file
}

// Warnings says what Open found wrong with the file's or directory's
// permissions, and what it did about it.
func (s *Store) Warnings() []string { return s.warnings }

// Path is the file's path.
func (s *Store) Path() string { return s.path }

// Close closes the file.
func (s *Store) Close() error { return guard(s.path, s.db.Close) }

// migration moves the file from version-1 to version.
type migration struct {
	version int
	up      func(tx *bolt.Tx) error
}

// migrations run in order, all in one transaction at open.
var migrations = []migration{
	{1, func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketMeta); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketIntegrations)
		return err
	}},
}

var errStopWalk = errors.New("stop")

// SchemaVersion is the version this build writes.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

// view and update run a transaction under do.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	return s.do(func() error { return s.db.View(fn) })
}

// update runs fn in a write transaction. When fn succeeds but the commit
// does not (a full disk, a file size limit, an I/O error), the answer is a
// *WriteError: nothing of the change reached the file.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	return s.do(func() error {
		var fnErr error
		err := s.db.Update(func(tx *bolt.Tx) error { fnErr = fn(tx); return fnErr })
		if err != nil && fnErr == nil {
			return &WriteError{Path: s.path, Err: err}
		}
		return err
	})
}

// WriteError: a change could not be written to the state file, which
// still holds what was saved before it.
type WriteError struct {
	Path string
	Err  error
}

func (e *WriteError) Error() string {
	return fmt.Sprintf("could not save to %s (%v; is the disk full?). Nothing of this change was written; the file holds what was saved before. "+
		"Free some space, then run it again to resume", e.Path, e.Err)
}

func (e *WriteError) Unwrap() error { return e.Err }

func (s *Store) migrate() error {
	return s.update(func(tx *bolt.Tx) error {
		current := 0
		if tx.Bucket(bucketMeta) == nil {
			// Never write our buckets into another program's database.
			foreign := ""
			_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
				foreign = string(name)
				return errStopWalk
			})
			if foreign != "" {
				return &DamagedError{Path: s.path, Reason: fmt.Sprintf("a bbolt database of another program, with a bucket %q", foreign)}
			}
		}
		if meta := tx.Bucket(bucketMeta); meta != nil {
			if v := meta.Get(keySchemaVersion); v != nil {
				n, err := strconv.Atoi(string(v))
				if err != nil {
					return damage(fmt.Sprintf("schema version %q is not a number", v))
				}
				current = n
			}
		}
		if current > SchemaVersion() {
			return fmt.Errorf("written by a newer mesh-gradient (schema %d, this one knows %d); upgrade mesh-gradient", current, SchemaVersion())
		}
		for _, m := range migrations {
			if m.version <= current {
				continue
			}
			if err := m.up(tx); err != nil {
				return fmt.Errorf("migrating to schema %d: %w", m.version, err)
			}
			current = m.version
		}
		if tx.Bucket(bucketIntegrations) == nil {
			return damage("it has no integrations bucket")
		}
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, []byte(strconv.Itoa(current)))
	})
}

// integration returns the vendor's bucket (nil for a vendor never seen),
// creating it when create is set. The three buckets inside are created
// with it, so one missing later is damage, not a fresh start: recreating
// it would silently drop what it held.
func integration(tx *bolt.Tx, vendor string, create bool) (*bolt.Bucket, error) {
	root := tx.Bucket(bucketIntegrations)
	if root == nil {
		return nil, damage("it has no integrations bucket")
	}
	b := root.Bucket([]byte(vendor))
	if b == nil && root.Get([]byte(vendor)) != nil {
		return nil, damage(fmt.Sprintf("integrations/%s is not a bucket", vendor))
	}
	if b == nil && !create {
		return nil, nil
	}
	fresh := b == nil
	if fresh {
		var err error
		if b, err = root.CreateBucket([]byte(vendor)); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{KindAccounts, KindServices, string(bucketUndo)} {
		switch {
		case b.Bucket([]byte(name)) != nil:
		case fresh:
			if _, err := b.CreateBucket([]byte(name)); err != nil {
				return nil, err
			}
		default:
			return nil, damage(fmt.Sprintf("integrations/%s has no %s bucket", vendor, name))
		}
	}
	return b, nil
}

// knownKind refuses a kind that is not a mapping bucket, so that a caller's
// slip (or a damaged undo record) never writes mappings into the undo bucket.
func knownKind(kind string) error {
	if kind != KindAccounts && kind != KindServices {
		return fmt.Errorf("unknown mapping kind %q", kind)
	}
	return nil
}

// Load reads everything stored for vendor; a vendor never seen gives a
// zero State with empty maps.
func (s *Store) Load(vendor string) (State, error) {
	st := State{Accounts: map[string]Mapping{}, Services: map[string]Mapping{}}
	err := s.view(func(tx *bolt.Tx) error {
		b, err := integration(tx, vendor, false)
		if b == nil || err != nil {
			return err
		}
		if v := b.Get(keyProgress); v != nil {
			if err := decode(v, &st.Progress, "the progress record"); err != nil {
				return err
			}
		}
		for kind, into := range map[string]map[string]Mapping{KindAccounts: st.Accounts, KindServices: st.Services} {
			err := b.Bucket([]byte(kind)).ForEach(func(k, v []byte) error {
				m, ok := decodeMapping(v)
				if !ok {
					if err := decode(v, &m, fmt.Sprintf("the %s mapping %q", kind, k)); err != nil {
						return err
					}
				}
				into[string(k)] = m
				return nil
			})
			if err != nil {
				return err
			}
		}
		st.UndoDepth = b.Bucket(bucketUndo).Stats().KeyN
		return nil
	})
	var damaged *DamagedError
	if errors.As(err, &damaged) {
		return State{}, damaged // it names the file already
	}
	if err != nil {
		return State{}, fmt.Errorf("reading state %s: %w", s.path, err)
	}
	return st, nil
}

// UpdateProgress changes the progress record in one transaction.
// A panic in change rolls the transaction back and is re-raised: it is the
// caller's, not the file's.
func (s *Store) UpdateProgress(vendor string, change func(*Progress)) error {
	return rethrow(s.update(func(tx *bolt.Tx) error {
		b, err := integration(tx, vendor, true)
		if err != nil {
			return err
		}
		var p Progress
		if v := b.Get(keyProgress); v != nil {
			if err := decode(v, &p, "the progress record"); err != nil {
				return err
			}
		}
		if err := call(func() { change(&p) }); err != nil {
			return err
		}
		out, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return b.Put(keyProgress, out)
	}))
}

// Apply sets mappings (nil: unmapped) in one transaction and records the
// change so Undo can reverse it. Items whose value does not change are
// left out; a change with no items records nothing.
func (s *Store) Apply(vendor, kind string, set map[string]*Mapping) (Change, error) {
	ch := Change{Kind: kind}
	if err := knownKind(kind); err != nil {
		return ch, err
	}
	err := s.update(func(tx *bolt.Tx) error {
		b, err := integration(tx, vendor, true)
		if err != nil {
			return err
		}
		mb := b.Bucket([]byte(kind))
		for _, id := range sortedIDs(set) {
			before, err := get(mb, id)
			if err != nil {
				return err
			}
			after := set[id]
			if equal(before, after) {
				continue
			}
			if err := put(mb, id, after); err != nil {
				return err
			}
			ch.Items = append(ch.Items, ChangeItem{ID: id, Before: before, After: after})
		}
		if len(ch.Items) == 0 {
			return nil
		}
		ub := b.Bucket(bucketUndo)
		seq, err := ub.NextSequence()
		if err != nil {
			return err
		}
		out, err := json.Marshal(ch)
		if err != nil {
			return err
		}
		return ub.Put(seqKey(seq), out)
	})
	return ch, err
}

// Replace sets a kind's whole mapping set (what Synthesize holds) without
// an undo record, and forgets that kind's undo history.
func (s *Store) Replace(vendor, kind string, all map[string]Mapping) error {
	if err := knownKind(kind); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b, err := integration(tx, vendor, true)
		if err != nil {
			return err
		}
		if err := b.DeleteBucket([]byte(kind)); err != nil {
			return err
		}
		mb, err := b.CreateBucket([]byte(kind))
		if err != nil {
			return err
		}
		for id, m := range all {
			if err := put(mb, id, &m); err != nil {
				return err
			}
		}
		return dropUndo(b.Bucket(bucketUndo), kind)
	})
}

// Undo reverses the newest recorded change of kind ("" for any kind); ok
// is false when there is none.
func (s *Store) Undo(vendor, kind string) (ch Change, ok bool, err error) {
	err = s.update(func(tx *bolt.Tx) error {
		b, err := integration(tx, vendor, true)
		if err != nil {
			return err
		}
		ub := b.Bucket(bucketUndo)
		c := ub.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var found Change
			if err := decode(v, &found, "an undo record"); err != nil {
				return err
			}
			if knownKind(found.Kind) != nil {
				return damage(fmt.Sprintf("an undo record is of the unknown kind %q", found.Kind))
			}
			if kind != "" && found.Kind != kind {
				continue
			}
			mb := b.Bucket([]byte(found.Kind))
			for _, it := range found.Items {
				if err := put(mb, it.ID, it.Before); err != nil {
					return err
				}
			}
			ch, ok = found, true
			return ub.Delete(k)
		}
		return nil
	})
	return ch, ok, err
}

// Wipe forgets everything about vendor in one transaction.
func (s *Store) Wipe(vendor string) error {
	return s.update(func(tx *bolt.Tx) error {
		root := tx.Bucket(bucketIntegrations)
		if root == nil {
			return damage("it has no integrations bucket")
		}
		if root.Bucket([]byte(vendor)) == nil {
			return nil
		}
		return root.DeleteBucket([]byte(vendor))
	})
}

func dropUndo(ub *bolt.Bucket, kind string) error {
	var drop [][]byte
	err := ub.ForEach(func(k, v []byte) error {
		var ch Change
		if json.Unmarshal(v, &ch) == nil && ch.Kind == kind {
			drop = append(drop, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range drop {
		if err := ub.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func get(b *bolt.Bucket, id string) (*Mapping, error) {
	v := b.Get([]byte(id))
	if v == nil {
		return nil, nil
	}
	var m Mapping
	if err := decode(v, &m, fmt.Sprintf("the mapping %q", id)); err != nil {
		return nil, err
	}
	return &m, nil
}

func put(b *bolt.Bucket, id string, m *Mapping) error {
	if m == nil {
		return b.Delete([]byte(id))
	}
	out, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return b.Put([]byte(id), out)
}

func equal(a, b *Mapping) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func seqKey(n uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, n)
	return k
}

func sortedIDs(m map[string]*Mapping) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
