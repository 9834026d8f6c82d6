package rest

import "context"

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

// ReportPage tells ctx's PageProgress, if any, about a page.
func ReportPage(ctx context.Context, op string, fetched int, done bool) {
	if report, ok := ctx.Value(progressKey{}).(PageProgress); ok {
		report(op, fetched, done)
	}
}
