package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// maxMeshKeyFile bounds what is read for a key: keys are tens of bytes.
const maxMeshKeyFile = 4096

// readMeshKey reads a Mesh API key from --mesh-key-file (- is stdin),
// else from MESH_API_KEY. The key is never printed, not even in an
// error: a file that holds something else is named, not quoted.
func readMeshKey(f *Factory, path string) (string, error) {
	var r io.Reader
	switch path {
	case "":
		if k := f.Getenv("MESH_API_KEY"); k != "" {
			return k, nil
		}
		return "", core.Input("--mesh-key-file is required: a FILE holding the Mesh API key, or - for stdin (or set MESH_API_KEY)")
	case "-":
		r = f.IO.In
	default:
		file, err := os.Open(path)
		if err != nil {
			return "", core.Input("--mesh-key-file: %v", err)
		}
		defer file.Close()
		r = file
	}
	b, err := io.ReadAll(io.LimitReader(r, maxMeshKeyFile+1))
	if err != nil {
		return "", core.Input("--mesh-key-file %s: %v", path, err)
	}
	key := strings.TrimSpace(string(b))
	if len(b) > maxMeshKeyFile || !core.WellFormedKey(key) {
		return "", core.Input("--mesh-key-file %s does not hold one Mesh API key (one line, no spaces, at most 512 characters)", path)
	}
	return key, nil
}

// checkMeshKey checks a key against Mesh itself, as the wizard does,
// before anything goes to Synthesize, and says what Mesh shows.
func checkMeshKey(ctx context.Context, f *Factory, env *Env, hub, key string) error {
	sum, err := env.Session.CheckMeshKey(ctx, hub, key)
	if err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "%s (Mesh at %s).\n", core.KeyWorks(sum), hub)
	return nil
}

// keepInKeyring keeps the key in the OS keyring after --keyring, and says
// what happened; a keyring that is not there is not a failure of the
// connect, which has happened.
func keepInKeyring(f *Factory, env *Env, keep bool) {
	if !keep {
		return
	}
	if err := env.Session.KeepMeshKey(); err != nil {
		fmt.Fprintln(f.IO.ErrOut, "mesh-gradient: warning:", err)
		return
	}
	fmt.Fprintln(f.IO.ErrOut, "The Mesh API key is kept in the OS keyring (never in the state file): billing and reconcile show Mesh's own numbers. mesh-gradient mesh-key forget removes it.")
}
