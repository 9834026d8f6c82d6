package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// UndoLog is kind's recorded changes, oldest first: what Undo would
// reverse, newest last. A face mirrors it to mark the rows an undo will
// touch before the write commits.
func (s *Store) UndoLog(vendor, kind string) ([]Change, error) {
	var out []Change
	err := s.db.View(func(tx *bolt.Tx) error {
		b, _ := integration(tx, vendor, false)
		if b == nil {
			return nil
		}
		return b.Bucket(bucketUndo).ForEach(func(_, v []byte) error {
			var ch Change
			if err := json.Unmarshal(v, &ch); err != nil {
				return fmt.Errorf("undo record: %w", err)
			}
			if ch.Kind == kind {
				out = append(out, ch)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("reading state %s: %w", s.path, err)
	}
	return out, nil
}
