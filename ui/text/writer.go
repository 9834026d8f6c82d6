package text

import (
	"io"
	"unicode"
	"unicode/utf8"
)

// TerminalWriter passes CSV, JSON or text to a terminal with nothing a
// terminal would act on: escape sequences lose their ESC, other control
// characters (C0 but newline and tab, C1, bidi overrides) are dropped and
// invalid UTF-8 becomes U+FFFD. A file gets the exact bytes instead.
type TerminalWriter struct {
	w    io.Writer
	tail []byte // an incomplete UTF-8 sequence left by the last Write
}

// NewTerminalWriter wraps w, which is a terminal.
func NewTerminalWriter(w io.Writer) *TerminalWriter { return &TerminalWriter{w: w} }

func (t *TerminalWriter) Write(p []byte) (int, error) {
	buf := append(t.tail, p...)
	t.tail = nil
	out := make([]byte, 0, len(buf))
	for len(buf) > 0 {
		r, size := utf8.DecodeRune(buf)
		if r == utf8.RuneError && size <= 1 && !utf8.FullRune(buf) {
			t.tail = append([]byte(nil), buf...) // the rest comes in the next Write
			break
		}
		buf = buf[size:]
		switch {
		case r == '\n' || r == '\t':
		case r == utf8.RuneError && size == 1:
			r = unicode.ReplacementChar
		case unicode.IsControl(r), bidiControl(r):
			continue
		}
		out = utf8.AppendRune(out, r)
	}
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

func bidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}
