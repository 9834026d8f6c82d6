package store

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// UndoLog is kind's recorded changes, oldest first: what Undo would
// reverse, newest last. A face mirrors it to mark the rows an undo will
// touch before the write commits.
func (s *Store) UndoLog(vendor, kind string) ([]Change, error) {
	logs, err := s.UndoLogs(vendor)
	return logs[kind], err
}

// UndoLogs is UndoLog of every kind, by kind, from one read of the log.
func (s *Store) UndoLogs(vendor string) (map[string][]Change, error) {
	out := map[string][]Change{}
	err := s.view(func(tx *bolt.Tx) error {
		b, err := integration(tx, vendor, false)
		if b == nil || err != nil {
			return err
		}
		ub := b.Bucket(bucketUndo)
		if ub == nil {
			return damage("the undo bucket is missing")
		}
		return ub.ForEach(func(k, v []byte) error {
			var ch Change
			if err := decode(v, &ch, fmt.Sprintf("undo record %x", k)); err != nil {
				return err
			}
			out[ch.Kind] = append(out[ch.Kind], ch)
			return nil
		})
	})
	var damaged *DamagedError
	if errors.As(err, &damaged) {
		return nil, damaged // it names the file already
	}
	if err != nil {
		return nil, fmt.Errorf("reading state %s: %w", s.path, err)
	}
	return out, nil
}
