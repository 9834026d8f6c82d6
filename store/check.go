package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// DamagedError says the state file is not a state file this program can
// read: truncated, overwritten, or something else altogether. The file is
// left exactly as it was.
type DamagedError struct {
	Path   string
	Reason string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("the state file %s is damaged or not a mesh-gradient state file (%s). It was left untouched. "+
		"Move it aside (mv %s %s.damaged) and run mesh-gradient again to start afresh; mappings already written to Synthesize are kept there",
		e.Path, e.Reason, e.Path, e.Path)
}

// bbolt's on-disk meta page (go.etcd.io/bbolt/internal/common: page.go,
// meta.go): a 16-byte page header, then magic, version, page size, flags
// (4 bytes each), the root bucket (16), the freelist page id, the high
// water page id, the transaction id and an FNV-64a checksum of what
// precedes it (8 each). Native byte order: little-endian on amd64/arm64.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	metaSize       = 64
)

type boltMeta struct {
	pageSize uint32
	highPage uint64
	txid     uint64
}

// checkFile looks at an existing state file before bbolt maps it: bbolt
// trusts the file, and a truncated one makes it read past the end of its
// memory map, which kills the process with SIGSEGV instead of an error.
// A missing or empty file is fine: it is a new state.
func checkFile(path string) error {
	f, err := openRegular(path, os.O_RDONLY, 0)
	var notRegular *NotRegularError
	switch {
	case os.IsNotExist(err):
		return nil
	case errors.As(err, &notRegular):
		return err
	case err != nil:
		return fmt.Errorf("opening state %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("opening state %s: %w", path, err)
	}
	size := info.Size()
	if size == 0 {
		return nil
	}
	damaged := func(reason string, args ...any) error {
		return &DamagedError{Path: path, Reason: fmt.Sprintf(reason, args...)}
	}
	head := make([]byte, pageHeaderSize+metaSize)
	if _, err := io.ReadFull(f, head); err != nil {
		return damaged("only %d bytes", size)
	}
	first, err := readMeta(head[pageHeaderSize:])
	if err != nil {
		return damaged("%v", err)
	}
	best := first
	// The second meta page is the other half of bbolt's double buffering;
	// the newer valid one is what bbolt will use.
	second := make([]byte, pageHeaderSize+metaSize)
	if _, err := f.ReadAt(second, int64(first.pageSize)); err == nil {
		if m, err := readMeta(second[pageHeaderSize:]); err == nil && m.txid > best.txid {
			best = m
		}
	}
	if need := int64(best.highPage) * int64(best.pageSize); size < need {
		return damaged("truncated: %d bytes, but it records %d", size, need)
	}
	return nil
}

func readMeta(b []byte) (boltMeta, error) {
	le := binary.LittleEndian
	if le.Uint32(b[0:]) != boltMagic {
		return boltMeta{}, fmt.Errorf("not a bbolt database")
	}
	if v := le.Uint32(b[4:]); v != boltVersion {
		return boltMeta{}, fmt.Errorf("bbolt format version %d, not %d", v, boltVersion)
	}
	h := fnv.New64a()
	h.Write(b[:56])
	if h.Sum64() != le.Uint64(b[56:]) {
		return boltMeta{}, fmt.Errorf("its header checksum is wrong")
	}
	m := boltMeta{pageSize: le.Uint32(b[8:]), highPage: le.Uint64(b[40:]), txid: le.Uint64(b[48:])}
	if m.pageSize < 512 || m.pageSize > 1<<20 || m.pageSize&(m.pageSize-1) != 0 {
		return boltMeta{}, fmt.Errorf("page size %d", m.pageSize)
	}
	return m, nil
}
