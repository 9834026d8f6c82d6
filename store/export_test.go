package store

import (
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// ForceSchemaVersion writes a schema version, for tests of refusal.
func ForceSchemaVersion(path string, v int) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, []byte(strconv.Itoa(v)))
	})
}
