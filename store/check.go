package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
)

// DamagedError says the state file is not a state file this program can
// read: truncated, overwritten, or something else altogether. The file is
// left exactly as it was.
type DamagedError struct {
	Path   string
	Reason string

	panicked bool // bbolt panicked on it: the store refuses later calls
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("the state file %s is damaged or not a mesh-gradient state file (%s). It was left untouched. "+
		"Move it aside (mv %s %s.damaged) and run mesh-gradient again to start afresh; mappings already written to Synthesize are kept there",
		e.Path, e.Reason, e.Path, e.Path)
}

// bbolt's on-disk format (go.etcd.io/bbolt/internal/common: page.go,
// meta.go, inode.go), native byte order, which is little-endian on
// amd64/arm64. Every page starts with a 16-byte header: its id (8), flags
// (2), element count (2) and the number of overflow pages that follow it
// (4). A meta page then holds magic, version, page size, flags (4 bytes
// each), the root bucket (its root page and sequence, 8 each), the
// freelist page id, the high water page id, the transaction id and an
// FNV-64a checksum of what precedes it (8 each).
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	metaSize       = 64
	elementSize    = 16 // branch: pos, ksize (4 each), child page (8); leaf: flags, pos, ksize, vsize (4 each)
	bucketHeader   = 16 // a bucket's value: its root page (0: inline) and sequence, then an inline page

	branchPage   = 0x01
	leafPage     = 0x02
	freelistPage = 0x10
	bucketLeaf   = 0x01 // a leaf element that is a bucket
	noFreelist   = ^uint64(0)
)

var le = binary.LittleEndian

type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	highPage uint64
	txid     uint64
}

