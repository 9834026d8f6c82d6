// Command mesh-gradient connects Mesh email security's billing to Gradient
// MSP's Synthesize from a terminal, and keeps that connection healthy.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/ui"
	"github.com/meshgradient/mesh-gradient/wizard"
)

// Exit statuses.
const (
	exitOK           = 0
	exitError        = 1
	exitUsage        = 2 // bad flags or an invalid scenario file
	exitNotConnected = 3 // status: the integration is not connected
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const about = `mesh-gradient connects Mesh email security billing to Gradient Synthesize.

Usage:
  mesh-gradient [flags]              the wizard (onboarding, or home when connected)
  mesh-gradient COMMAND [flags]      a step without the wizard, for scripts

Commands:
`

const environment = `
Environment: GRADIENT_URL and GRADIENT_TOKEN together select a real Synthesize
(or a sandbox started elsewhere); without them every command runs its own
sandbox. MESH_PORTAL_URL overrides the Mesh portal address. NO_COLOR turns
colour off; ACCESSIBLE=1 or TERM=dumb selects plain prompts.

Exit status: 0 done, 1 error, 2 bad usage or input, 3 not connected.
Run "mesh-gradient COMMAND --help" for a command's flags and examples.
`

// options are the flags of every command.
type options struct {
	state      string
	sandbox    bool
	scenario   string
	noBrowser  bool
	debug      string
	listen     string
	json       bool
	yes        bool
	version    bool
	products   string
	types      string
	keyFile    string
	timeout    time.Duration
	format     string
	force      bool
	dryRun     bool
	apply      bool
	minConf    float64
	onlyDiffer bool
	accessible bool
	keepClip   bool
}

// streams are the command's standard input and outputs.
type streams struct {
	in          io.Reader
	out, errOut io.Writer
}

// command is one subcommand: its words, what it does, its flags and how
// to run it.
type command struct {
	name     string // "mappings export"
	args     string // positional arguments, for the synopsis
	maxArgs  int
	summary  string
	examples []string
	flags    func(*flag.FlagSet, *options)
	run      func(o options, args []string, scenario *meshemu.Scenario, std streams) int
}

var commands = []command{
	{name: "connect", summary: "connect Mesh in Synthesize and write the one-time API key to a file",
		examples: []string{
			"mesh-gradient connect --products gateway,m365 --types billing --key-file mesh.key",
			"mesh-gradient connect --products unified --types billing,alerts --key-file - | vault kv put secret/mesh key=-",
		},
		flags: func(fs *flag.FlagSet, o *options) {
			fs.StringVar(&o.products, "products", "", "Mesh products, comma-separated: gateway, m365, unified")
			fs.StringVar(&o.types, "types", "billing", "integration types, comma-separated: billing, alerts")
			fs.StringVar(&o.keyFile, "key-file", "", "write the one-time key to `FILE` (created 0600; never overwritten), or - for stdout")
		},
		run: runConnect},
	{name: "rekey", summary: "issue a new API key (the old one stops working at once) and write it to a file",
		examples: []string{"mesh-gradient rekey --key-file mesh-new.key"},
		flags: func(fs *flag.FlagSet, o *options) {
			fs.StringVar(&o.keyFile, "key-file", "", "write the new key to `FILE` (created 0600; never overwritten), or - for stdout")
		},
		run: runRekey},
	{name: "wait-sync", summary: "wait until Mesh's first Gradient Sync has sent accounts and services",
		examples: []string{"mesh-gradient wait-sync --timeout 15m"},
		flags: func(fs *flag.FlagSet, o *options) {
			fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up after `D`")
		},
		run: runWaitSync},
	{name: "mappings export", args: "[FILE]", maxArgs: 1,
		summary: "write every account and service, its mapping, suggestion and confidence (CSV or JSON)",
		examples: []string{
			"mesh-gradient mappings export mappings.csv",
			"mesh-gradient mappings export --format json | jq '.[] | select(.mapped_id == \"\")'",
		},
		flags: func(fs *flag.FlagSet, o *options) {
			fs.StringVar(&o.format, "format", "", "csv or json (default: from FILE's extension, else csv)")
			fs.BoolVar(&o.force, "force", false, "replace FILE if it exists")
		},
		run: runMappingsExport},
	{name: "mappings import", args: "FILE", maxArgs: 1,
		summary: "map accounts and services from an (edited) export; checks every row first, writes nothing if any is wrong",
		examples: []string{
			"mesh-gradient mappings import --dry-run mappings.csv",
			"mesh-gradient mappings import mappings.csv",
			"cat mappings.json | mesh-gradient mappings import -",
		},
		flags: func(fs *flag.FlagSet, o *options) {
			fs.StringVar(&o.format, "format", "", "csv or json (default: from FILE's extension or content)")
			fs.BoolVar(&o.dryRun, "dry-run", false, "check and report the changes; write nothing")
			fs.BoolVar(&o.json, "json", false, "report as JSON")
		},
		run: runMappingsImport},
	{name: "mappings suggest", summary: "list (or with --apply, accept) the suggestions for unmapped accounts and services",
		examples: []string{
			"mesh-gradient mappings suggest",
			"mesh-gradient mappings suggest --min-confidence 0.9 --apply",
		},
		flags: func(fs *flag.FlagSet, o *options) {
			fs.Float64Var(&o.minConf, "min-confidence", 0.8, "accept suggestions at or above `X` (0 to 1)")
			fs.BoolVar(&o.apply, "apply", false, "write the accepted suggestions to Synthesize")
			fs.BoolVar(&o.json, "json", false, "report as JSON")
		},
		run: runMappingsSuggest},
	{name: "reconcile", summary: "compare Mesh usage with PSA quantities; --apply sets every differing quantity to the usage",
		examples: []string{
			"mesh-gradient reconcile --only-differences",
			"mesh-gradient reconcile --apply --json > reconciled.json",
		},
		flags: func(fs *flag.FlagSet, o *options) {
			fs.BoolVar(&o.json, "json", false, "print as JSON")
			fs.BoolVar(&o.apply, "apply", false, "set each differing PSA quantity to Mesh's usage")
			fs.BoolVar(&o.onlyDiffer, "only-differences", false, "list only the rows whose quantity differs")
		},
		run: runReconcile},
	{name: "status", summary: "connection, last sync and counts; exit 0 connected, 3 not",
		examples: []string{"mesh-gradient status", "mesh-gradient status --json | jq .last_sync_at"},
		flags: func(fs *flag.FlagSet, o *options) {
			fs.BoolVar(&o.json, "json", false, "print the status as JSON (see README)")
		},
		run: runStatus},
	{name: "disconnect", summary: "disconnect Mesh in Synthesize and wipe its local state (asks first)",
		examples: []string{"mesh-gradient disconnect", "mesh-gradient disconnect --yes"},
		flags: func(fs *flag.FlagSet, o *options) {
			fs.BoolVar(&o.yes, "yes", false, "disconnect without asking (needed without a terminal)")
		},
		run: runDisconnect},
	{name: "sandbox", summary: "run the Synthesize and Mesh portal emulators until interrupted",
		examples: []string{"mesh-gradient sandbox --listen 127.0.0.1:0 > sandbox.env &   # then: set -a; . ./sandbox.env; set +a",
			"mesh-gradient sandbox --scenario rehearsal.json"},
		flags: func(fs *flag.FlagSet, o *options) {
			fs.StringVar(&o.listen, "listen", "127.0.0.1:8725", "Synthesize emulator `ADDR`; the Mesh portal takes the next port (:0 picks free ports)")
		},
		run: func(o options, _ []string, sc *meshemu.Scenario, std streams) int {
			return runSandbox(o, sc, std.out, std.errOut)
		}},
}

// findCommand matches the longest command name at the start of args.
func findCommand(args []string) (*command, []string) {
	for i := range commands {
		words := strings.Fields(commands[i].name)
		if len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			return &commands[i], args[len(words):]
		}
	}
	return nil, args
}

