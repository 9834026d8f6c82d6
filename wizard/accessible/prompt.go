// Package accessible is the line-by-line face of mesh-gradient, for
// screen readers, dumb terminals and piped answers: numbered prompts, no
// alternate screen, no cursor movement, no animation, no colour. It walks
// the core's steps and keeps the same state file as the full-screen
// wizard, so either can resume what the other began.
package accessible

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
	"github.com/meshgradient/mesh-gradient/wizard/match"
)

// Prompter is the wizard as numbered line prompts.
type Prompter struct {
	sess      *core.Session
	portalURL func(region string) string
	notice    string
	in        *bufio.Scanner
	rawIn     io.Reader // stdin itself: a terminal's echo is turned off for a key
	out       io.Writer
	ctx       context.Context
	lines     chan string // answers, read on a goroutine so Ctrl+C is heard while waiting
}

// ErrInputEnded: stdin ended before the wizard was done.
var ErrInputEnded = errors.New("the answers ended before the wizard was done")

// ErrInterrupted: the user stopped the wizard (Ctrl+C).
var ErrInterrupted = errors.New("stopped")

// New prepares the prompts on a session. portalURL gives the Mesh
// portal's address for a region; notice is news to say first.
func New(sess *core.Session, portalURL func(region string) string, notice string, in io.Reader, out io.Writer) *Prompter {
	return &Prompter{sess: sess, portalURL: portalURL, notice: notice, in: bufio.NewScanner(in), rawIn: in, out: out}
}

func (a *Prompter) say(format string, args ...any) { fmt.Fprintf(a.out, format+"\n", args...) }

// ask prints a prompt and reads one line.
func (a *Prompter) ask(prompt string) (string, error) {
	fmt.Fprint(a.out, prompt)
	select {
	case line, ok := <-a.lines:
		if !ok {
			fmt.Fprintln(a.out)
			if err := a.in.Err(); err != nil {
				return "", err
			}
			return "", ErrInputEnded
		}
		return strings.TrimSpace(line), nil
	case <-a.ctx.Done():
		fmt.Fprintln(a.out)
		return "", ErrInterrupted
	}
}

// yes asks a yes/no question until it gets one; empty takes def.
func (a *Prompter) yes(question string, def bool) (bool, error) {
	for {
		answer, err := a.ask(fmt.Sprintf("%s (yes/no, Enter for %s): ", question, map[bool]string{true: "yes", false: "no"}[def]))
		if err != nil {
			return false, err
		}
		switch strings.ToLower(answer) {
		case "":
			return def, nil
		case "y", "yes":
			return true, nil
		case "n", "no":
			return false, nil
		}
		a.say("Please answer yes or no.")
	}
}

// numbers reads a comma-separated list of numbers from 1 to n.
func (a *Prompter) numbers(prompt string, n int, def []int) ([]int, error) {
	for {
		answer, err := a.ask(prompt)
		if err != nil {
			return nil, err
		}
		if answer == "" && def != nil {
			return def, nil
		}
		var picked []int
		ok := answer != ""
		for _, f := range strings.FieldsFunc(answer, func(r rune) bool { return r == ',' || r == ' ' }) {
			i, err := strconv.Atoi(f)
			if err != nil || i < 1 || i > n {
				ok = false
				break
			}
			picked = append(picked, i)
		}
		if ok {
			return picked, nil
		}
		a.say("Type numbers from 1 to %d, separated by commas (for example 1,3).", n)
	}
}

// pickTarget offers the five likeliest targets for a row, a search of all
// of them and, for accounts, do not bill. A 10,000-item numbered select
// could not be read out; five and a search can. Enter answers nil (none
// chosen: leave, the words say what that means here).
func (a *Prompter) pickTarget(d *core.Data, k core.Kind, rowName, leave string) (*store.Mapping, error) {
	ranked := d.Index(k).Rank(rowName)
	if len(ranked) > 5 {
		ranked = ranked[:5]
	}
	for j, c := range ranked {
		a.say("  %d. %s (%s)", j+1, c.Name, text.Percent(c.Score))
	}
	prompt := fmt.Sprintf("Number, s to search all %s, or Enter to %s: ", k.Targets, leave)
	if k.AllowIgnore {
		a.say("  0. Do not bill")
		prompt = fmt.Sprintf("Number (0 do not bill), s to search all %s, or Enter to %s: ", k.Targets, leave)
	}
	for {
		answer, err := a.ask(prompt)
		if err != nil || answer == "" {
			return nil, err
		}
		if strings.EqualFold(answer, "s") {
			query, err := a.ask("Search for: ")
			if err != nil {
				return nil, err
			}
			ranked = search(d.Targets(k), query, 9)
			if len(ranked) == 0 {
				a.say("No %s matches %q.", k.Target, query)
			}
			for j, c := range ranked {
				a.say("  %d. %s", j+1, c.Name)
			}
			continue
		}
		switch n, err := strconv.Atoi(answer); {
		case err == nil && n == 0 && k.AllowIgnore:
			return &store.Mapping{Ignored: true}, nil
		case err == nil && n >= 1 && n <= len(ranked):
			return &store.Mapping{Target: ranked[n-1].ID}, nil
		}
		a.say("Type a number from the list.")
	}
}

// search finds the names that hold the query's words (the pickers'
// filter), best first as the pickers rank them, at most n.
func search(names map[string]string, query string, n int) []match.Scored {
	ids := make([]string, 0, len(names))
	for id := range names {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return strings.ToLower(names[ids[i]]) < strings.ToLower(names[ids[j]]) })
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = names[id]
	}
	var out []match.Scored
	for _, r := range ui.Filter(query, list) {
		if len(out) == n {
			break
		}
		out = append(out, match.Scored{Candidate: match.Candidate{ID: ids[r.Index], Name: list[r.Index]}})
	}
	return out
}
