package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
	"github.com/meshgradient/mesh-gradient/ui"
)

// pane is a tmux pane driven through one tmux control-mode client: a
// command and its answer cost a pipe round trip, not a tmux process, so
// the screen can be read every fraction of a millisecond.
type pane struct {
	t      *testing.T
	socket string
	ctl    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
}

// newPane starts a tmux server with one 100×30 pane running cmd.
func newPane(t *testing.T, name, cmd string) *pane {
	t.Helper()
	p := &pane{t: t, socket: fmt.Sprintf("mg-keys-%s-%d", name, os.Getpid())}
	if out, err := exec.Command("tmux", "-L", p.socket, "new-session", "-d", "-s", "main", "-x", "100", "-y", "30", cmd).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", p.socket, "kill-server").Run() })
	p.ctl = exec.Command("tmux", "-L", p.socket, "-C", "attach", "-t", "main")
	p.in, _ = p.ctl.StdinPipe()
	stdout, _ := p.ctl.StdoutPipe()
	p.out = bufio.NewReader(stdout)
	if err := p.ctl.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.in.Close(); p.ctl.Wait() })
	p.answer() // to the attach
	p.run("refresh-client -f no-output")
	p.run("set-option -t main remain-on-exit on")
	return p
}

// run sends one tmux command and answers its output lines.
func (p *pane) run(command string) []string {
	p.t.Helper()
	if _, err := io.WriteString(p.in, command+"\n"); err != nil {
		p.t.Fatal(err)
	}
	return p.answer()
}

// answer reads the next %begin … %end block, skipping notifications.
func (p *pane) answer() []string {
	p.t.Helper()
	var lines []string
	in := false
	for {
		line, err := p.out.ReadString('\n')
		if err != nil {
			p.t.Fatalf("tmux control client: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case !in && strings.HasPrefix(line, "%begin "):
			in = true
		case in && strings.HasPrefix(line, "%error "):
			p.t.Fatalf("tmux: %s", strings.Join(lines, "\n"))
		case in && strings.HasPrefix(line, "%end "):
			return lines
		case in:
			lines = append(lines, line)
		}
	}
}

func (p *pane) screen() string { return strings.Join(p.run("capture-pane -p -t main"), "\n") }

// waitAll polls the screen until every pattern matches and answers when
// it first did; it fails after a minute.
func (p *pane) waitAll(res ...*regexp.Regexp) time.Time {
	p.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		s := p.screen()
		now := time.Now()
		if !slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return !re.MatchString(s) }) {
			return now
		}
		if now.After(deadline) {
			p.t.Fatalf("waited a minute for %v; the screen:\n%s", res, s)
		}
	}
}

// typeKey sends one key, literally, and answers when it was sent.
func (p *pane) typeKey(key string) time.Time {
	start := time.Now()
	p.run("send-keys -t main -l " + quoteTmux(key))
	return start
}