func newFlagSet(c *command, o *options, stderr io.Writer) *flag.FlagSet {
	name := "mesh-gradient"
	if c != nil {
		name += " " + c.name
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.state, "state", "", "state `FILE` (default $XDG_STATE_HOME/mesh-gradient/state.db)")
	fs.BoolVar(&o.sandbox, "sandbox", false, "use the embedded sandbox even when GRADIENT_URL is set")
	fs.StringVar(&o.scenario, "scenario", "", "seed the sandbox from this scenario `FILE` (JSON, see README)")
	fs.StringVar(&o.debug, "debug", "", "write a debug log to `FILE` (no secrets)")
	if c == nil {
		fs.BoolVar(&o.noBrowser, "no-browser", false, "never open a browser; print the portal URL")
		fs.BoolVar(&o.version, "version", false, "print the version and exit")
		fs.BoolVar(&o.keepClip, "keep-clipboard", false, "do not clear a copied key from the clipboard after 45 seconds")
		fs.BoolVar(&o.accessible, "accessible", false, "plain numbered prompts, line by line (also ACCESSIBLE=1 or TERM=dumb); works with piped answers")
	} else {
		c.flags(fs, o)
	}
	fs.Usage = func() { usage(fs, c) }
	return fs
}

// usage prints the program's or one command's help, with examples.
func usage(fs *flag.FlagSet, c *command) {
	w := fs.Output()
	if c == nil {
		fmt.Fprint(w, about)
		for _, c := range commands {
			fmt.Fprintf(w, "  %-22s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
		}
		fmt.Fprint(w, environment)
		fmt.Fprint(w, "\nFlags of the wizard:\n")
		fs.PrintDefaults()
		return
	}
	fmt.Fprintf(w, "mesh-gradient %s: %s\n\nUsage:\n  %s\n\nExamples:\n", c.name, c.summary, strings.TrimSpace("mesh-gradient "+c.name+" [flags] "+c.args))
	for _, e := range c.examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
	fmt.Fprint(w, "\nFlags:\n")
	fs.PrintDefaults()
	fmt.Fprint(w, environment)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, args := findCommand(args)
	var o options
	fs := newFlagSet(c, &o, stderr)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if o.version {
		fmt.Fprintln(stdout, version())
		return exitOK
	}
	maxArgs := 0
	if c != nil {
		maxArgs = c.maxArgs
	}
	if len(positional) > maxArgs {
		if c == nil && positional[0] == "mappings" {
			fmt.Fprintln(stderr, "mesh-gradient: mappings needs export, import or suggest (try mesh-gradient mappings export --help)")
		} else {
			fmt.Fprintf(stderr, "mesh-gradient: unexpected %q (try --help)\n", positional[maxArgs])
		}
		return exitUsage
	}
	scenario, err := loadScenario(o.scenario)
	if err != nil {
		fmt.Fprintln(stderr, "mesh-gradient:", err)
		return exitUsage
	}
	if c == nil {
		if o.accessible || os.Getenv("ACCESSIBLE") != "" || os.Getenv("TERM") == "dumb" {
			return runAccessible(o, scenario, stdin, stdout, stderr)
		}
		return runWizard(o, scenario, stderr)
	}
	return c.run(o, positional, scenario, streams{in: stdin, out: stdout, errOut: stderr})
}

// parseInterspersed lets flags come after arguments ("export FILE
// --force"), as people type them; "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// version reads the module version and VCS stamp from the build.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "mesh-gradient (unknown build)"
	}
	v := "mesh-gradient " + info.Main.Version
	var rev, at, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(12, len(s.Value))]
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	if rev != "" {
		v += fmt.Sprintf(" (%s %s%s)", rev, at, dirty)
	}
	return v + " " + info.GoVersion
}

