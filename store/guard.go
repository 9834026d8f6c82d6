package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
)

// damage is a fault found inside a transaction (a record that does not
// decode, a bucket that is missing); guard turns it into a *DamagedError
// naming the file.
type damage string

func (d damage) Error() string { return string(d) }

// decode reads a stored JSON record; one that does not decode is damage.
func decode(v []byte, into any, what string) error {
	if err := json.Unmarshal(v, into); err != nil {
		return damage(fmt.Sprintf("%s does not decode: %v", what, err))
	}
	return nil
}

// guard runs one bbolt call on the file at path. bbolt trusts the file:
// on a page it cannot make sense of it panics (its page checks, asserts
// and freelist reads), and reading past its memory map faults. Open checks
// every page before bbolt maps the file, so this is the second line: a
// panic, or a fault (SetPanicOnFault makes it a panic), becomes a
// *DamagedError. bbolt's View and Update roll back on a panic, so nothing
// half-done is written. None of this reaches bbolt's own goroutines
// (tx.Check, Batch, and the freelist rebuild of a file written without
// one); the store never calls the first two, and the page check covers
// what the third reads.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &DamagedError{Path: path, Reason: fmt.Sprintf("bbolt could not read it: %v", r), panicked: true}
		}
	}()
	err = fn()
	var d damage
	if errors.As(err, &d) {
		return &DamagedError{Path: path, Reason: string(d)}
	}
	return err
}

// do runs fn under guard. After a panic the store refuses every later
// call: bbolt's in-memory state (its freelist, its locks) may no longer be
// sound, and a write on top of it could spread the damage.
func (s *Store) do(fn func() error) error {
	if d := s.broken.Load(); d != nil {
		return d
	}
	err := guard(s.path, fn)
	var d *DamagedError
	if errors.As(err, &d) && d.panicked {
		s.broken.CompareAndSwap(nil, d)
	}
	return err
}

// callerPanic carries a panic from a caller's function out of the
// transaction, so that it is re-raised as the caller's own bug and not
// taken for damage in the file.
type callerPanic struct{ value any }

func (callerPanic) Error() string { return "panic in the caller's function" }

// call runs the caller's fn; a panic in it becomes a callerPanic error,
// which rolls the transaction back.
func call(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = callerPanic{r}
		}
	}()
	fn()
	return nil
}

// rethrow re-raises a caller's panic that call caught.
func rethrow(err error) error {
	var p callerPanic
	if errors.As(err, &p) {
		panic(p.value)
	}
	return err
}

// decodeMapping reads the three forms json.Marshal writes a Mapping in,
// {}, {"ignored":true} and {"target":"…"} with a target of printable
// ASCII without quote or backslash, without encoding/json: a state file
// of 100,000 mappings opens that much sooner. Anything else answers
// false, and decode reads it (or calls it damage).
func decodeMapping(v []byte) (Mapping, bool) {
	switch string(v) {
	case `{}`:
		return Mapping{}, true
	case `{"ignored":true}`:
		return Mapping{Ignored: true}, true
	}
	const head, tail = `{"target":"`, `"}`
	if len(v) <= len(head)+len(tail) || string(v[:len(head)]) != head || string(v[len(v)-len(tail):]) != tail {
		return Mapping{}, false
	}
	target := v[len(head) : len(v)-len(tail)]
	for _, c := range target {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return Mapping{}, false
		}
	}
	return Mapping{Target: string(target)}, true
}
