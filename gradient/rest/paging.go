package rest

import (
	"context"
	"fmt"
	"strconv"
)

// PageProgress hears, after each page of a list, how many items of it have
// arrived and whether that was the last page.
type PageProgress func(op string, fetched int, done bool)

type progressKey struct{}

// WithPageProgress makes every list call under ctx report each page: a
// list of 10,000 takes ten requests, and a screen waiting on it can say how
// far it got.
func WithPageProgress(ctx context.Context, report PageProgress) context.Context {
	return context.WithValue(ctx, progressKey{}, report)
}

// What a page may hold, and a list. Pages have at most PageSize items (the
// partner API's maximum; what the clients ask Mesh for); an item is at
// most MaxItemBytes of JSON (the emulators refuse larger ones), so a page
// is read up to PageCap, twice the largest legal page. A list stops at
// MaxListItems items or MaxListBytes of pages, far above any MSP's 100,000
// customers, so that a server sending pages without end is refused before
// it fills the memory.
const (
	PageSize     = 1000
	MaxItemBytes = 16 << 10
	MaxListItems = 1_000_000
	MaxListBytes = 1 << 30
)

// PageCap is the answer cap for a page of n items: twice the largest legal
// page, rounded up to whole MiB.
func PageCap(n int) int64 {
	const mib = 1 << 20
	return (2*int64(n)*MaxItemBytes + mib - 1) / mib * mib
}

// List gathers the pages of one list call and holds the rules every list
// follows: each item has an id and no id comes twice (the screens key rows
// by id); no cursor comes back (A → B → A would never end); and the caps.
type List[T any] struct {
	ctx      context.Context
	c        *Client
	op, path string
	id       func(T) string
	items    []T
	seen     map[string]struct{}
	cursors  map[string]struct{}
	bytes    int64
}

// NewList starts a list; id names an item ("" when it has none).
func NewList[T any](ctx context.Context, c *Client, op, path string, id func(T) string) *List[T] {
	return &List[T]{ctx: ctx, c: c, op: op, path: path, id: id, seen: map[string]struct{}{}, cursors: map[string]struct{}{"": {}}}
}

// Add checks and keeps a page that came in size bytes; done says whether
// it was the last.
func (l *List[T]) Add(page []T, size int64, done bool) error {
	l.bytes += size
	switch {
	case len(l.items)+len(page) > MaxListItems:
		return l.c.Invalid(l.op, l.path, fmt.Sprintf("the list passed %s items, the most this program reads; stopping", thousands(MaxListItems)))
	case l.bytes > MaxListBytes:
		return l.c.Invalid(l.op, l.path, fmt.Sprintf("the list passed %d MiB, the most this program reads; stopping", MaxListBytes>>20))
	}
	for i, item := range page {
		k := l.id(item)
		if k == "" {
			return l.c.Invalid(l.op, l.path, fmt.Sprintf("item %d has no id", len(l.items)+i+1))
		}
		if _, dup := l.seen[k]; dup {
			return l.c.Invalid(l.op, l.path, fmt.Sprintf("id %q comes twice", k))
		}
		l.seen[k] = struct{}{}
	}
	l.items = append(l.items, page...)
	if report, ok := l.ctx.Value(progressKey{}).(PageProgress); ok {
		report(l.op, len(l.items), done)
	}
	return nil
}

// Next checks the cursor of the next page: one already followed means the
// list goes round in a circle.
func (l *List[T]) Next(cursor string) error {
	if _, again := l.cursors[cursor]; again {
		shown := cursor
		if r := []rune(shown); len(r) > 40 {
			shown = string(r[:40]) + "…"
		}
		return l.c.Invalid(l.op, l.path, fmt.Sprintf("cursor %q came back after %d items: the list would never end; stopping", shown, len(l.items)))
	}
	l.cursors[cursor] = struct{}{}
	return nil
}

// Items are the items so far.
func (l *List[T]) Items() []T { return l.items }

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