func loadScenario(path string) (*meshemu.Scenario, error) {
	if path == "" {
		return meshemu.Demo(), nil
	}
	return meshemu.LoadScenario(path)
}

// runSandbox serves both emulators until interrupted, printing lines a
// shell can eval.
func runSandbox(o options, scenario *meshemu.Scenario, stdout, stderr io.Writer) int {
	sb, err := meshemu.StartSandbox(meshemu.SandboxOptions{Listen: o.listen, Scenario: scenario})
	if err != nil {
		fmt.Fprintln(stderr, "mesh-gradient:", err)
		return exitError
	}
	defer sb.Close()
	// Listen for Ctrl+C before printing: a script may signal as soon as it
	// has read the lines.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	fmt.Fprintf(stdout, "GRADIENT_URL=%s\nGRADIENT_TOKEN=%s\nGRADIENT_VENDOR_KEY=%s\nMESH_PORTAL_URL=%s\n",
		sb.GradientURL, sb.Emulator.PartnerToken(), sb.Emulator.VendorKey(), sb.PortalURL)
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}
	fmt.Fprintf(stderr, "sandbox: Synthesize emulator at %s, Mesh portal at %s; Ctrl+C stops it (its state is in memory only)\n",
		sb.GradientURL, sb.PortalURL)
	select {
	case <-sig:
		return exitOK
	case err := <-sb.Done():
		fmt.Fprintln(stderr, "mesh-gradient: sandbox stopped:", err)
		return exitError
	}
}

