package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/gradient"
	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
	"github.com/meshgradient/mesh-gradient/store"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// Env is what every command but sandbox works on: the state file, a
// Synthesize (real, or the embedded sandbox) and the core's session.
type Env struct {
	Session   *core.Session
	Store     *store.Store
	Sandbox   *meshemu.Sandbox
	PortalURL string // "" for the real regional portals
	Notice    string // what opening the state file fixed or found
	// StatePath is the state file the user named (or the default). A
	// command that only reads Synthesize runs on an empty stand-in (in
	// tmp) when that file does not exist, or when another mesh-gradient
	// holds it (InUse).
	StatePath string
	InUse     bool
	tmp       string
	logFile   *os.File
}

// SecretEnv are the environment variables that hold credentials (or may:
// a URL with user:password). main removes them from the process's
// environment once read, so that no program it starts inherits them.
var SecretEnv = []string{"GRADIENT_TOKEN", "GRADIENT_VENDOR_KEY", "GRADIENT_URL", "MESH_API_KEY"}

// Close finishes the session's writes and closes everything.
func (e *Env) Close() error {
	var err error
	if e.Session != nil {
		err = e.Session.Close(5 * time.Second)
	}
	if e.Sandbox != nil {
		e.Sandbox.Close()
	}
	e.Store.Close()
	if e.tmp != "" {
		os.RemoveAll(e.tmp)
	}
	if e.logFile != nil {
		e.logFile.Close()
	}
	return err
}

// scenario reads --scenario, or the built-in demo; an invalid file is bad
// input, found before any state is touched.
func scenario(g *Globals) (*meshemu.Scenario, error) {
	if g.Scenario == "" {
		return meshemu.Demo(), nil
	}
	sc, err := meshemu.LoadScenario(g.Scenario)
	if err != nil {
		return nil, usage(err.Error())
	}
	return sc, nil
}

// Open opens the state file and picks the Synthesize to talk to:
// GRADIENT_URL and GRADIENT_TOKEN, or the embedded sandbox.
func (f *Factory) Open(g *Globals) (*Env, error) { return f.open(g, false) }

