// Package text holds what every face writes the same way: the sanitizer
// that remote strings pass through before a terminal, and the formatting
// of numbers, money, times and plurals. It imports no bubbletea, so the
// core and the scripted commands use it too.
package text

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Qty writes a quantity as briefly as it is exact: 12, 12.5.
func Qty(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Signed writes a difference with its sign: +3, -2, 0. ASCII minus, so a
// script or a spreadsheet reads it as a number.
func Signed(f float64) string {
	if f > 0 {
		return "+" + Qty(f)
	}
	return Qty(f)
}

// Money writes an amount with its sign and two decimals: +$12.50, -$3.00.
func Money(f float64) string {
	if f < 0 {
		return "-$" + strconv.FormatFloat(-f, 'f', 2, 64)
	}
	return "+$" + strconv.FormatFloat(f, 'f', 2, 64)
}

// Price writes a unit price: $1.50.
func Price(f float64) string { return "$" + strconv.FormatFloat(f, 'f', 2, 64) }

// Percent writes a 0–1 score as a whole percentage.
func Percent(score float64) string { return fmt.Sprintf("%d%%", int(math.Round(score*100))) }

// Thousands writes 12345 as 12,345.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Plural picks the word for n.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count writes n and its noun: "1 service", "3 services".
func Count(n int, one, many string) string { return Thousands(n) + " " + Plural(n, one, many) }

// Ago says how long ago as people say it: "just now", "4 minutes ago".
func Ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return Count(int(d/time.Minute), "minute", "minutes") + " ago"
	case d < 48*time.Hour:
		return Count(int(d/time.Hour), "hour", "hours") + " ago"
	}
	return Count(int(d/(24*time.Hour)), "day", "days") + " ago"
}

// Stamp writes a time to the minute in the local zone, and how long ago it
// was when that is recent; "never" for none.
func Stamp(t *time.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return "never"
	}
	stamp := t.Local().Format("2006-01-02 15:04")
	if ago := now.Sub(*t); ago < 48*time.Hour {
		return stamp + " (" + Ago(ago) + ")"
	}
	return stamp
}

// Elapsed writes a running duration to the second: 0s, 1m5s.
func Elapsed(d time.Duration) string { return d.Truncate(time.Second).String() }