// runWizard opens the state, picks the real Synthesize or the embedded
// sandbox, and runs the full-screen wizard.
func runWizard(o options, scenario *meshemu.Scenario, stderr io.Writer) int {
	if !isTerminal() {
		fmt.Fprintln(stderr, "mesh-gradient: the wizard needs a terminal (stdin and stdout are not both one).\n"+
			"Without one, use:\n"+
			"  mesh-gradient --accessible        the same steps as line prompts; answers may be piped in\n"+
			"  mesh-gradient connect ...         and wait-sync, mappings, reconcile, status, disconnect: one step each, for scripts\n"+
			"See mesh-gradient --help.")
		return exitUsage
	}
	env, code := openEnv(o, scenario, stderr)
	if env == nil {
		return code
	}
	defer env.close()
	st, err := env.store.Load("mesh")
	if err != nil {
		fmt.Fprintln(stderr, "mesh-gradient:", err)
		return exitError
	}
	cfg := wizard.Config{Partner: env.partner, Store: env.store, Sandbox: env.sandbox != nil,
		PortalURL: env.portalURL, NoBrowser: o.noBrowser, Terminal: os.Stdout,
		BrowserRisk:    textBrowserRisk(runtime.GOOS, os.Getenv, exec.LookPath),
		ClipboardClear: map[bool]time.Duration{true: -1, false: 0}[o.keepClip],
		Notice:         strings.Join(env.store.Warnings(), ". ")}
	if cfg.Notice != "" {
		cfg.Notice += "."
	}
	if env.sandbox != nil {
		cfg.CycleUsage = env.sandbox.Scenario.CycleUsage
	}
	w := wizard.New(cfg, st)
	_, runErr := tea.NewProgram(w, tea.WithAltScreen()).Run()
	if err := w.Close(); err != nil {
		fmt.Fprintln(stderr, "mesh-gradient:", err)
		return exitError
	}
	if runErr != nil {
		fmt.Fprintln(stderr, "mesh-gradient:", runErr)
		return exitError
	}
	fmt.Fprintf(stderr, "mesh-gradient: stopped at %q; everything so far is saved in %s. Run it again to resume.\n", w.Step(), env.store.Path())
	return exitOK
}

// textBrowserRisk says why opening a browser might start a text browser
// in this terminal, or "". pkg/browser on Linux tries xdg-open, then
// x-www-browser, then www-browser, which is often lynx or w3m; and
// xdg-open itself runs $BROWSER when it is set.
func textBrowserRisk(goos string, getenv func(string) string, lookPath func(string) (string, error)) string {
	if b := strings.Fields(getenv("BROWSER")); len(b) > 0 {
		switch filepath.Base(b[0]) {
		case "lynx", "w3m", "links", "links2", "elinks", "browsh", "www-browser", "carbonyl":
			return "BROWSER is " + filepath.Base(b[0]) + ", a text browser, which would take over this terminal"
		}
	}
	if goos != "linux" {
		return ""
	}
	for _, opener := range []string{"xdg-open", "x-www-browser"} {
		if _, err := lookPath(opener); err == nil {
			return ""
		}
	}
	return "no xdg-open or x-www-browser here, and the fallback may be a text browser"
}

