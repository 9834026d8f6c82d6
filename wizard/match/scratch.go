package match

// scratch is one query's per-candidate counters, reused between queries
// (allocating them per query would cost gigabytes over 10,000 names). One
// struct per candidate keeps a candidate's counters in one cache line.
type scratch struct {
	at      []slot
	touched []int32
	// Whether a candidate is met (its counters in use), ruled out by its
	// signature for this name, scored: a byte each, so the checks stay in
	// cache where the counters and signatures of 100,000 candidates do
	// not, and a candidate in several lists has its signature tried once.
	state  []uint8
	marked []int32 // those with a state and no counters in use
	plan   plan
	q      entry // the query, its slices the builder's
	b      builder
	filter gramFilter
}

// gramFilter is a set of trigrams that may answer yes for one not in it
// (one bit per trigram's hash, like a Bloom filter): counting a name's
// trigrams in it counts at least those in common, never fewer.
type gramFilter [16]uint64

func gramBit(g uint64) uint64 { return (g * 0x9e3779b97f4a7c15) >> 54 } // 0..1023

func (f *gramFilter) set(grams []uint64) {
	*f = gramFilter{}
	for _, g := range grams {
		b := gramBit(g)
		f[b>>6] |= 1 << (b & 63)
	}
}

func (f *gramFilter) count(grams []uint64) int {
	n := uint64(0)
	for _, g := range grams {
		b := gramBit(g)
		n += f[b>>6] >> (b & 63) & 1
	}
	return int(n)
}

type counters struct {
	has      uint64 // bit k: it has the name's distinct token k
	grams    uint32 // trigrams shared, in the lists read
	exact    uint32 // token positions of the name with an equal token here
	prefixed uint32 // positions with only a same-prefix token here
	shared   uint16 // distinct tokens of the name it has, in the lists read
}

// slot is a candidate's counters beside a copy of its sizes, one cache
// line: reading a list meets a candidate in one line, where two arrays of
// 100,000 (out of cache) cost two misses.
type slot struct {
	counters
	sz sizes
	_  [64 - 24 - 32]byte
}

const (
	met uint8 = 1 << iota
	ruledOut
	scored
)

func newScratch(sz []sizes) *scratch {
	s := &scratch{at: make([]slot, len(sz)), state: make([]uint8, len(sz))}
	for i := range sz {
		s.at[i].sz = sz[i]
	}
	return s
}

func (s *scratch) reset() {
	for _, i := range s.touched {
		s.at[i].counters = counters{}
		s.state[i] = 0
	}
	for _, i := range s.marked {
		s.state[i] = 0
	}
	s.touched, s.marked = s.touched[:0], s.marked[:0]
}

// mark adds flag to i's state.
func (s *scratch) mark(i int32, flag uint8) {
	if s.state[i] == 0 {
		s.marked = append(s.marked, i)
	}
	s.state[i] |= flag
}

func (s *scratch) touch(i int32) *counters {
	if s.state[i]&met == 0 {
		s.state[i] |= met
		s.touched = append(s.touched, i)
	}
	return &s.at[i].counters
}