// open is Open; reading, for a command that only reads Synthesize (status,
// alerts), it runs on an empty stand-in instead of making a state file or
// failing while a technician's wizard holds it, so a monitoring job keeps
// working. Not with the sandbox, whose Synthesize lives with the file.
func (f *Factory) open(g *Globals, reading bool) (*Env, error) {
	sc, err := scenario(g)
	if err != nil {
		return nil, err
	}
	sandbox := g.Sandbox || f.Getenv("GRADIENT_URL") == "" || f.Getenv("GRADIENT_TOKEN") == ""
	statePath := g.State
	if statePath == "" {
		if statePath, err = store.DefaultPath(f.Getenv); err != nil {
			return nil, err
		}
	}
	var st *store.Store
	inUse, tmp := false, ""
	_, statErr := os.Stat(statePath)
	switch {
	case reading && !sandbox && errors.Is(statErr, fs.ErrNotExist):
		// Reading Synthesize needs no state file: none is made for it.
		st, tmp, err = emptyStore()
	case g.State == "":
		st, err = store.OpenDefault(f.Getenv)
	default:
		st, err = store.Open(g.State)
	}
	var locked *store.LockedError
	if errors.As(err, &locked) && reading && !sandbox {
		inUse = true
		st, tmp, err = emptyStore()
	}
	if err != nil {
		return nil, err
	}
	path := st.Path()
	if tmp != "" {
		path = statePath // the file the user named, not the stand-in
	}
	e := &Env{Store: st, StatePath: path, InUse: inUse, tmp: tmp}
	gopts := gradient.Options{}
	if g.Debug != "" {
		if e.logFile, err = openLog(g.Debug); err != nil {
			e.Close()
			return nil, usage("--debug: " + err.Error())
		}
		gopts.Logger = slog.New(slog.NewTextHandler(e.logFile, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	cfg := core.Config{Store: st, MeshKey: f.Getenv("MESH_API_KEY"), MeshOptions: gopts, Keyring: f.Keyring}
	if cfg.Keyring == nil {
		cfg.Keyring = core.OSKeyring(f.Getenv)
	}
	gradientURL, token := f.Getenv("GRADIENT_URL"), f.Getenv("GRADIENT_TOKEN")
	e.PortalURL = f.Getenv("MESH_PORTAL_URL")
	if sandbox {
		// The sandbox keeps its emulated Synthesize beside the state file,
		// so quitting and resuming finds the same integration.
		sb, err := meshemu.StartSandbox(meshemu.SandboxOptions{Scenario: sc,
			StateFile: SandboxStateFile(path)})
		if err != nil {
			e.Close()
			return nil, err
		}
		e.Sandbox, cfg.CycleUsage, cfg.PortalHasKey = sb, sb.Scenario.CycleUsage, sb.Portal.HasKey
		gradientURL, token, e.PortalURL = sb.GradientURL, sb.Emulator.PartnerToken(), sb.PortalURL
	}
	cfg.MeshPortal = e.PortalURL
	if cfg.Partner, err = gradient.NewPartnerClient(gradientURL, token, gopts); err != nil {
		e.Close()
		return nil, usage("GRADIENT_URL: " + err.Error())
	}
	if e.Session, err = core.Open(cfg); err != nil {
		e.Close()
		return nil, err
	}
	if w := st.Warnings(); len(w) > 0 {
		e.Notice = strings.Join(w, ". ") + "."
	}
	return e, nil
}

// Standin: the command ran on an empty stand-in, not the user's file
// (which does not exist yet, or another mesh-gradient holds).
func (e *Env) Standin() bool { return e.tmp != "" }

// emptyStore is a stand-in state file in a new temporary directory, for a
// command that reads Synthesize without the user's file.
func emptyStore() (*store.Store, string, error) {
	tmp, err := os.MkdirTemp("", "mesh-gradient-")
	if err != nil {
		return nil, "", err
	}
	st, err := store.Open(filepath.Join(tmp, "state.db"))
	if err != nil {
		os.RemoveAll(tmp)
		return nil, "", err
	}
	return st, tmp, nil
}

// warn says what opening the state file found, once, for a command that
// has no screen to say it on.
func (e *Env) warn(w io.Writer) {
	if e.Notice != "" {
		fmt.Fprintln(w, "mesh-gradient: warning:", e.Notice)
	}
}

// withEnv opens the environment for a command, runs fn, and closes it;
// a close that could not finish the writes is an error too.
func withEnv(f *Factory, g *Globals, cmd *cobra.Command, fn func(ctx context.Context, env *Env) error) error {
	return runEnv(f, g, cmd, false, fn)
}

// withEnvReading is withEnv for a command that only reads Synthesize: it
// still runs while another mesh-gradient holds the state file, and says so.
func withEnvReading(f *Factory, g *Globals, cmd *cobra.Command, fn func(ctx context.Context, env *Env) error) error {
	return runEnv(f, g, cmd, true, fn)
}

func runEnv(f *Factory, g *Globals, cmd *cobra.Command, reading bool, fn func(ctx context.Context, env *Env) error) error {
	env, err := f.open(g, reading)
	if err != nil {
		return err
	}
	if env.InUse {
		fmt.Fprintf(f.IO.ErrOut, "mesh-gradient: another mesh-gradient is using %s; this shows what Synthesize says, without that file's facts.\n", env.StatePath)
	}
	if cmd.HasParent() { // the wizard and the prompts say it on their first screen
		env.warn(f.IO.ErrOut)
	}
	err = fn(cmd.Context(), env)
	if cerr := env.Close(); err == nil {
		err = cerr
	}
	return err
}

// openLog opens the debug log for appending, private (0600) even when it
// existed with a wider mode.
func openLog(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: cannot make it private (%w); choose a file of your own for --debug", path, err)
	}
	return f, nil
}

// SandboxStateFile is where the sandbox keeps the emulated Synthesize of
// one state file: named after it, so two state files in one directory
// never share an integration.
func SandboxStateFile(statePath string) string { return statePath + ".sandbox.json" }