// runAccessible runs the wizard as numbered line prompts: no terminal
// needed, so answers may be piped in.
func runAccessible(o options, scenario *meshemu.Scenario, stdin io.Reader, stdout, stderr io.Writer) int {
	env, code := openEnv(o, scenario, stderr)
	if env == nil {
		return code
	}
	defer env.close()
	cfg := wizard.Config{Partner: env.partner, Store: env.store, Sandbox: env.sandbox != nil,
		PortalURL: env.portalURL, NoBrowser: o.noBrowser, Notice: strings.Join(env.store.Warnings(), ". ")}
	if env.sandbox != nil {
		cfg.CycleUsage = env.sandbox.Scenario.CycleUsage
		fmt.Fprintln(stdout, "SANDBOX: an emulated Synthesize and Mesh portal on this machine; nothing real is changed.")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := wizard.NewAccessible(cfg, stdin, stdout).Run(ctx); err != nil {
		return failed(stderr, "", err)
	}
	return exitOK
}

// env is what every command but sandbox needs: the state file and a
// Synthesize to talk to.
type env struct {
	store     *store.Store
	partner   *gradient.PartnerClient
	sandbox   *meshemu.Sandbox
	portalURL string
	logFile   *os.File
}

func (e *env) close() {
	if e.sandbox != nil {
		e.sandbox.Close()
	}
	e.store.Close()
	if e.logFile != nil {
		e.logFile.Close()
	}
}

func openEnv(o options, scenario *meshemu.Scenario, stderr io.Writer) (*env, int) {
	path := o.state
	if path == "" {
		var err error
		if path, err = store.DefaultPath(); err != nil {
			fmt.Fprintln(stderr, "mesh-gradient:", err)
			return nil, exitUsage
		}
	}
	st, err := store.Open(path)
	if err != nil {
		fmt.Fprintln(stderr, "mesh-gradient:", err)
		return nil, exitError
	}
	e := &env{store: st}
	for _, w := range st.Warnings() {
		fmt.Fprintln(stderr, "mesh-gradient: warning:", w)
	}
	gopts := gradient.Options{}
	if o.debug != "" {
		f, err := os.OpenFile(o.debug, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			st.Close()
			fmt.Fprintln(stderr, "mesh-gradient: --debug:", err)
			return nil, exitUsage
		}
		e.logFile = f
		gopts.Logger = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	gradientURL, token := os.Getenv("GRADIENT_URL"), os.Getenv("GRADIENT_TOKEN")
	e.portalURL = os.Getenv("MESH_PORTAL_URL")
	if o.sandbox || gradientURL == "" || token == "" {
		// The sandbox keeps its emulated Synthesize beside the state file,
		// so quitting and resuming finds the same integration.
		sb, err := meshemu.StartSandbox(meshemu.SandboxOptions{Scenario: scenario,
			StateFile: filepath.Join(filepath.Dir(path), "sandbox-synthesize.json")})
		if err != nil {
			st.Close()
			fmt.Fprintln(stderr, "mesh-gradient:", err)
			return nil, exitError
		}
		e.sandbox = sb
		gradientURL, token, e.portalURL = sb.GradientURL, sb.Emulator.PartnerToken(), sb.PortalURL
	}
	if e.partner, err = gradient.NewPartnerClient(gradientURL, token, gopts); err != nil {
		e.close()
		fmt.Fprintln(stderr, "mesh-gradient: GRADIENT_URL:", err)
		return nil, exitUsage
	}
	return e, exitOK
}

func isTerminal() bool { return term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd()) }

// runStatus prints the home screen's facts.
func runStatus(o options, _ []string, scenario *meshemu.Scenario, std streams) int {
	stdout, stderr := std.out, std.errOut
	env, code := openEnv(o, scenario, stderr)
	if env == nil {
		return code
	}
	defer env.close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := wizard.CollectStatus(ctx, env.partner, env.store)
	st.Sandbox = env.sandbox != nil
	if err != nil {
		return failed(stderr, "status", err)
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(st)
	} else {
		printStatus(stdout, st)
	}
	if !st.Connected {
		return exitNotConnected
	}
	return exitOK
}

func printStatus(w io.Writer, st wizard.Status) {
	where := "Synthesize"
	if st.Sandbox {
		where = "Synthesize (SANDBOX)"
	}
	if !st.Connected {
		fmt.Fprintf(w, "Mesh is not connected in %s.\nState: %s (step %q)\nRun mesh-gradient to connect it.\n", where, st.Local.StateFile, st.Local.Step)
		return
	}
	stamp := func(t *time.Time) string {
		if t == nil {
			return "never"
		}
		return t.Local().Format("2006-01-02 15:04")
	}
	fmt.Fprintf(w, "Mesh is connected in %s, vendor status %s\n", where, ui.Sanitize(st.Status))
	fmt.Fprintf(w, "Products:  %s\nTypes:     %s\nKey:       …%s\n", ui.Sanitize(strings.Join(st.Products, ", ")), ui.Sanitize(strings.Join(st.Types, ", ")), ui.Sanitize(st.KeyHint))
	fmt.Fprintf(w, "Connected: %s\nLast sync: %s\n", stamp(st.ConnectedAt), stamp(st.LastSyncAt))
	fmt.Fprintf(w, "Accounts:  %d (%d mapped, %d do not bill, %d unmapped)\n", st.Counts.Accounts, st.MappedAccounts, st.IgnoredAccounts, st.UnmappedAccounts)
	fmt.Fprintf(w, "Services:  %d (%d mapped, %d without a product)\n", st.Counts.Services, st.MappedServices, st.UnmappedServices)
	fmt.Fprintf(w, "Usage:     %d rows · Alerts: %d\nState:     %s\n", st.Counts.Usage, st.Counts.Alerts, st.Local.StateFile)
}

// runDisconnect disconnects after a confirmation, or at once with --yes;
// without a terminal and without --yes it refuses.
func runDisconnect(o options, _ []string, scenario *meshemu.Scenario, std streams) int {
	stdout, stderr := std.out, std.errOut
	if !o.yes && !isTerminal() {
		fmt.Fprintln(stderr, "mesh-gradient: disconnect: --yes is required when not running interactively (it removes the key and every mapping).")
		return exitUsage
	}
	env, code := openEnv(o, scenario, stderr)
	if env == nil {
		return code
	}
	defer env.close()
	if !o.yes {
		answer, err := tea.NewProgram(ui.NewConfirmProgram("Disconnect Mesh from Synthesize?", wizard.DisconnectWarning, "disconnect")).Run()
		if err != nil {
			fmt.Fprintln(stderr, "mesh-gradient:", err)
			return exitError
		}
		if !ui.Confirmed(answer) {
			fmt.Fprintln(stdout, "Not disconnected: nothing changed.")
			return exitOK
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := wizard.Disconnect(ctx, env.partner, env.store); err != nil {
		return failed(stderr, "disconnect", err)
	}
	fmt.Fprintln(stdout, "Disconnected: Synthesize revoked the key and deleted every mapping and Mesh account; local state for Mesh is wiped.")
	return exitOK
}

// ---- scripted steps ----

// openScript opens what a scripted step needs.
func openScript(o options, scenario *meshemu.Scenario, stderr io.Writer) (*env, wizard.Script, int) {
	e, code := openEnv(o, scenario, stderr)
	if e == nil {
		return nil, wizard.Script{}, code
	}
	sc := wizard.Script{Partner: e.partner, Store: e.store, Progress: stderr}
	if e.sandbox != nil {
		sc.CycleUsage = e.sandbox.Scenario.CycleUsage
	}
	return e, sc, exitOK
}

// failed prints err and answers its exit status.
func failed(stderr io.Writer, what string, err error) int {
	// Messages may quote Synthesize: sanitized line by line, keeping the
	// line breaks of a list of problems.
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = ui.Sanitize(l)
	}
	fmt.Fprintf(stderr, "%s: %s\n", strings.TrimSpace("mesh-gradient "+what), strings.Join(lines, "\n"))
	switch {
	case wizard.IsInputError(err):
		return exitUsage
	case errors.Is(err, wizard.ErrNotConnected):
		return exitNotConnected
	}
	return exitError
}

func commaList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.ToLower(strings.TrimSpace(f)); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func scriptContext(d time.Duration) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, func() { cancel(); stop() }
}

// keyDestination opens where --key-file says the key goes: the file is
// made (0600, never replacing one) before Synthesize is asked, so a bad
// path cannot cost the one chance to see the key.
type keyDestination struct {
	path string
	out  io.Writer
	file *os.File
}

func openKeyDestination(path string, stdout io.Writer) (*keyDestination, error) {
	if path == "" {
		return nil, &wizard.InputError{Problems: []string{"--key-file is required: the key is shown only once (give a FILE, or - for stdout)"}}
	}
	if path == "-" {
		return &keyDestination{path: path, out: stdout}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			err = fmt.Errorf("%s exists; not replacing it (it may hold a key): choose another file", path)
		}
		return nil, &wizard.InputError{Problems: []string{err.Error()}}
	}
	return &keyDestination{path: path, out: f, file: f}, nil
}