// checkFile reads an existing state file through f, never mapping it,
// before bbolt maps it. bbolt trusts the file: a truncated one makes it
// read past the end of its memory map (SIGSEGV, not an error), and a page
// that is not what its parent says makes it panic or loop. An empty file
// is fine: it is a new state.
func checkFile(f io.ReaderAt, path string, size int64) error {
	if size == 0 {
		return nil
	}
	damaged := func(reason string, args ...any) error {
		return &DamagedError{Path: path, Reason: fmt.Sprintf(reason, args...)}
	}
	head := make([]byte, pageHeaderSize+metaSize)
	if _, err := f.ReadAt(head, 0); err != nil {
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
	if need := best.highPage * uint64(best.pageSize); best.highPage < 2 || uint64(size) < need || need/uint64(best.pageSize) != best.highPage {
		return damaged("truncated: %d bytes, but it records %d pages of %d", size, best.highPage, best.pageSize)
	}
	if err := verifyPages(f, best); err != nil {
		return damaged("%v", err)
	}
	return nil
}

func readMeta(b []byte) (boltMeta, error) {
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
	m := boltMeta{pageSize: le.Uint32(b[8:]), root: le.Uint64(b[16:]), freelist: le.Uint64(b[32:]),
		highPage: le.Uint64(b[40:]), txid: le.Uint64(b[48:])}
	if m.pageSize < 512 || m.pageSize > 1<<20 || m.pageSize&(m.pageSize-1) != 0 {
		return boltMeta{}, fmt.Errorf("page size %d", m.pageSize)
	}
	return m, nil
}

// pages is the walk over a file's pages: each page below the high water
// mark is reached at most once, from the root bucket's tree, a bucket's
// tree or the freelist, which is what bounds the walk (no cycle, no page
// read twice) and what lets it find a page used twice.
type pages struct {
	r        io.ReaderAt
	pageSize uint64
	high     uint64
	state    []byte // per page: 0 not reached, pageUsed, pageFree
}

const (
	pageUsed = 1
	pageFree = 2
)

// verifyPages is checkPages; tests of the recovery behind it switch it off.
var verifyPages = checkPages

// checkPages proves, for the meta page bbolt will use, what bbolt takes
// on trust (the invariants of bbolt's own tx.Check): every page it will
// read is inside the file, says it is the page its parent points to, has
// the type it is used as, and holds its elements inside itself; keys are
// in order; no page is used twice or both used and free; and, when the
// freelist is on disk, every page is used or free.
func checkPages(r io.ReaderAt, m boltMeta) error {
	p := &pages{r: r, pageSize: uint64(m.pageSize), high: m.highPage, state: make([]byte, m.highPage)}
	p.state[0], p.state[1] = pageUsed, pageUsed
	if m.freelist != noFreelist {
		if err := p.freelist(m.freelist); err != nil {
			return err
		}
	}
	if err := p.tree(m.root, nil, nil, "the root bucket", nil); err != nil {
		return err
	}
	if m.freelist == noFreelist {
		return nil // bbolt rebuilds the freelist from what is reachable
	}
	for id, st := range p.state {
		if st == 0 {
			return fmt.Errorf("page %d is neither used nor free", id)
		}
	}
	return nil
}

// read reads page id and the overflow pages that follow it, marking them
// used.
func (p *pages) read(id uint64, from string) ([]byte, error) {
	if id < 2 || id >= p.high {
		return nil, fmt.Errorf("%s points to page %d, outside the file's %d pages", from, id, p.high)
	}
	b := make([]byte, p.pageSize)
	if _, err := p.r.ReadAt(b, int64(id*p.pageSize)); err != nil {
		return nil, fmt.Errorf("page %d: %v", id, err)
	}
	if got := le.Uint64(b); got != id {
		return nil, fmt.Errorf("page %d calls itself page %d", id, got)
	}
	overflow := uint64(le.Uint32(b[12:]))
	if overflow >= p.high-id {
		return nil, fmt.Errorf("page %d runs %d pages past the end of the file", id, overflow-(p.high-id)+1)
	}
	for i := id; i <= id+overflow; i++ {
		switch p.state[i] {
		case pageUsed:
			return nil, fmt.Errorf("page %d is used twice (again by %s)", i, from)
		case pageFree:
			return nil, fmt.Errorf("page %d is both used (by %s) and free", i, from)
		}
		p.state[i] = pageUsed
	}
	if overflow > 0 {
		b = append(b, make([]byte, overflow*p.pageSize)...)
		if _, err := p.r.ReadAt(b[p.pageSize:], int64((id+1)*p.pageSize)); err != nil {
			return nil, fmt.Errorf("page %d: %v", id, err)
		}
	}
	return b, nil
}

func (p *pages) freelist(id uint64) error {
	b, err := p.read(id, "the meta page's freelist")
	if err != nil {
		return err
	}
	if flags := le.Uint16(b[8:]); flags != freelistPage {
		return fmt.Errorf("the freelist, page %d, is not a freelist page (flags %#x)", id, flags)
	}
	// A count of 0xFFFF means the real count is the first id's slot.
	first, count := uint64(0), uint64(le.Uint16(b[10:]))
	if count == 0xFFFF {
		first, count = 1, le.Uint64(b[pageHeaderSize:])
	}
	if room := uint64(len(b)-pageHeaderSize) / 8; count > room || first+count > room {
		return fmt.Errorf("the freelist, page %d, lists %d pages, more than it holds", id, count)
	}
	for i := first; i < first+count; i++ {
		free := le.Uint64(b[pageHeaderSize+8*i:])
		if free < 2 || free >= p.high {
			return fmt.Errorf("the freelist lists page %d, outside the file's %d pages", free, p.high)
		}
		if p.state[free] != 0 {
			return fmt.Errorf("the freelist lists page %d, which is already used or listed", free)
		}
		p.state[free] = pageFree
	}
	return nil
}

// tree checks the B+tree rooted at page id, whose keys must lie in
// [lo, hi) (nil: unbounded), and the buckets below it. A child's first
// key must be first, the key its parent names it by: bbolt finds a node
// in its parent by that key when it writes the node back, and a mismatch
// makes it add a second entry for the page instead.
func (p *pages) tree(id uint64, lo, hi []byte, from string, first []byte) error {
	b, err := p.read(id, from)
	if err != nil {
		return err
	}
	where := fmt.Sprintf("page %d", id)
	var elems []element
	flags := le.Uint16(b[8:])
	switch flags {
	case leafPage:
		elems, err = p.leaf(b, lo, hi, where, false)
	case branchPage:
		if elems, err = elements(b, lo, hi, where, false); err == nil && len(elems) == 0 {
			err = fmt.Errorf("%s is a branch with no children", where)
		}
	default:
		err = fmt.Errorf("%s is used as a tree page, but its flags are %#x", where, flags)
	}
	if err != nil {
		return err
	}
	if first != nil && (len(elems) == 0 || !bytes.Equal(elems[0].key, first)) {
		return fmt.Errorf("%s does not start with the key %s names it by", where, from)
	}
	if flags == leafPage {
		return nil // its buckets were checked with it
	}
	for i, e := range elems {
		next := hi
		if i+1 < len(elems) {
			next = elems[i+1].key
		}
		if err := p.tree(e.child, e.key, next, where, e.key); err != nil {
			return err
		}
	}
	return nil
}

// leaf checks a leaf page (or an inline bucket's page, which may hold no
// bucket) and the buckets it holds.
func (p *pages) leaf(b, lo, hi []byte, where string, inline bool) ([]element, error) {
	elems, err := elements(b, lo, hi, where, true)
	if err != nil {
		return nil, err
	}
	for _, e := range elems {
		if !e.bucket {
			continue
		}
		name := fmt.Sprintf("the bucket %q in %s", e.key, where)
		if inline || len(e.value) < bucketHeader {
			return nil, fmt.Errorf("%s is malformed", name)
		}
		root := le.Uint64(e.value)
		if root == 0 && len(e.value) < bucketHeader+pageHeaderSize {
			return nil, fmt.Errorf("%s is inline, but too short to hold its page", name)
		}
		if root != 0 {
			if err := p.tree(root, nil, nil, name, nil); err != nil {
				return nil, err
			}
			continue
		}
		page := e.value[bucketHeader:]
		if flags := le.Uint16(page[8:]); flags != leafPage {
			return nil, fmt.Errorf("%s is inline, but not a leaf (flags %#x)", name, flags)
		}
		if _, err := p.leaf(page, nil, nil, name, true); err != nil {
			return nil, err
		}
	}
	return elems, nil
}

type element struct {
	key, value []byte
	child      uint64
	bucket     bool
}

// elements reads a page's elements, each inside the page, with keys
// non-empty, strictly increasing, and in [lo, hi).
func elements(b, lo, hi []byte, where string, leaf bool) ([]element, error) {
	count := uint64(le.Uint16(b[10:]))
	if pageHeaderSize+count*elementSize > uint64(len(b)) {
		return nil, fmt.Errorf("%s holds %d elements, more than fit in it", where, count)
	}
	elems := make([]element, 0, count)
	prev := lo
	for i := range count {
		at := pageHeaderSize + i*elementSize
		e := b[at:]
		var start, ksize, vsize uint64
		var flags uint32
		if leaf {
			flags, start, ksize, vsize = le.Uint32(e), uint64(le.Uint32(e[4:])), uint64(le.Uint32(e[8:])), uint64(le.Uint32(e[12:]))
		} else {
			start, ksize = uint64(le.Uint32(e)), uint64(le.Uint32(e[4:]))
		}
		start += at // positions count from the element itself
		if ksize == 0 || start+ksize+vsize > uint64(len(b)) {
			return nil, fmt.Errorf("%s: element %d lies outside the page", where, i)
		}
		if flags&^bucketLeaf != 0 {
			return nil, fmt.Errorf("%s: element %d has unknown flags %#x", where, i, flags)
		}
		el := element{key: b[start : start+ksize], value: b[start+ksize : start+ksize+vsize], bucket: flags == bucketLeaf}
		if !leaf {
			el.child = le.Uint64(e[8:])
		}
		if prev != nil && (bytes.Compare(el.key, prev) < 0 || i > 0 && bytes.Equal(el.key, prev)) || hi != nil && bytes.Compare(el.key, hi) >= 0 {
			return nil, fmt.Errorf("%s: element %d is out of order", where, i)
		}
		prev = el.key
		elems = append(elems, el)
	}
	return elems, nil
}
