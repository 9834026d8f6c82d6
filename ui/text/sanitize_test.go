package text

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	cases := map[string]string{
		"Acme Corp":                     "Acme Corp",
		"\x1b[31mRed\x1b[0m Inc":        "Red Inc",
		"title\x1b]0;pwned\x07 ok":      "title ok",
		"line1\nline2\tx":               "line1 line2 x",
		"bell\x07 and nul\x00":          "bell and nul",
		"c1\u009b31m":                   "c131m",
		"abc\u202Eevil":                 "abcevil",
		"bad \xff utf8":                 "bad � utf8",
		"St. Mary’s Parish — Ünïcode ✓": "St. Mary’s Parish — Ünïcode ✓",
	}
	for in, want := range cases {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[2J\x1b[H", "\x1b]52;c;aGVsbG8=\x07", "\u009b1;1H", "a\u202eb", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Sanitize(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", in)
		}
		for _, r := range out {
			if unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("control %U survived in %q (from %q)", r, out, in)
			}
		}
		if strings.ContainsRune(out, 0x1b) {
			t.Fatalf("ESC survived")
		}
		if Sanitize(out) != out {
			t.Fatalf("not idempotent: %q → %q", out, Sanitize(out))
		}
	})
}

// TestSanitizeKeepsPrintableASCII: the shortcut for printable ASCII
// answers what the whole sanitizing does.
func TestSanitizeKeepsPrintableASCII(t *testing.T) {
	var all strings.Builder
	for c := byte(0x20); c <= 0x7e; c++ {
		all.WriteByte(c)
	}
	for _, s := range []string{"", " ", "Acme & Sons, Inc.", all.String(), "[31m not an escape", "a\\e[0m", "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./"} {
		if !printableASCII(s) || Sanitize(s) != sanitize(s) || Sanitize(s) != s {
			t.Errorf("%q: Sanitize %q, the whole way %q", s, Sanitize(s), sanitize(s))
		}
	}
	if printableASCII("a\x1b[31mb") || printableASCII("é") || printableASCII("a\tb") || printableASCII("\x7f") {
		t.Error("a string with an escape, a tab, DEL or non-ASCII took the shortcut")
	}
}

func FuzzSanitizeShortcut(f *testing.F) {
	f.Add("Acme [1m Corp")
	f.Fuzz(func(t *testing.T, s string) {
		if printableASCII(s) && sanitize(s) != s {
			t.Errorf("%q: sanitized to %q", s, sanitize(s))
		}
	})
}