// abandon removes the file made for a key that never came.
func (k *keyDestination) abandon() {
	if k.file != nil {
		k.file.Close()
		os.Remove(k.path)
	}
}

func (k *keyDestination) write(key string) error {
	_, err := fmt.Fprintln(k.out, key)
	if k.file != nil {
		err = errors.Join(err, k.file.Sync(), k.file.Close())
	}
	return err
}

func (k *keyDestination) String() string {
	if k.file == nil {
		return "stdout"
	}
	return k.path + " (mode 0600)"
}

// runConnect connects and puts the key where --key-file says, never in
// two places.
func runConnect(o options, _ []string, scenario *meshemu.Scenario, std streams) int {
	products, types := commaList(o.products), commaList(o.types)
	if err := wizard.CheckConnectChoice(products, types); err != nil {
		return failed(std.errOut, "connect", err)
	}
	return withNewKey(o, scenario, std, "connect", func(ctx context.Context, sc wizard.Script) (string, error) {
		return sc.Connect(ctx, products, types)
	}, func(e *env, dest *keyDestination) {
		fmt.Fprintf(std.errOut, "Connected Mesh (%s; %s). The one-time key went to %s; Synthesize will not show it again.\n"+
			"Next: in the Mesh portal (%s), Settings → Gradient: paste the key, Submit, then Gradient Sync.\n"+
			"Then run: mesh-gradient wait-sync\n", strings.Join(products, ", "), strings.Join(types, ", "), dest, portalHint(e))
	})
}

func runRekey(o options, _ []string, scenario *meshemu.Scenario, std streams) int {
	rekey := func(ctx context.Context, sc wizard.Script) (string, error) { return sc.Rekey(ctx) }
	return withNewKey(o, scenario, std, "rekey", rekey, func(e *env, dest *keyDestination) {
		fmt.Fprintf(std.errOut, "Issued a new key; the old one stopped working. It went to %s.\n"+
			"Next: in the Mesh portal (%s), Settings → Gradient: paste it and Submit.\n", dest, portalHint(e))
	})
}

