// Command mesh-gradient connects Mesh email security's billing to Gradient
// MSP's Synthesize from a terminal, and keeps that connection healthy.
//
// This file is the composition root: it reads the process's streams and
// environment once, builds the command tree (wizard/cli), starts the
// interactive faces (wizard, wizard/accessible) on what the tree opened,
// and turns the outcome into an exit status.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"

	"github.com/meshgradient/mesh-gradient/wizard"
	"github.com/meshgradient/mesh-gradient/wizard/accessible"
	"github.com/meshgradient/mesh-gradient/wizard/cli"
)

func main() {
	streams := cli.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		Terminal: term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stdout.Fd()), OutTerminal: term.IsTerminal(os.Stdout.Fd())}
	getenv := environment()
	os.Exit(run(os.Args[1:], streams, getenv))
}

// environment reads the environment once, then removes our secrets from
// the process's own, so that nothing this program starts (the browser,
// for one) inherits a token or a key.
func environment() func(string) string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	for _, k := range cli.SecretEnv {
		_ = os.Unsetenv(k)
	}
	return func(k string) string { return env[k] }
}

// run is the whole program with its streams and environment injected, so
// tests run it in process.
func run(args []string, streams cli.IOStreams, getenv func(string) string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := &cli.Factory{IO: streams, Getenv: getenv, Version: version()}
	f.Interactive = func(ctx context.Context, env *cli.Env, o cli.RootOptions) error {
		if o.Accessible {
			return runAccessible(ctx, f, env)
		}
		return runWizard(ctx, f, env, o)
	}
	root := cli.NewRoot(f)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	what := "mesh-gradient"
	if cmd != nil {
		what = cmd.CommandPath()
	}
	if err != nil && (ctx.Err() != nil || errors.Is(err, accessible.ErrInterrupted)) {
		// Ctrl+C (or SIGTERM) ended a command or the prompts: 130, as shells say.
		err = &cli.ExitError{Code: cli.ExitInterrupted, Message: err.Error()}
	}
	return cli.Report(streams.ErrOut, what, err)
}

// runWizard runs the full-screen wizard until the user quits.
func runWizard(ctx context.Context, f *cli.Factory, env *cli.Env, o cli.RootOptions) error {
	clear := time.Duration(0)
	if o.KeepClipboard {
		clear = -1
	}
	w := wizard.New(wizard.Config{Session: env.Session, Sandbox: env.Sandbox != nil, PortalURL: env.PortalURL,
		NoBrowser: o.NoBrowser, Terminal: f.IO.Out, Getenv: f.Getenv, ClipboardClear: clear, Notice: env.Notice,
		BrowserRisk: wizard.TextBrowserRisk(runtime.GOOS, f.Getenv, exec.LookPath)})
	// 120 frames a second, bubbletea's most: a key's answer waits for the
	// next frame, up to 16.7 ms at the default 60 and 8.3 ms at 120. Only
	// changed lines are written, so a still screen costs nothing more.
	_, err := tea.NewProgram(w, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(f.IO.In), tea.WithOutput(f.IO.Out),
		tea.WithFPS(120)).Run()
	if cerr := w.Close(); cerr != nil {
		return fmt.Errorf("stopped at %s; %w", w.Step().Title(), cerr)
	}
	if err != nil && ctx.Err() == nil {
		return err
	}
	again := "Run it again to resume."
	if next, same := w.NextStart(); !same {
		again = "Run it again: it opens " + next + "." // home, for a connected integration
	}
	fmt.Fprintln(f.IO.ErrOut, w.Wrap(fmt.Sprintf("mesh-gradient: stopped at %s; everything chosen so far is saved in %s. %s",
		w.Step().Title(), env.Session.StatePath(), again)))
	return nil
}

// runAccessible runs the wizard as numbered line prompts: no terminal
// needed, so answers may be piped in.
func runAccessible(ctx context.Context, f *cli.Factory, env *cli.Env) error {
	if env.Sandbox != nil {
		fmt.Fprintln(f.IO.Out, "SANDBOX: an emulated Synthesize and Mesh portal on this machine; nothing real is changed.")
	}
	portal := func(region string) string { return wizard.PortalURL(env.PortalURL, region) }
	err := accessible.New(env.Session, portal, env.Notice, f.IO.In, f.IO.Out).Run(ctx)
	if errors.Is(err, accessible.ErrInterrupted) || errors.Is(err, accessible.ErrInputEnded) {
		// Say "saved" only of what the state file holds.
		if cerr := env.Session.Close(5 * time.Second); cerr != nil {
			return fmt.Errorf("%w; %w", err, cerr)
		}
		return fmt.Errorf("%w; everything so far is saved in %s: run it again to resume", err, env.Session.StatePath())
	}
	return err
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
