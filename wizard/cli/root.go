// Package cli is the scripted face of mesh-gradient: one cobra command
// per step of the wizard, for scripts and CI jobs, as gh builds its
// commands. Each command reads its flags, asks the core, and writes what
// happened for a person (stderr) or a program (stdout, --json). The
// interactive faces (the full-screen wizard and the accessible prompts)
// are started by the root command through Factory.Interactive.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/ui/text"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// IOStreams are a run's standard input and outputs.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// Terminal: stdin and stdout are both a terminal, so a person can
	// answer and see a full screen.
	Terminal bool
	// OutTerminal: stdout is a terminal, so data printed there (CSV, JSON,
	// tables) passes through text.TerminalWriter; a pipe or file gets it
	// exactly.
	OutTerminal bool
}

// Data is where a command prints its data: stdout, made safe for a
// terminal when it is one.
func (s IOStreams) Data() io.Writer {
	if s.OutTerminal {
		return text.NewTerminalWriter(s.Out)
	}
	return s.Out
}

// Factory is what every command needs: streams, the environment, and the
// interactive faces the root command starts.
type Factory struct {
	IO      IOStreams
	Getenv  func(string) string
	Version string
	// Interactive runs the wizard (or, with accessible, the line prompts)
	// on an opened environment.
	Interactive func(ctx context.Context, env *Env, o RootOptions) error
	// Keyring keeps a Mesh API key with consent; nil: the OS keyring.
	Keyring core.Keyring
}

// Globals are the flags of every command, before or after its name.
type Globals struct {
	State    string
	Sandbox  bool
	Scenario string
	Debug    string
}

// RootOptions are the wizard's own flags.
type RootOptions struct {
	NoBrowser, Accessible, KeepClipboard bool
}

const environment = `
Environment: GRADIENT_URL and GRADIENT_TOKEN together select a real Synthesize
(or a sandbox started elsewhere); without them every command runs its own
sandbox. MESH_PORTAL_URL overrides the Mesh portal address. MESH_API_KEY is a
Mesh API key: billing and reconcile then show Mesh's own numbers. NO_COLOR turns
colour off; ACCESSIBLE=1 or TERM=dumb selects plain prompts.

Exit status: 0 done, 1 error (for alerts --failed: an alert failed), 2 bad usage or input,
3 not connected, 130 interrupted (Ctrl+C).
`

// NewRoot is the command tree.
func NewRoot(f *Factory) *cobra.Command {
	g := &Globals{}
	var o RootOptions
	root := &cobra.Command{
		Use:   "mesh-gradient",
		Short: "connect Mesh email security billing to Gradient Synthesize",
		Long: "mesh-gradient connects Mesh email security billing to Gradient Synthesize.\n\n" +
			"Without a command it runs the wizard: onboarding, or home when connected.\n" +
			"Each command does one step without the wizard, for scripts.",
		Example:                    "  mesh-gradient\n  mesh-gradient --accessible\n  mesh-gradient status --json",
		Version:                    f.Version,
		Args:                       noArgs,
		SuggestionsMinimumDistance: 2,
		SilenceErrors:              true,
		SilenceUsage:               true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			accessible := o.Accessible || f.Getenv("ACCESSIBLE") != "" || f.Getenv("TERM") == "dumb"
			o.Accessible = accessible
			if !accessible && !f.IO.Terminal {
				return usage("the wizard needs a terminal (stdin and stdout are not both one).\n" +
					"Without one, use:\n" +
					"  mesh-gradient --accessible        the same steps as line prompts; answers may be piped in\n" +
					"  mesh-gradient connect ...         and wait-sync, mappings, reconcile, status, disconnect: one step each, for scripts\n" +
					"See mesh-gradient --help.")
			}
			return withEnv(f, g, cmd, func(ctx context.Context, env *Env) error { return f.Interactive(ctx, env, o) })
		},
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetUsageTemplate(root.UsageTemplate() + environment)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetIn(f.IO.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage(err.Error() + " (try --help)") })
	pf := root.PersistentFlags()
	pf.StringVar(&g.State, "state", "", "state `FILE` (default $XDG_STATE_HOME/mesh-gradient/state.db)")
	pf.BoolVar(&g.Sandbox, "sandbox", false, "use the embedded sandbox even when GRADIENT_URL is set")
	pf.StringVar(&g.Scenario, "scenario", "", "seed the sandbox from this scenario `FILE` (JSON, see README)")
	pf.StringVar(&g.Debug, "debug", "", "write a debug log of every API call to `FILE` (no secrets)")
	lf := root.Flags()
	lf.BoolVar(&o.NoBrowser, "no-browser", false, "never open a browser; print the portal URL")
	lf.BoolVar(&o.KeepClipboard, "keep-clipboard", false, "do not clear a copied key from the clipboard after 45 seconds")
	lf.BoolVar(&o.Accessible, "accessible", false, "plain numbered prompts, line by line (also ACCESSIBLE=1 or TERM=dumb); works with piped answers")
	root.AddCommand(newConnectCmd(f, g), newRekeyCmd(f, g), newWaitSyncCmd(f, g), newMappingsCmd(f, g),
		newReconcileCmd(f, g), newStatusCmd(f, g), newDisconnectCmd(f, g), newSandboxCmd(f, g),
		newSyncCmd(f, g), newMeshKeyCmd(f, g))
	root.AddCommand(newAlertsCmd(f, g), newConfigureCmd(f, g))
	return root
}

// ExitError ends a run with a status and, when Message is set, says why.
type ExitError struct {
	Code    int
	Message string
}

func (e *ExitError) Error() string { return e.Message }

// Exit statuses.
const (
	ExitOK           = 0
	ExitFailed       = 1
	ExitUsage        = 2
	ExitNotConnected = 3
	ExitInterrupted  = 130 // as shells report a SIGINT
)

func usage(msg string) error { return &ExitError{Code: ExitUsage, Message: msg} }

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		// A mistyped command names the commands it resembles, as git does.
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			return usage(fmt.Sprintf("unknown command %q; did you mean %s? (try %s --help)", args[0], strings.Join(s, " or "), cmd.CommandPath()))
		}
		return usage(fmt.Sprintf("unexpected %q (try %s --help)", args[0], cmd.CommandPath()))
	}
	return nil
}

func oneArg(missing string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usage(missing)
		}
		return maxArgs(1)(cmd, args)
	}
}

func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usage(fmt.Sprintf("unexpected %q (try %s --help)", args[n], cmd.CommandPath()))
		}
		return nil
	}
}

// Report prints err for a person and answers the exit status: bad input
// 2, not connected 3, anything else 1. Messages may quote
// Synthesize: they are sanitized line by line, keeping the line breaks of
// a list of problems.
func Report(w io.Writer, what string, err error) int {
	if err == nil {
		return ExitOK
	}
	code := ExitFailed
	var ee *ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.Code
	case core.IsInputError(err):
		code = ExitUsage
	case errors.Is(err, core.ErrNotConnected):
		code = ExitNotConnected
	}
	if msg := err.Error(); msg != "" {
		lines := strings.Split(msg, "\n")
		for i, l := range lines {
			lines[i] = text.Sanitize(l)
		}
		fmt.Fprintf(w, "%s: %s\n", what, strings.Join(lines, "\n"))
	}
	if check := core.Explain(err).Check; check != "" && code == ExitFailed {
		fmt.Fprintf(w, "%s: %s\n", what, check)
	}
	return code
}