// withNewKey opens the key's destination, has issue ask Synthesize for a
// key, writes it there, and tells done.
func withNewKey(o options, scenario *meshemu.Scenario, std streams, what string,
	issue func(context.Context, wizard.Script) (string, error), done func(*env, *keyDestination)) int {
	dest, err := openKeyDestination(o.keyFile, std.out)
	if err != nil {
		return failed(std.errOut, what, err)
	}
	env, sc, code := openScript(o, scenario, std.errOut)
	if env == nil {
		dest.abandon()
		return code
	}
	defer env.close()
	ctx, cancel := scriptContext(2 * time.Minute)
	defer cancel()
	key, err := issue(ctx, sc)
	if key == "" {
		dest.abandon()
		return failed(std.errOut, what, err)
	}
	if werr := dest.write(key); werr != nil {
		fmt.Fprintf(std.errOut, "mesh-gradient %s: a key was issued, but writing it to %s failed (%v); run mesh-gradient rekey for a new one\n", what, dest.path, werr)
		return exitError
	}
	if err != nil {
		fmt.Fprintf(std.errOut, "mesh-gradient %s: %v\n", what, err)
	}
	done(env, dest)
	return exitOK
}

func portalHint(e *env) string {
	if e.portalURL != "" {
		return strings.TrimRight(e.portalURL, "/") + mesh.GradientPagePath("us")
	}
	urls := make([]string, len(mesh.Portals))
	for i, p := range mesh.Portals {
		urls[i] = p.URL
	}
	return strings.Join(urls, " or ")
}

func runWaitSync(o options, _ []string, scenario *meshemu.Scenario, std streams) int {
	env, sc, code := openScript(o, scenario, std.errOut)
	if env == nil {
		return code
	}
	defer env.close()
	ctx, cancel := scriptContext(o.timeout)
	defer cancel()
	if err := sc.WaitSync(ctx); err != nil {
		return failed(std.errOut, "wait-sync", err)
	}
	return exitOK
}

func runMappingsExport(o options, args []string, scenario *meshemu.Scenario, std streams) int {
	format, err := formatFor(o.format, args)
	if err != nil {
		return failed(std.errOut, "mappings export", err)
	}
	env, sc, code := openScript(o, scenario, std.errOut)
	if env == nil {
		return code
	}
	defer env.close()
	ctx, cancel := scriptContext(5 * time.Minute)
	defer cancel()
	rows, err := sc.ExportMappings(ctx)
	if err != nil {
		return failed(std.errOut, "mappings export", err)
	}
	if len(args) == 0 || args[0] == "-" {
		if err := wizard.WriteMappings(std.out, rows, format); err != nil {
			return failed(std.errOut, "mappings export", err)
		}
		return exitOK
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if o.force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(args[0], flags, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return failed(std.errOut, "mappings export", &wizard.InputError{Problems: []string{args[0] + " exists; add --force to replace it"}})
	}
	if err != nil {
		return failed(std.errOut, "mappings export", err)
	}
	if err := errors.Join(wizard.WriteMappings(f, rows, format), f.Close()); err != nil {
		return failed(std.errOut, "mappings export", err)
	}
	fmt.Fprintf(std.errOut, "Wrote %d rows to %s.\n", len(rows), args[0])
	return exitOK
}

// formatFor picks csv or json from the flag, else the file's extension.
func formatFor(flagValue string, args []string) (string, error) {
	switch f := strings.ToLower(flagValue); {
	case f == "csv" || f == "json":
		return f, nil
	case f != "":
		return "", &wizard.InputError{Problems: []string{fmt.Sprintf("--format %q: want csv or json", flagValue)}}
	case len(args) > 0 && strings.EqualFold(filepath.Ext(args[0]), ".json"):
		return "json", nil
	case len(args) > 0 && strings.EqualFold(filepath.Ext(args[0]), ".csv"):
		return "csv", nil
	}
	return "", nil
}

func runMappingsImport(o options, args []string, scenario *meshemu.Scenario, std streams) int {
	if len(args) != 1 {
		return failed(std.errOut, "mappings import", &wizard.InputError{Problems: []string{"give the FILE to import (- for stdin)"}})
	}
	format, err := formatFor(o.format, args)
	if err != nil {
		return failed(std.errOut, "mappings import", err)
	}
	var in io.Reader = std.in
	if args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			return failed(std.errOut, "mappings import", &wizard.InputError{Problems: []string{err.Error()}})
		}
		defer f.Close()
		in = f
	}
	rows, err := wizard.ReadMappings(in, format)
	if err != nil {
		return failed(std.errOut, "mappings import", fmt.Errorf("%s: nothing was written: %w", args[0], err))
	}
	env, sc, code := openScript(o, scenario, std.errOut)
	if env == nil {
		return code
	}
	defer env.close()
	ctx, cancel := scriptContext(5 * time.Minute)
	defer cancel()
	w, err := sc.ImportMappings(ctx, rows, o.dryRun)
	if err != nil {
		if wizard.IsInputError(err) {
			err = fmt.Errorf("%s: nothing was written: %w", args[0], err)
		}
		return failed(std.errOut, "mappings import", err)
	}
	report(std, o.json, w, o.dryRun)
	return exitOK
}

