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
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh/meshtest"
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
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `mesh-gradient: connect Mesh email security billing to Gradient Synthesize.

Usage:
  mesh-gradient [flags]                      the wizard (onboarding, or home when connected)
  mesh-gradient status [--json]              connection, last sync, counts; exit 0 connected, 3 not
  mesh-gradient disconnect [--yes]           disconnect Mesh and wipe its local state (asks first)
  mesh-gradient sandbox [--listen ADDR] [--scenario FILE]
                                             run the Synthesize and Mesh portal emulators

Environment: GRADIENT_URL and GRADIENT_TOKEN together select a real Synthesize
(or a sandbox started elsewhere); without them the wizard runs its own sandbox.
MESH_PORTAL_URL overrides the Mesh portal address. NO_COLOR is honoured.

Flags:
`

// options are the flags every command takes.
type options struct {
	state     string
	sandbox   bool
	scenario  string
	noBrowser bool
	debug     string
	listen    string
	json      bool // status --json
	yes       bool // disconnect --yes
}

func newFlagSet(name string, o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.state, "state", "", "state file (default $XDG_STATE_HOME/mesh-gradient/state.db)")
	fs.BoolVar(&o.sandbox, "sandbox", false, "use the embedded sandbox even when GRADIENT_URL is set")
	fs.StringVar(&o.scenario, "scenario", "", "seed the sandbox from this scenario `FILE` (JSON, see README)")
	fs.BoolVar(&o.noBrowser, "no-browser", false, "never open a browser; print the portal URL")
	fs.StringVar(&o.debug, "debug", "", "write a debug log to `FILE` (no secrets)")
	switch name {
	case "status":
		fs.BoolVar(&o.json, "json", false, "print the status as JSON (see README)")
	case "disconnect":
		fs.BoolVar(&o.yes, "yes", false, "disconnect without asking (for scripts)")
	}
	if name == "sandbox" {
		fs.StringVar(&o.listen, "listen", "127.0.0.1:8725", "Synthesize emulator `ADDR`; the Mesh portal takes the next port (:0 picks free ports)")
	}
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 && (args[0] == "sandbox" || args[0] == "status" || args[0] == "disconnect") {
		cmd, args = args[0], args[1:]
	}
	var o options
	fs := newFlagSet(cmd, &o, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mesh-gradient: unknown command %q (try --help)\n", fs.Arg(0))
		return exitUsage
	}
	scenario, err := loadScenario(o.scenario)
	if err != nil {
		fmt.Fprintln(stderr, "mesh-gradient:", err)
		return exitUsage
	}
	switch cmd {
	case "sandbox":
		return runSandbox(o, scenario, stdout, stderr)
	case "status":
		return runStatus(o, scenario, stdout, stderr)
	case "disconnect":
		return runDisconnect(o, scenario, stdout, stderr)
	default:
		return runWizard(o, scenario, stderr)
	}
}

func loadScenario(path string) (*meshtest.Scenario, error) {
	if path == "" {
		return meshtest.Demo(), nil
	}
	return meshtest.LoadScenario(path)
}

// runSandbox serves both emulators until interrupted, printing lines a
// shell can eval.
func runSandbox(o options, scenario *meshtest.Scenario, stdout, stderr io.Writer) int {
	sb, err := meshtest.StartSandbox(meshtest.SandboxOptions{Listen: o.listen, Scenario: scenario})
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
func runWizard(o options, scenario *meshtest.Scenario, stderr io.Writer) int {
	if !isTerminal() {
		fmt.Fprintln(stderr, "mesh-gradient: the wizard needs a terminal (stdin and stdout are not both one). "+
			"Run it in a terminal, or see --help for the commands that work without one.")
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
		Notice: strings.Join(env.store.Warnings(), ". ")}
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

// env is what every command but sandbox needs: the state file and a
// Synthesize to talk to.
type env struct {
	store     *store.Store
	partner   *gradient.PartnerClient
	sandbox   *meshtest.Sandbox
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

func openEnv(o options, scenario *meshtest.Scenario, stderr io.Writer) (*env, int) {
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
		sb, err := meshtest.StartSandbox(meshtest.SandboxOptions{Scenario: scenario,
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
func runStatus(o options, scenario *meshtest.Scenario, stdout, stderr io.Writer) int {
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
		fmt.Fprintln(stderr, "mesh-gradient: status:", err)
		return exitError
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
func runDisconnect(o options, scenario *meshtest.Scenario, stdout, stderr io.Writer) int {
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
		fmt.Fprintln(stderr, "mesh-gradient:", err)
		return exitError
	}
	fmt.Fprintln(stdout, "Disconnected: Synthesize revoked the key and deleted every mapping and Mesh account; local state for Mesh is wiped.")
	return exitOK
}
