// Package ui holds the wizard's reusable pieces: the theme, the keymap,
// the key box, the confirmation dialog, the picker and the checklist, and
// the sanitizer every remote string passes through. It knows nothing of
// Mesh or Synthesize.
package ui

import "github.com/charmbracelet/lipgloss"

// Theme is every style the program uses, in one place. Colours adapt to
// light and dark terminals; NO_COLOR turns them off (lipgloss honours it).
type Theme struct {
	Title     lipgloss.Style
	Subtitle  lipgloss.Style
	Badge     lipgloss.Style
	Muted     lipgloss.Style
	Strong    lipgloss.Style
	OK        lipgloss.Style
	Warn      lipgloss.Style
	Error     lipgloss.Style
	Selected  lipgloss.Style
	Cursor    lipgloss.Style
	KeyBox    lipgloss.Style
	KeyText   lipgloss.Style
	Dialog    lipgloss.Style
	TableHead lipgloss.Style
	TableSel  lipgloss.Style
	TableCell lipgloss.Style
	Match     lipgloss.Style // the letters a filter matched (underlined: it shows without colour)
}

var (
	accent  = lipgloss.AdaptiveColor{Light: "#5A3FC0", Dark: "#9D8CFF"}
	muted   = lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8A8A8A"}
	okColor = lipgloss.AdaptiveColor{Light: "#1E7B3A", Dark: "#5FD787"}
	warn    = lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#E3B341"}
	errCol  = lipgloss.AdaptiveColor{Light: "#B42318", Dark: "#FF7B72"}
	badgeBg = lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#E3B341"}
	badgeFg = lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#1B1B1B"}
)

// DefaultTheme is the one theme.
func DefaultTheme() Theme {
	return Theme{
		Title:     lipgloss.NewStyle().Bold(true).Foreground(accent),
		Subtitle:  lipgloss.NewStyle().Foreground(muted),
		Badge:     lipgloss.NewStyle().Bold(true).Foreground(badgeFg).Background(badgeBg).Padding(0, 1),
		Muted:     lipgloss.NewStyle().Foreground(muted),
		Strong:    lipgloss.NewStyle().Bold(true),
		OK:        lipgloss.NewStyle().Foreground(okColor),
		Warn:      lipgloss.NewStyle().Foreground(warn),
		Error:     lipgloss.NewStyle().Foreground(errCol).Bold(true),
		Selected:  lipgloss.NewStyle().Foreground(accent).Bold(true),
		Cursor:    lipgloss.NewStyle().Foreground(accent),
		KeyBox:    lipgloss.NewStyle().Border(lipgloss.DoubleBorder()).BorderForeground(accent).Padding(0, 2),
		KeyText:   lipgloss.NewStyle().Bold(true),
		Dialog:    lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(warn).Padding(0, 1),
		TableHead: lipgloss.NewStyle().Padding(0, 1).Bold(true).Foreground(accent).BorderStyle(lipgloss.NormalBorder()).BorderBottom(true).BorderForeground(muted),
		TableSel:  lipgloss.NewStyle().Bold(true).Foreground(accent),
		TableCell: lipgloss.NewStyle().Padding(0, 1),
		Match:     lipgloss.NewStyle().Underline(true).Foreground(accent),
	}
}