// report says what a mapping write did.
func report(std streams, asJSON bool, w wizard.Written, dryRun bool) {
	if asJSON {
		_ = json.NewEncoder(std.out).Encode(map[string]any{"added": w.Added, "changed": w.Changed, "removed": w.Removed, "written": w.Wrote})
		return
	}
	switch {
	case w == (wizard.Written{}):
		fmt.Fprintln(std.out, "Nothing to change: Synthesize already holds these mappings.")
	case dryRun:
		fmt.Fprintf(std.out, "Dry run: would write %s. Nothing was written.\n", w)
	default:
		fmt.Fprintf(std.out, "Wrote to Synthesize: %s.\n", w)
	}
}

func runMappingsSuggest(o options, _ []string, scenario *meshemu.Scenario, std streams) int {
	env, sc, code := openScript(o, scenario, std.errOut)
	if env == nil {
		return code
	}
	defer env.close()
	ctx, cancel := scriptContext(5 * time.Minute)
	defer cancel()
	sugg, w, err := sc.Suggest(ctx, o.minConf, o.apply)
	if err != nil {
		return failed(std.errOut, "mappings suggest", err)
	}
	if o.json {
		if sugg == nil {
			sugg = []wizard.Suggestion{}
		}
		_ = json.NewEncoder(std.out).Encode(map[string]any{"suggestions": sugg, "added": w.Added, "written": w.Wrote})
		return exitOK
	}
	tw := tabwriter.NewWriter(std.out, 0, 4, 2, ' ', 0)
	for _, s := range sugg {
		fmt.Fprintf(tw, "%s\t%s\t→ %s\t%d%%\n", s.Kind, ui.Sanitize(s.MeshName), ui.Sanitize(s.TargetName), int(s.Confidence*100+0.5))
	}
	tw.Flush()
	switch {
	case len(sugg) == 0:
		fmt.Fprintf(std.out, "No unmapped account or service has a suggestion at or above %d%%.\n", int(o.minConf*100+0.5))
	case o.apply:
		fmt.Fprintf(std.out, "Accepted %d suggestions at or above %d%%; wrote to Synthesize: %s.\n", len(sugg), int(o.minConf*100+0.5), w)
	default:
		fmt.Fprintf(std.out, "%d suggestions at or above %d%%. Nothing was written: add --apply to accept them.\n", len(sugg), int(o.minConf*100+0.5))
	}
	return exitOK
}

func runReconcile(o options, _ []string, scenario *meshemu.Scenario, std streams) int {
	env, sc, code := openScript(o, scenario, std.errOut)
	if env == nil {
		return code
	}
	defer env.close()
	ctx, cancel := scriptContext(5 * time.Minute)
	defer cancel()
	r, err := sc.Reconcile(ctx, o.apply)
	if err != nil {
		return failed(std.errOut, "reconcile", err)
	}
	lines := r.Lines[:0:0]
	for _, l := range r.Lines {
		if !o.onlyDiffer || l.Difference != 0 {
			lines = append(lines, l)
		}
	}
	if o.json {
		r.Lines = lines
		if r.Lines == nil {
			r.Lines = []wizard.BillingLine{}
		}
		enc := json.NewEncoder(std.out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(r)
		return exitOK
	}
	tw := tabwriter.NewWriter(std.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Company\tMesh account\tService → product\t Usage\t   PSA\t  Diff")
	for _, l := range lines {
		fmt.Fprintf(tw, "%s\t%s\t%s → %s\t%6s\t%6s\t%6s\n", ui.Sanitize(l.Company), ui.Sanitize(l.Account), ui.Sanitize(l.Service),
			ui.Sanitize(l.Product), num(l.Usage), num(l.BilledQuantity), signed(l.Difference))
	}
	tw.Flush()
	switch {
	case r.Differ == 0:
		fmt.Fprintln(std.out, "Every PSA quantity matches Mesh's usage.")
	case o.apply:
		fmt.Fprintf(std.out, "Set %d PSA quantities to Mesh's usage (%s units, $%.2f a month).\n", r.Applied, signed(r.Units), r.Money)
	default:
		fmt.Fprintf(std.out, "%d PSA quantities differ from Mesh's usage (%s units, $%.2f a month). Nothing was changed: add --apply to set them.\n",
			r.Differ, signed(r.Units), r.Money)
	}
	fmt.Fprintln(std.errOut, mesh.DiscrepancyNote)
	return exitOK
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func signed(f float64) string {
	if f > 0 {
		return "+" + num(f)
	}
	return num(f)
}