func quoteTmux(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// keystrokeQueries are BENCHMARKS.md's queries, typed a letter at a time.
var keystrokeQueries = []string{"harbor", "smith dent", "mtn", "pediatr", "oak hill ro", "xyz"}

// TestKeystrokesVersusFzf is the keystroke harness: the built program's
// company picker and Debian's fzf, each in a 100×30 tmux pane, over the
// same n company names, typed the same queries a letter at a time, in
// turns (which goes first alternates). A keystroke's time runs from
// sending the key to the first screen that shows both the typed query and
// the number of matches it gives (computed beforehand, for each tool by
// itself). A key typed into cat is the harness's own floor. The first
// frame and the ready screen of both are timed from (re)starting them. It
// runs only when asked:
//
//	MESH_GRADIENT_SCALE=1 go test -run TestKeystrokesVersusFzf -v .
func TestKeystrokesVersusFzf(t *testing.T) {
	n := scaleTenants(t)
	needTmux(t)
	fzf, err := exec.LookPath("fzf")
	if err != nil {
		t.Skip("fzf is not installed (apt-get install fzf)")
	}
	env, statePath := scaleState(t, n)
	sc, _ := meshemu.Generate(n, 1)
	names := make([]string, len(sc.PSA.Companies))
	for i, c := range sc.PSA.Companies {
		names[i] = c.Name
	}
	list := filepath.Join(t.TempDir(), "names.txt")
	if err := os.WriteFile(list, []byte(strings.Join(names, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ours := newPane(t, "ours", "sleep 3600")
	theirs := newPane(t, "fzf", "sleep 3600")
	cat := newPane(t, "cat", "exec cat")
	oursCmd := "exec env -u CI " + strings.Join(env, " ") + " " + binary + " --state " + statePath
	fzfCmd := "exec " + fzf + " < " + list
	all := fmt.Sprintf(`\b%d/%d\b`, n, n)

	// First frames and ready screens, in turns.
	var firstOurs, readyOurs, firstFzf, readyFzf []time.Duration
	const rounds = 5
	for r := range rounds {
		for k := range 2 {
			if (r+k)%2 == 0 {
				start := time.Now()
				ours.run("respawn-pane -k -t main " + quoteTmux(oursCmd))
				first := ours.waitAll(regexp.MustCompile(`Map accounts`))
				ready := ours.waitAll(regexp.MustCompile(fmt.Sprintf(`Mapped %d`, n)))
				firstOurs, readyOurs = append(firstOurs, first.Sub(start)), append(readyOurs, ready.Sub(start))
			} else {
				start := time.Now()
				theirs.run("respawn-pane -k -t main " + quoteTmux(fzfCmd))
				first := theirs.waitAll(regexp.MustCompile(`(?m)^>`))
				ready := theirs.waitAll(regexp.MustCompile(all))
				firstFzf, readyFzf = append(firstFzf, first.Sub(start)), append(readyFzf, ready.Sub(start))
			}
		}
	}
	ours.run("send-keys -t main Enter")
	ours.waitAll(regexp.MustCompile(`Choose the company`))

	// What each shows for every prefix of every query.
	type expect struct{ ours, fzf []*regexp.Regexp }
	expected := map[string]expect{}
	for _, q := range keystrokeQueries {
		for k := 1; k <= len(q); k++ {
			typed := q[:k]
			count := len(ui.Filter(typed, names))
			status := fmt.Sprintf(`(?m)^%d choices?\b`, count)
			if count == 0 {
				status = `Nothing matched`
			}
			filter := exec.Command(fzf, "--filter", typed)
			filter.Stdin = strings.NewReader(strings.Join(names, "\n") + "\n")
			out, _ := filter.Output() // exit 1: no match
			lines := strings.Count(string(out), "\n")
			shown := regexp.QuoteMeta(strings.TrimRight(typed, " "))
			expected[typed] = expect{
				ours: []*regexp.Regexp{regexp.MustCompile(`(?m)^Filter: ` + shown + `\s*$`), regexp.MustCompile(status)},
				fzf:  []*regexp.Regexp{regexp.MustCompile(`(?m)^> ` + shown + `\s*$`), regexp.MustCompile(fmt.Sprintf(`\b%d/%d\b`, lines, n))},
			}
		}
	}
	var keysOurs, keysFzf, keysCat, ratios []float64
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	for r := range 3 {
		for qi, q := range keystrokeQueries {
			ours.run("send-keys -t main /")
			ours.waitAll(regexp.MustCompile(`(?m)^Filter:\s*$`))
			for k := 1; k <= len(q); k++ {
				typed, key := q[:k], q[k-1:k]
				timed := key != " " // a space changes neither screen
				var o, f time.Duration
				for turn := range 2 {
					if (r+qi+k+turn)%2 == 0 {
						start := ours.typeKey(key)
						o = ours.waitAll(expected[typed].ours...).Sub(start)
					} else {
						start := theirs.typeKey(key)
						f = theirs.waitAll(expected[typed].fzf...).Sub(start)
					}
				}
				if timed {
					keysOurs, keysFzf, ratios = append(keysOurs, ms(o)), append(keysFzf, ms(f)), append(ratios, float64(o)/float64(f))
				}
			}
			ours.run("send-keys -t main Escape")
			// Clearing the filter keeps the cursor on its item, and the
			// status then says where it is (· 6367/10000).
			ours.waitAll(regexp.MustCompile(fmt.Sprintf(`(?m)^%d choices( \S \d+/%d)?\s*$`, n, n)))
			theirs.run("send-keys -t main C-u")
			theirs.waitAll(regexp.MustCompile(`(?m)^>\s*$`), regexp.MustCompile(all))
		}
	}
	typed := ""
	for range len(keysOurs) {
		if len(typed) == 60 { // a fresh cat, so no older line can match
			cat.run("respawn-pane -k -t main 'exec cat'")
			cat.waitAll(regexp.MustCompile(`^\s*$`))
			typed = ""
		}
		typed += "x"
		start := cat.typeKey("x")
		keysCat = append(keysCat, ms(cat.waitAll(regexp.MustCompile(`(?m)^`+typed+`\s*$`)).Sub(start)))
	}
	t.Logf("%d names, %d rounds of first frames, %d timed keystrokes each, 100x30 tmux panes, screen read through tmux control mode", n, rounds, len(keysOurs))
	t.Logf("first frame, ms:  ours %s   fzf %s", spreadMs(durations(firstOurs)), spreadMs(durations(firstFzf)))
	t.Logf("ready, ms:        ours %s (every account matched)   fzf %s (every name read)", spreadMs(durations(readyOurs)), spreadMs(durations(readyFzf)))
	t.Logf("keystroke, ms:    ours %s   fzf %s   cat %s", spreadMs(keysOurs), spreadMs(keysFzf), spreadMs(keysCat))
	t.Logf("ours/fzf, paired: %s", spreadRatio(ratios))
}

func durations(d []time.Duration) []float64 {
	out := make([]float64, len(d))
	for i, x := range d {
		out[i] = float64(x) / float64(time.Millisecond)
	}
	return out
}

// spreadMs is min / median / max.
func spreadMs(v []float64) string {
	v = slices.Clone(v)
	slices.Sort(v)
	return fmt.Sprintf("%.1f / %.1f / %.1f", v[0], v[len(v)/2], v[len(v)-1])
}

func spreadRatio(v []float64) string {
	v = slices.Clone(v)
	slices.Sort(v)
	return fmt.Sprintf("%.2f / %.2f / %.2f", v[0], v[len(v)/2], v[len(v)-1])
}
