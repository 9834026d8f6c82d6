package rest

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Scanner reads answers written in the plain subset of JSON that servers
// write large lists in: objects with keys without escapes, strings (with
// escapes, but no lone surrogates and no invalid UTF-8), numbers that fit
// a float64, true and false. It reads each byte once and allocates only
// the strings it answers, where encoding/json reads an answer twice (a
// check, then the decoding) through reflection.
//
// Every method answers false at anything outside that subset (null, a
// surrogate escape, a key with an escape, a syntax error, a value of
// another type). A caller then forgets what it read and decodes the whole
// answer with encoding/json instead, which gives the same values, or the
// error: the subset is exactly where both read the same.
type Scanner struct {
	b []byte
	i int
}

// NewScanner reads b from its start.
func NewScanner(b []byte) *Scanner { return &Scanner{b: b} }

func (s *Scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// Next skips space and answers the next byte, 0 at the end.
func (s *Scanner) Next() byte {
	s.space()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// Skip takes the byte c after any space.
func (s *Scanner) Skip(c byte) bool {
	if s.Next() != c {
		return false
	}
	s.i++
	return true
}

// End reports whether only space is left.
func (s *Scanner) End() bool { return s.Next() == 0 && s.i == len(s.b) }

// Object reads an object, calling field with each key (valid only during
// the call) to read its value.
func (s *Scanner) Object(field func(key []byte) bool) bool {
	if !s.Skip('{') {
		return false
	}
	if s.Skip('}') {
		return true
	}
	for {
		if s.Next() != '"' {
			return false
		}
		start := s.i + 1
		end := start
		for end < len(s.b) && s.b[end] != '"' {
			if c := s.b[end]; c == '\\' || c < 0x20 || c >= 0x80 {
				return false
			}
			end++
		}
		if end == len(s.b) {
			return false
		}
		s.i = end + 1
		if !s.Skip(':') || !field(s.b[start:end]) {
			return false
		}
		if s.Skip('}') {
			return true
		}
		if !s.Skip(',') {
			return false
		}
	}
}

// Array reads an array, calling elem to read each element.
func (s *Scanner) Array(elem func() bool) bool {
	if !s.Skip('[') {
		return false
	}
	if s.Skip(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if s.Skip(']') {
			return true
		}
		if !s.Skip(',') {
			return false
		}
	}
}

// String reads a string.
func (s *Scanner) String() (string, bool) {
	if s.Next() != '"' {
		return "", false
	}
	start := s.i + 1
	for i := start; i < len(s.b); {
		switch c := s.b[i]; {
		case c == '"':
			s.i = i + 1
			return string(s.b[start:i]), true
		case c == '\\':
			return s.unescape(start, i)
		case c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(s.b[i:])
			if r == utf8.RuneError && n == 1 {
				return "", false // encoding/json would put U+FFFD there
			}
			i += n
		}
	}
	return "", false
}

// unescape reads the rest of a string that has an escape at i.
func (s *Scanner) unescape(start, i int) (string, bool) {
	out := make([]byte, 0, i-start+16)
	out = append(out, s.b[start:i]...)
	for i < len(s.b) {
		c := s.b[i]
		switch {
		case c == '"':
			s.i = i + 1
			return string(out), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if i+1 >= len(s.b) {
				return "", false
			}
			switch e := s.b[i+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				if i+6 > len(s.b) {
					return "", false
				}
				r, err := strconv.ParseUint(string(s.b[i+2:i+6]), 16, 16)
				if err != nil || utf16.IsSurrogate(rune(r)) {
					return "", false
				}
				out = utf8.AppendRune(out, rune(r))
				i += 4
			default:
				return "", false
			}
			i += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, n := utf8.DecodeRune(s.b[i:])
			if r == utf8.RuneError && n == 1 {
				return "", false
			}
			out = append(out, s.b[i:i+n]...)
			i += n
		}
	}
	return "", false
}

// Float reads a number.
func (s *Scanner) Float() (float64, bool) {
	s.space()
	start, i := s.i, s.i
	digits := func() bool {
		from := i
		for i < len(s.b) && s.b[i] >= '0' && s.b[i] <= '9' {
			i++
		}
		return i > from
	}
	if i < len(s.b) && s.b[i] == '-' {
		i++
	}
	switch {
	case i < len(s.b) && s.b[i] == '0':
		i++
	case !digits():
		return 0, false
	}
	if i < len(s.b) && s.b[i] == '.' {
		i++
		if !digits() {
			return 0, false
		}
	}
	if i < len(s.b) && (s.b[i] == 'e' || s.b[i] == 'E') {
		i++
		if i < len(s.b) && (s.b[i] == '+' || s.b[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(string(s.b[start:i]), 64)
	if err != nil {
		return 0, false
	}
	s.i = i
	return f, true
}

// Bool reads true or false.
func (s *Scanner) Bool() (bool, bool) {
	s.space()
	rest := s.b[s.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.i += 4
		return true, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.i += 5
		return false, true
	}
	return false, false
}
