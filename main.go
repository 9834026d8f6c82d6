// Command mesh-gradient connects Mesh email security's billing to Gradient
// MSP's Synthesize from a terminal, and keeps that connection healthy.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/meshgradient/mesh-gradient/mesh/meshtest"
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
  mesh-gradient sandbox [--listen ADDR] [--scenario FILE]
                                             run the Synthesize and Mesh portal emulators

Environment: GRADIENT_URL and GRADIENT_TOKEN together select a real Synthesize
(or a sandbox started elsewhere); without them the wizard runs its own sandbox.
MESH_PORTAL_URL overrides the Mesh portal address. NO_COLOR is honoured.

Flags:
`

// options are the flags every command takes.
type options struct {
	state      string
	sandbox    bool
	scenario   string
	noBrowser  bool
	accessible bool
	debug      string
	listen     string
}

func newFlagSet(name string, o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.state, "state", "", "state file (default $XDG_STATE_HOME/mesh-gradient/state.db)")
	fs.BoolVar(&o.sandbox, "sandbox", false, "use the embedded sandbox even when GRADIENT_URL is set")
	fs.StringVar(&o.scenario, "scenario", "", "seed the sandbox from this scenario `FILE` (JSON, see README)")
	fs.BoolVar(&o.noBrowser, "no-browser", false, "never open a browser; print the portal URL")
	fs.BoolVar(&o.accessible, "accessible", false, "plain prompts instead of the full-screen interface")
	fs.StringVar(&o.debug, "debug", "", "write a debug log to `FILE` (no secrets)")
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
	if len(args) > 0 && (args[0] == "sandbox") {
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
	fmt.Fprintf(stdout, "GRADIENT_URL=%s\nGRADIENT_TOKEN=%s\nGRADIENT_VENDOR_KEY=%s\nMESH_PORTAL_URL=%s\n",
		sb.GradientURL, sb.Emulator.PartnerToken(), sb.Emulator.VendorKey(), sb.PortalURL)
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}
	fmt.Fprintf(stderr, "sandbox: Synthesize emulator at %s, Mesh portal at %s; Ctrl+C stops it (its state is in memory only)\n",
		sb.GradientURL, sb.PortalURL)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-sig:
		return exitOK
	case err := <-sb.Done():
		fmt.Fprintln(stderr, "mesh-gradient: sandbox stopped:", err)
		return exitError
	}
}

func runWizard(o options, scenario *meshtest.Scenario, stderr io.Writer) int {
	gradientURL, token := os.Getenv("GRADIENT_URL"), os.Getenv("GRADIENT_TOKEN")
	portalURL := os.Getenv("MESH_PORTAL_URL")
	sandbox := o.sandbox || gradientURL == "" || token == ""
	if sandbox {
		sb, err := meshtest.StartSandbox(meshtest.SandboxOptions{Scenario: scenario})
		if err != nil {
			fmt.Fprintln(stderr, "mesh-gradient:", err)
			return exitError
		}
		defer sb.Close()
		gradientURL, portalURL = sb.GradientURL, sb.PortalURL
	}
	p := tea.NewProgram(wizard.New(wizard.Config{GradientURL: gradientURL, PortalURL: portalURL, Sandbox: sandbox}), tea.WithAltScreen())
	if _, err := p.Run(); err != nil {
		fmt.Fprintln(stderr, "mesh-gradient:", err)
		return exitError
	}
	return exitOK
}
