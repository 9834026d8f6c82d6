package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/meshgradient/mesh-gradient/mesh"
	"github.com/meshgradient/mesh-gradient/wizard/core"
)

// keyDestination is where --key-file says the key goes: the file is made
// (0600, never replacing one) before Synthesize is asked, so a bad path
// cannot cost the one chance to see the key.
type keyDestination struct {
	path string
	out  io.Writer
	file *os.File
}

func openKeyDestination(path string, stdout io.Writer) (*keyDestination, error) {
	if path == "" {
		return nil, core.Input("--key-file is required: the key is shown only once (give a FILE, or - for stdout)")
	}
	if path == "-" {
		return &keyDestination{path: path, out: stdout}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, core.Input("%s exists; not replacing it (it may hold a key): choose another file", path)
		}
		return nil, core.Input("%v", err)
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

// keyCommand opens the key's destination, has issue ask the core for a
// key, writes it there, and tells done.
func keyCommand(f *Factory, g *Globals, path string, issue func(*Env) (string, error), done func(*Env, *keyDestination)) error {
	dest, err := openKeyDestination(path, f.IO.Data())
	if err != nil {
		return err
	}
	env, err := f.Open(g)
	if err != nil {
		dest.abandon()
		return err
	}
	defer env.Close()
	key, err := issue(env)
	if key == "" {
		dest.abandon()
		return err
	}
	if werr := dest.write(key); werr != nil {
		return fmt.Errorf("a key was issued, but writing it to %s failed (%v); run mesh-gradient rekey for a new one", dest.path, werr)
	}
	if err != nil {
		fmt.Fprintln(f.IO.ErrOut, "mesh-gradient:", err)
	}
	done(env, dest)
	return nil
}

// portalHint is the Mesh portal's Gradient page, or the regional portals.
func portalHint(e *Env) string {
	if e.PortalURL != "" {
		return strings.TrimRight(e.PortalURL, "/") + mesh.GradientPagePath("us")
	}
	urls := make([]string, len(mesh.Portals))
	for i, p := range mesh.Portals {
		urls[i] = p.URL
	}
	return strings.Join(urls, " or ")
}

// commaList reads a --products or --types list.
func commaList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.ToLower(strings.TrimSpace(f)); f != "" {
			out = append(out, f)
		}
	}
	return out
}
