package match

// hashIndex maps a hash to the entries filed under it, in entry order.
// Most hashes (a name's trigram set, its tokens) belong to one entry, so
// the map holds that entry itself and only shared hashes get a list: one
// small map instead of a map of slices, which at 100,000 names is both
// slower to build and more cache lines to read per lookup.
type hashIndex struct {
	m     map[uint64]int32 // ≥ 0: the one entry; < 0: lists[-1-v]
	lists [][]int32
	self  []int32 // self[i] == i: a one-entry answer without allocating
}

func newHashIndex(entries []entry, keys func(e *entry, add func(uint64))) *hashIndex {
	n := 0
	count := func(uint64) { n++ }
	for i := range entries {
		keys(&entries[i], count)
	}
	h := &hashIndex{m: make(map[uint64]int32, n), self: make([]int32, len(entries))}
	var i int32
	add := func(k uint64) {
		v, ok := h.m[k]
		switch {
		case !ok:
			h.m[k] = i
		case v >= 0:
			if v == i {
				return // one entry filed twice under a key (hashes collided)
			}
			h.lists = append(h.lists, []int32{v, i})
			h.m[k] = -int32(len(h.lists))
		default:
			if l := h.lists[-1-v]; l[len(l)-1] != i {
				h.lists[-1-v] = append(l, i)
			}
		}
	}
	for i = range int32(len(entries)) {
		h.self[i] = i
		keys(&entries[i], add)
	}
	return h
}

// get answers the entries filed under k.
func (h *hashIndex) get(k uint64) []int32 {
	v, ok := h.m[k]
	switch {
	case !ok:
		return nil
	case v >= 0:
		return h.self[v : v+1]
	}
	return h.lists[-1-v]
}
