package text

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
)

// TestTerminalWriterDropsWhatATerminalActsOn, whether a rune arrives whole
// or split across writes.
func TestTerminalWriterDropsWhatATerminalActsOn(t *testing.T) {
	t.Parallel()
	hostile := "id,\x1b]0;owned\x07\x1b[2J\u009b31m\r\u202eevil\tok\n日本,\xff\n"
	want := "id,]0;owned[2J31mevil\tok\n日本,\uFFFD\n"
	for _, chunk := range []int{1, 2, 3, len(hostile)} {
		var buf bytes.Buffer
		w := NewTerminalWriter(&buf)
		for i := 0; i < len(hostile); i += chunk {
			if _, err := w.Write([]byte(hostile[i:min(i+chunk, len(hostile))])); err != nil {
				t.Fatal(err)
			}
		}
		if buf.String() != want {
			t.Errorf("in chunks of %d: %q, want %q", chunk, buf.String(), want)
		}
		if strings.ContainsFunc(buf.String(), func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
			t.Errorf("a control character passed: %q", buf.String())
		}
	}
}
