package store

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestPageCheckAcceptsWhatBboltWrites: the page check must never call a
// healthy file damaged. bbolt writes a file through 300 random
// transactions (puts of small and page-sized values, deletes, nested,
// inline and deleted buckets, a reader held open across writes so that
// freed pages wait as pending), and the check accepts it after every one.
func TestPageCheckAcceptsWhatBboltWrites(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	// A map large enough never to be remapped: a write that remaps waits
	// for the reader held open below, in this same goroutine.
	db, err := bolt.Open(path, 0o600, &bolt.Options{InitialMmapSize: 1 << 28})
	if err != nil {
		t.Fatal(err)
	}
	var reader *bolt.Tx
	defer func() {
		if reader != nil {
			reader.Rollback() // Close waits for open readers
		}
		db.Close()
	}()
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 17))
	key := func() []byte { return fmt.Appendf(nil, "k-%05d", rng.IntN(3000)) }
	value := func() []byte {
		if rng.IntN(50) == 0 {
			return make([]byte, 4096+rng.IntN(9000)) // overflow pages
		}
		return make([]byte, rng.IntN(200))
	}
	buckets := [][]byte{[]byte("a"), []byte("b"), []byte("c")}
	for i := range 300 {
		if i%40 == 10 {
			if reader, err = db.Begin(false); err != nil {
				t.Fatal(err)
			}
		}
		err := db.Update(func(tx *bolt.Tx) error {
			for range 1 + rng.IntN(60) {
				name := buckets[rng.IntN(len(buckets))]
				b, err := tx.CreateBucketIfNotExists(name)
				if err != nil {
					return err
				}
				switch n := rng.IntN(100); {
				case n < 60:
					err = b.Put(key(), value())
				case n < 90:
					err = b.Delete(key())
				case n < 97:
					_, err = b.CreateBucketIfNotExists(fmt.Appendf(nil, "sub-%d", rng.IntN(20))) // stays inline while small
				default:
					err = tx.DeleteBucket(name)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if reader != nil && i%40 == 30 {
			reader.Rollback()
			reader = nil
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		info, _ := f.Stat()
		err = checkFile(f, path, info.Size())
		f.Close()
		if err != nil {
			t.Fatalf("after transaction %d: %v", i, err)
		}
	}
}
