package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// KeyBox frames a secret so it stands out, wrapping it when the terminal
// is narrower than the key (a wrapped key is still copied whole by `c`).
func KeyBox(t Theme, label, secret string, width int) string {
	style := t.KeyBox
	if width < 40 {
		style = style.Padding(0) // every column counts on a tiny terminal
	}
	inner := max(width-style.GetHorizontalFrameSize(), 8)
	var lines []string
	for len(secret) > inner {
		lines = append(lines, secret[:inner])
		secret = secret[inner:]
	}
	lines = append(lines, secret)
	body := t.Muted.Render(label) + "\n" + t.KeyText.Render(strings.Join(lines, "\n"))
	return style.Render(lipgloss.NewStyle().MaxWidth(inner).Render(body))
}
