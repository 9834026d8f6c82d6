package store

import (
	"io"
	"strconv"
	"testing"

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

// WithoutPageCheck switches Open's page check off until the test ends, so
// that bbolt meets the damage and the recovery behind the check is what
// is tested. Tests that call it must not be parallel.
func WithoutPageCheck(t testing.TB) {
	verifyPages = func(io.ReaderAt, boltMeta) error { return nil }
	t.Cleanup(func() { verifyPages = checkPages })
}
